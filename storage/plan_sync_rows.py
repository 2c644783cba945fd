"""Row-level helpers of the plan sync: tasks and indicators with their department links.

Split from ``storage.plan_sync`` for size; one loop (``_sync_rows``) serves both: load what
is stored for the plan once, compare field by field, touch only what differs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan import model as plan_model
from bot.plan.loader import LoadedPlan
from storage.enums import DepartmentRole
from storage.models import Indicator, IndicatorDepartment, PlanTask, TaskDepartment
from storage.sync_report import SyncCounts

LinkSet = set[tuple[int, DepartmentRole]]
KeyT = TypeVar("KeyT", str, int)


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


def _links(item: plan_model.Task | plan_model.Indicator, department_ids: Mapping[str, int], where: str) -> LinkSet:
    """The (department id, role) links the plan lists for a task or indicator."""
    wanted: LinkSet = set()
    for role, listed in ((DepartmentRole.LEAD, item.lead), (DepartmentRole.COORDINATOR, item.coordinators)):
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


async def _sync_rows(
    session: AsyncSession,
    model: Any,
    link_model: Any,
    owner: str,
    key_column: str,
    plan_id: int,
    entries: Iterable[tuple[KeyT, dict[str, Any], LinkSet]],
    counts: SyncCounts,
) -> dict[KeyT, int]:
    """Upsert the plan's rows of ``model`` (keyed by ``key_column``) and their department links.

    ``entries`` yields (key, column values, wanted links) per plan item; it is consumed
    lazily, so an item that fails to resolve stops the sync where it stands.
    """
    query = select(model).where(model.plan_id == plan_id)
    rows: dict[KeyT, Any] = {getattr(r, key_column): r for r in (await session.scalars(query)).all()}
    have: defaultdict[int, LinkSet] = defaultdict(set)
    links = select(link_model).join(model).where(model.plan_id == plan_id)
    for link in (await session.scalars(links)).all():
        have[getattr(link, owner)].add((link.department_id, link.role))
    listed: set[KeyT] = set()
    for key, values, want in entries:
        listed.add(key)
        row = rows.get(key)
        if row is None:
            row = rows[key] = model(plan_id=plan_id, **{key_column: key}, **values)
            session.add(row)
            await session.flush()
            await _sync_links(session, link_model, owner, row.id, set(), want)
            counts.created += 1
            continue
        changed = apply_changes(row, values)
        changed = await _sync_links(session, link_model, owner, row.id, have[row.id], want) or changed
        counts.count("updated" if changed else "unchanged")
    retire_orphans(rows.values(), listed, lambda r: getattr(r, key_column), counts)
    await session.flush()
    return {key: row.id for key, row in rows.items()}


async def sync_tasks(
    session: AsyncSession,
    loaded: LoadedPlan,
    plan_id: int,
    department_ids: Mapping[str, int],
    counts: SyncCounts,
) -> dict[str, int]:
    groups = {group.code: group.title for group in loaded.plan.task_groups}

    def entries() -> Iterator[tuple[str, dict[str, Any], LinkSet]]:
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
            yield task.id, values, _links(task, department_ids, f"task {task.id}")

    return await _sync_rows(session, PlanTask, TaskDepartment, "task_id", "task_key", plan_id, entries(), counts)


async def sync_indicators(
    session: AsyncSession,
    loaded: LoadedPlan,
    plan_id: int,
    department_ids: Mapping[str, int],
    counts: SyncCounts,
) -> dict[int, int]:
    def entries() -> Iterator[tuple[int, dict[str, Any], LinkSet]]:
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
            yield indicator.id, values, _links(indicator, department_ids, f"indicator {indicator.id}")

    return await _sync_rows(
        session, Indicator, IndicatorDepartment, "indicator_id", "number", plan_id, entries(), counts
    )
