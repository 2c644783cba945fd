"""PatientRateLimiter: which failures are tried again, how often, and when the caller keeps them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.rate_limiter import PatientRateLimiter, caller_retries


def _timed_out(cause: Exception) -> TimedOut:
    try:
        raise TimedOut() from cause
    except TimedOut as error:
        return error


def _failing(errors: list[Exception]) -> tuple[list[int], Callable[..., Any]]:
    """A Bot API call that raises ``errors`` one by one, then answers True."""
    calls: list[int] = []

    async def call(*_args: Any, **_kwargs: Any) -> bool:
        calls.append(len(calls))
        if errors:
            raise errors.pop(0)
        return True

    return calls, call


async def _request(limiter: PatientRateLimiter, call: Callable[..., Any]) -> Any:
    await limiter.initialize()
    try:
        return await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None)
    finally:
        await limiter.shutdown()


@pytest.mark.parametrize(
    "error",
    [NetworkError("Internal Server Error"), NetworkError("Bad Gateway"), _timed_out(httpx.ConnectTimeout("x"))],
)
async def test_server_errors_and_requests_that_never_left_are_tried_again(error: Exception) -> None:
    calls, call = _failing([error, error])
    assert await _request(PatientRateLimiter(attempts=3, retry_seconds=0), call) is True
    assert len(calls) == 3


@pytest.mark.parametrize(
    "error",
    [
        _timed_out(httpx.ReadTimeout("x")),  # Telegram may have the message: a second copy is worse
        BadRequest("Message is too long"),
        Forbidden("bot was blocked by the user"),
    ],
)
async def test_final_answers_and_read_timeouts_are_not_retried(error: Exception) -> None:
    calls, call = _failing([error])
    with pytest.raises(type(error)):
        await _request(PatientRateLimiter(attempts=3, retry_seconds=0), call)
    assert len(calls) == 1


async def test_the_last_failure_is_raised_after_every_attempt() -> None:
    calls, call = _failing([NetworkError("Internal Server Error")] * 5)
    with pytest.raises(NetworkError):
        await _request(PatientRateLimiter(attempts=3, retry_seconds=0), call)
    assert len(calls) == 3


async def test_inside_caller_retries_each_failure_goes_straight_back() -> None:
    calls, call = _failing([NetworkError("Internal Server Error")])
    with caller_retries(), pytest.raises(NetworkError):
        await _request(PatientRateLimiter(attempts=3, retry_seconds=0), call)
    assert len(calls) == 1
    assert await _request(PatientRateLimiter(attempts=3, retry_seconds=0), call) is True  # outside: retried again
