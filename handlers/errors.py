"""The one error handler: log it for the operators, tell the user politely, never a traceback."""

from __future__ import annotations

import logging
from contextlib import suppress

from telegram import Update
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError, TimedOut
from telegram.ext import ContextTypes

from handlers.common import default_translator
from storage.availability import database_unavailable, describe

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the failure without message text or user data, then apologises to the user."""
    if isinstance(context.error, Conflict):
        # Another process polls with the same token (a second replica, or a restart overlapping the old one).
        log.warning("another bot process is polling with this token: %s", context.error)
        return
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    _ = default_translator(context).gettext
    if error is not None and database_unavailable(error):
        # Expected while the database restarts or the network is cut: no traceback, and only class names,
        # since a driver's message can quote the statement's parameters (what the person typed).
        log.warning("database unavailable while handling update %s: %s", update_id, describe(error))
        text = _("The system is busy, please try again in a few minutes.")
    else:
        if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
            # Telegram failing after the rate limiter's retries (bot.rate_limiter), or a fetch of updates
            # failing (the polling loop tries again by itself). The step in hand was saved before its answer.
            log.warning("Bot API unavailable while handling update %s: %s", update_id, type(error).__name__)
            if isinstance(error, TimedOut):
                return  # the answer may have arrived after all: an apology on top would only confuse
        else:
            log.error("error while handling update %s", update_id, exc_info=error)
        text = _("Something went wrong on our side. Your earlier answers are kept; please try again in a moment.")
    if isinstance(update, Update):
        await _tell(update, context, text)


async def _tell(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Stop the button's spinner, then write to the person (a press: the presser's own chat, as ``reply`` does)."""
    query = update.callback_query
    chat_id = query.from_user.id if query is not None else update.effective_chat.id if update.effective_chat else None
    if chat_id is None:
        return
    if query is not None:
        with suppress(TelegramError):  # the handler may have answered it before it failed
            await query.answer()
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError:
        log.warning("could not tell chat about the error for update %s", update.update_id)
