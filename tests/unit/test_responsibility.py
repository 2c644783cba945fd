"""Who answers for what on a date: the one-pass index agrees with the rule read department by department.

The index (``RolesOn``) is what every summary, reminder round and /hannop reads; the reference below
is the rule as the plan states it, asked separately for each department, task and indicator.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.plan.loader import read_plan
from bot.plan.model import DepartmentKind, Indicator, Plan, Task
from bot.plan.registry import DepartmentRegistry
from bot.services.responsibility import ROLES_CACHE_LIMIT, Responsibility
from storage.enums import DepartmentRole

DATES = (
    dt.date(2013, 7, 16),  # the plan's decision
    dt.date(2024, 12, 31),  # the day before the 2025 mergers
    dt.date(2025, 3, 1),  # departments merged
    dt.date(2025, 7, 1),  # district level gone, province merged
    dt.date(2030, 12, 31),
)


def reference_role(
    registry: DepartmentRegistry, code: str, subject: Task | Indicator, on: dt.date
) -> DepartmentRole | None:
    """The rule: lead when named as lead or doing a named lead's work; else coordinator the same way."""
    if code in subject.lead or code in registry.route_all(subject.lead, on):
        return DepartmentRole.LEAD
    if code in registry.route_all(subject.coordinators, on):
        return DepartmentRole.COORDINATOR
    return None


@pytest.mark.parametrize("on", DATES)
def test_the_index_agrees_with_the_rule_for_every_department(
    plan: Plan, registry: DepartmentRegistry, on: dt.date
) -> None:
    responsibility = Responsibility(plan, registry)
    checked = 0
    for department in registry:
        code = department.code
        expected_tasks = [
            (task.id, role) for task in plan.tasks if (role := reference_role(registry, code, task, on)) is not None
        ]
        leads_first = sorted(expected_tasks, key=lambda pair: pair[1] is not DepartmentRole.LEAD)
        assert [(a.task.id, a.role) for a in responsibility.tasks_for(code, on)] == leads_first, code
        for task in plan.tasks:
            assert responsibility.task_role(code, task, on) == reference_role(registry, code, task, on)
        led = [i.id for i in plan.indicators if reference_role(registry, code, i, on) is DepartmentRole.LEAD]
        assert [i.id for i in responsibility.indicators_led_by(code, on)] == led, code
        for indicator in plan.indicators:
            role = reference_role(registry, code, indicator, on)
            assert responsibility.leads_indicator(code, indicator, on) == (role is DepartmentRole.LEAD)
            assert responsibility.roles_on(on).indicator_roles(code).get(indicator.id) == role
        checked += len(leads_first)
    assert checked > 0
    assert responsibility.roles_on(on).reporters == frozenset(registry.reporters(on))


def test_successors_take_over_their_predecessors_tasks() -> None:
    plan = read_plan()
    responsibility = Responsibility(plan, DepartmentRegistry(plan))
    before = {a.task.id for a in responsibility.tasks_for("STNMT", dt.date(2024, 12, 31))}
    after = {a.task.id for a in responsibility.tasks_for("SNNMT", dt.date(2025, 3, 1))}
    assert before
    assert before <= after


def test_roles_are_worked_out_once_per_date_and_the_cache_stays_small(plan: Plan, registry: DepartmentRegistry) -> None:
    responsibility = Responsibility(plan, registry)
    first = responsibility.roles_on(DATES[0])
    assert responsibility.roles_on(DATES[0]) is first
    for offset in range(ROLES_CACHE_LIMIT + 5):
        responsibility.roles_on(DATES[0] + dt.timedelta(days=offset + 1))
    assert len(responsibility._by_date) <= ROLES_CACHE_LIMIT


@pytest.mark.parametrize("on", DATES)
def test_predecessors_agree_with_succession_for_every_department(registry: DepartmentRegistry, on: dt.date) -> None:
    for department in registry:
        expected = [
            other.code
            for other in registry
            if other.kind is not DepartmentKind.GROUP
            and other.code != department.code
            and registry.successor_on(other.code, on) == department.code
        ]
        assert list(registry.predecessors(department.code, on)) == expected
