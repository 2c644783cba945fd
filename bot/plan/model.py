"""Typed model of an action plan file (metadata, departments, Annex I tasks, Annex II indicators).

The plan is data, not code: a province loads its own YAML file with this shape.
Pydantic validates it so that a bad file fails with the entry and the field named.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CODE_PATTERN = r"^[A-Z][A-Z0-9_]{1,31}$"
MONTH_DAY_PATTERN = re.compile(r"^(\d{2})-(\d{2})$")

DepartmentCode = Annotated[str, Field(pattern=CODE_PATTERN)]


class StrictModel(BaseModel):
    """Base for every plan entry: unknown keys are errors, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MonthDay(StrictModel):
    """A day of the year such as 15 December, written "12-15" in the plan file."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        if isinstance(value, str):
            match = MONTH_DAY_PATTERN.match(value.strip())
            if not match:
                raise ValueError(f"expected MM-DD such as 12-15, got {value!r}")
            return {"month": int(match.group(1)), "day": int(match.group(2))}
        return value

    @model_validator(mode="after")
    def _is_real_day(self) -> MonthDay:
        dt.date(2024, self.month, self.day)  # leap year: accepts 02-29, rejects 02-30
        return self

    def in_year(self, year: int) -> dt.date:
        """The date in the given year; 29 February falls back to the 28th in common years."""
        try:
            return dt.date(year, self.month, self.day)
        except ValueError:
            return dt.date(year, self.month, self.day - 1)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


class YearRange(StrictModel):
    start: int = Field(ge=1900, le=2200)
    end: int = Field(ge=1900, le=2200)

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def years(self) -> range:
        return range(self.start, self.end + 1)


class Succession(StrictModel):
    """A department or province that ceased to exist and the body that took over its work."""

    successor: str
    effective: dt.date
    basis: str | None = None  # the legal act, for the record


class PlanInfo(StrictModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    title: str
    decision_number: str
    decision_date: dt.date
    issuing_body: str
    province: str
    period: YearRange
    vision_year: int | None = None
    national_strategy: str | None = None
    province_succession: Succession | None = None


class ReportingRegime(StrictModel):
    """Section IV.3: who reports, to whom, through whom, and on which day of the year."""

    planning_office: DepartmentCode
    reporters: list[DepartmentCode] = Field(min_length=1)
    recipient: str
    upstream: str
    upstream_succession: Succession | None = None  # the ministry that took over `upstream`
    years: YearRange
    annual_report_due: MonthDay = MonthDay(month=12, day=15)
    consolidated_report_due: MonthDay = MonthDay(month=12, day=31)
    annual_plan_due: MonthDay = MonthDay(month=7, day=31)
    five_year_plan_due: MonthDay = MonthDay(month=12, day=31)
    basis: str | None = None


class DepartmentKind(StrEnum):
    DEPARTMENT = "department"  # Sở
    BOARD = "board"  # Ban quản lý
    MEDIA = "media"  # Đài, Báo
    LOCALITY = "locality"  # UBND huyện / thành phố
    ORGANISATION = "organisation"  # đoàn thể, tổ chức ngoài nhà nước
    GROUP = "group"  # a phrase of the plan that stands for several departments


class Department(StrictModel):
    code: DepartmentCode
    name: str = Field(min_length=2)
    kind: DepartmentKind
    aliases: list[str] = Field(default_factory=list)
    members: list[DepartmentCode] = Field(default_factory=list)
    established: dt.date | None = None
    replaced_by: Succession | None = None
    dissolved: dt.date | None = None
    note: str | None = None

    def exists_on(self, on: dt.date) -> bool:
        """Formed by `on`, not yet merged into a successor, not dissolved."""
        if self.established is not None and self.established > on:
            return False
        if self.replaced_by is not None and self.replaced_by.effective <= on:
            return False
        return self.dissolved is None or self.dissolved > on

    @model_validator(mode="after")
    def _members_only_for_groups(self) -> Department:
        if self.kind is DepartmentKind.GROUP and not self.members:
            raise ValueError("a group needs at least one member")
        if self.kind is not DepartmentKind.GROUP and self.members:
            raise ValueError("only a group may list members")
        if self.replaced_by is not None and self.replaced_by.successor == self.code:
            raise ValueError("a department cannot succeed itself")
        return self


class DeadlineKind(StrEnum):
    ONE_OFF = "one_off"
    ANNUAL_REPORT = "annual_report"
    FINAL_EVALUATION = "final_evaluation"
    PLAN_SUBMISSION = "plan_submission"
    FIVE_YEAR_PLAN_SUBMISSION = "five_year_plan_submission"
    CONSOLIDATED_REPORT = "consolidated_report"


class ExplicitDeadline(StrictModel):
    """A date written in the plan file that overrides what the timeframe rules would derive."""

    date: dt.date
    kind: DeadlineKind
    period_year: int | None = None  # the reporting year it closes; the year of `date` when omitted
    label: str | None = None


class TaskGroup(StrictModel):
    code: str = Field(pattern=r"^[IVX]+$")
    title: str


class Task(StrictModel):
    id: str = Field(pattern=r"^[IVX]+\.\d{1,3}$")
    group: str = Field(pattern=r"^[IVX]+$")
    title: str = Field(min_length=3)
    lead: list[DepartmentCode] = Field(min_length=1)
    lead_text: str
    coordinators: list[DepartmentCode] = Field(default_factory=list)
    coordinators_text: str = ""
    timeframe: str = Field(min_length=1)
    deadlines: list[ExplicitDeadline] | None = None

    @field_validator("timeframe")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split())


class Target(StrictModel):
    value: float = Field(ge=0)
    year: int
    source: str | None = None  # section of the plan that sets it, e.g. "III.7"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    ANY = "any"


class Indicator(StrictModel):
    id: int = Field(ge=1, le=999)
    name: str = Field(min_length=3)
    unit: str = "%"
    lead: list[DepartmentCode] = Field(min_length=1)
    coordinators: list[DepartmentCode] = Field(default_factory=list)
    responsible_text: str
    period: YearRange
    timeframe_text: str
    target: Target | None = None
    direction: Direction = Direction.INCREASE
    numerator_question: str | None = None
    denominator_question: str | None = None


class Plan(StrictModel):
    plan: PlanInfo
    reporting: ReportingRegime
    departments: list[Department] = Field(min_length=1)
    task_groups: list[TaskGroup] = Field(min_length=1)
    tasks: list[Task] = Field(min_length=1)
    indicators: list[Indicator] = Field(default_factory=list)
