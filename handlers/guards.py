"""Guards that run before every other handler (negative group) and stop what must not pass."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

log = logging.getLogger(__name__)


async def private_chats_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot works in private chats; in groups it stays silent (a later feature opens one door)."""
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        log.debug("ignored update %s from a %s chat", update.update_id, chat.type)
        raise ApplicationHandlerStop
