"""The buttons under a reminder ("Nhập ngay", "Đã nhận", "Nhắc lại sau") and the admin's /nhacnho."""

from __future__ import annotations

import logging
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.reports.phrases import what_is_due
from bot.services.accounts import Role
from bot.services.reminders import ReminderService, SendSubject
from bot.text import shorten
from handlers import intake, progress
from handlers.callback_data import MAX_ROW_ID, InvalidCallbackDataError, build, parse
from handlers.common import Caller, identify_caller, not_registered_text, reply, runtime_of
from handlers.history import send_blocks
from handlers.reminder_delivery import run_round
from handlers.reminder_messages import PREFIX, ReminderAction
from storage.enums import SendPurpose

log = logging.getLogger(__name__)

UPCOMING_SHOWN: Final = 10
PROBLEMS_SHOWN: Final = 8
SEND_ACTIONS: Final = frozenset({ReminderAction.ENTER, ReminderAction.ACKNOWLEDGE, ReminderAction.SNOOZE})


def _parse(data: str | None) -> tuple[int | None, ReminderAction]:
    """(send id, action), or (None, RUN_ROUND); anything else is refused as forged or stale."""
    parsed = parse(data)
    if parsed.prefix is not PREFIX:
        raise InvalidCallbackDataError(data)
    if parsed.args == (ReminderAction.RUN_ROUND.value,):
        return None, ReminderAction.RUN_ROUND
    if len(parsed.args) != 2 or not parsed.args[0].isdigit() or parsed.args[1] not in {a.value for a in SEND_ACTIONS}:
        raise InvalidCallbackDataError(data)
    if int(parsed.args[0]) > MAX_ROW_ID:
        raise InvalidCallbackDataError(data)
    return int(parsed.args[0]), ReminderAction(parsed.args[1])


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    caller = await identify_caller(update, context)
    runtime = runtime_of(context)
    try:
        send_id, action = _parse(query.data)
    except InvalidCallbackDataError:
        await _refuse(update, caller, query.data)
        return
    if caller.identity.role is Role.STRANGER:
        await query.answer()
        await reply(update, context, not_registered_text(caller, runtime))
        return
    if action is ReminderAction.RUN_ROUND:
        await _run_now(update, context, caller)
        return
    assert send_id is not None
    service = ReminderService.from_runtime(runtime)
    user_id = caller.identity.telegram_user_id
    if action is ReminderAction.ACKNOWLEDGE:
        acknowledged = await service.acknowledge(send_id, user_id)
        if acknowledged is None:
            await _refuse(update, caller, send_id)
            return
        await query.answer(caller._("Noted, thank you."))
        if acknowledged:
            await reply(
                update,
                context,
                caller._("Noted: you have received this reminder. Reminders continue until your department submits."),
            )
    elif action is ReminderAction.SNOOZE:
        remind_at = await service.snooze(send_id, user_id)
        if remind_at is None:
            await _refuse(update, caller, send_id)
            return
        await query.answer()
        when = caller.translator.datetime(remind_at, runtime.settings.tz)
        await reply(update, context, caller._("All right. The bot will remind you again at {time}.").format(time=when))
    else:
        target = await service.entry_target(send_id, user_id)
        if target is None:
            await _refuse(update, caller, send_id)
            return
        await query.answer()
        if target.subject is SendSubject.TASK:
            await progress.open_at(update, context, caller, target.period_year, target.task_key)
        elif target.subject is SendSubject.INDICATOR or runtime.intake.led_indicators(caller.identity):
            await intake.open_at(update, context, caller, target.period_year, target.indicator_number)
        else:
            await progress.open_at(update, context, caller, target.period_year, None)


async def _refuse(update: Update, caller: Caller, what: object) -> None:
    """Malformed data, or a reminder pressed by someone it was not sent to (forwarded, forged, or deactivated)."""
    query = update.callback_query
    assert query is not None
    log.warning("refused reminder button %r from user %s", what, query.from_user.id)
    await query.answer(caller._("This button is no longer valid. Please send /start."), show_alert=True)


async def _run_now(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller) -> None:
    query = update.callback_query
    assert query is not None
    if not caller.identity.is_admin:
        log.warning("refused reminder round from non-admin %s", caller.identity.telegram_user_id)
        await query.answer(caller._("This command is for the planning office only."), show_alert=True)
        return
    await query.answer(caller._("Running a reminder round…"))
    report = await run_round(context.bot, runtime_of(context))
    await reply(
        update,
        context,
        caller._("Reminder round done: {sent} messages sent, {failed} failed, {unreachable} unreachable.").format(
            sent=report.sent, failed=report.failed, unreachable=report.unreachable
        ),
    )


async def reminders_overview(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]
) -> None:
    """/nhacnho (admins): the next reminders due, the latest delivery problems, and a "run now" button."""
    runtime = runtime_of(context)
    _ = caller._
    translator = caller.translator
    service = ReminderService.from_runtime(runtime)
    blocks = [_("Next reminders:")]
    upcoming = await service.upcoming(UPCOMING_SHOWN)
    if not upcoming:
        blocks.append(
            _("No reminder is scheduled: every registered department has delivered, or no one is registered.")
        )
    for entry in upcoming:
        kind = _("for information") if entry.purpose is SendPurpose.FYI else _("action")
        people = translator.ngettext("{n} officer", "{n} officers", entry.recipients).format(n=entry.recipients)
        department = runtime.registry.display_name(entry.department_code)
        blocks.append(
            f"• {translator.datetime(entry.at, runtime.settings.tz)}: {department} ({people}, {kind})\n"
            f"   {what_is_due(translator, entry.item)}"
        )
    blocks.append("\n" + _("Latest delivery problems:"))
    problems = await service.problems(PROBLEMS_SHOWN)
    if not problems:
        blocks.append(_("None."))
    for attempt, name in problems:
        who = name or str(attempt.chat_id)
        detail = shorten(attempt.detail or "", 80)
        blocks.append(
            f"• {translator.datetime(attempt.attempted_at, runtime.settings.tz)}: {who}: {attempt.outcome.value}"
            + (f" ({detail})" if detail else "")
        )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Run a reminder round now"), callback_data=build(PREFIX, ReminderAction.RUN_ROUND))]]
    )
    await send_blocks(update, context, blocks, markup)
