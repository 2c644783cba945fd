"""What the planning office's yearly compile says, as plain data: one object feeds the Telegram
message, the XLSX workbook, the chart and the draft report, so all four always agree.

Built by ``bot.services.summaries`` from the database; nothing here does I/O or imports telegram.
Datetimes are UTC-aware (converted to Asia/Ho_Chi_Minh only when shown); figures are ``Decimal``
percentages as entered (45.5 means 45,5%).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from bot.plan.model import DeadlineKind, Direction
from storage.enums import ProgressStatus, SubjectType

HUNDRED = Decimal(100)


def progress_toward(value: Decimal, target: Decimal | None, direction: Direction) -> Decimal | None:
    """How far a figure has come toward its target, in percent of the target (100 = reached).

    For an indicator that should rise: value / target. For one that should fall: reached (100) at
    or below the target, otherwise target / value. None when there is no target to measure against.
    """
    if target is None or direction is Direction.ANY:
        return None
    if direction is Direction.INCREASE:
        return value / target * HUNDRED if target else None
    if value <= target:
        return HUNDRED
    return target / value * HUNDRED


@dataclass(frozen=True, slots=True)
class FigureVersion:
    """One confirmed version of a figure (a correction is a later version)."""

    year: int
    version: int
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    department: str  # the display name of the department that entered it
    officer: str | None  # None: entered by the system or an import
    at: dt.datetime
    note: str | None = None


@dataclass(frozen=True, slots=True)
class IndicatorLine:
    """One Annex II row with every year's current figure and every version ever entered."""

    number: int
    name: str
    unit: str
    responsible_text: str  # "Đơn vị thực hiện" as the annex words it
    timeframe_text: str  # "Thời gian thực hiện"
    target: Decimal | None
    target_year: int | None
    direction: Direction
    latest_by_year: Mapping[int, FigureVersion]  # the current version of each year that has one
    versions: tuple[FigureVersion, ...]  # every version of every year, oldest first

    def figure(self, year: int) -> FigureVersion | None:
        return self.latest_by_year.get(year)

    def progress(self, year: int) -> Decimal | None:
        """Progress toward the target of the year's figure (see ``progress_toward``)."""
        current = self.figure(year)
        return None if current is None else progress_toward(current.value, self.target, self.direction)

    def change(self, year: int) -> Decimal | None:
        """Percentage points gained since the year before; None when either year has no figure."""
        current, previous = self.figure(year), self.figure(year - 1)
        return None if current is None or previous is None else current.value - previous.value


class DeliveryState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # the deadline has passed and nothing came in
    PENDING = "pending"  # not yet due and not yet delivered


@dataclass(frozen=True, slots=True)
class DeadlineOutcome:
    """One of a department's deadlines for the year and how it went."""

    deadline_id: int
    subject_type: SubjectType
    kind: DeadlineKind
    due_on: dt.date
    period_year: int  # the reporting year the deadline belongs to
    title: str  # the task's or indicator's title, or the yearly report's label
    task_key: str | None
    indicator_number: int | None
    state: DeliveryState
    delivered_at: dt.datetime | None
    days_late: int  # 0 unless LATE (or MISSING: days since the deadline)
    missing_tasks: tuple[str, ...] = ()
    missing_indicators: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DepartmentLine:
    """A department's deadlines of the year, with counts for the one-line verdict."""

    code: str
    name: str
    outcomes: tuple[DeadlineOutcome, ...]

    def count(self, state: DeliveryState) -> int:
        return sum(1 for outcome in self.outcomes if outcome.state is state)

    @property
    def most_days_late(self) -> int:
        return max((o.days_late for o in self.outcomes if o.state is DeliveryState.LATE), default=0)

    @property
    def has_missing(self) -> bool:
        return self.count(DeliveryState.MISSING) > 0


@dataclass(frozen=True, slots=True)
class TaskReport:
    """A department's current progress report on a task for the year."""

    department: str
    status: ProgressStatus
    note: str | None
    officer: str | None
    at: dt.datetime
    version: int


@dataclass(frozen=True, slots=True)
class TaskLine:
    """One Annex I row; ``reports`` holds each reporting department's current report, newest first."""

    key: str  # "I.2"
    title: str
    lead_text: str
    coordinators_text: str
    timeframe: str
    reports: tuple[TaskReport, ...]

    @property
    def latest(self) -> TaskReport | None:
        return self.reports[0] if self.reports else None


@dataclass(frozen=True, slots=True)
class TaskGroupLine:
    code: str  # "I"
    title: str
    tasks: tuple[TaskLine, ...]


@dataclass(frozen=True, slots=True)
class ProgressVersion:
    """One version of a progress report, for the history sheet."""

    task_key: str
    department: str
    version: int
    status: ProgressStatus
    note: str | None
    officer: str | None
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class PlanHeading:
    """Who writes the report to whom, as of the day it is compiled (names follow the 2025 mergers)."""

    title: str  # the plan's title
    decision_number: str  # "514/QĐ-UBND"
    decision_date: dt.date
    issuing_body: str
    province: str  # today's province
    planning_office: str  # the sender (section IV.3)
    recipient: str  # "Ủy ban nhân dân tỉnh"
    upstream: str  # the ministry the province reports to


@dataclass(frozen=True)
class YearSummary:
    """Everything the yearly compile shows for ``year``."""

    year: int
    heading: PlanHeading
    compiled_at: dt.datetime
    today: dt.date
    locked: bool
    years: tuple[int, ...]  # the reporting years shown as columns, oldest first, up to ``year``
    indicators: tuple[IndicatorLine, ...]
    departments: tuple[DepartmentLine, ...]
    task_groups: tuple[TaskGroupLine, ...]
    progress_history: tuple[ProgressVersion, ...] = field(default=())

    @property
    def tasks(self) -> tuple[TaskLine, ...]:
        return tuple(task for group in self.task_groups for task in group.tasks)

    @property
    def indicators_with_data(self) -> int:
        return sum(1 for line in self.indicators if line.figure(self.year) is not None)

    @property
    def tasks_reported(self) -> int:
        return sum(1 for task in self.tasks if task.reports)

    @property
    def departments_missing(self) -> tuple[DepartmentLine, ...]:
        return tuple(line for line in self.departments if line.has_missing)

    @property
    def departments_late(self) -> tuple[DepartmentLine, ...]:
        return tuple(line for line in self.departments if line.count(DeliveryState.LATE))


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """One deadline seen from the planning office: each responsible department and how it went."""

    deadline: DeadlineOutcome  # naming fields (title, kind, year, due date) of the deadline
    departments: tuple[tuple[str, DeadlineOutcome], ...]  # (department name, its outcome)

    def named(self, state: DeliveryState) -> list[str]:
        return [name for name, outcome in self.departments if outcome.state is state]

    def late(self) -> list[tuple[str, int]]:
        return [(name, o.days_late) for name, o in self.departments if o.state is DeliveryState.LATE]

    @property
    def delivered(self) -> int:
        return sum(1 for _, o in self.departments if o.state in (DeliveryState.ON_TIME, DeliveryState.LATE))


@dataclass(frozen=True, slots=True)
class WeeklyDigest:
    today: dt.date
    window_days: int
    upcoming: tuple[DeadlineStatus, ...]  # due from today to window_days ahead, soonest first
    overdue: tuple[DeadlineStatus, ...]  # passed with departments still missing, most recent first
    overdue_more: int

    @property
    def is_empty(self) -> bool:
        return not self.upcoming and not self.overdue


@dataclass(frozen=True, slots=True)
class DeadlineDayReport:
    """The day after a due date: every deadline of that day with who delivered on time, late or not at all."""

    due_on: dt.date
    today: dt.date
    deadlines: tuple[DeadlineStatus, ...]
