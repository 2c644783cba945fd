"""One process at a time runs each scheduled round, even with several processes on one database.

The send logs already make every send exactly-once; the lease makes the round itself single: the
other processes skip it instead of planning the same sends and losing every claim. It lives in the
database with an expiry, so a holder that dies mid-round blocks nobody for longer than ``ttl``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Self, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.reminders import worker_name
from storage.repositories import round_leases

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

Report = TypeVar("Report")

#: Longer than any round takes (a national fan-out of 1,000 reminders: about 35 s), shorter than the claims'
#: 15-minute take-over, so a dead holder's round is run again by another process before its claims go stale.
LEASE_TTL: Final = dt.timedelta(minutes=10)


class Round(StrEnum):
    REMINDERS = "reminders"
    DIGESTS = "digests"


@dataclass(frozen=True)
class RoundLeases:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    ttl: dt.timedelta = LEASE_TTL

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> Self:
        return cls(runtime.sessions, runtime.clock)

    @asynccontextmanager
    async def hold(self, name: Round) -> AsyncIterator[bool]:
        """Yields True while this round is ours to run, False when another round (here or elsewhere) runs it."""
        holder = f"{worker_name()}:{secrets.token_hex(4)}"  # unique per round: overlapping jobs of one process too
        async with self.sessions.begin() as session:
            held = await round_leases.acquire(session, name, holder, now=self.clock.now(), ttl=self.ttl)
        try:
            yield held
        finally:
            if held:
                try:
                    async with self.sessions.begin() as session:
                        await round_leases.release(session, name, holder)
                except SQLAlchemyError as error:  # the database went away: the lease expires by itself
                    log.warning("could not release the %s round lease: %s", name, type(error).__name__)

    async def run_alone(self, name: Round, work: Callable[[], Awaitable[Report]], skipped: Report) -> Report:
        """``work()`` under the lease; ``skipped`` when another round of ``name`` is running."""
        async with self.hold(name) as ours:
            if not ours:
                log.info("%s round skipped: another round is running", name)
                return skipped
            return await work()
