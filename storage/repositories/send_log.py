"""What the reminders' and the digests' send logs share: the claim (INSERT … ON CONFLICT for the two
databases we run on) and which claimed rows another round may take over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import SendStatus


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's ``insert`` (it has ``on_conflict_do_nothing``), for the session's database."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no ON CONFLICT support for dialect {name!r}")


def takeable(table: Any, now: dt.datetime, max_attempts: int, stale_after: dt.timedelta) -> Any:
    """Rows another round may take over: FAILED with attempts left, or CLAIMED by a claimer that vanished.

    ``table`` is a send-log model with ``status``, ``attempts`` and ``claimed_at`` columns.
    """
    retryable = (table.status == SendStatus.FAILED) & (table.attempts < max_attempts)
    abandoned = (table.status == SendStatus.CLAIMED) & (table.claimed_at < now - stale_after)
    return retryable | abandoned
