"""Has a department delivered what a deadline asks for? One rule, shared by /hannop and the reminders.

The rule, per kind of deadline (``storage.models.Deadline.subject_type``):

* task: the department reported progress on that task for the deadline's ``period_year``
  (any version, any status: a report saying "blocked" is still a report);
* indicator: the indicator has a confirmed figure (any version) for that year, whoever of its
  leads entered it: the figure is one series per indicator and year, not one per department;
* regime (the yearly report of section IV.3 and the planning office's consolidated report):
  the department has a figure for every indicator it leads today that falls due that year
  AND a progress report for every task it leads today that falls due that year (a subject
  "falls due" in a year when one of its own deadlines has that ``period_year``). A department
  that leads nothing due that year delivers by reporting progress on at least one task for
  that year (in practice one it coordinates); it is never "delivered" by doing nothing.

Reports filed by a department that has since been merged into this one count as this
department's: in 2026 the Sở Nông nghiệp và Môi trường answers for what the Sở Tài nguyên
và Môi trường reported in 2019.

The decision is pure (``deliveries``); ``DeliveryService`` gathers the facts in a fixed,
small number of queries whatever the number of deadlines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import TYPE_CHECKING, Protocol, Self, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.plan.model import DepartmentKind
from bot.plan.registry import DepartmentRegistry
from bot.services.periods import PeriodService
from bot.services.responsibility import Responsibility
from storage.enums import DepartmentRole, SubjectType
from storage.models import Deadline, PlanTask
from storage.models import Indicator as IndicatorRow
from storage.repositories import indicator_values, locks, task_progress
from storage.repositories import plan as plan_rows

if TYPE_CHECKING:
    from bot.runtime import Runtime


class SubjectDue(Protocol):
    """What falls due: a task, an indicator or the regime's report, for a reporting year."""

    @property
    def subject_type(self) -> SubjectType: ...

    @property
    def task_id(self) -> int | None: ...

    @property
    def indicator_id(self) -> int | None: ...

    @property
    def period_year(self) -> int: ...


class DeadlineLike(SubjectDue, Protocol):
    """What the rule reads of a deadline (a ``storage.models.Deadline`` row fits)."""

    @property
    def id(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Delivery:
    """The answer for one deadline; ``missing_*`` say what a yearly report still lacks.

    ``delivered_at`` is when the deadline became delivered: the first report that answers it
    (for a yearly report, the last of the pieces it needs), so summaries can say on time or late.
    """

    delivered: bool
    missing_tasks: tuple[str, ...] = ()
    missing_indicators: tuple[int, ...] = ()
    delivered_at: dt.datetime | None = None


NOT_DELIVERED = Delivery(False)
D = TypeVar("D")


def _delivered_at(at: dt.datetime | None) -> Delivery:
    return NOT_DELIVERED if at is None else Delivery(True, delivered_at=at)


@dataclass(frozen=True, slots=True)
class TaskDuty:
    """A task as the database knows it (id) and as people read it ("I.2")."""

    id: int
    key: str


@dataclass(frozen=True, slots=True)
class IndicatorDuty:
    """An indicator as the database knows it (id) and as people read it (6)."""

    id: int
    number: int


@dataclass(frozen=True, slots=True)
class Duties:
    """What the department must cover in a yearly report, per reporting year."""

    led_tasks: Mapping[int, tuple[TaskDuty, ...]] = field(default_factory=dict)
    led_indicators: Mapping[int, tuple[IndicatorDuty, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Facts:
    """What has been filed, and when first: (task id, year) reported by the department, (indicator id, year)
    with a figure."""

    progress: Mapping[tuple[int, int], dt.datetime] = field(default_factory=dict)
    figures: Mapping[tuple[int, int], dt.datetime] = field(default_factory=dict)

    def first_report_in(self, year: int) -> dt.datetime | None:
        return min((at for (_, reported_year), at in self.progress.items() if reported_year == year), default=None)


def regime_delivery(year: int, duties: Duties, facts: Facts) -> Delivery:
    """The yearly report (or the consolidated report) of ``year``; see the module docstring."""
    tasks = duties.led_tasks.get(year, ())
    indicators = duties.led_indicators.get(year, ())
    if not tasks and not indicators:
        return _delivered_at(facts.first_report_in(year))
    missing_tasks = tuple(task.key for task in tasks if (task.id, year) not in facts.progress)
    missing_indicators = tuple(
        indicator.number for indicator in indicators if (indicator.id, year) not in facts.figures
    )
    if missing_tasks or missing_indicators:
        return Delivery(False, missing_tasks, missing_indicators)
    pieces = [facts.progress[task.id, year] for task in tasks] + [
        facts.figures[indicator.id, year] for indicator in indicators
    ]
    return Delivery(True, delivered_at=max(pieces))


def delivery(deadline: DeadlineLike, duties: Duties, facts: Facts) -> Delivery:
    """Whether (and since when) the department has delivered for one deadline."""
    year = deadline.period_year
    if deadline.subject_type is SubjectType.TASK and deadline.task_id is not None:
        return _delivered_at(facts.progress.get((deadline.task_id, year)))
    if deadline.subject_type is SubjectType.INDICATOR and deadline.indicator_id is not None:
        return _delivered_at(facts.figures.get((deadline.indicator_id, year)))
    return regime_delivery(year, duties, facts)


def deliveries(deadlines: Iterable[DeadlineLike], duties: Duties, facts: Facts) -> dict[int, Delivery]:
    return {deadline.id: delivery(deadline, duties, facts) for deadline in deadlines}


@dataclass(frozen=True, slots=True)
class Scope:
    """A department as the rule sees it on a date: code → id of itself first, then of the ones it took over."""

    code: str
    departments: Mapping[str, int]

    @property
    def department_ids(self) -> tuple[int, ...]:
        return tuple(self.departments.values())


@dataclass(frozen=True, slots=True)
class DueYears:
    """Per task and per indicator id: the years it falls due, each with the position of its first
    deadline that year among the plan's deadlines (so duties keep the order people read them in)."""

    tasks: Mapping[int, Mapping[int, int]]
    indicators: Mapping[int, Mapping[int, int]]


def due_years(deadlines: Iterable[SubjectDue]) -> DueYears:
    tasks: defaultdict[int, dict[int, int]] = defaultdict(dict)
    indicators: defaultdict[int, dict[int, int]] = defaultdict(dict)
    for position, row in enumerate(deadlines):
        task, indicator = row.task_id, row.indicator_id
        if row.subject_type is SubjectType.TASK and task is not None:
            tasks[task].setdefault(row.period_year, position)
        elif row.subject_type is SubjectType.INDICATOR and indicator is not None:
            indicators[indicator].setdefault(row.period_year, position)
    return DueYears(dict(tasks), dict(indicators))


def _by_year(pairs: Iterable[tuple[int, int, D]]) -> dict[int, tuple[D, ...]]:
    """(year, position, duty) → year → duties in position order."""
    found: defaultdict[int, list[tuple[int, D]]] = defaultdict(list)
    for year, position, duty in pairs:
        found[year].append((position, duty))
    return {year: tuple(duty for _, duty in sorted(rows, key=itemgetter(0))) for year, rows in found.items()}


def build_duties(led_tasks: Iterable[TaskDuty], led_indicators: Iterable[IndicatorDuty], years: DueYears) -> Duties:
    """Per year, the led tasks and indicators that have a deadline of their own in that year."""
    return Duties(
        led_tasks=_by_year(
            (year, position, duty) for duty in led_tasks for year, position in years.tasks.get(duty.id, {}).items()
        ),
        led_indicators=_by_year(
            (year, position, duty)
            for duty in led_indicators
            for year, position in years.indicators.get(duty.id, {}).items()
        ),
    )


Placed = tuple[int, Deadline]  # a deadline and its position among the snapshot's deadlines


@dataclass(frozen=True, slots=True)
class DeadlineIndex:
    """The snapshot's deadlines by subject, so a department's are found without reading all of them."""

    by_task: Mapping[int, tuple[Placed, ...]]
    by_indicator: Mapping[int, tuple[Placed, ...]]
    regime: tuple[Placed, ...]
    years: DueYears
    task_ids: Mapping[str, int]  # "I.2" → stored id
    indicator_ids: Mapping[int, int]  # 6 → stored id


@dataclass(frozen=True)
class PlanSnapshot:
    """The plan as stored, read once: a reminder round answers for every department from it."""

    plan_id: int
    tasks: Mapping[int, PlanTask]
    indicators: Mapping[int, IndicatorRow]
    deadlines: tuple[Deadline, ...]
    department_ids: Mapping[str, int]
    locked_years: frozenset[int]

    @cached_property
    def index(self) -> DeadlineIndex:
        """Built on first use and kept with the snapshot (a round or a compile asks it per department)."""
        by_task: defaultdict[int, list[Placed]] = defaultdict(list)
        by_indicator: defaultdict[int, list[Placed]] = defaultdict(list)
        regime: list[Placed] = []
        for position, deadline in enumerate(self.deadlines):
            task, indicator = deadline.task_id, deadline.indicator_id
            if deadline.subject_type is SubjectType.TASK and task is not None and task in self.tasks:
                by_task[task].append((position, deadline))
            elif deadline.subject_type is SubjectType.INDICATOR and indicator is not None:
                if indicator in self.indicators:
                    by_indicator[indicator].append((position, deadline))
            elif deadline.subject_type is SubjectType.REGIME:
                regime.append((position, deadline))
        return DeadlineIndex(
            by_task={task: tuple(rows) for task, rows in by_task.items()},
            by_indicator={indicator: tuple(rows) for indicator, rows in by_indicator.items()},
            regime=tuple(regime),
            years=due_years(self.deadlines),
            task_ids={row.task_key: row.id for row in self.tasks.values()},
            indicator_ids={row.number: row.id for row in self.indicators.values()},
        )


@dataclass(frozen=True)
class Filed:
    """Everything filed in some years, for all departments, with the moment it was first filed:
    ``facts_for`` cuts out one department's view."""

    progress: Mapping[tuple[int, int, int], dt.datetime]  # (department id, task id, year) → first report
    figures: Mapping[tuple[int, int], dt.datetime]  # (indicator id, year) → first confirmed figure

    @cached_property
    def progress_by_department(self) -> Mapping[int, tuple[tuple[tuple[int, int], dt.datetime], ...]]:
        """Department id → its ((task id, year), first report): built once, read per department."""
        found: defaultdict[int, list[tuple[tuple[int, int], dt.datetime]]] = defaultdict(list)
        for (department, task, year), at in self.progress.items():
            found[department].append(((task, year), at))
        return {department: tuple(rows) for department, rows in found.items()}

    def facts_for(self, department_ids: Iterable[int]) -> Facts:
        """The departments' reports as one (a merged department's reports count for its successor)."""
        progress: dict[tuple[int, int], dt.datetime] = {}
        for department in set(department_ids):
            for key, at in self.progress_by_department.get(department, ()):
                if key not in progress or at < progress[key]:
                    progress[key] = at
        return Facts(progress=progress, figures=self.figures)


async def load_snapshot(
    session: AsyncSession, plan_id: int, department_codes: Iterable[str], years: Iterable[int] | None = None
) -> PlanSnapshot:
    """The plan as stored; only the deadlines of ``years`` when given (a yearly report's duties are
    that year's subjects, so one year's deadlines are enough to judge that year)."""
    return PlanSnapshot(
        plan_id=plan_id,
        tasks={row.id: row for row in await plan_rows.list_tasks(session, plan_id)},
        indicators={row.id: row for row in await plan_rows.list_indicators(session, plan_id)},
        deadlines=tuple(
            await plan_rows.list_deadlines(session, plan_id, period_years=None if years is None else set(years))
        ),
        department_ids=await plan_rows.department_ids(session, department_codes),
        locked_years=frozenset(await locks.locked_years(session, plan_id)),
    )


async def load_filed(session: AsyncSession, years: Iterable[int]) -> Filed:
    wanted = set(years)
    return Filed(
        progress=await task_progress.first_reports(session, wanted),
        figures=await indicator_values.first_figures(session, wanted),
    )


@dataclass(frozen=True)
class DeliveryService:
    """Gathers the facts for one department and applies the rule to many deadlines at once."""

    sessions: async_sessionmaker[AsyncSession]
    periods: PeriodService
    responsibility: Responsibility
    registry: DepartmentRegistry
    clock: Clock
    tz: ZoneInfo

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> Self:
        return cls(
            runtime.sessions,
            runtime.periods,
            runtime.responsibility,
            runtime.registry,
            runtime.clock,
            runtime.settings.tz,
        )

    def today(self) -> dt.date:
        return local_today(self.clock, self.tz)

    async def status_for(self, department_code: str, deadlines: Sequence[DeadlineLike]) -> dict[int, Delivery]:
        """Deadline id → Delivery for the department, as of today's ownership."""
        async with self.sessions() as session:
            return await self.statuses(session, department_code, deadlines, self.today())

    async def snapshot(self, session: AsyncSession, years: Iterable[int] | None = None) -> PlanSnapshot:
        codes = [department.code for department in self.registry]
        return await load_snapshot(session, await self.periods.plan_id(session), codes, years)

    def departments_on(self, on: dt.date) -> list[str]:
        """Every department that exists on ``on`` (not a group, not merged away), in plan order."""
        return [
            department.code
            for department in self.registry
            if department.kind is not DepartmentKind.GROUP
            and self.registry.successor_on(department.code, on) == department.code
        ]

    def scope(self, department_ids: Mapping[str, int], department_code: str, on: dt.date) -> Scope:
        codes = [department_code, *self.registry.predecessors(department_code, on)]
        return Scope(department_code, {code: department_ids[code] for code in codes if code in department_ids})

    async def load_scope(self, session: AsyncSession, department_code: str, on: dt.date) -> Scope:
        codes = [department_code, *self.registry.predecessors(department_code, on)]
        return self.scope(await plan_rows.department_ids(session, codes), department_code, on)

    async def statuses(
        self, session: AsyncSession, department_code: str, deadlines: Sequence[DeadlineLike], on: dt.date
    ) -> dict[int, Delivery]:
        """``status_for`` inside a session the caller already holds."""
        if not deadlines:
            return {}
        snapshot = await self.snapshot(session)
        filed = await load_filed(session, {deadline.period_year for deadline in deadlines})
        return self.statuses_from(snapshot, filed, department_code, deadlines, on)

    def statuses_from(
        self,
        snapshot: PlanSnapshot,
        filed: Filed,
        department_code: str,
        deadlines: Sequence[DeadlineLike],
        on: dt.date,
    ) -> dict[int, Delivery]:
        """The rule over facts already loaded: no I/O, so a round can ask for every department."""
        facts = filed.facts_for(self.scope(snapshot.department_ids, department_code, on).department_ids)
        duties = Duties()
        if any(deadline.subject_type is SubjectType.REGIME for deadline in deadlines):
            duties = self.duties(snapshot, department_code, on)
        return deliveries(deadlines, duties, facts)

    def duties(self, snapshot: PlanSnapshot, department_code: str, on: dt.date) -> Duties:
        """The led tasks and indicators of the department today, by the years they fall due."""
        index = snapshot.index
        roles = self.responsibility.roles_on(on)
        led_tasks = [
            TaskDuty(index.task_ids[assignment.task.id], assignment.task.id)
            for assignment in roles.tasks.get(department_code, ())
            if assignment.role is DepartmentRole.LEAD and assignment.task.id in index.task_ids
        ]
        led_indicators = [
            IndicatorDuty(index.indicator_ids[number], number)
            for number, (_, role) in roles.indicators.get(department_code, {}).items()
            if role is DepartmentRole.LEAD and number in index.indicator_ids
        ]
        return build_duties(led_tasks, led_indicators, index.years)
