"""One source of "now" so tests can move time without sleeping."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, always timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass
class FakeClock:
    """A clock that only moves when a test tells it to."""

    current: dt.datetime = field(default_factory=lambda: dt.datetime(2025, 1, 1, tzinfo=dt.UTC))

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, delta: dt.timedelta) -> None:
        self.current += delta


@dataclass
class SimulatedClock:
    """Starts at a chosen moment and runs at real speed: `SIMULATED_NOW` for demos and process tests."""

    start: dt.datetime
    _origin: float = field(default_factory=time.monotonic)

    def now(self) -> dt.datetime:
        return self.start.astimezone(dt.UTC) + dt.timedelta(seconds=time.monotonic() - self._origin)


def local_today(clock: Clock, tz: ZoneInfo) -> dt.date:
    """Today's date where the people are (Asia/Ho_Chi_Minh by default), not in UTC."""
    return clock.now().astimezone(tz).date()
