"""A reminder round, from the database to envelopes ready to send, and what comes back.

The database is the source of truth, not the scheduler's memory: every round recomputes
what is due from the plan, the filed reports and the send log, claims the rows it will
send (the claim is the only thing that decides who sends), and records every attempt.
Nothing here imports telegram: ``handlers.reminders`` renders and sends the envelopes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.plan.registry import DepartmentRegistry
from bot.services.deadline_view import DeadlineViewService, DueItem
from bot.services.delivery import Filed, PlanSnapshot, load_filed
from bot.services.reminder_plan import (
    DueSnooze,
    PlannedEscalation,
    PlannedReminder,
    Recipient,
    plan_round,
)
from scheduler.reminder_schedule import Purpose, ReminderPolicy, next_occurrence
from storage.enums import AttemptOutcome, DepartmentRole, OfficerRole, SendPurpose, SendStatus
from storage.models import Deadline, DeliveryAttempt, Department, Officer, ReminderSend
from storage.repositories import officers, reminders
from storage.repositories.reminders import Claim, SendKey

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

#: More due reminders than this for one officer in one round go out as one list, not one message each.
BUNDLE_LIMIT: Final = 3
SNOOZE_DELAY: Final = dt.timedelta(days=1)
FORBIDDEN_REASON: Final = "officer unreachable (blocked the bot or deleted the account)"


def worker_name() -> str:
    """Who claimed a send, for the log and /nhacnho: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class EnvelopeKind(StrEnum):
    SINGLE = "single"  # one reminder, with its own buttons
    BUNDLE = "bundle"  # several due today, listed in one message
    CATCH_UP = "catch_up"  # missed longer ago than the grace window, folded into one short message
    ESCALATION = "escalation"  # to the planning office: who is late


@dataclass(frozen=True, slots=True)
class Envelope:
    """One Telegram message to one person, carrying one or more claimed sends."""

    kind: EnvelopeKind
    recipient: Recipient
    send_ids: tuple[int, ...]
    reminders: tuple[PlannedReminder, ...] = ()
    escalations: tuple[PlannedEscalation, ...] = ()


@dataclass(frozen=True, slots=True)
class EntryTarget:
    """Where "Nhập ngay" leads: the indicator, the task, or the year's list."""

    period_year: int
    subject: SendSubject
    task_key: str | None = None
    indicator_number: int | None = None


class SendSubject(StrEnum):
    TASK = "task"
    INDICATOR = "indicator"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class UpcomingReminder:
    at: dt.datetime
    department_code: str
    recipients: int
    item: DueItem
    purpose: SendPurpose


@dataclass(frozen=True, slots=True)
class RoundResult:
    """What a round did, for logs and /nhacnho."""

    envelopes: tuple[Envelope, ...] = ()
    claimed: int = 0
    planned: int = 0


@dataclass(frozen=True)
class Unreachable:
    """An officer the bot can no longer write to, to be reported to the planning office once."""

    officer_id: int
    full_name: str
    department_code: str | None


@dataclass(frozen=True)
class ReminderService:
    sessions: async_sessionmaker[AsyncSession]
    views: DeadlineViewService
    registry: DepartmentRegistry
    policy: ReminderPolicy
    clock: Clock
    max_attempts: int = 3
    stale_after: dt.timedelta = dt.timedelta(minutes=15)
    worker: str = field(default_factory=worker_name)

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> Self:
        settings = runtime.settings
        return cls(
            runtime.sessions,
            DeadlineViewService.from_runtime(runtime),
            runtime.registry,
            runtime.reminder_policy,
            runtime.clock,
            max_attempts=settings.reminder_max_attempts,
        )

    # --- planning ------------------------------------------------------------------------

    def today(self) -> dt.date:
        return local_today(self.clock, self.policy.tz)

    async def _load(self, session: AsyncSession) -> tuple[PlanSnapshot, Filed]:
        snapshot = await self.views.snapshot(session)
        years = {deadline.period_year for deadline in snapshot.deadlines} - snapshot.locked_years
        return snapshot, await load_filed(session, years)

    def _items(self, snapshot: PlanSnapshot, filed: Filed, today: dt.date) -> dict[str, list[DueItem]]:
        return {code: self.views.items_from(snapshot, filed, code, today) for code in self.views.departments_on(today)}

    async def _recipients(
        self, session: AsyncSession, today: dt.date
    ) -> tuple[dict[str, list[Recipient]], list[Recipient]]:
        """Reachable active officers by today's department, and the planning office's admins."""
        rows = await session.execute(
            select(Officer, Department.code)
            .join(Department, Officer.department_id == Department.id)
            .where(Officer.active.is_(True), Officer.unreachable_at.is_(None))
            .order_by(Officer.id)
        )
        by_department: defaultdict[str, list[Recipient]] = defaultdict(list)
        admins: list[Recipient] = []
        for officer, code in rows.all():
            current = self.registry.successor_on(code, today) if code in self.registry else code
            if current is None:
                continue
            recipient = Recipient(officer.id, officer.telegram_user_id, officer.full_name, officer.locale, current)
            by_department[current].append(recipient)
            if officer.role is OfficerRole.ADMIN:
                admins.append(recipient)
        return dict(by_department), admins

    async def prepare_round(self) -> RoundResult:
        """Plan what is due now, claim it in the send log, and group what this process won into envelopes."""
        now = self.clock.now()
        today = self.today()
        async with self.sessions.begin() as session:
            if interrupted := await reminders.settle_interrupted(session, now=now, stale_after=self.stale_after):
                log.warning("%s reminders interrupted during their call to Telegram: counted as sent", len(interrupted))
            snapshot, filed = await self._load(session)
            items = self._items(snapshot, filed, today)
            recipients, admins = await self._recipients(session, today)
            snoozes = [
                DueSnooze(row.deadline_id, row.officer_id, row.remind_at)
                for row in await reminders.due_snoozes(session, now=now, since=now - self.policy.grace)
            ]
            late_ids = {item.deadline_id for rows in items.values() for item in rows if not item.delivered}
            plan = plan_round(
                items,
                recipients,
                admins,
                policy=self.policy,
                now=now,
                locked_years=snapshot.locked_years,
                snoozes=snoozes,
                already_escalated=await reminders.escalated_deadlines(
                    session, late_ids, now=now, max_attempts=self.max_attempts, stale_after=self.stale_after
                ),
            )
            claims = [Claim(r.key, r.due_at) for r in plan.reminders] + [
                Claim(e.key, e.due_at) for e in plan.escalations
            ]
            existing = await reminders.existing_keys(session, [claim.key for claim in claims])
            fresh = [claim for claim in claims if claim.key not in existing]
            won = await reminders.claim_many(session, fresh, self.worker, now)
            won.update(await self._retakes(session, [c.key for c in claims if c.key not in won], now))
        return RoundResult(
            envelopes=tuple(_envelopes(plan.reminders, plan.escalations, won)), claimed=len(won), planned=len(claims)
        )

    async def _retakes(self, session: AsyncSession, keys: Sequence[SendKey], now: dt.datetime) -> dict[SendKey, int]:
        """Sends that failed earlier (attempts left) or whose claimer died: this round tries them again."""
        if not keys:
            return {}
        unfinished = await session.scalars(
            select(ReminderSend).where(
                ReminderSend.status.in_([SendStatus.FAILED, SendStatus.CLAIMED]),
                ReminderSend.deadline_id.in_({key.deadline_id for key in keys}),
            )
        )
        wanted = set(keys)
        taken: dict[SendKey, int] = {}
        for row in unfinished.all():
            key = reminders.key_of(row)
            if key in wanted:
                send_id = await reminders.reclaim_send(
                    session, key, self.worker, now=now, max_attempts=self.max_attempts, stale_after=self.stale_after
                )
                if send_id is not None:
                    taken[key] = send_id
        return taken

    # --- outcomes ------------------------------------------------------------------------

    async def record_attempt(self, envelope: Envelope, outcome: AttemptOutcome, *, detail: str | None = None) -> None:
        """Every call to Telegram leaves a row, retries included."""
        async with self.sessions.begin() as session:
            await self._log_attempt(session, envelope, outcome, detail)

    async def _log_attempt(
        self, session: AsyncSession, envelope: Envelope, outcome: AttemptOutcome, detail: str | None
    ) -> None:
        await reminders.record_attempt(
            session,
            send_ids=envelope.send_ids,
            chat_id=envelope.recipient.telegram_user_id,
            outcome=outcome,
            detail=detail,
            worker=self.worker,
            now=self.clock.now(),
        )

    async def in_flight(self, envelope: Envelope, calling: bool) -> None:
        """Marked before each call to Telegram and cleared after a proven failure (``ReminderSend.calling_since``)."""
        async with self.sessions.begin() as session:
            if calling:
                await reminders.mark_calling(session, envelope.send_ids, now=self.clock.now())
            else:
                await reminders.clear_calling(session, envelope.send_ids)

    async def delivered(self, envelope: Envelope, message_id: int) -> None:
        await self._sent(envelope, message_id, confirmed=True)

    async def unconfirmed(self, envelope: Envelope, detail: str) -> None:
        """Telegram may have received the message but its answer never came: count it as sent, never resend.

        A reminder must go out at most once; a second copy is worse than one whose id we do not know.
        """
        await self._sent(envelope, None, confirmed=False)
        log.warning("reminder to officer %s unconfirmed: %s", envelope.recipient.officer_id, detail)

    async def _sent(self, envelope: Envelope, message_id: int | None, *, confirmed: bool) -> None:
        async with self.sessions.begin() as session:
            if confirmed:
                await self._log_attempt(session, envelope, AttemptOutcome.SENT, None)
            await reminders.mark_sent(
                session,
                envelope.send_ids,
                telegram_message_id=message_id,
                now=self.clock.now(),
                folded=envelope.kind is not EnvelopeKind.SINGLE,
            )

    async def gave_up(self, envelope: Envelope, error: str) -> None:
        """Every retry failed: the send stays FAILED and a later round takes it again (attempts permitting)."""
        async with self.sessions.begin() as session:
            await reminders.mark_failed(session, envelope.send_ids, error=error)

    async def unreachable(self, envelope: Envelope, detail: str) -> Unreachable | None:
        """Forbidden: skip the sends and mark the officer; returns the officer only the first time."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            await reminders.mark_skipped(session, envelope.send_ids, reason=FORBIDDEN_REASON)
            officer = await officers.get_by_id(session, envelope.recipient.officer_id)
            if officer is None or officer.unreachable_at is not None:
                return None
            await officers.mark_unreachable(session, officer, detail=detail, now=now)
            return Unreachable(officer.id, officer.full_name, envelope.recipient.department_code)

    async def planning_office_chats(self) -> list[Recipient]:
        async with self.sessions() as session:
            _, admins = await self._recipients(session, self.today())
        return admins

    # --- the buttons -----------------------------------------------------------------------

    async def _own_send(self, session: AsyncSession, send_id: int, telegram_user_id: int) -> ReminderSend | None:
        """The send, if the presser is its recipient: forged or forwarded buttons get nothing."""
        send = await reminders.get_send_by_id(session, send_id)
        if send is None:
            return None
        officer = await officers.get_active_by_telegram_id(session, telegram_user_id)
        if officer is None or officer.id != send.officer_id:
            return None
        return send

    async def acknowledge(self, send_id: int, telegram_user_id: int) -> bool | None:
        """True when logged now, False when it was already acknowledged, None when not the presser's."""
        async with self.sessions.begin() as session:
            send = await self._own_send(session, send_id, telegram_user_id)
            if send is None:
                return None
            return await reminders.acknowledge(session, send_id, send.officer_id, self.clock.now())

    async def snooze(self, send_id: int, telegram_user_id: int) -> dt.datetime | None:
        """ "Nhắc lại sau": the same reminder a day later; the moment, or None when not the presser's."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            send = await self._own_send(session, send_id, telegram_user_id)
            if send is None:
                return None
            remind_at = now.replace(second=0, microsecond=0) + SNOOZE_DELAY
            await reminders.add_snooze(session, send.deadline_id, send.officer_id, remind_at, now)
            return remind_at

    async def entry_target(self, send_id: int, telegram_user_id: int) -> EntryTarget | None:
        """ "Nhập ngay": which flow and item the reminder is about, for its recipient only."""
        async with self.sessions() as session:
            send = await self._own_send(session, send_id, telegram_user_id)
            if send is None:
                return None
            deadline = await session.get(Deadline, send.deadline_id)
            if deadline is None:
                return None
            snapshot = await self.views.snapshot(session)
        if deadline.task_id is not None and deadline.task_id in snapshot.tasks:
            return EntryTarget(
                deadline.period_year, SendSubject.TASK, task_key=snapshot.tasks[deadline.task_id].task_key
            )
        if deadline.indicator_id is not None and deadline.indicator_id in snapshot.indicators:
            number = snapshot.indicators[deadline.indicator_id].number
            return EntryTarget(deadline.period_year, SendSubject.INDICATOR, indicator_number=number)
        return EntryTarget(deadline.period_year, SendSubject.YEAR)

    # --- /nhacnho --------------------------------------------------------------------------

    async def upcoming(self, limit: int) -> list[UpcomingReminder]:
        """The next reminders the rounds will send, soonest first (one line per deadline and department)."""
        now = self.clock.now()
        today = self.today()
        async with self.sessions() as session:
            snapshot, filed = await self._load(session)
            recipients, _ = await self._recipients(session, today)
        found: list[UpcomingReminder] = []
        for code, items in self._items(snapshot, filed, today).items():
            people = len(recipients.get(code, ()))
            if not people:
                continue
            for item in items:
                if item.delivered or item.period_year in snapshot.locked_years:
                    continue
                lead = item.role is not DepartmentRole.COORDINATOR
                purpose = Purpose.ACTION if lead else Purpose.FYI
                occurrence = next_occurrence(item.due_on, self.policy, now, purpose=purpose)
                if occurrence is not None:
                    kind = SendPurpose.ACTION if lead else SendPurpose.FYI
                    found.append(UpcomingReminder(occurrence.at, code, people, item, kind))
        found.sort(key=lambda u: (u.at, u.item.due_on, u.department_code, u.item.deadline_id))
        return found[:limit]

    async def problems(self, limit: int) -> list[tuple[DeliveryAttempt, str | None]]:
        """The latest failed attempts, with the officer's name when the attempt belonged to a send."""
        async with self.sessions() as session:
            attempts = await reminders.recent_problems(session, limit)
            chats = {attempt.chat_id for attempt in attempts}
            names: dict[int, str] = {}
            if chats:
                query = select(Officer.telegram_user_id, Officer.full_name).where(Officer.telegram_user_id.in_(chats))
                names = {chat: name for chat, name in (await session.execute(query)).all()}
        return [(attempt, names.get(attempt.chat_id)) for attempt in attempts]


def _envelopes(
    planned: Iterable[PlannedReminder], escalations: Iterable[PlannedEscalation], won: dict[SendKey, int]
) -> list[Envelope]:
    """Group this process's sends per person: a few single messages, or one list; catch-ups and escalations folded."""
    on_time: defaultdict[int, list[PlannedReminder]] = defaultdict(list)
    late: defaultdict[int, list[PlannedReminder]] = defaultdict(list)
    escalated: defaultdict[int, list[PlannedEscalation]] = defaultdict(list)
    people: dict[int, Recipient] = {}
    for reminder in planned:
        if reminder.key in won:
            (late if reminder.folded else on_time)[reminder.recipient.officer_id].append(reminder)
            people[reminder.recipient.officer_id] = reminder.recipient
    for escalation in escalations:
        if escalation.key in won:
            escalated[escalation.recipient.officer_id].append(escalation)
            people[escalation.recipient.officer_id] = escalation.recipient
    envelopes: list[Envelope] = []
    for officer_id in sorted(people):
        person = people[officer_id]
        mine = sorted(on_time.get(officer_id, []), key=lambda r: (r.item.due_on, r.item.deadline_id))
        if len(mine) > BUNDLE_LIMIT:
            envelopes.append(Envelope(EnvelopeKind.BUNDLE, person, tuple(won[r.key] for r in mine), tuple(mine)))
        else:
            envelopes += [Envelope(EnvelopeKind.SINGLE, person, (won[r.key],), (r,)) for r in mine]
        if missed := sorted(late.get(officer_id, []), key=lambda r: (r.item.due_on, r.item.deadline_id)):
            envelopes.append(Envelope(EnvelopeKind.CATCH_UP, person, tuple(won[r.key] for r in missed), tuple(missed)))
        if ups := escalated.get(officer_id):
            envelopes.append(
                Envelope(EnvelopeKind.ESCALATION, person, tuple(won[e.key] for e in ups), escalations=tuple(ups))
            )
    return envelopes
