"""Sending one delivery (messages, then files) to one chat, resuming after the parts already out.

Reminders and the planning office's digests both go through ``send_parts``. A digest or a compile
is several messages plus files; if the bot dies or Telegram fails half way, the next attempt starts
at the first part that did not go out, so nobody receives a part twice. The overall rate limit is
AIORateLimiter's (bot.app); what it gives back is handled here:

* RetryAfter, NetworkError, and a TimedOut that never reached Telegram (connect or pool timeout):
  wait (retry_after, or a doubling backoff) and try again;
* a read or write timeout may come after Telegram accepted the part: it counts as sent,
  unconfirmed, and the delivery stops there rather than risk a second copy;
* Forbidden: the chat is gone (blocked, or the bot removed from the group);
* BadRequest and any other Telegram error: sending the same request again cannot help;
* the process dying during a call: the in-flight mark (``in_flight``) is left behind, and the
  take-over counts that part as sent, unconfirmed, like a read timeout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.rate_limiter import caller_retries, never_reached_telegram
from storage.enums import AttemptOutcome

MAX_BACKOFF_SECONDS: Final = 60.0


class PartKind(StrEnum):
    TEXT = "text"
    DOCUMENT = "document"
    PHOTO = "photo"


@dataclass(frozen=True, slots=True)
class Part:
    kind: PartKind
    text: str = ""  # the message, or the file's caption
    data: bytes = b""
    file_name: str = ""
    markup: InlineKeyboardMarkup | None = None


def text_parts(texts: Sequence[str], markup: InlineKeyboardMarkup | None = None) -> list[Part]:
    """Messages in order; the keyboard goes on the last one."""
    last = len(texts) - 1
    return [Part(PartKind.TEXT, text, markup=markup if index == last else None) for index, text in enumerate(texts)]


class Ending(StrEnum):
    SENT = "sent"
    UNCONFIRMED = "unconfirmed"  # a read timeout: the last part may have arrived; never sent again
    GONE = "gone"  # Forbidden: blocked, or removed from the group
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Delivery:
    ending: Ending
    parts_sent: int  # parts out, counting an unconfirmed one as out
    error: str = ""
    first_message_id: int | None = None


AttemptLog = Callable[[AttemptOutcome, str], Awaitable[None]]
InFlightLog = Callable[[int | None], Awaitable[None]]


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def _send_one(bot: Bot, chat_id: int, part: Part) -> Message:
    if part.kind is PartKind.TEXT:
        return await bot.send_message(chat_id, part.text, reply_markup=part.markup)
    caption = part.text or None
    if part.kind is PartKind.PHOTO:
        return await bot.send_photo(chat_id, part.data, caption=caption, filename=part.file_name)
    return await bot.send_document(chat_id, part.data, caption=caption, filename=part.file_name)


async def _nothing(outcome: AttemptOutcome, detail: str) -> None:
    return None


async def _nowhere(part: int | None) -> None:
    return None


async def send_parts(
    bot: Bot,
    chat_id: int,
    parts: Sequence[Part],
    *,
    start: int = 0,
    max_attempts: int = 3,
    retry_seconds: float = 1.0,
    on_progress: Callable[[int], Awaitable[None]] | None = None,
    on_attempt: AttemptLog = _nothing,
    in_flight: InFlightLog = _nowhere,
) -> Delivery:
    """Send ``parts[start:]`` in order.

    ``on_progress(n)`` runs after each part, so a restart resumes there; ``on_attempt`` is told of every
    call that did not succeed (the reminders keep them in their delivery log). ``in_flight(i)`` runs
    before the call that sends part ``i``, and ``in_flight(None)`` after a call whose answer proves
    the part did not arrive: a process killed in between leaves the mark, so whoever takes the send
    over knows the part may have been delivered and does not send it again.
    """
    sent = start
    first_message_id: int | None = None
    backoff = retry_seconds
    error_text = ""
    for _attempt in range(max_attempts):
        try:
            while sent < len(parts):
                await in_flight(sent)
                with caller_retries():  # every attempt is ours to count and log, not the rate limiter's
                    message = await _send_one(bot, chat_id, parts[sent])
                first_message_id = first_message_id or message.message_id
                sent += 1
                if on_progress is not None:
                    await on_progress(sent)
            return Delivery(Ending.SENT, sent, first_message_id=first_message_id)
        except Forbidden as error:
            await on_attempt(AttemptOutcome.FORBIDDEN, str(error))
            return Delivery(Ending.GONE, sent, str(error), first_message_id)
        except RetryAfter as error:
            error_text = str(error)
            await on_attempt(AttemptOutcome.RETRY_AFTER, error_text)
            await in_flight(None)
            await asyncio.sleep(retry_after_seconds(error))
            continue
        except BadRequest as error:  # a NetworkError subclass, but the same request cannot succeed later
            await on_attempt(AttemptOutcome.BAD_REQUEST, str(error))
            return Delivery(Ending.FAILED, sent, str(error), first_message_id)
        except TimedOut as error:
            error_text = str(error) or type(error).__name__
            await on_attempt(AttemptOutcome.TIMED_OUT, error_text)
            if not never_reached_telegram(error):
                return Delivery(Ending.UNCONFIRMED, sent + 1, error_text, first_message_id)
            await in_flight(None)
        except NetworkError as error:
            error_text = str(error) or type(error).__name__
            await on_attempt(AttemptOutcome.NETWORK_ERROR, error_text)
            await in_flight(None)
        except TelegramError as error:
            await on_attempt(AttemptOutcome.ERROR, str(error))
            return Delivery(Ending.FAILED, sent, str(error), first_message_id)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
    return Delivery(Ending.FAILED, sent, error_text, first_message_id)
