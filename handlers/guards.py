"""Guards that run before every other handler (negative group) and stop what must not pass."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.commands import GROUP_COMMANDS

log = logging.getLogger(__name__)


def _group_command(update: Update, bot_username: str | None) -> bool:
    """A /tonghop or /nhantonghop typed in a group (``/tonghop@ourbot`` too, never another bot's)."""
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return False
    name, _, addressee = message.text.split(maxsplit=1)[0][1:].partition("@")
    if addressee and (bot_username is None or addressee.lower() != bot_username.lower()):
        return False
    return name.lower() in {command.value for command in GROUP_COMMANDS}


async def private_chats_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot works in private chats; in groups it answers only the planning office's summary commands."""
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        if _group_command(update, context.bot.username):
            return
        log.debug("ignored update %s from a %s chat", update.update_id, chat.type)
        raise ApplicationHandlerStop
