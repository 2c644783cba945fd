"""What the reminders' and the digests' send logs share: which claimed rows another round may take over.

Both claim with INSERT … ON CONFLICT DO NOTHING (``storage.repositories.upsert``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.enums import SendStatus


def takeable(table: Any, now: dt.datetime, max_attempts: int, stale_after: dt.timedelta) -> Any:
    """Rows another round may take over: FAILED with attempts left, or CLAIMED by a claimer that vanished.

    ``table`` is a send-log model with ``status``, ``attempts`` and ``claimed_at`` columns.
    """
    retryable = (table.status == SendStatus.FAILED) & (table.attempts < max_attempts)
    abandoned = (table.status == SendStatus.CLAIMED) & (table.claimed_at < now - stale_after)
    return retryable | abandoned
