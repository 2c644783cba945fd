"""The one error handler: log it for the operators, tell the user politely, never a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Conflict, TelegramError
from telegram.ext import ContextTypes

from handlers.common import default_translator

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the failure without message text or user data, then apologises to the user."""
    if isinstance(context.error, Conflict):
        # Another process polls with the same token (a second replica, or a restart overlapping the old one).
        log.warning("another bot process is polling with this token: %s", context.error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    _ = default_translator(context).gettext
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            _("Something went wrong on our side. Your earlier answers are kept; please try again in a moment."),
        )
    except TelegramError:
        log.warning("could not tell chat about the error for update %s", update_id)
