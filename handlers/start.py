"""/start, the main menu and /trogiup: the first thing every user sees."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.accounts import Role
from handlers import keyboards
from handlers.callback_data import (
    ADMIN_ACTIONS,
    InvalidCallbackDataError,
    MenuAction,
    parse,
    parse_menu_action,
)
from handlers.common import Caller, identify_caller, runtime_of

log = logging.getLogger(__name__)


def _greeting(caller: Caller, runtime: Runtime) -> str:
    return caller._("Hello {name}! This bot collects the reports of the green-growth action plan ({plan}).").format(
        name=caller.identity.full_name, plan=runtime.plan.plan.plan.decision_number
    )


def not_registered_text(caller: Caller, runtime: Runtime) -> str:
    """Everything a stranger or a deactivated officer is told: whom to ask, nothing more."""
    office = runtime.accounts.planning_office()
    office_text = caller._("{office} of {province} province").format(office=office.name, province=office.province)
    return caller._(
        "You are not registered yet. Please ask the planning office ({office}) for an invitation link."
    ).format(office=office_text)


def _menu_for(caller: Caller) -> tuple[str, InlineKeyboardMarkup]:
    if caller.identity.role is Role.ADMIN:
        text = caller._("You are signed in as an administrator of the planning office. Choose what you want to do:")
        return text, keyboards.admin_menu(caller.translator)
    text = caller._("You report for: {department}. Choose what you want to do:").format(
        department=caller.identity.department_name or "?"
    )
    return text, keyboards.officer_menu(caller.translator)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets the user and shows the menu of their role, or explains how to get an invite."""
    message = update.effective_message
    if message is None:
        return
    runtime = runtime_of(context)
    caller = await identify_caller(update, context)
    greeting = _greeting(caller, runtime)
    if caller.identity.role is Role.STRANGER:
        await message.reply_text(f"{greeting}\n\n{not_registered_text(caller, runtime)}")
        return
    menu_text, markup = _menu_for(caller)
    await message.reply_text(f"{greeting}\n\n{menu_text}", reply_markup=markup)


def _help_text(caller: Caller) -> str:
    _ = caller._
    lines = [
        _("How to use this bot:"),
        _("/start: main menu"),
        _("/trogiup: this help"),
    ]
    if caller.identity.role is Role.STRANGER:
        lines.append(_("To report for your department you need an invitation link from the planning office."))
    return "\n".join(lines)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    caller = await identify_caller(update, context)
    await message.reply_text(_help_text(caller))


async def menu_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A main-menu button: re-checks the caller's role, never trusts the button."""
    query = update.callback_query
    if query is None:
        return
    caller = await identify_caller(update, context)
    try:
        action = parse_menu_action(parse(query.data))
    except InvalidCallbackDataError:
        await _refuse_button(query, caller)
        return
    if caller.identity.role is Role.STRANGER:
        await query.answer()
        await context.bot.send_message(query.from_user.id, not_registered_text(caller, runtime_of(context)))
        return
    if action in ADMIN_ACTIONS and not caller.identity.is_admin:
        log.warning("refused admin menu action %s from user %s", action, caller.identity.telegram_user_id)
        await query.answer(caller._("This command is for the planning office only."), show_alert=True)
        return
    await query.answer()
    if action is MenuAction.HELP:
        await context.bot.send_message(query.from_user.id, _help_text(caller))
        return
    await context.bot.send_message(
        query.from_user.id,
        caller._("This function is not available yet. We will let you know when it opens."),
    )


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any button press no handler claims: an old message, another version, or forged data."""
    query = update.callback_query
    if query is None:
        return
    await _refuse_button(query, await identify_caller(update, context))


async def _refuse_button(query: CallbackQuery, caller: Caller) -> None:
    log.warning("refused unknown callback data from user %s", query.from_user.id)
    await query.answer(caller._("This button is no longer valid. Please send /start."), show_alert=True)
