"""Annex II figures: what an officer may enter, the soft plausibility check, and the confirmed write.

Every check that matters is made again inside the write transaction (year lock, who
leads the indicator), so a stale screen or a forged button can never store a figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.plan.model import Direction, Indicator
from bot.plan.registry import DepartmentRegistry
from bot.services.accounts import Identity, PlanningOffice
from bot.services.entries import EntryProblem, EntryRefusedError, EvidenceDraft
from bot.services.figures import Figure
from bot.services.periods import PeriodService
from bot.services.responsibility import Responsibility
from storage.enums import ValueSource
from storage.models import IndicatorValue
from storage.repositories import departments, indicator_values, locks


@dataclass(frozen=True, slots=True)
class DraftItem:
    """One indicator's unconfirmed figure, note and evidence (kept in the conversation's data)."""

    number: int
    percent: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str | None = None
    evidence: EvidenceDraft | None = None

    @classmethod
    def from_figure(cls, number: int, figure: Figure) -> DraftItem:
        return cls(number, figure.percent, figure.numerator, figure.denominator)

    def with_figure(self, figure: Figure) -> DraftItem:
        return DraftItem(self.number, figure.percent, figure.numerator, figure.denominator, self.note, self.evidence)

    def as_data(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "percent": str(self.percent),
            "numerator": None if self.numerator is None else str(self.numerator),
            "denominator": None if self.denominator is None else str(self.denominator),
            "note": self.note,
            "evidence": self.evidence.as_data() if self.evidence else None,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> DraftItem:
        def number(key: str) -> Decimal | None:
            return None if data.get(key) is None else Decimal(str(data[key]))

        return cls(
            number=int(data["number"]),
            percent=Decimal(str(data["percent"])),
            numerator=number("numerator"),
            denominator=number("denominator"),
            note=data.get("note"),
            evidence=EvidenceDraft.from_data(data.get("evidence")),
        )


class WarningReason(StrEnum):
    JUMP = "jump"  # moved by more than the margin
    FALL = "fall"  # went the wrong way for an indicator that should only grow (or only fall)


@dataclass(frozen=True, slots=True)
class SoftWarning:
    """Last year's confirmed figure makes this one look unlikely: ask before accepting it."""

    number: int
    previous_year: int
    previous: Decimal
    new: Decimal
    reason: WarningReason


@dataclass(frozen=True, slots=True)
class IndicatorStatus:
    indicator: Indicator
    current: IndicatorValue | None


@dataclass(frozen=True, slots=True)
class Confirmed:
    number: int
    value: IndicatorValue


@dataclass(frozen=True)
class IntakeService:
    sessions: async_sessionmaker[AsyncSession]
    periods: PeriodService
    responsibility: Responsibility
    registry: DepartmentRegistry
    clock: Clock
    tz: ZoneInfo
    margin: Decimal

    def today(self) -> dt.date:
        return local_today(self.clock, self.tz)

    def led_indicators(self, identity: Identity) -> list[Indicator]:
        if identity.department_code is None:
            raise EntryRefusedError(EntryProblem.NO_DEPARTMENT)
        return self.responsibility.indicators_led_by(identity.department_code, self.today())

    def leaders_of_all(self) -> list[tuple[Indicator, list[str]]]:
        """Each indicator and the names of the departments that lead it today (for "who does")."""
        today = self.today()
        return [
            (
                indicator,
                [self.registry.display_name(code) for code in self.responsibility.indicator_leads(indicator, today)],
            )
            for indicator in self.responsibility.plan.indicators
        ]

    def indicator_for(self, identity: Identity, number: int) -> Indicator:
        """The indicator, if the caller's department leads it today; otherwise a refusal."""
        indicator = self.responsibility.indicator(number)
        if indicator is None:
            raise EntryRefusedError(EntryProblem.UNKNOWN_INDICATOR, number=number)
        if identity.department_code is None:
            raise EntryRefusedError(EntryProblem.NO_DEPARTMENT)
        if not self.responsibility.leads_indicator(identity.department_code, indicator, self.today()):
            raise EntryRefusedError(
                EntryProblem.NOT_YOUR_INDICATOR, number=number, department=identity.department_name or ""
            )
        return indicator

    async def statuses(self, identity: Identity, year: int) -> list[IndicatorStatus]:
        """The caller's indicators, each with its current confirmed value for ``year`` (or None)."""
        indicators = self.led_indicators(identity)
        async with self.sessions() as session:
            ids = await self.periods.indicator_ids(session)
            current = await indicator_values.latest_values(session, year)
        return [IndicatorStatus(i, current.get(ids.get(i.id, -1))) for i in indicators]

    async def confirmed_for_year(self, year: int) -> dict[int, IndicatorValue]:
        """Current confirmed values of every indicator for ``year``, keyed by indicator number."""
        async with self.sessions() as session:
            ids = await self.periods.indicator_ids(session)
            current = await indicator_values.latest_values(session, year)
        by_id = {row_id: number for number, row_id in ids.items()}
        return {by_id[row_id]: value for row_id, value in current.items() if row_id in by_id}

    async def soft_check(self, number: int, year: int, percent: Decimal) -> SoftWarning | None:
        """Compare with last year's confirmed figure: a jump beyond the margin, or a move the wrong way."""
        indicator = self.responsibility.indicator(number)
        if indicator is None:
            return None
        async with self.sessions() as session:
            row_id = (await self.periods.indicator_ids(session)).get(number)
            previous = await indicator_values.latest_value(session, row_id, year - 1) if row_id else None
        if previous is None:
            return None
        old = previous.value
        if abs(percent - old) > self.margin:
            return SoftWarning(number, year - 1, old, percent, WarningReason.JUMP)
        wrong_way = (indicator.direction is Direction.INCREASE and percent < old) or (
            indicator.direction is Direction.DECREASE and percent > old
        )
        if wrong_way:
            return SoftWarning(number, year - 1, old, percent, WarningReason.FALL)
        return None

    async def confirm(
        self, identity: Identity, year: int, items: list[DraftItem], office: PlanningOffice, source: ValueSource
    ) -> list[Confirmed]:
        """Store every item as a new version, in one transaction, after checking the rights again."""
        for item in items:
            self.indicator_for(identity, item.number)
        async with self.sessions.begin() as session:
            plan_id = await self.periods.plan_id(session)
            if not self.periods.is_reporting_year(year):
                await self.periods.check_open(year, office.name)
            if await locks.is_locked(session, plan_id, year):
                raise EntryRefusedError(EntryProblem.LOCKED, year=year, office=office.name)
            department = await departments.get_by_code(session, identity.department_code or "")
            if department is None:
                raise EntryRefusedError(EntryProblem.NO_DEPARTMENT)
            ids = await self.periods.indicator_ids(session)
            stored = []
            for item in items:
                row = await indicator_values.record_value(
                    session,
                    indicator_id=ids[item.number],
                    department_id=department.id,
                    year=year,
                    value=item.percent,
                    entered_by_officer_id=identity.officer_id,
                    source=source,
                    numerator=item.numerator,
                    denominator=item.denominator,
                    note=item.note,
                    evidence=item.evidence.for_storage() if item.evidence else None,
                    actor_telegram_id=identity.telegram_user_id,
                    now=self.clock.now(),
                )
                stored.append(Confirmed(item.number, row))
            return stored
