"""The durable reminder send log.

Claiming is an INSERT … ON CONFLICT DO NOTHING on UNIQUE (deadline, officer, offset):
whichever process or job inserts first owns the send, so a restart, a second replica
or an overlapping job run never sends the same reminder twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import SendStatus
from storage.models import ReminderSend
from storage.types import utcnow

KEY_COLUMNS = ("deadline_id", "officer_id", "offset_days")


def _insert(session: AsyncSession) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(ReminderSend)
    if name == "sqlite":
        return sqlite.insert(ReminderSend)
    raise NotImplementedError(f"no ON CONFLICT support for dialect {name!r}")


def _key(deadline_id: int, officer_id: int, offset_days: int) -> tuple[Any, ...]:
    return (
        ReminderSend.deadline_id == deadline_id,
        ReminderSend.officer_id == officer_id,
        ReminderSend.offset_days == offset_days,
    )


async def claim_send(
    session: AsyncSession,
    deadline_id: int,
    officer_id: int,
    offset_days: int,
    claimed_by: str | None,
    now: dt.datetime | None = None,
) -> bool:
    """Reserve this reminder; False if somebody already claimed (or sent) it."""
    statement = (
        _insert(session)
        .values(
            deadline_id=deadline_id,
            officer_id=officer_id,
            offset_days=offset_days,
            status=SendStatus.CLAIMED,
            claimed_at=now or utcnow(),
            attempts=0,
            claimed_by=claimed_by,
        )
        .on_conflict_do_nothing(index_elements=list(KEY_COLUMNS))
        .returning(ReminderSend.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def _update_send(
    session: AsyncSession, deadline_id: int, officer_id: int, offset_days: int, *conditions: Any, **values: Any
) -> bool:
    """Set ``values`` on the send if it exists and meets ``conditions``; True if a row was updated."""
    result = await session.execute(
        update(ReminderSend)
        .where(*_key(deadline_id, officer_id, offset_days), *conditions)
        .values(**values)
        .returning(ReminderSend.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none() is not None


async def reclaim_send(
    session: AsyncSession,
    deadline_id: int,
    officer_id: int,
    offset_days: int,
    claimed_by: str | None,
    *,
    now: dt.datetime | None = None,
    max_attempts: int = 3,
    stale_after: dt.timedelta = dt.timedelta(minutes=15),
) -> bool:
    """Take over a send that failed (fewer than ``max_attempts``) or whose claimer vanished."""
    now = now or utcnow()
    retryable = (ReminderSend.status == SendStatus.FAILED) & (ReminderSend.attempts < max_attempts)
    abandoned = (ReminderSend.status == SendStatus.CLAIMED) & (ReminderSend.claimed_at < now - stale_after)
    return await _update_send(
        session,
        deadline_id,
        officer_id,
        offset_days,
        retryable | abandoned,
        status=SendStatus.CLAIMED,
        claimed_at=now,
        claimed_by=claimed_by,
    )


async def get_send(session: AsyncSession, deadline_id: int, officer_id: int, offset_days: int) -> ReminderSend | None:
    query = select(ReminderSend).where(*_key(deadline_id, officer_id, offset_days))
    return await session.scalar(query.execution_options(populate_existing=True))


async def mark_sent(
    session: AsyncSession,
    deadline_id: int,
    officer_id: int,
    offset_days: int,
    *,
    telegram_message_id: int | None,
    now: dt.datetime | None = None,
) -> bool:
    return await _update_send(
        session,
        deadline_id,
        officer_id,
        offset_days,
        status=SendStatus.SENT,
        sent_at=now or utcnow(),
        telegram_message_id=telegram_message_id,
        attempts=ReminderSend.attempts + 1,
        last_error=None,
    )


async def mark_failed(
    session: AsyncSession, deadline_id: int, officer_id: int, offset_days: int, *, error: str
) -> bool:
    return await _update_send(
        session,
        deadline_id,
        officer_id,
        offset_days,
        status=SendStatus.FAILED,
        attempts=ReminderSend.attempts + 1,
        last_error=error[:2000],
    )


async def mark_skipped(
    session: AsyncSession, deadline_id: int, officer_id: int, offset_days: int, *, reason: str
) -> bool:
    """Claimed but deliberately not sent (already reported, officer unreachable, …)."""
    return await _update_send(
        session, deadline_id, officer_id, offset_days, status=SendStatus.SKIPPED, last_error=reason[:2000]
    )


async def sends_for_deadline(session: AsyncSession, deadline_id: int) -> list[ReminderSend]:
    query = select(ReminderSend).where(ReminderSend.deadline_id == deadline_id).order_by(ReminderSend.id)
    return list((await session.scalars(query)).all())
