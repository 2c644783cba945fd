"""/hannop: which deadlines concern a department today, which are late, which come next.

A department's deadlines are those of the tasks and indicators it leads or coordinates
today (ownership follows the 2025 mergers through the registry), plus the yearly report
of section IV.3 when it is a reporter and the consolidated report when it is the planning
office. Deadlines of a locked year are left out: nothing can be filed for them any more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import local_today
from bot.plan.model import DeadlineKind
from bot.services.delivery import DeliveryService, Filed, PlanSnapshot, load_filed
from storage.enums import DepartmentRole, SubjectType
from storage.models import Deadline

UPCOMING_DAYS: Final = 60
OVERDUE_SHOWN: Final = 10
UPCOMING_SHOWN: Final = 15


@dataclass(frozen=True, slots=True)
class DueItem:
    """One deadline as the department sees it; ``days_left`` is negative when late."""

    deadline_id: int
    subject_type: SubjectType
    kind: DeadlineKind
    due_on: dt.date
    period_year: int
    task_key: str | None
    indicator_number: int | None
    title: str
    role: DepartmentRole | None  # None for the yearly / consolidated report
    delivered: bool
    days_left: int
    missing_tasks: tuple[str, ...] = ()  # what a yearly report still lacks
    missing_indicators: tuple[int, ...] = ()
    delivered_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class DeadlineOverview:
    today: dt.date
    window_days: int
    upcoming: tuple[DueItem, ...]
    upcoming_more: int
    overdue: tuple[DueItem, ...]  # most recent first
    overdue_more: int


def select_overview(
    items: Iterable[DueItem],
    today: dt.date,
    locked_years: Iterable[int] = (),
    *,
    window_days: int = UPCOMING_DAYS,
    overdue_shown: int = OVERDUE_SHOWN,
    upcoming_shown: int = UPCOMING_SHOWN,
) -> DeadlineOverview:
    """Upcoming: due from today to ``window_days`` ahead, soonest first, delivered or not.

    Overdue: past and not delivered, most recent first; only the first ``overdue_shown`` are kept
    and the rest are counted.
    """
    locked = set(locked_years)
    open_items = [item for item in items if item.period_year not in locked]
    upcoming = sorted(
        (item for item in open_items if 0 <= item.days_left <= window_days),
        key=lambda item: (item.due_on, item.deadline_id),
    )
    overdue = sorted(
        (item for item in open_items if item.days_left < 0 and not item.delivered),
        key=lambda item: (item.due_on, -item.deadline_id),
        reverse=True,
    )
    return DeadlineOverview(
        today=today,
        window_days=window_days,
        upcoming=tuple(upcoming[:upcoming_shown]),
        upcoming_more=max(0, len(upcoming) - upcoming_shown),
        overdue=tuple(overdue[:overdue_shown]),
        overdue_more=max(0, len(overdue) - overdue_shown),
    )


@dataclass(frozen=True)
class DeadlineViewService(DeliveryService):
    """Reads over the same facts as the delivery rule, for one department at a time."""

    async def overview(self, department_code: str) -> DeadlineOverview:
        today = local_today(self.clock, self.tz)
        async with self.sessions() as session:
            snapshot = await self.snapshot(session)
            filed = await load_filed(session, {deadline.period_year for deadline in snapshot.deadlines})
        return select_overview(self.items_from(snapshot, filed, department_code, today), today, snapshot.locked_years)

    async def items(self, session: AsyncSession, department_code: str, today: dt.date) -> list[DueItem]:
        """Every deadline of the department, with its delivery status (one batch of queries)."""
        snapshot = await self.snapshot(session)
        filed = await load_filed(session, {deadline.period_year for deadline in snapshot.deadlines})
        return self.items_from(snapshot, filed, department_code, today)

    def items_from(self, snapshot: PlanSnapshot, filed: Filed, department_code: str, today: dt.date) -> list[DueItem]:
        """``items`` over facts already loaded: a reminder round calls it for every department."""
        index = snapshot.index
        roles = self.responsibility.roles_on(today)
        regime_kinds = self.regime_kinds(department_code, today)

        mine: list[tuple[int, Deadline, DepartmentRole | None, str | None, int | None, str]] = []
        for assignment in roles.tasks.get(department_code, ()):
            task_id = index.task_ids.get(assignment.task.id)
            if task_id is not None:
                task = snapshot.tasks[task_id]
                for position, deadline in index.by_task.get(task_id, ()):
                    mine.append((position, deadline, assignment.role, task.task_key, None, task.title))
        for number, (_, role) in roles.indicators.get(department_code, {}).items():
            indicator_id = index.indicator_ids.get(number)
            if indicator_id is not None:
                indicator = snapshot.indicators[indicator_id]
                for position, deadline in index.by_indicator.get(indicator_id, ()):
                    mine.append((position, deadline, role, None, indicator.number, indicator.name))
        for position, deadline in index.regime:
            if deadline.kind in regime_kinds:
                mine.append((position, deadline, None, None, None, deadline.label or ""))
        mine.sort(key=itemgetter(0))  # the snapshot's order, whatever the subject
        statuses = self.statuses_from(snapshot, filed, department_code, [row[1] for row in mine], today)
        return [
            DueItem(
                deadline_id=deadline.id,
                subject_type=deadline.subject_type,
                kind=deadline.kind,
                due_on=deadline.due_on,
                period_year=deadline.period_year,
                task_key=task_key,
                indicator_number=number,
                title=title,
                role=role,
                delivered=statuses[deadline.id].delivered,
                days_left=(deadline.due_on - today).days,
                missing_tasks=statuses[deadline.id].missing_tasks,
                missing_indicators=statuses[deadline.id].missing_indicators,
                delivered_at=statuses[deadline.id].delivered_at,
            )
            for _, deadline, role, task_key, number, title in mine
        ]

    def regime_kinds(self, department_code: str, on: dt.date) -> Sequence[DeadlineKind]:
        """The yearly report binds every reporter; the consolidated report binds the planning office."""
        kinds: list[DeadlineKind] = []
        if department_code in self.responsibility.roles_on(on).reporters:
            kinds.append(DeadlineKind.ANNUAL_REPORT)
        if department_code == self.registry.planning_office(on):
            kinds.append(DeadlineKind.CONSOLIDATED_REPORT)
        return kinds
