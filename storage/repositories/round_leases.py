"""The round lease: which process runs a scheduled round now (see ``storage.models.RoundLease``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RoundLease
from storage.repositories.upsert import dialect_insert


async def acquire(session: AsyncSession, name: str, holder: str, *, now: dt.datetime, ttl: dt.timedelta) -> bool:
    """Take the lease if nobody holds it or its holder's time ran out; True when ``holder`` has it now.

    One INSERT … ON CONFLICT DO NOTHING, else one conditional UPDATE: of two processes asking at once,
    PostgreSQL lets only the first see the condition true (the same pattern as the send logs' claims).
    """
    expires_at = now + ttl
    inserted = await session.execute(
        dialect_insert(session, RoundLease)
        .values(name=name, holder=holder, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(RoundLease.name)
    )
    if inserted.first() is not None:
        return True
    taken = await session.execute(
        update(RoundLease)
        .where(RoundLease.name == name, or_(RoundLease.expires_at <= now, RoundLease.holder == holder))
        .values(holder=holder, expires_at=expires_at)
        .returning(RoundLease.name)
        .execution_options(synchronize_session=False)
    )
    return taken.first() is not None


async def release(session: AsyncSession, name: str, holder: str) -> None:
    """End the lease, if ``holder`` still has it (after an expiry someone else may)."""
    await session.execute(
        delete(RoundLease)
        .where(RoundLease.name == name, RoundLease.holder == holder)
        .execution_options(synchronize_session=False)
    )
