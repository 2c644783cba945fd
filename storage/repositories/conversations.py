"""Persisted conversation steps and drafts, keyed like python-telegram-bot's conversations.

Written on every step so an officer who was half-way through entering figures
continues where they stopped after a restart or a deploy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState
from storage.repositories.audit import jsonable
from storage.repositories.upsert import dialect_insert
from storage.types import utcnow

KEY_COLUMNS = ("name", "chat_id", "user_id")


def _live(now: dt.datetime) -> Any:
    return ConversationState.expires_at.is_(None) | (ConversationState.expires_at > now)


async def load_state(
    session: AsyncSession, name: str, chat_id: int, user_id: int, *, now: dt.datetime | None = None
) -> ConversationState | None:
    """The stored step, or None if there is none or it has expired."""
    query = select(ConversationState).where(
        ConversationState.name == name,
        ConversationState.chat_id == chat_id,
        ConversationState.user_id == user_id,
        _live(now or utcnow()),
    )
    return await session.scalar(query.execution_options(populate_existing=True))


async def states_of(
    session: AsyncSession, chat_id: int, user_id: int, *, now: dt.datetime | None = None
) -> list[ConversationState]:
    """Every live conversation of one person in one chat, whatever its name (one query)."""
    query = select(ConversationState).where(
        ConversationState.chat_id == chat_id, ConversationState.user_id == user_id, _live(now or utcnow())
    )
    return list((await session.scalars(query.execution_options(populate_existing=True))).all())


async def list_states(session: AsyncSession, name: str, *, now: dt.datetime | None = None) -> list[ConversationState]:
    """All live states of one conversation (to prime the bot's persistence at start-up)."""
    query = select(ConversationState).where(ConversationState.name == name, _live(now or utcnow()))
    return list((await session.scalars(query.order_by(ConversationState.id))).all())


async def save_state(
    session: AsyncSession,
    name: str,
    chat_id: int,
    user_id: int,
    state: str | None,
    data: dict[str, Any] | None = None,
    *,
    ttl: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Insert or replace the state (a single upsert statement, safe against double taps)."""
    now = now or utcnow()
    values = {
        "state": state,
        "data": jsonable(data or {}),
        "updated_at": now,
        "expires_at": now + ttl if ttl is not None else None,
    }
    statement = dialect_insert(session, ConversationState).values(name=name, chat_id=chat_id, user_id=user_id, **values)
    statement = statement.on_conflict_do_update(index_elements=list(KEY_COLUMNS), set_=values)
    await session.execute(statement)


async def clear_state(session: AsyncSession, name: str, chat_id: int, user_id: int) -> bool:
    """Forget the state; True if there was one."""
    result = await session.execute(
        delete(ConversationState)
        .where(
            ConversationState.name == name,
            ConversationState.chat_id == chat_id,
            ConversationState.user_id == user_id,
        )
        .returning(ConversationState.id)
    )
    return result.first() is not None


async def purge_expired(session: AsyncSession, *, now: dt.datetime | None = None) -> int:
    """Delete expired states; returns how many."""
    result = await session.execute(
        delete(ConversationState)
        .where(ConversationState.expires_at <= (now or utcnow()))
        .returning(ConversationState.id)
    )
    return len(result.all())
