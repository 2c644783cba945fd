"""Where each person is in a guided conversation, kept in the database on every step.

python-telegram-bot's own persistence flushes on a timer, so a crash right after a reply
could lose the step. Here the step and the draft are written before the bot answers, so a
restart (even ``kill -9``) resumes at the same question with earlier answers intact.

One person has at most one *active* conversation (the one their next message answers);
starting another parks the first as a *draft* that its command offers to resume. A
conversation idle for too long is parked the same way, with a message.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from storage.repositories import conversations

NONCE_BYTES = 3  # 4 URL-safe characters: enough to tell this conversation's buttons from older ones
DRAFT_TTL = dt.timedelta(days=60)


class Flow(StrEnum):
    """The guided conversations; the value is the stored conversation name."""

    REGISTER = "register"
    INTAKE = "intake"
    PROGRESS = "progress"


class Status(StrEnum):
    ACTIVE = "active"
    DRAFT = "draft"


@dataclass(frozen=True, slots=True)
class Conversation:
    """A snapshot of one person's conversation; change it with ``advance`` and save it."""

    user_id: int
    flow: Flow
    step: str
    nonce: str
    data: dict[str, Any] = field(default_factory=dict)
    status: Status = Status.ACTIVE
    updated_at: dt.datetime | None = None

    def advance(self, step: str | None = None, **changes: Any) -> Conversation:
        """The same conversation at ``step`` (or the same step) with ``changes`` merged into its data."""
        return replace(self, step=step or self.step, data={**self.data, **changes})

    def without(self, *keys: str) -> Conversation:
        return replace(self, data={k: v for k, v in self.data.items() if k not in keys})


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def _from_row(
    user_id: int, flow: Flow, state: str | None, payload: dict[str, Any], updated: dt.datetime
) -> Conversation:
    data = dict(payload.get("data") or {})
    return Conversation(
        user_id=user_id,
        flow=flow,
        step=str(payload.get("step") or ""),
        nonce=str(payload.get("nonce") or ""),
        data=data,
        status=Status(state) if state in {s.value for s in Status} else Status.ACTIVE,
        updated_at=updated,
    )


@dataclass(frozen=True)
class ConversationService:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    idle_timeout: dt.timedelta

    async def _load(self, session: AsyncSession, user_id: int, flow: Flow) -> Conversation | None:
        row = await conversations.load_state(session, flow.value, user_id, user_id, now=self.clock.now())
        if row is None:
            return None
        return _from_row(user_id, flow, row.state, row.data, row.updated_at)

    async def _write(self, session: AsyncSession, conversation: Conversation) -> None:
        payload = {"step": conversation.step, "nonce": conversation.nonce, "data": conversation.data}
        ttl = DRAFT_TTL if conversation.status is Status.DRAFT else None
        await conversations.save_state(
            session,
            conversation.flow.value,
            conversation.user_id,
            conversation.user_id,
            conversation.status.value,
            payload,
            ttl=ttl,
            now=self.clock.now(),
        )

    async def _all_active(self, session: AsyncSession, user_id: int) -> list[Conversation]:
        """The person's active conversations of every flow, in one query."""
        flows = {flow.value: flow for flow in Flow}
        rows = await conversations.states_of(session, user_id, user_id, now=self.clock.now())
        found = [_from_row(user_id, flows[r.name], r.state, r.data, r.updated_at) for r in rows if r.name in flows]
        return [c for c in found if c.status is Status.ACTIVE]

    async def active(self, user_id: int) -> Conversation | None:
        """The conversation the person's next message answers, if any."""
        async with self.sessions() as session:
            return await self.active_in(session, user_id)

    async def active_in(self, session: AsyncSession, user_id: int) -> Conversation | None:
        live = await self._all_active(session, user_id)
        return max(live, key=lambda c: c.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC), default=None)

    async def get(self, user_id: int, flow: Flow) -> Conversation | None:
        async with self.sessions() as session:
            return await self.get_in(session, user_id, flow)

    async def get_in(self, session: AsyncSession, user_id: int, flow: Flow) -> Conversation | None:
        return await self._load(session, user_id, flow)

    async def _park_others(self, session: AsyncSession, user_id: int, keep: Flow) -> None:
        for other in await self._all_active(session, user_id):
            if other.flow is not keep:
                await self._write(session, replace(other, status=Status.DRAFT))

    async def start(self, user_id: int, flow: Flow, step: str, data: dict[str, Any] | None = None) -> Conversation:
        """Begin ``flow`` afresh (a new nonce: buttons of older messages stop working)."""
        conversation = Conversation(user_id, flow, step, new_nonce(), dict(data or {}))
        async with self.sessions.begin() as session:
            await self._park_others(session, user_id, flow)
            await self._write(session, conversation)
        return replace(conversation, updated_at=self.clock.now())

    async def resume(self, user_id: int, flow: Flow) -> Conversation | None:
        """Make the parked draft of ``flow`` active again, at the step where it stopped."""
        async with self.sessions.begin() as session:
            draft = await self._load(session, user_id, flow)
            if draft is None:
                return None
            await self._park_others(session, user_id, flow)
            resumed = replace(draft, status=Status.ACTIVE, nonce=new_nonce())
            await self._write(session, resumed)
        return replace(resumed, updated_at=self.clock.now())

    async def save(self, conversation: Conversation) -> Conversation:
        """Store the step and draft; call it before answering the person."""
        async with self.sessions.begin() as session:
            await self._write(session, conversation)
        return replace(conversation, updated_at=self.clock.now())

    async def finish(self, user_id: int, flow: Flow) -> None:
        """Forget the conversation (after it was confirmed, or cancelled)."""
        async with self.sessions.begin() as session:
            await conversations.clear_state(session, flow.value, user_id, user_id)

    async def park_idle(self) -> list[Conversation]:
        """Park every active conversation idle longer than the timeout; returns them to notify."""
        cutoff = self.clock.now() - self.idle_timeout
        parked: list[Conversation] = []
        async with self.sessions.begin() as session:
            for flow in Flow:
                for row in await conversations.list_states(session, flow.value, now=self.clock.now()):
                    conversation = _from_row(row.user_id, flow, row.state, row.data, row.updated_at)
                    if conversation.status is Status.ACTIVE and row.updated_at <= cutoff:
                        draft = replace(conversation, status=Status.DRAFT)
                        await self._write(session, draft)
                        parked.append(draft)
        return parked
