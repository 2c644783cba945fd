"""One door for every command and main-menu button: who may use it is decided here, once.

A command typed and the same item pressed in the menu reach the same entry point, after
the caller's role has been looked up again (a button is never trusted to say who pressed it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.services.accounts import Role
from bot.services.digests import DigestService
from handlers.callback_data import InvalidCallbackDataError, MenuAction, parse, parse_menu_action
from handlers.commands import SPECS, Command
from handlers.common import Caller, identify_caller, not_registered_text, reply, runtime_of

log = logging.getLogger(__name__)

EntryPoint = Callable[[Update, ContextTypes.DEFAULT_TYPE, Caller, list[str]], Awaitable[None]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

MENU_COMMANDS: Mapping[MenuAction, Command] = {
    MenuAction.ENTER_FIGURES: Command.ENTER_FIGURES,
    MenuAction.REPORT_PROGRESS: Command.REPORT_PROGRESS,
    MenuAction.MY_DEADLINES: Command.MY_DEADLINES,
    MenuAction.HISTORY: Command.HISTORY,
    MenuAction.HELP: Command.HELP,
    MenuAction.INVITE: Command.INVITE,
    MenuAction.OFFICERS: Command.OFFICERS,
    MenuAction.LOCK_YEAR: Command.LOCK_YEAR,
}

OPEN_TO_STRANGERS = frozenset({Command.START, Command.HELP, Command.CANCEL})


async def admit(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, command: Command) -> bool:
    """True if the caller may run ``command``; otherwise they have been told why."""
    if command in OPEN_TO_STRANGERS:
        return True
    if caller.identity.role is Role.STRANGER:
        await reply(update, context, not_registered_text(caller, runtime_of(context)))
        return False
    if command is Command.COMPILE and await _in_digest_chat(update, context):
        return True  # the planning office's own group: it receives the compile anyway
    if SPECS[command].admin_only and not caller.identity.is_admin:
        log.warning("refused admin command %s from user %s", command, caller.identity.telegram_user_id)
        await reply(update, context, caller._("This command is for the planning office only."))
        return False
    return True


async def _in_digest_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return False
    return await DigestService.from_runtime(runtime_of(context)).is_digest_chat(chat.id)


def command_callback(command: Command, entry: EntryPoint) -> Callback:
    """The CommandHandler callback for ``command``: identify, admit, then run the entry point."""

    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        caller = await identify_caller(update, context)
        if await admit(update, context, caller, command):
            await entry(update, context, caller, list(context.args or []))

    run.__name__ = f"command_{command.value}"
    return run


def menu_callback(entries: Mapping[Command, EntryPoint]) -> Callback:
    """The CallbackQueryHandler callback of the main menu's buttons."""

    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        caller = await identify_caller(update, context)
        try:
            command = MENU_COMMANDS[parse_menu_action(parse(query.data))]
        except (InvalidCallbackDataError, KeyError):
            log.warning("refused unknown menu data from user %s", query.from_user.id)
            await query.answer(caller._("This button is no longer valid. Please send /start."), show_alert=True)
            return
        await query.answer()
        if await admit(update, context, caller, command):
            await entries[command](update, context, caller, [])

    return run
