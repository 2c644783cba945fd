"""Sending a multi-part delivery (texts, then files) to one chat, resuming after the parts already out.

A digest or a compile is several messages plus files; if the bot dies or Telegram fails half way,
the next attempt starts at the first part that did not go out, so nobody receives a part twice.
Rate limits come from AIORateLimiter (bot.app); what it gives back is handled here: RetryAfter
and network errors wait and retry, Forbidden means the chat is gone, anything else fails.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

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


class Ending(StrEnum):
    SENT = "sent"
    GONE = "gone"  # Forbidden: blocked, or removed from the group
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Delivery:
    ending: Ending
    parts_sent: int
    error: str = ""


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def _send_one(bot: Bot, chat_id: int, part: Part) -> None:
    if part.kind is PartKind.TEXT:
        await bot.send_message(chat_id, part.text)
    elif part.kind is PartKind.PHOTO:
        await bot.send_photo(chat_id, part.data, caption=part.text or None, filename=part.file_name)
    else:
        await bot.send_document(chat_id, part.data, caption=part.text or None, filename=part.file_name)


async def send_parts(
    bot: Bot,
    chat_id: int,
    parts: Sequence[Part],
    *,
    start: int = 0,
    max_attempts: int = 3,
    retry_seconds: float = 1.0,
    on_progress: Callable[[int], Awaitable[None]] | None = None,
) -> Delivery:
    """Send ``parts[start:]`` in order; ``on_progress(n)`` after each part so a restart resumes there."""
    sent = start
    backoff = retry_seconds
    error_text = ""
    for _attempt in range(max_attempts):
        try:
            while sent < len(parts):
                await _send_one(bot, chat_id, parts[sent])
                sent += 1
                if on_progress is not None:
                    await on_progress(sent)
            return Delivery(Ending.SENT, sent)
        except Forbidden as error:
            return Delivery(Ending.GONE, sent, str(error))
        except RetryAfter as error:
            error_text = str(error)
            await asyncio.sleep(retry_after_seconds(error))
        except BadRequest as error:  # the same request cannot succeed later
            return Delivery(Ending.FAILED, sent, str(error))
        except NetworkError as error:  # TimedOut included: a file upload that timed out is retried
            error_text = str(error) or type(error).__name__
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        except TelegramError as error:
            return Delivery(Ending.FAILED, sent, str(error))
    return Delivery(Ending.FAILED, sent, error_text)
