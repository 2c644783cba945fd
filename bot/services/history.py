"""/lichsu: every version a department filed for a reporting year, oldest first.

Only the caller's own department is ever read, plus the departments it took over in a
merger (their reports are now its records). A figure series is shared by an indicator's
leads, so versions entered by another department are left out rather than shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.clock import local_today
from bot.services.delivery import DeliveryService
from bot.text import shorten
from storage.enums import DepartmentRole, ProgressStatus, ValueSource
from storage.models import IndicatorValue, TaskProgressReport
from storage.repositories import indicator_values, locks, officers, task_progress
from storage.repositories import plan as plan_rows

NOTE_LIMIT: Final = 80


@dataclass(frozen=True, slots=True)
class Filed:
    """Who filed a version, when, and what came with it; ``taken_over_from`` names a merged department."""

    version: int
    officer_name: str | None
    at: dt.datetime
    note: str | None
    evidence_file_name: str | None
    taken_over_from: str | None

    @property
    def is_correction(self) -> bool:
        return self.version > 1


@dataclass(frozen=True, slots=True)
class FigureVersion:
    filed: Filed
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    source: ValueSource


@dataclass(frozen=True, slots=True)
class ProgressVersion:
    filed: Filed
    status: ProgressStatus


@dataclass(frozen=True, slots=True)
class IndicatorHistory:
    number: int
    name: str
    versions: tuple[FigureVersion, ...]


@dataclass(frozen=True, slots=True)
class TaskHistory:
    task_key: str
    title: str
    role: DepartmentRole | None  # None: no longer the department's task today
    versions: tuple[ProgressVersion, ...]


@dataclass(frozen=True, slots=True)
class DepartmentHistory:
    department_code: str
    year: int
    locked: bool
    indicators: tuple[IndicatorHistory, ...]
    tasks: tuple[TaskHistory, ...]
    not_entered: tuple[int, ...]  # indicators the department leads for the year with no figure of its own

    @property
    def is_empty(self) -> bool:
        return not self.indicators and not self.tasks


@dataclass(frozen=True)
class HistoryService(DeliveryService):
    """Reads over the same facts as the delivery rule, for one department at a time."""

    def reporting_years(self) -> list[int]:
        return self.periods.reporting_years()

    def parse_year(self, text: str) -> int | None:
        """A reporting year typed or sent by a button, or None (not a number, or not a reporting year)."""
        text = text.strip()
        if not (text.isascii() and text.isdigit() and len(text) == 4):
            return None
        year = int(text)
        return year if self.periods.is_reporting_year(year) else None

    async def default_year(self) -> int | None:
        """The open year offered everywhere; the latest reporting year when all are locked."""
        year = await self.periods.open_year()
        if year is not None:
            return year
        years = self.reporting_years()
        return years[-1] if years else None

    async def year_statuses(self) -> list[tuple[int, bool]]:
        return [(status.year, status.locked) for status in await self.periods.year_statuses()]

    async def history(self, department_code: str, year: int) -> DepartmentHistory:
        """The department's versions for ``year``; the caller has checked it is a reporting year."""
        today = local_today(self.clock, self.tz)
        async with self.sessions() as session:
            plan_id = await self.periods.plan_id(session)
            scope = await self.load_scope(session, department_code, today)
            figures: list[IndicatorValue] = []
            reports: list[TaskProgressReport] = []
            for department_id in scope.department_ids:
                figures += await indicator_values.history(session, department_id=department_id, year=year)
                reports += await task_progress.history(session, department_id=department_id, period_year=year)
            officer_ids = {row.entered_by_officer_id for row in figures} | {
                row.reported_by_officer_id for row in reports
            }
            filing = _Filing(
                names=await officers.full_names(session, {i for i in officer_ids if i is not None}),
                taken_over={
                    department_id: self.registry.display_name(code)
                    for code, department_id in scope.departments.items()
                    if code != department_code
                },
            )
            indicators = await plan_rows.list_indicators(session, plan_id, active_only=False)
            tasks = await plan_rows.list_tasks(session, plan_id, active_only=False)
            locked = await locks.is_locked(session, plan_id, year)

        indicator_history = _indicator_history(figures, {row.id: (row.number, row.name) for row in indicators}, filing)
        by_task: defaultdict[int, list[ProgressVersion]] = defaultdict(list)
        for report in sorted(reports, key=lambda r: (r.reported_at, r.version)):
            by_task[report.task_id].append(ProgressVersion(filing.of_report(report), report.status))
        task_history = tuple(
            TaskHistory(
                task.task_key,
                task.title,
                self._task_role(department_code, task.task_key, today),
                tuple(by_task[task.id]),
            )
            for task in tasks
            if by_task.get(task.id)
        )
        entered = {item.number for item in indicator_history}
        not_entered = tuple(
            indicator.id
            for indicator in self.responsibility.indicators_led_by(department_code, today)
            if indicator.period.start <= year <= indicator.period.end and indicator.id not in entered
        )
        return DepartmentHistory(department_code, year, locked, indicator_history, task_history, not_entered)

    def _task_role(self, department_code: str, task_key: str, on: dt.date) -> DepartmentRole | None:
        task = self.responsibility.task(task_key)
        return self.responsibility.task_role(department_code, task, on) if task is not None else None


@dataclass(frozen=True, slots=True)
class _Filing:
    """Turns stored rows into ``Filed``: officer names and merged departments looked up once."""

    names: Mapping[int, str]
    taken_over: Mapping[int, str]

    def _filed(
        self,
        version: int,
        officer_id: int | None,
        at: dt.datetime,
        department_id: int,
        note: str | None,
        file_name: str | None,
    ) -> Filed:
        return Filed(
            version=version,
            officer_name=self.names.get(officer_id) if officer_id is not None else None,
            at=at,
            note=shorten(note, NOTE_LIMIT) if note else None,
            evidence_file_name=file_name,
            taken_over_from=self.taken_over.get(department_id),
        )

    def of_figure(self, row: IndicatorValue) -> Filed:
        return self._filed(
            row.version, row.entered_by_officer_id, row.entered_at, row.department_id, row.note, row.evidence_file_name
        )

    def of_report(self, row: TaskProgressReport) -> Filed:
        return self._filed(
            row.version,
            row.reported_by_officer_id,
            row.reported_at,
            row.department_id,
            row.note,
            row.evidence_file_name,
        )


def _indicator_history(
    figures: Sequence[IndicatorValue], indicators: Mapping[int, tuple[int, str]], filing: _Filing
) -> tuple[IndicatorHistory, ...]:
    """Versions grouped per indicator, indicators by number, versions in order."""
    grouped: defaultdict[int, list[FigureVersion]] = defaultdict(list)
    for row in sorted(figures, key=lambda r: (r.indicator_id, r.version)):
        grouped[row.indicator_id].append(
            FigureVersion(filing.of_figure(row), row.value, row.numerator, row.denominator, row.source)
        )
    found = [
        IndicatorHistory(*indicators[indicator_id], tuple(versions))
        for indicator_id, versions in grouped.items()
        if indicator_id in indicators
    ]
    return tuple(sorted(found, key=lambda item: item.number))
