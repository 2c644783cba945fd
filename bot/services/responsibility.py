"""Who answers today for each Annex I task and Annex II indicator.

The plan names departments as they were in 2013; the registry follows renames, mergers
and groups, so "Sở Tài nguyên và Môi trường" in the annex means "Sở Nông nghiệp và Môi
trường" from 01/03/2025. Ownership is always decided from the plan file, on a date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.plan.model import Indicator, Plan, Task
from bot.plan.registry import DepartmentRegistry
from storage.enums import DepartmentRole


@dataclass(frozen=True, slots=True)
class TaskAssignment:
    task: Task
    role: DepartmentRole


@dataclass(frozen=True)
class Responsibility:
    plan: Plan
    registry: DepartmentRegistry

    def indicator(self, number: int) -> Indicator | None:
        return next((indicator for indicator in self.plan.indicators if indicator.id == number), None)

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.plan.tasks if task.id == task_id), None)

    def indicator_leads(self, indicator: Indicator, on: dt.date) -> list[str]:
        """Departments that lead the indicator on ``on`` (successors of the plan's lead)."""
        return self.registry.route_all(indicator.lead, on)

    def leads_indicator(self, department_code: str, indicator: Indicator, on: dt.date) -> bool:
        return department_code in self.indicator_leads(indicator, on) or department_code in indicator.lead

    def indicators_led_by(self, department_code: str, on: dt.date) -> list[Indicator]:
        return [i for i in self.plan.indicators if self.leads_indicator(department_code, i, on)]

    def task_role(self, department_code: str, task: Task, on: dt.date) -> DepartmentRole | None:
        """LEAD or COORDINATOR if the department answers for the task on ``on``, else None."""
        if department_code in task.lead or department_code in self.registry.route_all(task.lead, on):
            return DepartmentRole.LEAD
        if department_code in self.registry.route_all(task.coordinators, on):
            return DepartmentRole.COORDINATOR
        return None

    def tasks_for(self, department_code: str, on: dt.date) -> list[TaskAssignment]:
        """The department's tasks, the ones it leads first, each group in annex order."""
        assignments = [
            TaskAssignment(task, role)
            for task in self.plan.tasks
            if (role := self.task_role(department_code, task, on)) is not None
        ]
        return sorted(assignments, key=lambda a: a.role is not DepartmentRole.LEAD)
