"""Sending a reminder round: many chats in parallel, each chat paced, every failure retried or explained.

Telegram allows about 30 messages a second overall and one a second per chat. The overall
limit is python-telegram-bot's AIORateLimiter (built in ``bot.app`` with ``max_retries``,
which also waits out a 429's retry_after); private chats it does not pace, so one chat's
envelopes go out one after another, ``REMINDER_CHAT_INTERVAL_SECONDS`` apart, while
different chats run side by side. Retries and their rules are ``handlers.outbox.send_parts``'s
(shared with the planning office's digests); what it ends with is recorded here:

* sent, or unconfirmed (a read timeout: Telegram may have the message, so it is never sent again);
* gone (Forbidden): the officer blocked the bot or deleted the account, so mark them unreachable
  and tell the planning office once;
* failed (BadRequest, or every retry used): the send is left FAILED for a later round.

Every attempt that comes back to us is written to the delivery log with its outcome (429s that
AIORateLimiter absorbs itself, up to RATE_LIMIT_MAX_RETRIES, are only in its own log).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.reminders import Envelope, ReminderService, Unreachable
from bot.services.round_lease import Round, RoundLeases
from handlers.common import runtime_of
from handlers.outbox import Ending, send_parts, text_parts
from handlers.reminder_messages import render_envelope, unreachable_notice
from storage.enums import AttemptOutcome

log = logging.getLogger(__name__)


@dataclass
class RoundReport:
    """Counts for the log line and the "run now" answer of /nhacnho."""

    planned: int = 0
    claimed: int = 0
    messages: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    outcomes: dict[AttemptOutcome, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class RoundSender:
    """One round's sending: the bot, the service that records outcomes, and the pacing settings."""

    bot: Bot
    runtime: Runtime
    service: ReminderService
    report: RoundReport = field(default_factory=RoundReport)

    async def send_all(self, envelopes: tuple[Envelope, ...]) -> RoundReport:
        by_chat: defaultdict[int, list[Envelope]] = defaultdict(list)
        for envelope in envelopes:
            by_chat[envelope.recipient.telegram_user_id].append(envelope)
        slots = asyncio.Semaphore(self.runtime.settings.reminder_parallel_chats)

        async def one_chat(queue: list[Envelope]) -> None:
            async with slots:
                for index, envelope in enumerate(queue):
                    if index:
                        await asyncio.sleep(self.runtime.settings.reminder_chat_interval_seconds)
                    await self.deliver(envelope)

        await asyncio.gather(*(one_chat(queue) for queue in by_chat.values()))
        return self.report

    async def _attempt(self, envelope: Envelope, outcome: AttemptOutcome, detail: str | None) -> None:
        self.report.outcomes[outcome] += 1
        await self.service.record_attempt(envelope, outcome, detail=detail)

    async def deliver(self, envelope: Envelope) -> None:
        """Send one envelope (possibly several messages), resuming after the parts already out."""
        settings = self.runtime.settings
        translator = self.runtime.catalogs.translator(envelope.recipient.locale or settings.default_locale)
        rendered = render_envelope(translator, envelope, self.service.today(), self.runtime.registry)

        async def attempted(outcome: AttemptOutcome, detail: str) -> None:
            await self._attempt(envelope, outcome, detail)

        async def in_flight(part: int | None) -> None:
            await self.service.in_flight(envelope, calling=part is not None)

        delivery = await send_parts(
            self.bot,
            envelope.recipient.telegram_user_id,
            text_parts(rendered.texts, rendered.markup),
            max_attempts=settings.reminder_max_attempts,
            retry_seconds=settings.reminder_retry_seconds,
            on_attempt=attempted,
            in_flight=in_flight,
        )
        if delivery.ending is Ending.SENT:
            assert delivery.first_message_id is not None
            self.report.outcomes[AttemptOutcome.SENT] += 1
            self.report.sent += 1
            self.report.messages += len(rendered.texts)
            await self.service.delivered(envelope, delivery.first_message_id)
        elif delivery.ending is Ending.UNCONFIRMED:
            await self._unconfirmed(envelope, delivery.error)
        elif delivery.ending is Ending.GONE:
            await self._unreachable(envelope, delivery.error)
        else:
            await self._give_up(envelope, delivery.error)

    async def _unconfirmed(self, envelope: Envelope, detail: str) -> None:
        self.report.sent += 1
        await self.service.unconfirmed(envelope, detail)

    async def _give_up(self, envelope: Envelope, error: str) -> None:
        self.report.failed += 1
        log.warning("reminder to officer %s failed: %s", envelope.recipient.officer_id, error)
        await self.service.gave_up(envelope, error)

    async def _unreachable(self, envelope: Envelope, detail: str) -> None:
        self.report.unreachable += 1
        officer = await self.service.unreachable(envelope, detail)
        if officer is not None:
            await self._tell_planning_office(officer)

    async def _tell_planning_office(self, officer: Unreachable) -> None:
        department = self.runtime.registry.display_name(officer.department_code) if officer.department_code else None
        for admin in await self.service.planning_office_chats():
            translator = self.runtime.catalogs.translator(admin.locale or self.runtime.settings.default_locale)
            try:
                await self.bot.send_message(
                    admin.telegram_user_id, unreachable_notice(translator, officer.full_name, department)
                )
            except TelegramError as error:
                log.warning("could not tell admin %s about unreachable officer: %s", admin.officer_id, error)


async def run_round(bot: Bot, runtime: Runtime, service: ReminderService | None = None) -> RoundReport:
    """Plan, claim and send everything due now, unless another round (this process's or another's) is running."""
    service = service or ReminderService.from_runtime(runtime)
    return await RoundLeases.from_runtime(runtime).run_alone(
        Round.REMINDERS, lambda: _run_round(bot, runtime, service), RoundReport()
    )


async def _run_round(bot: Bot, runtime: Runtime, service: ReminderService) -> RoundReport:
    prepared = await service.prepare_round()
    sender = RoundSender(bot, runtime, service)
    sender.report.planned, sender.report.claimed = prepared.planned, prepared.claimed
    report = await sender.send_all(prepared.envelopes)
    if prepared.claimed:
        log.info(
            "reminder round: %s planned, %s claimed, %s envelopes sent, %s failed, %s unreachable",
            report.planned,
            report.claimed,
            report.sent,
            report.failed,
            report.unreachable,
        )
    return report


async def reminder_round_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue callback: at start-up (the catch-up), at the send time and every few minutes."""
    await run_round(context.bot, runtime_of(context))
