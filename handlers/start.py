"""/start, the main menu and /trogiup: the first thing every user sees."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.accounts import Role
from handlers import keyboards, onboarding
from handlers.commands import COMMANDS
from handlers.common import Caller, identify_caller, not_registered_text, reply, runtime_of

log = logging.getLogger(__name__)


def _greeting(caller: Caller, runtime: Runtime) -> str:
    return caller._("Hello {name}! This bot collects the reports of the green-growth action plan ({plan}).").format(
        name=caller.identity.full_name, plan=runtime.plan.plan.plan.decision_number
    )


def menu_for(caller: Caller) -> tuple[str, InlineKeyboardMarkup]:
    """The main menu of the caller's role, with the line that introduces it."""
    if caller.identity.role is Role.ADMIN:
        text = caller._("You are signed in as an administrator of the planning office. Choose what you want to do:")
        return text, keyboards.admin_menu(caller.translator)
    text = caller._("You report for: {department}. Choose what you want to do:").format(
        department=caller.identity.department_name or "?"
    )
    return text, keyboards.officer_menu(caller.translator)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """Greets the user and shows the menu of their role; `/start <token>` redeems an invite."""
    runtime = runtime_of(context)
    if args:
        await onboarding.open_invite(update, context, caller, args[0])
        return
    greeting = _greeting(caller, runtime)
    if caller.identity.role is Role.STRANGER:
        await reply(update, context, f"{greeting}\n\n{not_registered_text(caller, runtime)}")
        return
    menu_text, markup = menu_for(caller)
    await reply(update, context, f"{greeting}\n\n{menu_text}", markup)


def _help_text(caller: Caller) -> str:
    _ = caller._
    lines = [_("How to use this bot:")]
    if caller.identity.role is Role.STRANGER:
        lines.append("/start: " + _("Start or return to the main menu"))
        lines.append("/trogiup: " + _("Show help"))
        lines.append(_("To report for your department you need an invitation link from the planning office."))
        return "\n".join(lines)
    for spec in COMMANDS:
        if spec.admin_only and not caller.identity.is_admin:
            continue
        lines.append(f"/{spec.command.value}: {_(spec.description)}")
    lines.append(_("Numbers: write 45,5 or 45.5 (both mean 45.5%), or a ratio such as 12/30."))
    return "\n".join(lines)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    await reply(update, context, _help_text(caller))


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any button press no handler claims: an old message, another version, or forged data."""
    query = update.callback_query
    if query is None:
        return
    caller = await identify_caller(update, context)
    log.warning("refused unknown callback data from user %s", query.from_user.id)
    await query.answer(caller._("This button is no longer valid. Please send /start."), show_alert=True)
