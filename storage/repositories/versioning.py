"""Append-only versions shared by indicator figures and task progress reports.

A new row never overwrites: it becomes version n+1 of its series, points at the
version it supersedes, and the audit trail records the old and new summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.audit import add_audited


class Versioned(Protocol):
    id: int
    version: int
    supersedes_id: int | None


VersionedT = TypeVar("VersionedT", bound=Versioned)


async def append_version(
    session: AsyncSession,
    row: VersionedT,
    previous: VersionedT | None,
    *,
    entity: str,
    entity_id: str,
    actor_officer_id: int | None,
    actor_telegram_id: int | None,
    summarize: Callable[[VersionedT], Mapping[str, Any]],
    now: dt.datetime,
) -> VersionedT:
    """Store ``row`` as the version after ``previous`` (the series' latest, or None) and audit it."""
    row.version = (previous.version + 1) if previous else 1
    row.supersedes_id = previous.id if previous else None
    return await add_audited(
        session,
        row,
        entity=entity,
        entity_id=entity_id,
        action="record" if previous is None else "correct",
        actor_officer_id=actor_officer_id,
        actor_telegram_id=actor_telegram_id,
        old_value=summarize(previous) if previous else None,
        summarize=summarize,
        now=now,
    )
