"""/tonghop [năm]: the yearly compile on demand; /nhantonghop: a group of the planning office receives the digests.

Who may: ``handlers.entry`` admits planning-office admins (and, for /tonghop, anyone in a chat
registered for the digests); everyone else is refused before anything is read.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.services.digests import DigestService
from bot.services.summaries import SummaryService
from handlers.common import Caller, reply, runtime_of
from handlers.outbox import Ending, send_parts
from handlers.summary_delivery import compile_parts

log = logging.getLogger(__name__)

_YEAR: Final = re.compile(r"\d{4}")
STOP_WORDS: Final = frozenset({"tat", "tắt", "off", "huy", "hủy", "stop"})


async def compile_summary(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """`/tonghop [năm]`: the compile of the given year, or of the open year, with its three files."""
    runtime = runtime_of(context)
    years = runtime.periods.reporting_years()
    if args:
        if len(args) != 1 or not _YEAR.fullmatch(args[0]) or int(args[0]) not in years:
            text = caller._(
                "Please write a reporting year, for example /tonghop {year}. The reporting years are: {years}."
            )
            example = years[-1] if years else 2015
            await reply(update, context, text.format(year=example, years=", ".join(str(y) for y in years)))
            return
        year = int(args[0])
    else:
        open_year = await runtime.periods.open_year()
        if open_year is None and not years:
            await reply(update, context, caller._("There is no reporting year yet."))
            return
        year = open_year if open_year is not None else years[-1]
    await reply(update, context, caller._("Compiling {year}, please wait a moment…").format(year=year))
    summary = await SummaryService.from_runtime(runtime).compile(year)
    chat = update.effective_chat
    assert chat is not None
    delivery = await send_parts(
        context.bot,
        chat.id,
        await compile_parts(caller.translator, summary),
        max_attempts=runtime.settings.reminder_max_attempts,
        retry_seconds=runtime.settings.reminder_retry_seconds,
    )
    if delivery.ending is not Ending.SENT:
        log.warning(
            "/tonghop %s to chat %s stopped after %s parts: %s", year, chat.id, delivery.parts_sent, delivery.error
        )


async def receive_summaries(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]
) -> None:
    """`/nhantonghop` in a group: this group receives the digests (`/nhantonghop tat` stops it)."""
    runtime = runtime_of(context)
    chat = update.effective_chat
    assert chat is not None
    if chat.type == ChatType.PRIVATE:
        await reply(
            update,
            context,
            caller._(
                "Send /nhantonghop in the planning office's group chat (add the bot to the group first). "
                "Without a group, the summaries come to the admins' private chats."
            ),
        )
        return
    service = DigestService.from_runtime(runtime)
    if args and args[0].lower() in STOP_WORDS:
        stopped = await service.unregister_chat(chat.id)
        text = (
            caller._("This group will no longer receive the summaries.")
            if stopped
            else caller._("This group was not receiving the summaries.")
        )
        await reply(update, context, text)
        return
    replaced = await service.register_chat(chat.id, chat.title, caller.identity.officer_id)
    log.info("chat %s registered for the planning office's summaries (replacing %s)", chat.id, replaced)
    text = caller._(
        "From now on this group receives the planning office's summaries: the weekly digest, the report the day "
        "after each deadline and the yearly compile with its files. Send /tonghop here for the compile now, "
        "or /nhantonghop tat to stop."
    )
    if replaced:
        text += "\n" + caller._("The group that received them before no longer does.")
    await reply(update, context, text)
