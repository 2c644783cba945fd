"""The planning office's compiles: the yearly summary, the weekly digest and the day-after-deadline report.

Everything is read from the database in a fixed handful of queries and judged with the same
delivery rule as /hannop and the reminders (``DeadlineViewService.items_from``), so a summary
never disagrees with what the departments were reminded of. Ownership is today's: after the
2025 mergers a successor answers for what its predecessors filed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.model import Direction
from bot.reports.model import (
    DeadlineDayReport,
    DeadlineOutcome,
    DeadlineStatus,
    DeliveryState,
    DepartmentLine,
    FigureVersion,
    IndicatorLine,
    PlanHeading,
    ProgressVersion,
    TaskGroupLine,
    TaskLine,
    TaskReport,
    WeeklyDigest,
    YearSummary,
)
from bot.services.deadline_view import DeadlineViewService, DueItem
from bot.services.delivery import Filed, PlanSnapshot, load_filed
from storage.enums import DepartmentRole
from storage.models import Deadline, IndicatorValue, TaskProgressReport
from storage.repositories import indicator_values, officers, task_progress

#: Overdue deadlines listed in a weekly digest (the rest are counted).
OVERDUE_LISTED: Final = 10


def outcome_of(item: DueItem, today: dt.date, tz: dt.tzinfo) -> DeadlineOutcome:
    """On time, late (by how many days), missing or not yet due, judged on local calendar days."""
    if item.delivered and item.delivered_at is not None:
        late = (item.delivered_at.astimezone(tz).date() - item.due_on).days
        state, days = (DeliveryState.LATE, late) if late > 0 else (DeliveryState.ON_TIME, 0)
    elif item.due_on < today:
        state, days = DeliveryState.MISSING, (today - item.due_on).days
    else:
        state, days = DeliveryState.PENDING, 0
    return DeadlineOutcome(
        deadline_id=item.deadline_id,
        subject_type=item.subject_type,
        kind=item.kind,
        due_on=item.due_on,
        period_year=item.period_year,
        title=item.title,
        task_key=item.task_key,
        indicator_number=item.indicator_number,
        state=state,
        delivered_at=item.delivered_at,
        days_late=days,
        missing_tasks=item.missing_tasks,
        missing_indicators=item.missing_indicators,
    )


@dataclass(frozen=True)
class SummaryService(DeadlineViewService):
    """Reads for the planning office: every department at once, never written to."""

    def display_name(self, code: str) -> str:
        return self.registry.display_name(code) if code in self.registry else code

    # --- who delivered what -------------------------------------------------------------------

    def outcomes(
        self, snapshot: PlanSnapshot, filed: Filed, today: dt.date, wanted: Callable[[Deadline], bool]
    ) -> dict[str, list[DeadlineOutcome]]:
        """Department code → its outcomes for the wanted deadlines it must deliver (leads and reporters).

        The snapshot is narrowed to the wanted deadlines' reporting years first: a yearly report's
        duties are the subjects due that year, so those rows must stay, and nothing else is needed.
        """
        chosen = {deadline.id for deadline in snapshot.deadlines if wanted(deadline)}
        years = {deadline.period_year for deadline in snapshot.deadlines if deadline.id in chosen}
        narrowed = dataclasses.replace(
            snapshot, deadlines=tuple(d for d in snapshot.deadlines if d.period_year in years)
        )
        found: dict[str, list[DeadlineOutcome]] = {}
        for code in self.departments_on(today):
            mine = [
                outcome_of(item, today, self.tz)
                for item in self.items_from(narrowed, filed, code, today)
                if item.deadline_id in chosen and item.role is not DepartmentRole.COORDINATOR
            ]
            if mine:
                found[code] = sorted(mine, key=lambda o: (o.due_on, o.deadline_id))
        return found

    def deadline_statuses(self, outcomes: Mapping[str, Sequence[DeadlineOutcome]]) -> list[DeadlineStatus]:
        """The same outcomes turned around: per deadline, each responsible department."""
        by_deadline: defaultdict[int, list[tuple[str, DeadlineOutcome]]] = defaultdict(list)
        for code, rows in outcomes.items():
            for outcome in rows:
                by_deadline[outcome.deadline_id].append((self.display_name(code), outcome))
        statuses = [DeadlineStatus(rows[0][1], tuple(rows)) for rows in by_deadline.values()]
        return sorted(statuses, key=lambda s: (s.deadline.due_on, s.deadline.subject_type, s.deadline.deadline_id))

    async def load(self, session: AsyncSession, years: Iterable[int] | None = None) -> tuple[PlanSnapshot, Filed]:
        """The plan and what was filed (for ``years``, or every year of the plan's deadlines)."""
        snapshot = await self.snapshot(session, years)
        wanted = set(years) if years is not None else {d.period_year for d in snapshot.deadlines}
        return snapshot, await load_filed(session, wanted)

    # --- the weekly digest and the day after a deadline ---------------------------------------

    def weekly(self, snapshot: PlanSnapshot, filed: Filed, today: dt.date, window_days: int) -> WeeklyDigest:
        """Deadlines due in the next ``window_days`` and overdue ones that still lack reports (open years)."""
        horizon = today + dt.timedelta(days=window_days)
        outcomes = self.outcomes(
            snapshot,
            filed,
            today,
            lambda d: d.period_year not in snapshot.locked_years and d.due_on <= horizon,
        )
        statuses = self.deadline_statuses(outcomes)
        upcoming = tuple(s for s in statuses if s.deadline.due_on >= today)
        overdue = [s for s in statuses if s.deadline.due_on < today and s.named(DeliveryState.MISSING)]
        overdue.sort(key=lambda s: (s.deadline.due_on, s.deadline.deadline_id), reverse=True)
        return WeeklyDigest(
            today, window_days, upcoming, tuple(overdue[:OVERDUE_LISTED]), max(0, len(overdue) - OVERDUE_LISTED)
        )

    def deadline_day(self, snapshot: PlanSnapshot, filed: Filed, due_on: dt.date, today: dt.date) -> DeadlineDayReport:
        statuses = self.deadline_statuses(self.outcomes(snapshot, filed, today, lambda d: d.due_on == due_on))
        return DeadlineDayReport(due_on, today, tuple(statuses))

    # --- the yearly compile -------------------------------------------------------------------

    async def compile(self, year: int) -> YearSummary:
        """The yearly compile of ``year`` as of now: figures, deliveries and task progress."""
        today = self.today()
        regime = self.responsibility.plan.reporting.years
        first_year = min(regime.start, year)
        async with self.sessions() as session:
            snapshot, filed = await self.load(session, {year})
            figures = await indicator_values.versions_between(session, first_year, year)
            reports = await task_progress.history(session, period_year=year)
            names = await officers.full_names(
                session,
                {row.entered_by_officer_id for row in figures if row.entered_by_officer_id is not None}
                | {row.reported_by_officer_id for row in reports if row.reported_by_officer_id is not None},
            )
        departments = {department_id: code for code, department_id in snapshot.department_ids.items()}
        people = _People(names, {i: self.display_name(code) for i, code in departments.items()})
        outcomes = self.outcomes(snapshot, filed, today, lambda d: d.period_year == year)
        return YearSummary(
            year=year,
            heading=self.heading(today),
            compiled_at=self.clock.now(),
            today=today,
            locked=year in snapshot.locked_years,
            years=tuple(range(first_year, year + 1)),
            indicators=self._indicators(snapshot, figures, people, year),
            departments=tuple(
                DepartmentLine(code, self.display_name(code), tuple(rows)) for code, rows in outcomes.items()
            ),
            task_groups=self._task_groups(snapshot, reports, people),
            progress_history=tuple(
                people.progress_version(snapshot.tasks[row.task_id].task_key, row)
                for row in sorted(reports, key=lambda r: (r.reported_at, r.id))
                if row.task_id in snapshot.tasks
            ),
        )

    def heading(self, today: dt.date) -> PlanHeading:
        plan = self.responsibility.plan
        return PlanHeading(
            title=plan.plan.title,
            decision_number=plan.plan.decision_number,
            decision_date=plan.plan.decision_date,
            issuing_body=plan.plan.issuing_body,
            province=self.registry.province_on(today),
            planning_office=self.display_name(self.registry.planning_office(today)),
            recipient=plan.reporting.recipient,
            upstream=self.registry.upstream_on(today),
        )

    def _indicators(
        self, snapshot: PlanSnapshot, figures: Sequence[IndicatorValue], people: _People, year: int
    ) -> tuple[IndicatorLine, ...]:
        versions: defaultdict[int, list[FigureVersion]] = defaultdict(list)
        for figure in figures:
            versions[figure.indicator_id].append(people.figure_version(figure))
        lines = []
        for row in sorted(snapshot.indicators.values(), key=lambda r: r.number):
            if not row.period_start <= year <= row.period_end:
                continue
            mine = tuple(versions.get(row.id, ()))
            latest: dict[int, FigureVersion] = {}
            for version in mine:  # oldest first, so the last one per year stays
                latest[version.year] = version
            lines.append(
                IndicatorLine(
                    number=row.number,
                    name=row.name,
                    unit=row.unit,
                    responsible_text=row.responsible_text,
                    timeframe_text=row.timeframe_text,
                    target=Decimal(row.target_value) if row.target_value is not None else None,
                    target_year=row.target_year,
                    direction=Direction(row.direction),
                    latest_by_year=latest,
                    versions=mine,
                )
            )
        return tuple(lines)

    def _task_groups(
        self, snapshot: PlanSnapshot, reports: Sequence[TaskProgressReport], people: _People
    ) -> tuple[TaskGroupLine, ...]:
        current: dict[tuple[int, int], TaskProgressReport] = {}
        for report in reports:  # versions ascending per task and department: the last one is current
            current[report.task_id, report.department_id] = report
        by_task: defaultdict[int, list[TaskReport]] = defaultdict(list)
        for report in current.values():
            by_task[report.task_id].append(people.task_report(report))
        groups: dict[str, tuple[str, list[TaskLine]]] = {}
        for task in sorted(snapshot.tasks.values(), key=lambda t: t.position):
            _, lines = groups.setdefault(task.group_code, (task.group_title, []))
            lines.append(
                TaskLine(
                    key=task.task_key,
                    title=task.title,
                    lead_text=task.lead_text,
                    coordinators_text=task.coordinators_text,
                    timeframe=task.timeframe,
                    reports=tuple(sorted(by_task.get(task.id, ()), key=lambda r: r.at, reverse=True)),
                )
            )
        return tuple(TaskGroupLine(code, title, tuple(lines)) for code, (title, lines) in groups.items())


@dataclass(frozen=True, slots=True)
class _People:
    """Officer and department names looked up once, turning stored rows into summary lines."""

    officers: Mapping[int, str]
    departments: Mapping[int, str]

    def _officer(self, officer_id: int | None) -> str | None:
        return self.officers.get(officer_id) if officer_id is not None else None

    def figure_version(self, row: IndicatorValue) -> FigureVersion:
        return FigureVersion(
            year=row.year,
            version=row.version,
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            department=self.departments.get(row.department_id, "?"),
            officer=self._officer(row.entered_by_officer_id),
            at=row.entered_at,
            note=row.note,
        )

    def task_report(self, row: TaskProgressReport) -> TaskReport:
        return TaskReport(
            department=self.departments.get(row.department_id, "?"),
            status=row.status,
            note=row.note,
            officer=self._officer(row.reported_by_officer_id),
            at=row.reported_at,
            version=row.version,
        )

    def progress_version(self, task_key: str, row: TaskProgressReport) -> ProgressVersion:
        return ProgressVersion(
            task_key=task_key,
            department=self.departments.get(row.department_id, "?"),
            version=row.version,
            status=row.status,
            note=row.note,
            officer=self._officer(row.reported_by_officer_id),
            at=row.reported_at,
        )
