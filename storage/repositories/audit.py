"""The audit trail: one row per change, written by the repository that makes the change.

Values are stored as JSON; ``jsonable`` turns Decimals, dates and enums into strings
so both backends store exactly what was entered ("12.50", not a float).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent
from storage.types import utcnow


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of ``value`` (Decimal and dates become strings, enums their value)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


async def record_event(
    session: AsyncSession,
    *,
    entity: str,
    entity_id: str | int,
    action: str,
    actor_officer_id: int | None = None,
    actor_telegram_id: int | None = None,
    old_value: Mapping[str, Any] | None = None,
    new_value: Mapping[str, Any] | None = None,
    detail: str | None = None,
    now: dt.datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        occurred_at=now or utcnow(),
        actor_officer_id=actor_officer_id,
        actor_telegram_id=actor_telegram_id,
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        old_value=jsonable(old_value) if old_value is not None else None,
        new_value=jsonable(new_value) if new_value is not None else None,
        detail=detail,
    )
    session.add(event)
    await session.flush()
    return event


class HasId(Protocol):
    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=HasId)


async def add_audited(
    session: AsyncSession,
    row: RowT,
    *,
    entity: str,
    action: str,
    summarize: Callable[[RowT], Mapping[str, Any]],
    entity_id: str | int | None = None,
    actor_officer_id: int | None = None,
    actor_telegram_id: int | None = None,
    old_value: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> RowT:
    """Insert ``row`` and audit it as ``summarize(row)``; ``entity_id`` defaults to the new row's id.

    The flush comes first so the row has its id (and the audit event its ``new_value``).
    """
    session.add(row)
    await session.flush()
    await record_event(
        session,
        entity=entity,
        entity_id=row.id if entity_id is None else entity_id,
        action=action,
        actor_officer_id=actor_officer_id,
        actor_telegram_id=actor_telegram_id,
        old_value=old_value,
        new_value=summarize(row),
        now=now,
    )
    return row


async def list_events(
    session: AsyncSession,
    *,
    entity: str | None = None,
    entity_id: str | int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """Newest first."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == str(entity_id))
    return list((await session.scalars(query)).all())
