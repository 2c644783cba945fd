"""Reporting years: which ones exist, which is open by default, and which are locked.

The years come from the plan's reporting regime (section IV.3), up to the current year;
a year is locked by the planning office once its report is compiled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.plan.loader import LoadedPlan
from bot.services.entries import EntryProblem, EntryRefusedError
from storage.models import PeriodLock
from storage.repositories import locks
from storage.repositories import plan as plan_rows


class PlanNotSyncedError(RuntimeError):
    """The plan is not in the database yet (the bot syncs it at start-up)."""


@dataclass(frozen=True, slots=True)
class YearStatus:
    year: int
    locked: bool


def open_year_of(statuses: list[YearStatus]) -> int | None:
    """The latest year that is not locked, from statuses already read."""
    unlocked = [status.year for status in statuses if not status.locked]
    return unlocked[-1] if unlocked else None


@dataclass
class PlanRowIds:
    """Database ids of the plan, its indicators and its tasks: fixed once the start-up sync wrote them.

    Every step of a conversation needs them; they are read once per process instead of on every update.
    """

    plan: int | None = None
    indicators: dict[int, int] = field(default_factory=dict)  # indicator number → row id
    tasks: dict[str, int] = field(default_factory=dict)  # task key → row id


@dataclass(frozen=True)
class PeriodService:
    sessions: async_sessionmaker[AsyncSession]
    plan: LoadedPlan
    clock: Clock
    tz: ZoneInfo
    ids: PlanRowIds = field(default_factory=PlanRowIds, compare=False, repr=False)

    def reporting_years(self) -> list[int]:
        """The regime's years that have begun, oldest first."""
        years = self.plan.plan.reporting.years
        this_year = local_today(self.clock, self.tz).year
        return [year for year in range(years.start, years.end + 1) if year <= this_year]

    async def plan_id(self, session: AsyncSession) -> int:
        if self.ids.plan is None:
            row = await plan_rows.get_plan(session, self.plan.plan.plan.code)
            if row is None:
                raise PlanNotSyncedError(self.plan.plan.plan.code)
            self.ids.plan = row.id
        return self.ids.plan

    async def indicator_ids(self, session: AsyncSession) -> dict[int, int]:
        """Indicator number → database id, for this plan's active indicators."""
        if not self.ids.indicators:
            rows = await plan_rows.list_indicators(session, await self.plan_id(session))
            self.ids.indicators.update((row.number, row.id) for row in rows)
        return self.ids.indicators

    async def task_ids(self, session: AsyncSession) -> dict[str, int]:
        """Task key → database id, for this plan's active tasks."""
        if not self.ids.tasks:
            rows = await plan_rows.list_tasks(session, await self.plan_id(session))
            self.ids.tasks.update((row.task_key, row.id) for row in rows)
        return self.ids.tasks

    async def year_statuses(self) -> list[YearStatus]:
        async with self.sessions() as session:
            locked = set(await locks.locked_years(session, await self.plan_id(session)))
        return [YearStatus(year, year in locked) for year in self.reporting_years()]

    async def open_year(self) -> int | None:
        """The year offered by default: the latest one that is not locked."""
        return open_year_of(await self.year_statuses())

    async def is_locked(self, year: int) -> bool:
        async with self.sessions() as session:
            return await locks.is_locked(session, await self.plan_id(session), year)

    def is_reporting_year(self, year: int) -> bool:
        return year in self.reporting_years()

    async def check_open(self, year: int, office_name: str) -> None:
        """Refuses a year outside the regime, or a locked one (naming the office to contact)."""
        if not self.is_reporting_year(year):
            years = self.reporting_years()
            span = f"{years[0]}–{years[-1]}" if years else "-"
            raise EntryRefusedError(EntryProblem.NOT_A_REPORTING_YEAR, year=year, years=span)
        if await self.is_locked(year):
            raise EntryRefusedError(EntryProblem.LOCKED, year=year, office=office_name)

    async def set_locked(self, year: int, locked: bool, by_officer_id: int | None) -> PeriodLock:
        """Lock or unlock ``year`` (audited); the caller checks it is a reporting year."""
        async with self.sessions.begin() as session:
            return await locks.set_lock(
                session, await self.plan_id(session), year, locked, by_officer_id, now=self.clock.now()
            )
