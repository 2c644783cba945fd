"""Failure injection: planned errors, slow answers and Telegram-like flood limits."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from emulator.errors import ApiError

FailureKind = Literal["429", "500", "slow", "error"]

_MESSAGE_CALLS = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def is_message_call(method: str) -> bool:
    """Calls that put or change a message in a chat: the ones flood limits and ``stats`` count."""
    name = method.lower()
    return (
        (name.startswith("send") and name != "sendchataction")
        or name.startswith("edit")
        or (name in _MESSAGE_CALLS)
    )


def json_seconds(seconds: float) -> int | float:
    return int(seconds) if float(seconds).is_integer() else seconds


def flood_error(retry_after: float) -> ApiError:
    shown = json_seconds(retry_after)
    return ApiError(429, f"Too Many Requests: retry after {shown}", {"retry_after": shown})


@dataclass
class PlannedFailure:
    methods: frozenset[str]  # lower-case method names
    remaining: int
    kind: FailureKind
    retry_after: float
    delay: float
    error_code: int
    description: str

    def error(self) -> ApiError | None:
        if self.kind == "429":
            return flood_error(self.retry_after)
        if self.kind == "500":
            return ApiError(500, "Internal Server Error")
        if self.kind == "error":
            return ApiError(self.error_code, self.description)
        return None


class FailureInjector:
    def __init__(self) -> None:
        self._plans: list[PlannedFailure] = []

    def add(
        self,
        methods: str | Iterable[str],
        count: int,
        kind: FailureKind,
        *,
        retry_after: float,
        delay: float,
        error_code: int,
        description: str,
    ) -> PlannedFailure:
        names = [methods] if isinstance(methods, str) else list(methods)
        if count < 1:
            raise ValueError("count must be at least 1")
        if kind not in ("429", "500", "slow", "error"):
            raise ValueError(f"unknown failure kind {kind!r}")
        plan = PlannedFailure(
            frozenset(n.lower() for n in names), count, kind, retry_after, delay, error_code, description
        )
        self._plans.append(plan)
        return plan

    def take(self, method: str) -> PlannedFailure | None:
        """The first pending plan for this method, consuming one of its uses."""
        name = method.lower()
        for plan in self._plans:
            if name in plan.methods and plan.remaining > 0:
                plan.remaining -= 1
                if plan.remaining == 0:
                    self._plans.remove(plan)
                return plan
        return None

    def pending(self) -> list[PlannedFailure]:
        return list(self._plans)

    def clear(self) -> None:
        self._plans.clear()


class RateLimiter:
    """Sliding one-second windows: overall and per chat. Rejected calls take no slot."""

    def __init__(
        self,
        per_second: int | None,
        per_chat_per_second: int | None,
        retry_after: float | None,
        monotonic: Callable[[], float],
    ) -> None:
        self.per_second = per_second
        self.per_chat_per_second = per_chat_per_second
        self.retry_after = retry_after
        self._monotonic = monotonic
        self._all: deque[float] = deque()
        self._chats: dict[Any, deque[float]] = {}

    @staticmethod
    def _expire(window: deque[float], now: float) -> None:
        while window and window[0] <= now - 1.0:
            window.popleft()

    def check(self, chat_key: Any) -> ApiError | None:
        """Record one call, or return the 429 to answer with when it would exceed a limit."""
        now = self._monotonic()
        self._expire(self._all, now)
        chat_window = self._chats.setdefault(chat_key, deque()) if chat_key is not None else None
        if chat_window is not None:
            self._expire(chat_window, now)
        for window, limit in ((self._all, self.per_second), (chat_window, self.per_chat_per_second)):
            if window is not None and limit is not None and len(window) >= limit:
                wait = self.retry_after if self.retry_after is not None else window[0] + 1.0 - now
                return flood_error(max(round(wait, 3), 0.001))
        self._all.append(now)
        if chat_window is not None:
            chat_window.append(now)
        return None
