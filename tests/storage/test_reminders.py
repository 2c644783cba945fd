"""The send log: a reminder is claimed once, even by racing sessions; retries, stale claims, attempts, snoozes."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.enums import AttemptOutcome, SendPurpose, SendStatus
from storage.models import Deadline
from storage.repositories import reminders
from storage.repositories.reminders import Claim, SendKey
from tests.storage.factories import NOW, Seed

STALE = dt.timedelta(minutes=15)


async def _deadline_ids(session: AsyncSession) -> list[int]:
    ids = list((await session.scalars(select(Deadline.id).order_by(Deadline.id).limit(3))).all())
    assert len(ids) == 3
    return ids


async def test_duplicate_claim_returns_none(db_session: AsyncSession, seeded: Seed) -> None:
    [deadline, *_] = await _deadline_ids(db_session)
    officer = seeded.officers["STNMT"]
    key = SendKey(deadline, officer, -7)
    send_id = await reminders.claim_send(db_session, key, "worker-a", NOW, due_at=NOW)
    assert send_id is not None
    assert await reminders.claim_send(db_session, key, "worker-b", NOW) is None
    assert await reminders.claim_send(db_session, SendKey(deadline, officer, -1), "worker-b", NOW)  # other offset
    # The same day and recipient for another purpose is another send (an admin leads and escalates).
    assert await reminders.claim_send(db_session, SendKey(deadline, officer, -7, SendPurpose.ESCALATION), "b", NOW)
    await db_session.commit()
    send = await reminders.get_send(db_session, key)
    assert send is not None
    assert (send.status, send.claimed_by, send.claimed_at, send.attempts, send.due_at) == (
        SendStatus.CLAIMED,
        "worker-a",
        NOW,
        0,
        NOW,
    )
    assert reminders.key_of(send) == key

    assert await reminders.mark_sent(db_session, [send_id], telegram_message_id=555, now=NOW) == 1
    await db_session.commit()
    send = await reminders.get_send_by_id(db_session, send_id)
    assert send is not None
    assert (send.status, send.telegram_message_id, send.sent_at, send.attempts, send.folded) == (
        SendStatus.SENT,
        555,
        NOW,
        1,
        False,
    )
    assert await reminders.reclaim_send(db_session, key, "w", now=NOW + dt.timedelta(days=1)) is None
    assert len(await reminders.sends_for_deadline(db_session, deadline)) == 3


async def test_claim_many_returns_only_the_new_keys(db_session: AsyncSession, seeded: Seed) -> None:
    deadlines = await _deadline_ids(db_session)
    officers = [seeded.officers["STNMT"], seeded.officers["SCT"]]
    keys = [SendKey(d, o, 0) for d in deadlines for o in officers]
    first = await reminders.claim_many(db_session, [Claim(k) for k in keys[:3]], "a", NOW)
    second = await reminders.claim_many(db_session, [Claim(k) for k in reversed(keys)], "b", NOW)
    assert set(first) == set(keys[:3])
    assert set(second) == set(keys[3:])
    assert not set(first.values()) & set(second.values())
    assert await reminders.existing_keys(db_session, [*keys, SendKey(deadlines[0], officers[0], 5)]) == set(keys)
    assert await reminders.claim_many(db_session, [], "c", NOW) == {}


async def test_concurrent_claims_have_one_winner(db_sessions: async_sessionmaker[AsyncSession], seeded: Seed) -> None:
    async with db_sessions() as session:
        [deadline, *_] = await _deadline_ids(session)
    key = SendKey(deadline, seeded.officers["SCT"], -3)

    async def claim(worker: str) -> bool:
        async with db_sessions() as session:
            won = await reminders.claim_send(session, key, worker, NOW)
            await session.commit()
            return won is not None

    results = await asyncio.gather(*(claim(f"worker-{n}") for n in range(4)))
    assert sorted(results) == [False, False, False, True]


async def test_failed_sends_can_be_retried_up_to_a_limit(db_session: AsyncSession, seeded: Seed) -> None:
    [deadline, *_] = await _deadline_ids(db_session)
    key = SendKey(deadline, seeded.officers["STNMT"], 0)
    send_id = await reminders.claim_send(db_session, key, "a", NOW)
    assert send_id is not None
    for attempt in range(1, 4):
        assert await reminders.mark_failed(db_session, [send_id], error="RetryAfter " * 500) == 1
        retried = await reminders.reclaim_send(db_session, key, "b", now=NOW, max_attempts=3)
        assert (retried == send_id) is (attempt < 3)
    send = await reminders.get_send(db_session, key)
    assert send is not None
    assert (send.status, send.attempts, send.claimed_by) == (SendStatus.FAILED, 3, "b")
    assert send.last_error is not None
    assert len(send.last_error) == 2000


async def test_stale_claims_are_taken_over(db_session: AsyncSession, seeded: Seed) -> None:
    [deadline, *_] = await _deadline_ids(db_session)
    key = SendKey(deadline, seeded.officers["STNMT"], 0)
    send_id = await reminders.claim_send(db_session, key, "crashed", NOW)
    assert send_id is not None
    assert await reminders.reclaim_send(db_session, key, "b", now=NOW + dt.timedelta(minutes=5)) is None
    assert await reminders.reclaim_send(db_session, key, "b", now=NOW + dt.timedelta(hours=1)) == send_id
    assert await reminders.mark_skipped(db_session, [send_id], reason="already reported") == 1
    send = await reminders.get_send(db_session, key)
    assert send is not None
    assert (send.status, send.claimed_by, send.last_error) == (SendStatus.SKIPPED, "b", "already reported")
    assert await reminders.mark_sent(db_session, [], telegram_message_id=None) == 0


async def test_a_claim_abandoned_during_its_call_is_settled_as_sent_not_taken_over(
    db_session: AsyncSession, seeded: Seed
) -> None:
    first, second, third = await _deadline_ids(db_session)
    officer = seeded.officers["STNMT"]
    in_flight, retried, never_tried = (SendKey(deadline, officer, 0) for deadline in (first, second, third))
    ids: dict[SendKey, int] = {}
    for key in (in_flight, retried, never_tried):
        send_id = await reminders.claim_send(db_session, key, "crashed", NOW)
        assert send_id is not None
        ids[key] = send_id
    calling_at = NOW + dt.timedelta(seconds=1)
    assert await reminders.mark_calling(db_session, [ids[in_flight], ids[retried]], now=calling_at) == 2
    assert await reminders.clear_calling(db_session, [ids[retried]]) == 1  # a 500 came back: not delivered

    later = NOW + dt.timedelta(minutes=16)
    assert await reminders.settle_interrupted(db_session, now=NOW + dt.timedelta(minutes=5), stale_after=STALE) == []
    assert await reminders.settle_interrupted(db_session, now=later, stale_after=STALE) == [ids[in_flight]]
    assert await reminders.settle_interrupted(db_session, now=later, stale_after=STALE) == []  # once

    settled = await reminders.get_send(db_session, in_flight)
    assert settled is not None
    assert (settled.status, settled.telegram_message_id, settled.sent_at, settled.attempts) == (
        SendStatus.SENT,
        None,
        calling_at,
        1,
    )
    assert settled.last_error == reminders.INTERRUPTED_NOTE
    assert await reminders.reclaim_send(db_session, in_flight, "b", now=later) is None  # never sent again
    assert await reminders.reclaim_send(db_session, retried, "b", now=later) == ids[retried]
    assert await reminders.reclaim_send(db_session, never_tried, "b", now=later) == ids[never_tried]
    assert await reminders.mark_failed(db_session, [ids[retried]], error="500") == 1
    failed = await reminders.get_send(db_session, retried)
    assert failed is not None
    assert failed.calling_since is None


async def test_acknowledge_only_by_the_recipient_and_once(db_session: AsyncSession, seeded: Seed) -> None:
    [deadline, *_] = await _deadline_ids(db_session)
    officer, other = seeded.officers["STNMT"], seeded.officers["SCT"]
    send_id = await reminders.claim_send(db_session, SendKey(deadline, officer, -1), "a", NOW)
    assert send_id is not None
    assert not await reminders.acknowledge(db_session, send_id, other, NOW)
    assert await reminders.acknowledge(db_session, send_id, officer, NOW)
    assert not await reminders.acknowledge(db_session, send_id, officer, NOW + dt.timedelta(hours=1))
    send = await reminders.get_send_by_id(db_session, send_id)
    assert send is not None
    assert send.acknowledged_at == NOW


async def test_attempts_are_logged_and_problems_listed_newest_first(db_session: AsyncSession, seeded: Seed) -> None:
    [deadline, other_deadline, _] = await _deadline_ids(db_session)
    officer = seeded.officers["STNMT"]
    first = await reminders.claim_send(db_session, SendKey(deadline, officer, -1), "a", NOW)
    second = await reminders.claim_send(db_session, SendKey(other_deadline, officer, -1), "a", NOW)
    assert first is not None
    assert second is not None
    later = NOW + dt.timedelta(seconds=5)
    await reminders.record_attempt(
        db_session, send_ids=[first], chat_id=7, outcome=AttemptOutcome.TIMED_OUT, detail="t", worker="a", now=NOW
    )
    await reminders.record_attempt(
        db_session, send_ids=[first, second], chat_id=7, outcome=AttemptOutcome.SENT, detail=None, worker="a", now=later
    )
    await reminders.record_attempt(
        db_session, send_ids=[], chat_id=8, outcome=AttemptOutcome.FORBIDDEN, detail="blocked", worker="a", now=later
    )
    assert [a.outcome for a in await reminders.attempts_for(db_session, first)] == [
        AttemptOutcome.TIMED_OUT,
        AttemptOutcome.SENT,
    ]
    problems = await reminders.recent_problems(db_session, 10)
    assert [(p.outcome, p.chat_id, p.send_id) for p in problems] == [
        (AttemptOutcome.FORBIDDEN, 8, None),
        (AttemptOutcome.TIMED_OUT, 7, first),
    ]


async def test_snoozes_come_due_once_in_their_window(db_session: AsyncSession, seeded: Seed) -> None:
    [deadline, *_] = await _deadline_ids(db_session)
    officer = seeded.officers["STNMT"]
    at = NOW + dt.timedelta(days=1)
    assert await reminders.add_snooze(db_session, deadline, officer, at, NOW)
    assert not await reminders.add_snooze(db_session, deadline, officer, at, NOW)  # pressed twice
    assert await reminders.due_snoozes(db_session, now=NOW, since=NOW - dt.timedelta(days=3)) == []
    assert [s.remind_at for s in await reminders.pending_snoozes(db_session, after=NOW, limit=5)] == [at]
    [due] = await reminders.due_snoozes(db_session, now=at, since=at - dt.timedelta(days=3))
    assert (due.deadline_id, due.officer_id) == (deadline, officer)
    assert await reminders.due_snoozes(db_session, now=at + dt.timedelta(days=4), since=at + dt.timedelta(days=1)) == []
