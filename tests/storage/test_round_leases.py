"""The round lease: one holder at a time, even when several ask at once; it ends with the round or expires."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import FakeClock
from bot.services.round_lease import Round, RoundLeases
from storage.repositories import round_leases
from tests.storage.factories import NOW

TTL = dt.timedelta(minutes=10)


async def test_one_holder_until_release_or_expiry(db_session: AsyncSession) -> None:
    assert await round_leases.acquire(db_session, "reminders", "a", now=NOW, ttl=TTL)
    assert not await round_leases.acquire(db_session, "reminders", "b", now=NOW + dt.timedelta(minutes=9), ttl=TTL)
    assert await round_leases.acquire(db_session, "digests", "b", now=NOW, ttl=TTL)  # another round: its own lease
    assert await round_leases.acquire(db_session, "reminders", "a", now=NOW, ttl=TTL)  # the holder may renew

    await round_leases.release(db_session, "reminders", "b")  # not b's: nothing happens
    assert not await round_leases.acquire(db_session, "reminders", "c", now=NOW, ttl=TTL)
    await round_leases.release(db_session, "reminders", "a")
    assert await round_leases.acquire(db_session, "reminders", "c", now=NOW, ttl=TTL)

    # c dies holding it: after the expiry anyone may take it, and c's late release leaves d's lease alone.
    assert await round_leases.acquire(db_session, "reminders", "d", now=NOW + TTL, ttl=TTL)
    await round_leases.release(db_session, "reminders", "c")
    assert not await round_leases.acquire(db_session, "reminders", "e", now=NOW + TTL, ttl=TTL)


async def test_of_processes_asking_at_once_exactly_one_holds_it(db_sessions: async_sessionmaker[AsyncSession]) -> None:
    async def ask(holder: str, now: dt.datetime) -> bool:
        async with db_sessions.begin() as session:
            return await round_leases.acquire(session, "reminders", holder, now=now, ttl=TTL)

    assert sorted(await asyncio.gather(*(ask(f"p{n}", NOW) for n in range(4)))) == [False, False, False, True]
    later = NOW + TTL  # the holder vanished: of those taking the expired lease over, one wins too
    assert sorted(await asyncio.gather(*(ask(f"q{n}", later) for n in range(4)))) == [False, False, False, True]


async def test_a_round_held_here_is_skipped_by_a_second_round_of_the_same_kind(
    db_sessions: async_sessionmaker[AsyncSession],
) -> None:
    leases = RoundLeases(db_sessions, FakeClock(NOW))
    async with leases.hold(Round.REMINDERS) as first:
        assert first
        async with leases.hold(Round.REMINDERS) as overlapping:  # the daily job and a sweep at the same minute
            assert not overlapping
        async with leases.hold(Round.DIGESTS) as digests:
            assert digests
    async with leases.hold(Round.REMINDERS) as next_round:
        assert next_round
