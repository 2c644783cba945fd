"""Task progress reports, versioned per task, department and reporting year (same pattern as figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import ProgressStatus
from storage.models import TaskProgressReport
from storage.repositories.evidence import Evidence, evidence_columns
from storage.repositories.versioning import append_version
from storage.types import utcnow

ENTITY = "task_progress"


def _summary(row: TaskProgressReport) -> dict[str, Any]:
    return {
        "version": row.version,
        "status": row.status,
        "note": row.note,
        "evidence_file_id": row.evidence_file_id,
    }


async def latest_report(
    session: AsyncSession, task_id: int, department_id: int, period_year: int
) -> TaskProgressReport | None:
    query = (
        select(TaskProgressReport)
        .where(
            TaskProgressReport.task_id == task_id,
            TaskProgressReport.department_id == department_id,
            TaskProgressReport.period_year == period_year,
        )
        .order_by(TaskProgressReport.version.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def history(
    session: AsyncSession,
    *,
    task_id: int | None = None,
    department_id: int | None = None,
    period_year: int | None = None,
) -> list[TaskProgressReport]:
    """All versions matching the filters, oldest first per task, department and year."""
    query = select(TaskProgressReport).order_by(
        TaskProgressReport.task_id,
        TaskProgressReport.department_id,
        TaskProgressReport.period_year,
        TaskProgressReport.version,
    )
    if task_id is not None:
        query = query.where(TaskProgressReport.task_id == task_id)
    if department_id is not None:
        query = query.where(TaskProgressReport.department_id == department_id)
    if period_year is not None:
        query = query.where(TaskProgressReport.period_year == period_year)
    return list((await session.scalars(query)).all())


async def record_progress(
    session: AsyncSession,
    *,
    task_id: int,
    department_id: int,
    period_year: int,
    status: ProgressStatus,
    reported_by_officer_id: int | None,
    note: str | None = None,
    evidence: Evidence | None = None,
    actor_telegram_id: int | None = None,
    now: dt.datetime | None = None,
) -> TaskProgressReport:
    """Store the department's progress as the next version and audit the change."""
    now = now or utcnow()
    previous = await latest_report(session, task_id, department_id, period_year)
    row = TaskProgressReport(
        task_id=task_id,
        department_id=department_id,
        period_year=period_year,
        status=status,
        note=note,
        reported_by_officer_id=reported_by_officer_id,
        reported_at=now,
        **evidence_columns(evidence),
    )
    return await append_version(
        session,
        row,
        previous,
        entity=ENTITY,
        entity_id=f"{task_id}:{department_id}:{period_year}",
        actor_officer_id=reported_by_officer_id,
        actor_telegram_id=actor_telegram_id,
        summarize=_summary,
        now=now,
    )


async def first_reports(session: AsyncSession, years: Iterable[int]) -> dict[tuple[int, int, int], dt.datetime]:
    """(department id, task id, period year) → its first report, for every department at once (one query)."""
    wanted = sorted(set(years))
    if not wanted:
        return {}
    query = (
        select(
            TaskProgressReport.department_id,
            TaskProgressReport.task_id,
            TaskProgressReport.period_year,
            func.min(TaskProgressReport.reported_at),
        )
        .where(TaskProgressReport.period_year.in_(wanted))
        .group_by(TaskProgressReport.department_id, TaskProgressReport.task_id, TaskProgressReport.period_year)
    )
    return {(department, task, year): at for department, task, year, at in (await session.execute(query)).all()}
