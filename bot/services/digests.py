"""The planning office's scheduled digests: which are due now, for which chats, claimed exactly once.

Like a reminder round, a digest round recomputes everything from the database (the plan, the
filed reports and the digest send log) and claims each (digest, chat) before sending it, so a
restart or a second process never sends a digest twice. Nothing here imports telegram.

Where they go: the group chat an admin registered with /nhantonghop and the chats listed in
PLANNING_OFFICE_CHAT_IDS; when neither is set, the planning office's admins in private.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.reports.model import DeadlineDayReport, WeeklyDigest
from bot.services.delivery import load_filed
from bot.services.reminders import worker_name
from bot.services.summaries import SummaryService
from scheduler.digest_schedule import (
    DigestPolicy,
    after_deadline_at,
    compile_due,
    compile_subject,
    deadline_subject,
    latest_weekly,
)
from storage.enums import DigestKind, OfficerRole
from storage.models import Officer
from storage.repositories import digests
from storage.repositories.digests import DigestKey

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass(frozen=True, slots=True)
class DigestChat:
    chat_id: int
    locale: str | None = None  # an admin's own language; None for a group (the bot's default)


@dataclass(frozen=True, slots=True)
class DigestEnvelope:
    """One digest for one chat, claimed by this process; ``parts_sent`` parts already went out."""

    key: DigestKey
    send_id: int
    parts_sent: int
    locale: str | None
    weekly: WeeklyDigest | None = None
    deadline_day: DeadlineDayReport | None = None
    compile_year: int | None = None


@dataclass(frozen=True)
class DigestService:
    sessions: async_sessionmaker[AsyncSession]
    summaries: SummaryService
    policy: DigestPolicy
    clock: Clock
    configured_chats: frozenset[int] = frozenset()
    max_attempts: int = 3
    stale_after: dt.timedelta = dt.timedelta(minutes=15)
    worker: str = field(default_factory=worker_name)

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> Self:
        settings = runtime.settings
        return cls(
            runtime.sessions,
            SummaryService.from_runtime(runtime),
            runtime.digest_policy,
            runtime.clock,
            configured_chats=settings.planning_office_chat_ids,
            max_attempts=settings.reminder_max_attempts,
        )

    async def chats(self, session: AsyncSession) -> list[DigestChat]:
        """The group and configured chats; the admins' private chats when there are none."""
        shared = {row.chat_id for row in await digests.active_chats(session)} | set(self.configured_chats)
        if shared:
            return [DigestChat(chat_id) for chat_id in sorted(shared)]
        rows = await session.scalars(
            select(Officer)
            .where(Officer.role == OfficerRole.ADMIN, Officer.active.is_(True), Officer.unreachable_at.is_(None))
            .order_by(Officer.id)
        )
        return [DigestChat(row.telegram_user_id, row.locale) for row in rows.all()]

    async def is_digest_chat(self, chat_id: int) -> bool:
        """A group or configured chat of the planning office (admins are recognised by their role)."""
        if chat_id in self.configured_chats:
            return True
        async with self.sessions() as session:
            return any(row.chat_id == chat_id for row in await digests.active_chats(session))

    async def prepare_round(self) -> list[DigestEnvelope]:
        """Work out what is due now and claim it per chat; the envelopes this process won."""
        now = self.clock.now()
        today = self.policy.today(now)
        async with self.sessions.begin() as session:
            chats = await self.chats(session)
            if not chats:
                return []
            snapshot = await self.summaries.snapshot(session)
            slot = latest_weekly(self.policy, now)
            if slot is not None and await self._settled(session, DigestKind.WEEKLY, [slot.subject], now):
                slot = None
            open_deadlines = [d for d in snapshot.deadlines if d.period_year not in snapshot.locked_years]
            fresh_days = {
                deadline_subject(d.due_on): d.due_on
                for d in open_deadlines
                if self.policy.fresh(after_deadline_at(d.due_on, self.policy), now)
            }
            for subject in await self._settled(session, DigestKind.DEADLINE, fresh_days, now):
                del fresh_days[subject]
            weekly: dict[str, WeeklyDigest] = {}
            days: dict[str, DeadlineDayReport] = {}
            if slot is not None or fresh_days:  # most rounds build nothing: the filed reports are read only when needed
                filed = await load_filed(session, {d.period_year for d in snapshot.deadlines})
                if slot is not None:
                    digest = self.summaries.weekly(snapshot, filed, today, self.policy.window_days)
                    if not digest.is_empty:
                        weekly[slot.subject] = digest
                for subject, due_on in sorted(fresh_days.items()):
                    report = self.summaries.deadline_day(snapshot, filed, due_on, today)
                    if report.deadlines:
                        days[subject] = report
            compiles = await self._compiles_due(session, snapshot.locked_years, now, today)
            keys = [
                DigestKey(kind, subject, chat.chat_id)
                for kind, subjects in (
                    (DigestKind.DEADLINE, days),
                    (DigestKind.COMPILE, compiles),
                    (DigestKind.WEEKLY, weekly),
                )
                for subject in subjects
                for chat in chats
            ]
            won = await digests.claim(
                session, keys, self.worker, now=now, max_attempts=self.max_attempts, stale_after=self.stale_after
            )
        locales = {chat.chat_id: chat.locale for chat in chats}
        return [
            DigestEnvelope(
                key,
                send_id,
                parts_sent,
                locales.get(key.chat_id),
                weekly=weekly.get(key.subject) if key.kind is DigestKind.WEEKLY else None,
                deadline_day=days.get(key.subject) if key.kind is DigestKind.DEADLINE else None,
                compile_year=compiles.get(key.subject) if key.kind is DigestKind.COMPILE else None,
            )
            for key, (send_id, parts_sent) in won.items()
        ]

    async def _settled(
        self, session: AsyncSession, kind: DigestKind, subjects: Iterable[str], now: dt.datetime
    ) -> set[str]:
        return await digests.settled_subjects(
            session, kind, subjects, now=now, max_attempts=self.max_attempts, stale_after=self.stale_after
        )

    async def _compiles_due(
        self, session: AsyncSession, locked: frozenset[int], now: dt.datetime, today: dt.date
    ) -> dict[str, int]:
        """Subject → year for every open reporting year whose compile is due now."""
        regime = self.summaries.responsibility.plan.reporting
        years = [year for year in self.summaries.periods.reporting_years() if year not in locked]
        changes = await digests.last_changes(session, years)
        due: dict[str, int] = {}
        for year in years:
            last_sent = await digests.last_compile(session, year)
            if compile_due(
                regime.annual_report_due.in_year(year),
                self.policy,
                now,
                last_sent=last_sent,
                last_change=changes.get(year),
            ):
                due[compile_subject(year, today)] = year
        return due

    # --- outcomes -------------------------------------------------------------------------------

    async def progressed(self, envelope: DigestEnvelope, parts_sent: int) -> None:
        async with self.sessions.begin() as session:
            await digests.mark_progress(session, envelope.send_id, parts_sent)

    async def in_flight(self, envelope: DigestEnvelope, part: int | None) -> None:
        """The part whose call is under way (None once an answer proved it did not arrive)."""
        async with self.sessions.begin() as session:
            await digests.mark_in_flight(session, envelope.send_id, part)

    async def delivered(self, envelope: DigestEnvelope, parts_sent: int) -> None:
        async with self.sessions.begin() as session:
            await digests.mark_sent(session, envelope.send_id, parts_sent=parts_sent, now=self.clock.now())

    async def failed(self, envelope: DigestEnvelope, parts_sent: int, error: str) -> None:
        """Left FAILED: a later round takes it over (attempts permitting) and resumes after ``parts_sent``."""
        async with self.sessions.begin() as session:
            await digests.mark_failed(session, envelope.send_id, parts_sent=parts_sent, error=error)

    async def skipped(self, envelope: DigestEnvelope, reason: str) -> None:
        """The chat is gone (the bot was removed from the group, the admin blocked it): never retried."""
        async with self.sessions.begin() as session:
            await digests.mark_skipped(session, envelope.send_id, reason=reason)

    # --- /nhantonghop -----------------------------------------------------------------------------

    async def register_chat(self, chat_id: int, title: str | None, officer_id: int | None) -> list[int]:
        async with self.sessions.begin() as session:
            return await digests.register_chat(session, chat_id, title, officer_id, self.clock.now())

    async def unregister_chat(self, chat_id: int) -> bool:
        async with self.sessions.begin() as session:
            return await digests.unregister_chat(session, chat_id)
