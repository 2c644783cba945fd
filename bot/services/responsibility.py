"""Who answers today for each Annex I task and Annex II indicator.

The plan names departments as they were in 2013; the registry follows renames, mergers
and groups, so "Sở Tài nguyên và Môi trường" in the annex means "Sở Nông nghiệp và Môi
trường" from 01/03/2025. Ownership is always decided from the plan file, on a date.

The answer for one date is worked out for every department in one pass over the plan
(``RolesOn``) and kept: a summary or a reminder round asks it of hundreds of departments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar

from bot.plan.model import Indicator, Plan, Task
from bot.plan.registry import DepartmentRegistry
from storage.enums import DepartmentRole

#: Dates whose roles are kept; a running bot asks about a handful of dates a day.
ROLES_CACHE_LIMIT: Final = 64

S = TypeVar("S", Task, Indicator)
Role = tuple[S, DepartmentRole]


@dataclass(frozen=True, slots=True)
class TaskAssignment:
    task: Task
    role: DepartmentRole


@dataclass(frozen=True, slots=True)
class RolesOn:
    """Every department's tasks and indicators on one date."""

    tasks: Mapping[str, tuple[TaskAssignment, ...]]  # code → its tasks, the ones it leads first, annex order
    indicators: Mapping[str, Mapping[int, tuple[Indicator, DepartmentRole]]]  # code → number → role, annex order
    reporters: frozenset[str]  # the units bound by the yearly report of section IV.3

    def task_roles(self, department_code: str) -> dict[str, DepartmentRole]:
        return {assignment.task.id: assignment.role for assignment in self.tasks.get(department_code, ())}

    def indicator_roles(self, department_code: str) -> dict[int, DepartmentRole]:
        return {number: role for number, (_, role) in self.indicators.get(department_code, {}).items()}


def _assign(subjects: Iterable[S], registry: DepartmentRegistry, on: dt.date) -> dict[str, list[Role[S]]]:
    """Code → (subject, role) in the order given.

    A department leads when the plan names it as lead or it does a named lead's work on ``on``;
    it coordinates when it does a named coordinator's work and does not lead.
    """
    found: dict[str, list[Role[S]]] = {}
    for subject in subjects:
        lead: list[str] = subject.lead
        leading = dict.fromkeys([*lead, *registry.route_all(lead, on)])
        for code in leading:
            found.setdefault(code, []).append((subject, DepartmentRole.LEAD))
        coordinators: list[str] = subject.coordinators
        for code in registry.route_all(coordinators, on):
            if code not in leading:
                found.setdefault(code, []).append((subject, DepartmentRole.COORDINATOR))
    return found


def roles_on(plan: Plan, registry: DepartmentRegistry, on: dt.date) -> RolesOn:
    tasks = {
        code: tuple(sorted((TaskAssignment(*pair) for pair in pairs), key=lambda a: a.role is not DepartmentRole.LEAD))
        for code, pairs in _assign(plan.tasks, registry, on).items()
    }
    indicators = {
        code: {indicator.id: (indicator, role) for indicator, role in pairs}
        for code, pairs in _assign(plan.indicators, registry, on).items()
    }
    return RolesOn(tasks, indicators, frozenset(registry.reporters(on)))


@dataclass(frozen=True)
class Responsibility:
    plan: Plan
    registry: DepartmentRegistry
    _by_date: dict[dt.date, RolesOn] = field(default_factory=dict, init=False, repr=False, compare=False)

    def roles_on(self, on: dt.date) -> RolesOn:
        """Every department's roles on ``on``, worked out once per date."""
        found = self._by_date.get(on)
        if found is None:
            if len(self._by_date) >= ROLES_CACHE_LIMIT:
                self._by_date.clear()
            found = self._by_date[on] = roles_on(self.plan, self.registry, on)
        return found

    def indicator(self, number: int) -> Indicator | None:
        return next((indicator for indicator in self.plan.indicators if indicator.id == number), None)

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.plan.tasks if task.id == task_id), None)

    def indicator_leads(self, indicator: Indicator, on: dt.date) -> list[str]:
        """Departments that lead the indicator on ``on`` (successors of the plan's lead)."""
        return self.registry.route_all(indicator.lead, on)

    def leads_indicator(self, department_code: str, indicator: Indicator, on: dt.date) -> bool:
        return self.roles_on(on).indicator_roles(department_code).get(indicator.id) is DepartmentRole.LEAD

    def indicators_led_by(self, department_code: str, on: dt.date) -> list[Indicator]:
        mine = self.roles_on(on).indicators.get(department_code, {})
        return [indicator for indicator, role in mine.values() if role is DepartmentRole.LEAD]

    def task_role(self, department_code: str, task: Task, on: dt.date) -> DepartmentRole | None:
        """LEAD or COORDINATOR if the department answers for the task on ``on``, else None."""
        return self.roles_on(on).task_roles(department_code).get(task.id)

    def tasks_for(self, department_code: str, on: dt.date) -> list[TaskAssignment]:
        """The department's tasks, the ones it leads first, each group in annex order."""
        return list(self.roles_on(on).tasks.get(department_code, ()))
