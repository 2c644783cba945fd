"""Turn the plan's timeframe phrases and its reporting regime into dated deadlines.

Pure functions, no I/O: the scheduler and the plan loader both call them.
INTERFACE STUB - to be implemented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.plan.model import DeadlineKind, ReportingRegime


class TimeframeError(ValueError):
    """A timeframe phrase that no rule understands: the loader reports it with the row."""


@dataclass(frozen=True, slots=True)
class Deadline:
    due: dt.date
    kind: DeadlineKind
    period_year: int  # the reporting year the deadline belongs to
    label: str | None = None


def derive_deadlines(timeframe: str, regime: ReportingRegime) -> list[Deadline]:
    raise NotImplementedError
