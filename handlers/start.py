"""/start, the main menu and /trogiup: the first thing every user sees."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.services.accounts import Role
from handlers import keyboards
from handlers.callback_data import ADMIN_ACTIONS, InvalidCallbackDataError, MenuAction, parse, parse_menu_action
from handlers.common import Caller, identify_caller, runtime_of

log = logging.getLogger(__name__)


def _greeting(caller: Caller, plan_title: str) -> str:
    return caller._("Hello {name}! This bot collects the reports of the green-growth action plan ({plan}).").format(
        name=caller.identity.full_name, plan=plan_title
    )


def _menu_for(caller: Caller) -> tuple[str, InlineKeyboardMarkup | None]:
    if caller.identity.role is Role.ADMIN:
        text = caller._("Welcome, administrator {name}. Choose what you want to do:").format(
            name=caller.identity.full_name
        )
        return text, keyboards.admin_menu(caller.translator)
    if caller.identity.role is Role.OFFICER:
        text = caller._("You report for: {department}. Choose what you want to do:").format(
            department=caller.identity.department_name or "?"
        )
        return text, keyboards.officer_menu(caller.translator)
    return "", None


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets the user and shows the menu of their role, or explains how to get an invite."""
    message = update.effective_message
    if message is None:
        return
    runtime = runtime_of(context)
    caller = await identify_caller(update, context)
    plan = runtime.plan.plan.plan
    greeting = _greeting(caller, plan.decision_number)
    if caller.identity.role is Role.STRANGER:
        text = "\n\n".join(
            (
                greeting,
                caller._("You are not registered yet. Please ask the planning office ({office}) for an "
                         "invitation link.").format(office=runtime.accounts.planning_office_name()),
            )
        )
        await message.reply_text(text)
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
        log.warning("refused malformed menu callback from user %s", caller.identity.telegram_user_id)
        await query.answer(caller._("This button is no longer valid. Please send /start."), show_alert=True)
        return
    if caller.identity.role is Role.STRANGER:
        await query.answer()
        await context.bot.send_message(
            query.from_user.id,
            caller._("You are not registered yet. Please ask the planning office ({office}) for an "
                     "invitation link.").format(office=runtime_of(context).accounts.planning_office_name()),
        )
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
