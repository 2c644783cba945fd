"""Which days a Vietnamese office works, so a reminder never lands on a weekend or a public holiday.

Pure logic plus one TOML loader: the holiday list is data a province edits (``holidays_vn.toml``),
not code.  Fixed-date holidays repeat every year; everything that follows the lunar calendar or is
decided by each year's government notice (Tết, Giỗ Tổ Hùng Vương, bridge and compensatory days) is
listed per year.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

DEFAULT_HOLIDAYS_FILE: Final[Path] = Path(__file__).with_name("holidays_vn.toml")

# Longest run of non-working days we accept before calling the calendar broken: Tết plus a weekend
# is about ten days, so sixty is far beyond any real calendar yet still ends a misconfigured one.
MAX_NON_WORKING_RUN: Final[int] = 60

_DAYS_IN_WEEK: Final[int] = 7
_LEAP_YEAR: Final[int] = 2000  # validates "02-29" as a fixed holiday without accepting "02-30"
_KNOWN_KEYS: Final[frozenset[str]] = frozenset({"fixed", "years"})
_MONTH_DAY = re.compile(r"(?P<month>\d{2})-(?P<day>\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_KEY = re.compile(r"\d{4}")


class WorkCalendarError(ValueError):
    """A holiday file or calendar that cannot be trusted: reminders must not guess around it."""


def _check_month_day(month_day: tuple[int, int]) -> None:
    month, day = month_day
    try:
        dt.date(_LEAP_YEAR, month, day)
    except ValueError as error:
        raise WorkCalendarError(f"fixed holiday {month:02d}-{day:02d} does not exist: {error}") from error


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Weekend days plus holidays; everything else is a working day."""

    fixed: frozenset[tuple[int, int]] = frozenset()  # (month, day) holidays every year
    dated: frozenset[dt.date] = frozenset()  # per-year holidays: Tết, Giỗ Tổ Hùng Vương, bridge days
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday

    def __post_init__(self) -> None:
        for weekday in self.weekend:
            if not 0 <= weekday < _DAYS_IN_WEEK:
                raise WorkCalendarError(f"weekend day {weekday} is not a date.weekday() value (0-6)")
        for month_day in self.fixed:
            _check_month_day(month_day)

    def is_holiday(self, day: dt.date) -> bool:
        return (day.month, day.day) in self.fixed or day in self.dated

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and not self.is_holiday(day)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the closest working day before it."""
        return self._walk(day, -1)

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the closest working day after it."""
        return self._walk(day, +1)

    def _walk(self, day: dt.date, direction: int) -> dt.date:
        """Bounded, so a calendar with no working days raises instead of hanging the scheduler."""
        step = dt.timedelta(days=direction)
        candidate = day
        for _ in range(MAX_NON_WORKING_RUN + 1):
            if self.is_working_day(candidate):
                return candidate
            candidate += step
        raise WorkCalendarError(
            f"no working day within {MAX_NON_WORKING_RUN} days {'before' if direction < 0 else 'after'} {day}"
        )


# --- loading ---------------------------------------------------------------------------------


def _shown(entry: Any) -> str:
    """An entry as the province typed it: quoted text, or a TOML date/number as written."""
    return repr(entry) if isinstance(entry, str) else str(entry)


def _parse_fixed(entries: Any, where: Callable[[str], str]) -> frozenset[tuple[int, int]]:
    if not isinstance(entries, list):
        raise WorkCalendarError(where(f"'fixed' must be a list of \"MM-DD\" strings, got {entries!r}"))
    result: set[tuple[int, int]] = set()
    for entry in entries:
        match = _MONTH_DAY.fullmatch(entry) if isinstance(entry, str) else None
        if match is None:
            raise WorkCalendarError(where(f'fixed holiday {_shown(entry)} is not "MM-DD"'))
        month_day = (int(match["month"]), int(match["day"]))
        try:
            _check_month_day(month_day)
        except WorkCalendarError as error:
            raise WorkCalendarError(where(str(error))) from error
        result.add(month_day)
    return frozenset(result)


def _parse_day(entry: Any, year: int, where: Callable[[str], str]) -> dt.date:
    """Accept "2015-02-16" or a bare TOML date; nothing looser, so typos surface here."""
    if isinstance(entry, dt.date) and not isinstance(entry, dt.datetime):
        day = entry
    elif isinstance(entry, str) and _ISO_DATE.fullmatch(entry):
        try:
            day = dt.date.fromisoformat(entry)
        except ValueError as error:
            raise WorkCalendarError(where(f"years.{year}: {_shown(entry)} is not a valid date: {error}")) from error
    else:
        raise WorkCalendarError(where(f'years.{year}: {_shown(entry)} is not a "YYYY-MM-DD" date'))
    if day.year != year:
        raise WorkCalendarError(where(f"years.{year}: {day.isoformat()} is not in {year}"))
    return day


def _parse_years(table: Any, where: Callable[[str], str]) -> frozenset[dt.date]:
    if not isinstance(table, dict):
        raise WorkCalendarError(where(f"'years' must be a table of year = [dates], got {table!r}"))
    result: set[dt.date] = set()
    for key, entries in table.items():
        if not _YEAR_KEY.fullmatch(key):
            raise WorkCalendarError(where(f"years: key {key!r} is not a four-digit year"))
        if not isinstance(entries, list):
            raise WorkCalendarError(where(f"years.{key} must be a list of dates, got {entries!r}"))
        result.update(_parse_day(entry, int(key), where) for entry in entries)
    return frozenset(result)


def parse_work_calendar(data: dict[str, Any], source: str = "<holidays>") -> WorkCalendar:
    """The calendar described by an already-parsed TOML document; errors name ``source`` and the entry."""

    def where(message: str) -> str:
        return f"{source}: {message}"

    unknown: Iterable[str] = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise WorkCalendarError(where(f"unknown key(s) {', '.join(unknown)}; expected {sorted(_KNOWN_KEYS)}"))
    return WorkCalendar(
        fixed=_parse_fixed(data.get("fixed", []), where),
        dated=_parse_years(data.get("years", {}), where),
    )


def load_work_calendar(path: Path = DEFAULT_HOLIDAYS_FILE) -> WorkCalendar:
    """Read a holiday file; malformed content raises WorkCalendarError naming the file and the entry."""
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise WorkCalendarError(f"{path}: not valid TOML: {error}") from error
    return parse_work_calendar(data, source=str(path))
