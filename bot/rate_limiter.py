"""The bot's rate limiter: AIORateLimiter's pacing and 429 handling, plus patience with a failing Bot API.

Every call the bot makes (except getUpdates, which python-telegram-bot's polling loop retries
itself) goes through ``process_request``. On top of AIORateLimiter, which waits out 429s, a call
that failed with a server error (5xx) or never reached Telegram (connect or pool timeout) is tried
again after a doubling pause, so a stretch of Telegram trouble delays an answer instead of losing
it. A read or write timeout is not retried: Telegram may already have the message, and a second
copy would confuse the person more than a late one. BadRequest, Forbidden and the like are final.

Sends that keep their own delivery log (reminders and digests, ``handlers.outbox.send_parts``)
retry by themselves and record every attempt: inside ``caller_retries()`` this limiter hands each
failure straight back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

_CALLER_RETRIES: ContextVar[bool] = ContextVar("caller_retries", default=False)


def never_reached_telegram(error: TimedOut) -> bool:
    """A connect or pool timeout: the request never left, so sending again cannot duplicate it."""
    return isinstance(error.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


@contextmanager
def caller_retries() -> Iterator[None]:
    """Calls made inside are tried once here: the caller retries and logs them itself."""
    token = _CALLER_RETRIES.set(True)
    try:
        yield
    finally:
        _CALLER_RETRIES.reset(token)


def _retryable(error: NetworkError) -> bool:
    if isinstance(error, BadRequest):  # a NetworkError subclass, but the same request cannot succeed later
        return False
    if isinstance(error, TimedOut):
        return never_reached_telegram(error)
    return True


class PatientRateLimiter(AIORateLimiter):
    """AIORateLimiter that also retries server errors and requests that never left (see the module)."""

    def __init__(self, *, attempts: int, retry_seconds: float, **limits: Any) -> None:
        super().__init__(**limits)
        self._attempts = attempts
        self._retry_seconds = retry_seconds

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        attempts = 1 if _CALLER_RETRIES.get() else self._attempts
        pause = self._retry_seconds
        for attempt in range(1, attempts + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                if attempt == attempts or not _retryable(error):
                    raise
                log.warning(
                    "Bot API %s failed (attempt %d of %d): %s; trying again in %.1f s",
                    endpoint,
                    attempt,
                    attempts,
                    type(error).__name__,
                    pause,
                )
            await asyncio.sleep(pause)
            pause *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")
