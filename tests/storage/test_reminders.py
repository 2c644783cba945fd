"""The send log: a reminder is claimed once, even by racing sessions; retries and stale claims."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.enums import SendStatus
from storage.models import Deadline
from storage.repositories import reminders
from tests.storage.factories import NOW, Seed


async def _deadline_id(session: AsyncSession) -> int:
    deadline_id = await session.scalar(select(Deadline.id).order_by(Deadline.id).limit(1))
    assert deadline_id is not None
    return deadline_id


async def test_duplicate_claim_returns_false(db_session: AsyncSession, seeded: Seed) -> None:
    deadline, officer = await _deadline_id(db_session), seeded.officers["STNMT"]
    assert await reminders.claim_send(db_session, deadline, officer, 7, "worker-a", NOW)
    assert not await reminders.claim_send(db_session, deadline, officer, 7, "worker-b", NOW)
    assert await reminders.claim_send(db_session, deadline, officer, 1, "worker-b", NOW)  # other offset
    await db_session.commit()
    send = await reminders.get_send(db_session, deadline, officer, 7)
    assert send is not None
    assert (send.status, send.claimed_by, send.claimed_at, send.attempts) == (SendStatus.CLAIMED, "worker-a", NOW, 0)

    assert await reminders.mark_sent(db_session, deadline, officer, 7, telegram_message_id=555, now=NOW)
    await db_session.commit()
    send = await reminders.get_send(db_session, deadline, officer, 7)
    assert send is not None
    assert (send.status, send.telegram_message_id, send.sent_at, send.attempts) == (SendStatus.SENT, 555, NOW, 1)
    assert not await reminders.reclaim_send(db_session, deadline, officer, 7, "w", now=NOW + dt.timedelta(days=1))
    assert len(await reminders.sends_for_deadline(db_session, deadline)) == 2


async def test_concurrent_claims_have_one_winner(db_sessions: async_sessionmaker[AsyncSession], seeded: Seed) -> None:
    async with db_sessions() as session:
        deadline = await _deadline_id(session)
    officer = seeded.officers["SCT"]

    async def claim(worker: str) -> bool:
        async with db_sessions() as session:
            won = await reminders.claim_send(session, deadline, officer, 3, worker, NOW)
            await session.commit()
            return won

    results = await asyncio.gather(*(claim(f"worker-{n}") for n in range(4)))
    assert sorted(results) == [False, False, False, True]


async def test_failed_sends_can_be_retried_up_to_a_limit(db_session: AsyncSession, seeded: Seed) -> None:
    deadline, officer = await _deadline_id(db_session), seeded.officers["STNMT"]
    assert await reminders.claim_send(db_session, deadline, officer, 0, "a", NOW)
    for attempt in range(1, 4):
        assert await reminders.mark_failed(db_session, deadline, officer, 0, error="RetryAfter " * 500)
        retried = await reminders.reclaim_send(db_session, deadline, officer, 0, "b", now=NOW, max_attempts=3)
        assert retried is (attempt < 3)
    send = await reminders.get_send(db_session, deadline, officer, 0)
    assert send is not None
    assert (send.status, send.attempts, send.claimed_by) == (SendStatus.FAILED, 3, "b")
    assert send.last_error is not None
    assert len(send.last_error) == 2000


async def test_stale_claims_are_taken_over(db_session: AsyncSession, seeded: Seed) -> None:
    deadline, officer = await _deadline_id(db_session), seeded.officers["STNMT"]
    assert await reminders.claim_send(db_session, deadline, officer, 0, "crashed", NOW)
    assert not await reminders.reclaim_send(db_session, deadline, officer, 0, "b", now=NOW + dt.timedelta(minutes=5))
    assert await reminders.reclaim_send(db_session, deadline, officer, 0, "b", now=NOW + dt.timedelta(hours=1))
    assert await reminders.mark_skipped(db_session, deadline, officer, 0, reason="already reported")
    send = await reminders.get_send(db_session, deadline, officer, 0)
    assert send is not None
    assert (send.status, send.claimed_by, send.last_error) == (SendStatus.SKIPPED, "b", "already reported")
    assert not await reminders.mark_sent(db_session, deadline, officer, 99, telegram_message_id=None)
