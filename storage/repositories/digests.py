"""The planning office's digest send log and its registered group chat.

Same exactly-once rule as the reminders' send log: a digest is claimed per chat with
INSERT … ON CONFLICT DO NOTHING on UNIQUE (kind, subject, chat), so restarts and several
processes never send it twice; a failed or abandoned send is taken over by one conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import DigestKind, SendStatus
from storage.models import DigestSend, IndicatorValue, PlanningOfficeChat, TaskProgressReport
from storage.repositories.send_log import takeable
from storage.repositories.upsert import dialect_insert

ERROR_LIMIT = 2000


@dataclass(frozen=True, slots=True, order=True)
class DigestKey:
    """One digest occurrence for one chat."""

    kind: DigestKind
    subject: str
    chat_id: int


async def claim(
    session: AsyncSession,
    keys: Sequence[DigestKey],
    claimed_by: str | None,
    *,
    now: dt.datetime,
    max_attempts: int,
    stale_after: dt.timedelta,
) -> dict[DigestKey, tuple[int, int]]:
    """Reserve the digests nobody holds yet, and take over failed or abandoned ones.

    Returns the won keys with (row id, parts already sent): a taken-over send resumes after them.
    """
    won: dict[DigestKey, tuple[int, int]] = {}
    for key in sorted(set(keys)):
        inserted = await session.execute(
            dialect_insert(session, DigestSend)
            .values(
                kind=key.kind,
                subject=key.subject,
                chat_id=key.chat_id,
                status=SendStatus.CLAIMED,
                claimed_at=now,
                claimed_by=claimed_by,
                attempts=0,
                parts_sent=0,
            )
            .on_conflict_do_nothing(index_elements=["kind", "subject", "chat_id"])
            .returning(DigestSend.id, DigestSend.parts_sent)
        )
        row = inserted.first()
        if row is None:
            row = (
                await session.execute(
                    update(DigestSend)
                    .where(
                        DigestSend.kind == key.kind,
                        DigestSend.subject == key.subject,
                        DigestSend.chat_id == key.chat_id,
                        takeable(DigestSend, now, max_attempts, stale_after),
                    )
                    # A part whose call was under way when its claimer died may have arrived: count it as out.
                    .values(
                        status=SendStatus.CLAIMED,
                        claimed_at=now,
                        claimed_by=claimed_by,
                        parts_sent=func.coalesce(DigestSend.part_in_flight + 1, DigestSend.parts_sent),
                        part_in_flight=None,
                    )
                    .returning(DigestSend.id, DigestSend.parts_sent)
                    .execution_options(synchronize_session=False)
                )
            ).first()
        if row is not None:
            won[key] = (row[0], row[1])
    return won


async def _update(session: AsyncSession, send_id: int, **values: Any) -> None:
    await session.execute(
        update(DigestSend).where(DigestSend.id == send_id).values(**values).execution_options(synchronize_session=False)
    )


async def mark_progress(session: AsyncSession, send_id: int, parts_sent: int) -> None:
    """Messages and files already out: a retry starts after them, never repeats them."""
    await _update(session, send_id, parts_sent=parts_sent, part_in_flight=None)


async def mark_in_flight(session: AsyncSession, send_id: int, part: int | None) -> None:
    """The call sending ``part`` is about to begin (None: it came back proving the part was not delivered)."""
    await _update(session, send_id, part_in_flight=part)


async def mark_sent(session: AsyncSession, send_id: int, *, parts_sent: int, now: dt.datetime) -> None:
    await _update(
        session,
        send_id,
        status=SendStatus.SENT,
        sent_at=now,
        parts_sent=parts_sent,
        attempts=DigestSend.attempts + 1,
        last_error=None,
    )


async def mark_failed(session: AsyncSession, send_id: int, *, parts_sent: int, error: str) -> None:
    await _update(
        session,
        send_id,
        status=SendStatus.FAILED,
        parts_sent=parts_sent,
        attempts=DigestSend.attempts + 1,
        last_error=error[:ERROR_LIMIT],
        part_in_flight=None,
    )


async def mark_skipped(session: AsyncSession, send_id: int, *, reason: str) -> None:
    await _update(session, send_id, status=SendStatus.SKIPPED, last_error=reason[:ERROR_LIMIT])


async def get(session: AsyncSession, key: DigestKey) -> DigestSend | None:
    query = select(DigestSend).where(
        DigestSend.kind == key.kind, DigestSend.subject == key.subject, DigestSend.chat_id == key.chat_id
    )
    return await session.scalar(query.execution_options(populate_existing=True))


async def settled_subjects(
    session: AsyncSession,
    kind: DigestKind,
    subjects: Iterable[str],
    *,
    now: dt.datetime,
    max_attempts: int,
    stale_after: dt.timedelta,
) -> set[str]:
    """Occurrences already handled for some chat (so a round skips building them); a failed or
    abandoned one does not count, so the round builds it again and takes the row over."""
    wanted = sorted(set(subjects))
    if not wanted:
        return set()
    query = select(DigestSend.subject).where(
        DigestSend.kind == kind, DigestSend.subject.in_(wanted), ~takeable(DigestSend, now, max_attempts, stale_after)
    )
    query = query.distinct()
    return set((await session.scalars(query)).all())


async def last_compile(session: AsyncSession, year: int) -> dt.datetime | None:
    """When the compile of ``year`` was last claimed for any chat (subjects are "<year>:<day>")."""
    query = select(func.max(DigestSend.claimed_at)).where(
        DigestSend.kind == DigestKind.COMPILE, DigestSend.subject.like(f"{year}:%")
    )
    return await session.scalar(query)


async def last_changes(session: AsyncSession, years: Iterable[int]) -> dict[int, dt.datetime]:
    """The latest figure or progress report entered for each year: a change re-sends that year's compile."""
    wanted = sorted(set(years))
    if not wanted:
        return {}
    changes: dict[int, dt.datetime] = {}
    for year_column, at_column in (
        (IndicatorValue.year, IndicatorValue.entered_at),
        (TaskProgressReport.period_year, TaskProgressReport.reported_at),
    ):
        rows = await session.execute(
            select(year_column, func.max(at_column)).where(year_column.in_(wanted)).group_by(year_column)
        )
        for year, at in rows.all():
            if at is not None and (year not in changes or at > changes[year]):
                changes[year] = at
    return changes


# --- the group chat registered with /nhantonghop ----------------------------------------------


async def active_chats(session: AsyncSession) -> list[PlanningOfficeChat]:
    query = select(PlanningOfficeChat).where(PlanningOfficeChat.active.is_(True)).order_by(PlanningOfficeChat.id)
    return list((await session.scalars(query)).all())


async def register_chat(
    session: AsyncSession, chat_id: int, title: str | None, officer_id: int | None, now: dt.datetime
) -> list[int]:
    """Make ``chat_id`` the one group that receives the digests; returns the chats it replaces."""
    replaced = [row.chat_id for row in await active_chats(session) if row.chat_id != chat_id]
    await session.execute(
        update(PlanningOfficeChat)
        .where(PlanningOfficeChat.chat_id != chat_id)
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    existing = await session.scalar(select(PlanningOfficeChat).where(PlanningOfficeChat.chat_id == chat_id))
    if existing is None:
        session.add(
            PlanningOfficeChat(
                chat_id=chat_id, title=title, registered_by_officer_id=officer_id, registered_at=now, active=True
            )
        )
    else:
        existing.title, existing.registered_by_officer_id = title, officer_id
        existing.registered_at, existing.active = now, True
    await session.flush()
    return replaced


async def unregister_chat(session: AsyncSession, chat_id: int) -> bool:
    result = await session.execute(
        update(PlanningOfficeChat)
        .where(PlanningOfficeChat.chat_id == chat_id, PlanningOfficeChat.active.is_(True))
        .values(active=False)
        .returning(PlanningOfficeChat.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None
