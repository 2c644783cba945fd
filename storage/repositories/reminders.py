"""The durable reminder send log, its delivery attempts and the officers' snoozes.

Claiming is an INSERT … ON CONFLICT DO NOTHING on UNIQUE (deadline, officer, offset, purpose):
whichever process or job inserts first owns the send, so a restart, a second replica or an
overlapping job run never sends the same reminder twice. Taking over a failed or abandoned
send is one conditional UPDATE, which PostgreSQL serialises on the row: of two processes
only the first sees the condition still true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AttemptOutcome, SendPurpose, SendStatus
from storage.models import DeliveryAttempt, ReminderSend, ReminderSnooze
from storage.repositories.send_log import takeable
from storage.repositories.upsert import dialect_insert
from storage.types import utcnow

KEY_COLUMNS = ("deadline_id", "officer_id", "offset_days", "purpose")
ERROR_LIMIT = 2000
#: Rows per INSERT: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
CLAIM_BATCH = 500
INTERRUPTED_NOTE = "unconfirmed: the sending process stopped during the call to Telegram"


@dataclass(frozen=True, slots=True, order=True)
class SendKey:
    """What makes a reminder unique: this deadline, this recipient, this day, this purpose."""

    deadline_id: int
    officer_id: int
    offset_days: int
    purpose: SendPurpose = SendPurpose.ACTION


@dataclass(frozen=True, slots=True)
class Claim:
    key: SendKey
    due_at: dt.datetime | None = None


def _key(key: SendKey) -> tuple[Any, ...]:
    return (
        ReminderSend.deadline_id == key.deadline_id,
        ReminderSend.officer_id == key.officer_id,
        ReminderSend.offset_days == key.offset_days,
        ReminderSend.purpose == key.purpose,
    )


def key_of(send: ReminderSend) -> SendKey:
    return SendKey(send.deadline_id, send.officer_id, send.offset_days, send.purpose)


async def claim_many(
    session: AsyncSession, claims: Sequence[Claim], claimed_by: str | None, now: dt.datetime | None = None
) -> dict[SendKey, int]:
    """Reserve the sends nobody holds yet; returns the won keys with their row ids.

    Rows go in key order, so two processes claiming overlapping sets lock in the same order
    and cannot deadlock.
    """
    now = now or utcnow()
    won: dict[SendKey, int] = {}
    ordered = sorted({claim.key: claim for claim in claims}.values(), key=lambda claim: claim.key)
    for start in range(0, len(ordered), CLAIM_BATCH):
        rows = [
            {
                "deadline_id": claim.key.deadline_id,
                "officer_id": claim.key.officer_id,
                "offset_days": claim.key.offset_days,
                "purpose": claim.key.purpose,
                "status": SendStatus.CLAIMED,
                "claimed_at": now,
                "due_at": claim.due_at,
                "attempts": 0,
                "claimed_by": claimed_by,
            }
            for claim in ordered[start : start + CLAIM_BATCH]
        ]
        statement = (
            dialect_insert(session, ReminderSend)
            .values(rows)
            .on_conflict_do_nothing(index_elements=list(KEY_COLUMNS))
            .returning(
                ReminderSend.id,
                ReminderSend.deadline_id,
                ReminderSend.officer_id,
                ReminderSend.offset_days,
                ReminderSend.purpose,
            )
        )
        for row in await session.execute(statement):
            won[SendKey(row.deadline_id, row.officer_id, row.offset_days, SendPurpose(row.purpose))] = row.id
    return won


async def claim_send(
    session: AsyncSession,
    key: SendKey,
    claimed_by: str | None,
    now: dt.datetime | None = None,
    *,
    due_at: dt.datetime | None = None,
) -> int | None:
    """Reserve one send; its row id, or None if somebody already claimed (or sent) it."""
    return (await claim_many(session, [Claim(key, due_at)], claimed_by, now)).get(key)


async def reclaim_send(
    session: AsyncSession,
    key: SendKey,
    claimed_by: str | None,
    *,
    now: dt.datetime | None = None,
    max_attempts: int = 3,
    stale_after: dt.timedelta = dt.timedelta(minutes=15),
) -> int | None:
    """Take over a send that failed (fewer than ``max_attempts``) or whose claimer vanished."""
    now = now or utcnow()
    result = await session.execute(
        update(ReminderSend)
        .where(*_key(key), takeable(ReminderSend, now, max_attempts, stale_after))
        .values(status=SendStatus.CLAIMED, claimed_at=now, claimed_by=claimed_by)
        .returning(ReminderSend.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def get_send(session: AsyncSession, key: SendKey) -> ReminderSend | None:
    query = select(ReminderSend).where(*_key(key))
    return await session.scalar(query.execution_options(populate_existing=True))


async def get_send_by_id(session: AsyncSession, send_id: int) -> ReminderSend | None:
    query = select(ReminderSend).where(ReminderSend.id == send_id)
    return await session.scalar(query.execution_options(populate_existing=True))


async def _update_sends(session: AsyncSession, send_ids: Iterable[int], *conditions: Any, **values: Any) -> int:
    """Set ``values`` on the given rows meeting ``conditions``; how many rows changed."""
    ids = list(send_ids)
    if not ids:
        return 0
    result = await session.execute(
        update(ReminderSend)
        .where(ReminderSend.id.in_(ids), *conditions)
        .values(**values)
        .returning(ReminderSend.id)
        .execution_options(synchronize_session=False)
    )
    return len(result.scalars().all())


async def mark_sent(
    session: AsyncSession,
    send_ids: Iterable[int],
    *,
    telegram_message_id: int | None,
    now: dt.datetime | None = None,
    folded: bool = False,
) -> int:
    """The message went out; ``folded`` when one summary message carried several sends."""
    return await _update_sends(
        session,
        send_ids,
        status=SendStatus.SENT,
        sent_at=now or utcnow(),
        telegram_message_id=telegram_message_id,
        attempts=ReminderSend.attempts + 1,
        last_error=None,
        folded=folded,
    )


async def mark_failed(session: AsyncSession, send_ids: Iterable[int], *, error: str) -> int:
    return await _update_sends(
        session,
        send_ids,
        status=SendStatus.FAILED,
        attempts=ReminderSend.attempts + 1,
        last_error=error[:ERROR_LIMIT],
        calling_since=None,
    )


async def mark_calling(session: AsyncSession, send_ids: Iterable[int], *, now: dt.datetime) -> int:
    """A call to Telegram carrying these sends is about to begin (committed before the call leaves)."""
    return await _update_sends(session, send_ids, calling_since=now)


async def clear_calling(session: AsyncSession, send_ids: Iterable[int]) -> int:
    """The call came back with an answer that proves the message was not delivered."""
    return await _update_sends(session, send_ids, ReminderSend.calling_since.is_not(None), calling_since=None)


async def settle_interrupted(session: AsyncSession, *, now: dt.datetime, stale_after: dt.timedelta) -> list[int]:
    """Abandoned claims whose call to Telegram was under way: counted as sent (unconfirmed), never sent again.

    The claimer died between starting the call and hearing back, so Telegram may have delivered the
    message; as with a read timeout, a second copy is worse than one whose message id we do not know.
    """
    result = await session.execute(
        update(ReminderSend)
        .where(
            ReminderSend.status == SendStatus.CLAIMED,
            ReminderSend.claimed_at < now - stale_after,
            ReminderSend.calling_since.is_not(None),
        )
        .values(
            status=SendStatus.SENT,
            sent_at=ReminderSend.calling_since,
            telegram_message_id=None,
            attempts=ReminderSend.attempts + 1,
            last_error=INTERRUPTED_NOTE,
        )
        .returning(ReminderSend.id)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars().all())


async def mark_skipped(session: AsyncSession, send_ids: Iterable[int], *, reason: str) -> int:
    """Claimed but deliberately not sent (already reported, officer unreachable, …)."""
    return await _update_sends(session, send_ids, status=SendStatus.SKIPPED, last_error=reason[:ERROR_LIMIT])


async def acknowledge(session: AsyncSession, send_id: int, officer_id: int, now: dt.datetime) -> bool:
    """ "Đã nhận": first press wins; the recipient only, never somebody holding a copy of the button."""
    return (
        await _update_sends(
            session,
            [send_id],
            ReminderSend.officer_id == officer_id,
            ReminderSend.acknowledged_at.is_(None),
            acknowledged_at=now,
        )
        > 0
    )


async def sends_for_deadline(session: AsyncSession, deadline_id: int) -> list[ReminderSend]:
    query = select(ReminderSend).where(ReminderSend.deadline_id == deadline_id).order_by(ReminderSend.id)
    return list((await session.scalars(query)).all())


async def existing_keys(session: AsyncSession, keys: Iterable[SendKey]) -> set[SendKey]:
    """Which of ``keys`` already have a row (in any status): lets a round skip work before claiming."""
    wanted = sorted(set(keys))
    found: set[SendKey] = set()
    columns = tuple_(ReminderSend.deadline_id, ReminderSend.officer_id, ReminderSend.offset_days, ReminderSend.purpose)
    for start in range(0, len(wanted), CLAIM_BATCH):
        chunk = wanted[start : start + CLAIM_BATCH]
        rows = await session.execute(
            select(
                ReminderSend.deadline_id, ReminderSend.officer_id, ReminderSend.offset_days, ReminderSend.purpose
            ).where(columns.in_([(k.deadline_id, k.officer_id, k.offset_days, k.purpose.value) for k in chunk]))
        )
        found.update(SendKey(r.deadline_id, r.officer_id, r.offset_days, SendPurpose(r.purpose)) for r in rows)
    return found


async def escalated_deadlines(
    session: AsyncSession,
    deadline_ids: Iterable[int],
    *,
    now: dt.datetime,
    max_attempts: int,
    stale_after: dt.timedelta,
) -> set[int]:
    """Deadlines whose escalation is settled for somebody: one escalation per deadline.

    An escalation that failed with attempts left, or whose claimer vanished, does not count:
    the round plans it again and takes the row over, so the planning office is still told.
    """
    ids = list(deadline_ids)
    if not ids:
        return set()
    query = select(ReminderSend.deadline_id).where(
        ReminderSend.deadline_id.in_(ids),
        ReminderSend.purpose == SendPurpose.ESCALATION,
        ~takeable(ReminderSend, now, max_attempts, stale_after),
    )
    return set((await session.scalars(query.distinct())).all())


async def record_attempt(
    session: AsyncSession,
    *,
    send_ids: Iterable[int],
    chat_id: int,
    outcome: AttemptOutcome,
    detail: str | None,
    worker: str | None,
    now: dt.datetime | None = None,
) -> None:
    """One row per send the call carried (a folded message carries several)."""
    now = now or utcnow()
    ids: list[int | None] = list(send_ids) or [None]
    session.add_all(
        DeliveryAttempt(
            send_id=send_id,
            chat_id=chat_id,
            attempted_at=now,
            outcome=outcome,
            detail=(detail or None) and detail[:ERROR_LIMIT],
            worker=worker,
        )
        for send_id in ids
    )
    await session.flush()


async def recent_problems(session: AsyncSession, limit: int) -> list[DeliveryAttempt]:
    """The latest attempts that did not end in a delivered message, newest first."""
    query = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.outcome != AttemptOutcome.SENT)
        .order_by(DeliveryAttempt.attempted_at.desc(), DeliveryAttempt.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def attempts_for(session: AsyncSession, send_id: int) -> list[DeliveryAttempt]:
    query = select(DeliveryAttempt).where(DeliveryAttempt.send_id == send_id).order_by(DeliveryAttempt.id)
    return list((await session.scalars(query)).all())


async def add_snooze(
    session: AsyncSession, deadline_id: int, officer_id: int, remind_at: dt.datetime, now: dt.datetime
) -> bool:
    """Remember "remind me again at …"; pressing twice for the same moment stores it once."""
    statement = (
        dialect_insert(session, ReminderSnooze)
        .values(deadline_id=deadline_id, officer_id=officer_id, remind_at=remind_at, created_at=now)
        .on_conflict_do_nothing(index_elements=["deadline_id", "officer_id", "remind_at"])
        .returning(ReminderSnooze.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def due_snoozes(session: AsyncSession, *, now: dt.datetime, since: dt.datetime) -> list[ReminderSnooze]:
    """Snoozes that have come due in (since, now]; older ones were handled by an earlier round."""
    query = (
        select(ReminderSnooze)
        .where(ReminderSnooze.remind_at <= now, ReminderSnooze.remind_at > since)
        .order_by(ReminderSnooze.remind_at, ReminderSnooze.id)
    )
    return list((await session.scalars(query)).all())


async def pending_snoozes(session: AsyncSession, *, after: dt.datetime, limit: int) -> list[ReminderSnooze]:
    query = (
        select(ReminderSnooze)
        .where(ReminderSnooze.remind_at > after)
        .order_by(ReminderSnooze.remind_at, ReminderSnooze.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
