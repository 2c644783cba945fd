"""Row-level helpers of the plan sync: tasks and indicators with their department links.

Split from ``storage.plan_sync`` for size; both loops follow the same pattern: load what
is stored for the plan once, compare field by field, touch only what differs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.loader import LoadedPlan
from storage.enums import DepartmentRole
from storage.models import Indicator, IndicatorDepartment, PlanTask, TaskDepartment
from storage.sync_report import SyncCounts

LinkSet = set[tuple[int, DepartmentRole]]


class PlanSyncError(ValueError):
    """The plan refers to something the database cannot hold (e.g. an unknown department code)."""


def apply_changes(row: Any, values: Mapping[str, Any]) -> bool:
    """Set the differing attributes; True if anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def retire_orphans(
    rows: Iterable[Any],
    keep: Container[Any],
    key_of: Callable[[Any], Any],
    counts: SyncCounts,
    describe: Callable[[Any], str] | None = None,
) -> None:
    """Count (and switch off) stored rows whose key the plan no longer lists."""
    for row in rows:
        key = key_of(row)
        if key in keep:
            continue
        counts.orphaned += 1
        counts.orphaned_keys.append(describe(row) if describe else str(key))
        if row.active:
            row.active = False
            counts.deactivated += 1


def _links(codes: Mapping[DepartmentRole, Iterable[str]], department_ids: Mapping[str, int], where: str) -> LinkSet:
    wanted: LinkSet = set()
    for role, listed in codes.items():
        for code in listed:
            if code not in department_ids:
                raise PlanSyncError(f"{where}: unknown department code {code!r}")
            wanted.add((department_ids[code], role))
    return wanted


async def _sync_links(
    session: AsyncSession, model: Any, owner: str, owner_id: int, have: LinkSet, want: LinkSet
) -> bool:
    for department_id, role in want - have:
        session.add(model(**{owner: owner_id, "department_id": department_id, "role": role}))
    for department_id, role in have - want:
        await session.execute(
            delete(model).where(
                getattr(model, owner) == owner_id, model.department_id == department_id, model.role == role
            )
        )
    return have != want


async def sync_tasks(
    session: AsyncSession,
    loaded: LoadedPlan,
    plan_id: int,
    department_ids: Mapping[str, int],
    counts: SyncCounts,
) -> dict[str, int]:
    rows = {r.task_key: r for r in (await session.scalars(select(PlanTask).where(PlanTask.plan_id == plan_id))).all()}
    have: defaultdict[int, LinkSet] = defaultdict(set)
    query = select(TaskDepartment).join(PlanTask).where(PlanTask.plan_id == plan_id)
    for link in (await session.scalars(query)).all():
        have[link.task_id].add((link.department_id, link.role))
    groups = {group.code: group.title for group in loaded.plan.task_groups}
    for position, task in enumerate(loaded.plan.tasks):
        values = {
            "group_code": task.group,
            "group_title": groups.get(task.group, ""),
            "position": position,
            "title": task.title,
            "lead_text": task.lead_text,
            "coordinators_text": task.coordinators_text,
            "timeframe": task.timeframe,
            "active": True,
        }
        want = _links(
            {DepartmentRole.LEAD: task.lead, DepartmentRole.COORDINATOR: task.coordinators},
            department_ids,
            f"task {task.id}",
        )
        row = rows.get(task.id)
        if row is None:
            row = rows[task.id] = PlanTask(plan_id=plan_id, task_key=task.id, **values)
            session.add(row)
            await session.flush()
            await _sync_links(session, TaskDepartment, "task_id", row.id, set(), want)
            counts.created += 1
            continue
        changed = apply_changes(row, values)
        changed = await _sync_links(session, TaskDepartment, "task_id", row.id, have[row.id], want) or changed
        counts.count("updated" if changed else "unchanged")
    retire_orphans(rows.values(), {task.id for task in loaded.plan.tasks}, lambda r: r.task_key, counts)
    await session.flush()
    return {key: row.id for key, row in rows.items()}


async def sync_indicators(
    session: AsyncSession,
    loaded: LoadedPlan,
    plan_id: int,
    department_ids: Mapping[str, int],
    counts: SyncCounts,
) -> dict[int, int]:
    query = select(Indicator).where(Indicator.plan_id == plan_id)
    rows = {r.number: r for r in (await session.scalars(query)).all()}
    have: defaultdict[int, LinkSet] = defaultdict(set)
    links = select(IndicatorDepartment).join(Indicator).where(Indicator.plan_id == plan_id)
    for link in (await session.scalars(links)).all():
        have[link.indicator_id].add((link.department_id, link.role))
    for indicator in loaded.plan.indicators:
        target = indicator.target
        values = {
            "name": indicator.name,
            "unit": indicator.unit,
            "responsible_text": indicator.responsible_text,
            "timeframe_text": indicator.timeframe_text,
            "period_start": indicator.period.start,
            "period_end": indicator.period.end,
            "target_value": Decimal(str(target.value)) if target else None,
            "target_year": target.year if target else None,
            "direction": indicator.direction,
            "numerator_question": indicator.numerator_question,
            "denominator_question": indicator.denominator_question,
            "active": True,
        }
        want = _links(
            {DepartmentRole.LEAD: indicator.lead, DepartmentRole.COORDINATOR: indicator.coordinators},
            department_ids,
            f"indicator {indicator.id}",
        )
        row = rows.get(indicator.id)
        if row is None:
            row = rows[indicator.id] = Indicator(plan_id=plan_id, number=indicator.id, **values)
            session.add(row)
            await session.flush()
            await _sync_links(session, IndicatorDepartment, "indicator_id", row.id, set(), want)
            counts.created += 1
            continue
        changed = apply_changes(row, values)
        changed = await _sync_links(session, IndicatorDepartment, "indicator_id", row.id, have[row.id], want) or changed
        counts.count("updated" if changed else "unchanged")
    retire_orphans(rows.values(), {indicator.id for indicator in loaded.plan.indicators}, lambda r: r.number, counts)
    await session.flush()
    return {number: row.id for number, row in rows.items()}
