"""Sending the planning office's digests and compiles: render, attach the files, send exactly once per chat."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Final

from telegram import Bot
from telegram.ext import ContextTypes

from bot.i18n import Translator
from bot.reports.files import build_report_files
from bot.reports.message import render_deadline_day, render_summary, render_weekly
from bot.reports.model import YearSummary
from bot.runtime import Runtime
from bot.services.digests import DigestEnvelope, DigestService
from bot.services.round_lease import Round, RoundLeases
from handlers.common import runtime_of
from handlers.outbox import Ending, Part, PartKind, send_parts

log = logging.getLogger(__name__)

#: The chart goes as a photo (seen at once on a phone); the workbook and the draft as documents.
PHOTO_INDICATORS: Final = 12


@dataclass
class DigestReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    gone: int = 0


async def compile_parts(translator: Translator, summary: YearSummary) -> list[Part]:
    """The compile's messages, then the chart, the workbook and the draft report.

    The files are built in a worker thread: drawing and zipping take long enough to hold up
    every other chat if they ran on the event loop.
    """
    _ = translator.gettext
    files = await asyncio.to_thread(build_report_files, summary, translator)
    parts = [Part(PartKind.TEXT, text) for text in render_summary(translator, summary, with_files=True)]
    # Telegram shrinks photos to 2,560 px: a tall national-scale chart goes as a file so its labels stay legible.
    chart_kind = PartKind.PHOTO if len(summary.indicators) <= PHOTO_INDICATORS else PartKind.DOCUMENT
    parts.append(
        Part(
            chart_kind,
            _("Indicators {year} against their targets").format(year=summary.year),
            files.chart.data,
            files.chart.name,
        )
    )
    parts.append(
        Part(
            PartKind.DOCUMENT,
            _("Compiled table {year}").format(year=summary.year),
            files.workbook.data,
            files.workbook.name,
        )
    )
    parts.append(
        Part(
            PartKind.DOCUMENT,
            _("Draft report {year}: please complete the highlighted parts").format(year=summary.year),
            files.report.data,
            files.report.name,
        )
    )
    return parts


async def _parts(runtime: Runtime, service: DigestService, envelope: DigestEnvelope) -> list[Part]:
    translator = runtime.catalogs.translator(envelope.locale or runtime.settings.default_locale)
    if envelope.weekly is not None:
        return [Part(PartKind.TEXT, text) for text in render_weekly(translator, envelope.weekly)]
    if envelope.deadline_day is not None:
        return [Part(PartKind.TEXT, text) for text in render_deadline_day(translator, envelope.deadline_day)]
    assert envelope.compile_year is not None
    return await compile_parts(translator, await service.summaries.compile(envelope.compile_year))


async def run_digest_round(bot: Bot, runtime: Runtime, service: DigestService | None = None) -> DigestReport:
    """Claim what is due now and send it, unless another round (this process's or another's) is running."""
    service = service or DigestService.from_runtime(runtime)
    return await RoundLeases.from_runtime(runtime).run_alone(
        Round.DIGESTS, lambda: _run_digest_round(bot, runtime, service), DigestReport()
    )


async def _run_digest_round(bot: Bot, runtime: Runtime, service: DigestService) -> DigestReport:
    envelopes = await service.prepare_round()
    report = DigestReport(claimed=len(envelopes))
    settings = runtime.settings
    for envelope in envelopes:
        try:
            parts = await _parts(runtime, service, envelope)
        except Exception as error:  # a compile that cannot be built must not stop the other digests
            log.exception("digest %s/%s could not be built", envelope.key.kind, envelope.key.subject)
            await service.failed(envelope, envelope.parts_sent, f"build failed: {error!r}")
            report.failed += 1
            continue

        async def progressed(count: int, current: DigestEnvelope = envelope) -> None:
            await service.progressed(current, count)

        async def in_flight(part: int | None, current: DigestEnvelope = envelope) -> None:
            await service.in_flight(current, part)

        delivery = await send_parts(
            bot,
            envelope.key.chat_id,
            parts,
            start=min(envelope.parts_sent, len(parts)),
            max_attempts=settings.reminder_max_attempts,
            retry_seconds=settings.reminder_retry_seconds,
            on_progress=progressed,
            in_flight=in_flight,
        )
        if delivery.ending is Ending.SENT:
            await service.delivered(envelope, delivery.parts_sent)
            report.sent += 1
        elif delivery.ending is Ending.GONE:
            await service.skipped(envelope, delivery.error)
            report.gone += 1
        else:  # FAILED, or UNCONFIRMED: a later round takes it over and resumes after the parts counted as out
            log.warning("digest %s/%s failed: %s", envelope.key.kind, envelope.key.subject, delivery.error)
            await service.failed(envelope, delivery.parts_sent, delivery.error)
            report.failed += 1
    if envelopes:
        log.info(
            "digest round: %s claimed, %s sent, %s failed, %s gone",
            report.claimed,
            report.sent,
            report.failed,
            report.gone,
        )
    return report


async def digest_round_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue callback: at start-up, at SUMMARY_TIME and with every reminder sweep."""
    await run_digest_round(context.bot, runtime_of(context))
