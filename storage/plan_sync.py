"""Copy the plan file into the database, idempotently.

Start-up calls this on every boot: unchanged rows stay untouched, so running it twice
changes nothing. Rows that vanished from the file are not deleted (reports and the
send log point at them): they are switched to ``active = False`` and reported as
orphaned, and come back to life if the file lists them again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.loader import LoadedPlan
from bot.plan.model import DeadlineKind
from scheduler.deadlines import Deadline as PlannedDeadline
from storage.enums import SubjectType
from storage.models import Deadline, Department, Plan
from storage.plan_sync_rows import PlanSyncError, apply_changes, retire_orphans, sync_indicators, sync_tasks
from storage.repositories.departments import upsert_from_plan
from storage.sync_report import SyncCounts
from storage.types import ensure_aware, utcnow

__all__ = ["PlanSyncError", "SyncCounts", "SyncReport", "plan_checksum", "sync_plan"]

DeadlineKey = tuple[SubjectType, str, DeadlineKind, dt.date]


@dataclass
class SyncReport:
    plan_code: str
    plan: str = "unchanged"  # created | updated | unchanged
    departments: SyncCounts = field(default_factory=SyncCounts)
    tasks: SyncCounts = field(default_factory=SyncCounts)
    indicators: SyncCounts = field(default_factory=SyncCounts)
    deadlines: SyncCounts = field(default_factory=SyncCounts)
    alias_conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        parts = (self.departments, self.tasks, self.indicators, self.deadlines)
        return self.plan != "unchanged" or any(part.changed for part in parts)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        return (
            f"plan {self.plan_code} {self.plan}; departments {self.departments}; tasks {self.tasks}; "
            f"indicators {self.indicators}; deadlines {self.deadlines}"
        )


def plan_checksum(loaded: LoadedPlan) -> str:
    """SHA-256 of the validated plan content (independent of YAML formatting and comments)."""
    return hashlib.sha256(loaded.plan.model_dump_json().encode()).hexdigest()


async def _upsert_plan(session: AsyncSession, loaded: LoadedPlan, now: dt.datetime, report: SyncReport) -> Plan:
    info = loaded.plan.plan
    values = {
        "title": info.title,
        "decision_number": info.decision_number,
        "decision_date": info.decision_date,
        "source": str(loaded.source),
        "checksum": plan_checksum(loaded),
    }
    row = await session.scalar(select(Plan).where(Plan.code == info.code))
    if row is None:
        row = Plan(code=info.code, loaded_at=now, **values)
        session.add(row)
        report.plan = "created"
    elif apply_changes(row, values):
        row.loaded_at = now
        report.plan = "updated"
    await session.flush()
    return row


def _wanted_deadlines(
    loaded: LoadedPlan, task_ids: Mapping[str, int], indicator_ids: Mapping[int, int]
) -> dict[DeadlineKey, tuple[int | None, int | None, PlannedDeadline]]:
    """Every deadline the plan derives, keyed like the unique constraint (first one wins on a tie)."""
    wanted: dict[DeadlineKey, tuple[int | None, int | None, PlannedDeadline]] = {}

    def add(
        kind: SubjectType, key: str, deadlines: Iterable[PlannedDeadline], task: int | None, ind: int | None
    ) -> None:
        for deadline in deadlines:
            wanted.setdefault((kind, key, deadline.kind, deadline.due), (task, ind, deadline))

    for task_key, deadlines in loaded.task_deadlines.items():
        if task_key not in task_ids:
            raise PlanSyncError(f"deadlines for unknown task {task_key!r}")
        add(SubjectType.TASK, f"task:{task_key}", deadlines, task_ids[task_key], None)
    for number, deadlines in loaded.indicator_deadlines.items():
        if number not in indicator_ids:
            raise PlanSyncError(f"deadlines for unknown indicator {number!r}")
        add(SubjectType.INDICATOR, f"indicator:{number}", deadlines, None, indicator_ids[number])
    add(SubjectType.REGIME, "regime", loaded.regime_deadlines, None, None)
    return wanted


async def _sync_deadlines(
    session: AsyncSession,
    loaded: LoadedPlan,
    plan_id: int,
    task_ids: Mapping[str, int],
    indicator_ids: Mapping[int, int],
    counts: SyncCounts,
) -> None:
    wanted = _wanted_deadlines(loaded, task_ids, indicator_ids)
    stored = (await session.scalars(select(Deadline).where(Deadline.plan_id == plan_id))).all()
    rows: dict[DeadlineKey, Deadline] = {_key(r): r for r in stored}
    for key, (task_id, indicator_id, planned) in wanted.items():
        values = {
            "task_id": task_id,
            "indicator_id": indicator_id,
            "period_year": planned.period_year,
            "label": planned.label,
            "active": True,
        }
        row = rows.get(key)
        if row is None:
            subject_type, subject_key, kind, due_on = key
            session.add(
                Deadline(
                    plan_id=plan_id,
                    subject_type=subject_type,
                    subject_key=subject_key,
                    kind=kind,
                    due_on=due_on,
                    **values,
                )
            )
            counts.created += 1
        else:
            counts.count("updated" if apply_changes(row, values) else "unchanged")
    retire_orphans(rows.values(), wanted, _key, counts, _describe)
    await session.flush()


def _key(row: Deadline) -> DeadlineKey:
    return (row.subject_type, row.subject_key, row.kind, row.due_on)


def _describe(row: Deadline) -> str:
    return f"{row.subject_key} {row.kind.value} {row.due_on.isoformat()}"


async def sync_plan(
    session: AsyncSession,
    loaded: LoadedPlan,
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SyncReport:
    """Upsert the plan, its departments (with aliases), tasks, indicators and deadlines.

    ``today`` decides which departments are still active (successions and dissolutions
    take effect on their date). The caller commits.
    """
    now = ensure_aware(now) if now is not None else utcnow()
    today = today or now.date()
    report = SyncReport(plan_code=loaded.plan.plan.code)
    plan_row = await _upsert_plan(session, loaded, now, report)
    departments = await upsert_from_plan(session, loaded.plan.departments, today=today)
    report.departments = departments.counts
    report.alias_conflicts = departments.alias_conflicts
    department_ids = {code: id_ for code, id_ in (await session.execute(select(Department.code, Department.id))).all()}
    task_ids = await sync_tasks(session, loaded, plan_row.id, department_ids, report.tasks)
    indicator_ids = await sync_indicators(session, loaded, plan_row.id, department_ids, report.indicators)
    await _sync_deadlines(session, loaded, plan_row.id, task_ids, indicator_ids, report.deadlines)
    return report
