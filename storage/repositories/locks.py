"""Closing a reporting year: once locked, services refuse new figures and progress for it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PeriodLock
from storage.repositories.audit import record_event
from storage.types import utcnow

ENTITY = "period_lock"


async def get_lock(session: AsyncSession, plan_id: int, year: int) -> PeriodLock | None:
    return await session.scalar(select(PeriodLock).where(PeriodLock.plan_id == plan_id, PeriodLock.year == year))


async def is_locked(session: AsyncSession, plan_id: int, year: int) -> bool:
    """A year without a lock row is open."""
    locked = await session.scalar(
        select(PeriodLock.locked).where(PeriodLock.plan_id == plan_id, PeriodLock.year == year)
    )
    return bool(locked)


async def locked_years(session: AsyncSession, plan_id: int) -> list[int]:
    query = select(PeriodLock.year).where(PeriodLock.plan_id == plan_id, PeriodLock.locked.is_(True))
    return list((await session.scalars(query.order_by(PeriodLock.year))).all())


async def set_lock(
    session: AsyncSession,
    plan_id: int,
    year: int,
    locked: bool,
    by_officer_id: int | None,
    *,
    now: dt.datetime | None = None,
) -> PeriodLock:
    """Lock or unlock a year; every call that changes the state is audited."""
    now = now or utcnow()
    row = await get_lock(session, plan_id, year)
    was_locked = bool(row and row.locked)
    if row is None:
        row = PeriodLock(plan_id=plan_id, year=year, locked=locked, changed_by_officer_id=by_officer_id, changed_at=now)
        session.add(row)
    elif row.locked == locked:
        return row
    else:
        row.locked = locked
        row.changed_by_officer_id = by_officer_id
        row.changed_at = now
    await session.flush()
    if was_locked != locked:
        await record_event(
            session,
            entity=ENTITY,
            entity_id=f"{plan_id}:{year}",
            action="lock" if locked else "unlock",
            actor_officer_id=by_officer_id,
            old_value={"locked": was_locked},
            new_value={"locked": locked},
            now=now,
        )
    return row
