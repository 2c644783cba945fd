"""Locale-aware number and date formatting for what the bot shows to people.

Pure functions on top of Babel, no gettext and no telegram import, so they are trivial to test
and can be used from the scheduler or the CLI as well as from handlers. The default locale is
Vietnamese: "45,5%", "1.234,5", "31/12/2025", "ngày 31 tháng 12 năm 2025", "08:00 31/12/2025".

Babel's own Vietnamese patterns are not what a Vietnamese civil servant expects (short dates are
``d/M/yy``, long dates ``31 tháng 12, 2025``), so Vietnamese and English use explicit patterns;
any other locale falls back to Babel's CLDR patterns.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

__all__ = [
    "DEFAULT_LOCALE",
    "DISPLAY_TZ",
    "LocaleLike",
    "Number",
    "format_date",
    "format_date_long",
    "format_datetime",
    "format_decimal",
    "format_percent",
    "to_locale",
]

DEFAULT_LOCALE = "vi"
#: Datetimes are stored UTC-aware; they are converted to this zone only when shown.
DISPLAY_TZ = "Asia/Ho_Chi_Minh"

Number = Decimal | float | int
LocaleLike = str | Locale

# Explicit CLDR patterns for the two languages the bot speaks.
_SHORT_DATE = {"vi": "dd/MM/y", "en": "MM/dd/y"}
_DAY_MONTH = {"vi": "dd/MM", "en": "MM/dd"}
_LONG_DATE = {"en": "d MMMM y"}  # Vietnamese is built by _vi_long_date_pattern().
_DATETIME = {"vi": "HH:mm dd/MM/y", "en": "MM/dd/y HH:mm"}

_FRACTION = re.compile(r"0(?:\.[0#]*)?")


@lru_cache(maxsize=32)
def _parse_locale(code: str) -> Locale:
    return Locale.parse(code.replace("-", "_"))


def to_locale(locale: LocaleLike) -> Locale:
    """Accept "vi", "en-US", "en_US" or a ready ``babel.Locale`` (what ``Translator.locale`` holds)."""
    return locale if isinstance(locale, Locale) else _parse_locale(locale)


def _to_decimal(value: Number) -> Decimal:
    """Floats go through ``str`` so 12 / 30 * 100 = 40.00000000000001 is seen as what it means."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    else:
        raise TypeError(f"expected Decimal, float or int, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"cannot format a non-finite number: {value!r}")
    return result


def _round(value: Number, max_decimals: int) -> Decimal:
    """Round half up (2,45 → 2,5), the school rule readers check by hand; never show "-0"."""
    if max_decimals < 0:
        raise ValueError("max_decimals must be >= 0")
    try:
        rounded = _to_decimal(value).quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context can hold
        raise ValueError(f"cannot round {value!r} to {max_decimals} decimals") from exc
    return abs(rounded) if rounded.is_zero() else rounded


def _with_fraction(pattern: str, max_decimals: int) -> str:
    """Keep the locale's pattern (grouping, % placement, spacing) but show up to N optional decimals."""
    positive = pattern.split(";", 1)[0]
    fraction = "." + "#" * max_decimals if max_decimals else ""
    return _FRACTION.sub("0" + fraction, positive, count=1)


def format_percent(value: Number, locale: LocaleLike = DEFAULT_LOCALE, max_decimals: int = 1) -> str:
    """Format a value that is already a percentage: 45.5 → "45,5%", 100 → "100%", 33.3333 → "33,3%".

    Trailing zeros are dropped (40.0 → "40%"); rounding is half up on the decimal value.
    """
    loc = to_locale(locale)
    rounded = _round(value, max_decimals)
    pattern = _with_fraction(loc.percent_formats[None].pattern, max_decimals)
    # Babel's percent pattern multiplies by 100; the division is exact for a rounded Decimal.
    return babel_numbers.format_percent(rounded / 100, format=pattern, locale=loc)


def format_decimal(value: Number, locale: LocaleLike = DEFAULT_LOCALE, max_decimals: int = 2) -> str:
    """Format a figure with the locale's separators: 1234.5 → "1.234,5" (vi), "1,234.5" (en)."""
    loc = to_locale(locale)
    rounded = _round(value, max_decimals)
    pattern = _with_fraction(loc.decimal_formats[None].pattern, max_decimals)
    return babel_numbers.format_decimal(rounded, format=pattern, locale=loc)


def _refuse_datetime(d: dt.date) -> None:
    """A datetime's calendar date depends on the zone; make the caller pick it explicitly."""
    if isinstance(d, dt.datetime):
        raise TypeError(
            "format_date* take a date; use format_datetime, or convert to the display zone and call .date()"
        )


def format_date(d: dt.date, locale: LocaleLike = DEFAULT_LOCALE) -> str:
    """Short date, day and month padded: "31/12/2025", "05/01/2026" (vi); "12/31/2025" (en)."""
    _refuse_datetime(d)
    loc = to_locale(locale)
    pattern = _SHORT_DATE.get(loc.language)
    return babel_dates.format_date(d, pattern or "short", locale=loc)


def format_day_month(month: int, day: int, locale: LocaleLike = DEFAULT_LOCALE) -> str:
    """A day that recurs every year, such as a reporting due day: "15/12" (vi), "12/15" (en)."""
    loc = to_locale(locale)
    sample = dt.date(2000, month, day)  # a leap year, so 29/02 is representable
    pattern = _DAY_MONTH.get(loc.language)
    if pattern is None:
        return babel_dates.format_skeleton("MMdd", sample, locale=loc)
    return babel_dates.format_date(sample, pattern, locale=loc)


def _vi_long_date_pattern(d: dt.date) -> str:
    """Administrative style (Nghị định 30/2020/NĐ-CP): pad days below 10 and months below 3."""
    month = "MM" if d.month < 3 else "M"
    return f"'ngày' dd 'tháng' {month} 'năm' y"


def format_date_long(d: dt.date, locale: LocaleLike = DEFAULT_LOCALE) -> str:
    """Long date: "ngày 31 tháng 12 năm 2025", "ngày 05 tháng 01 năm 2026" (vi); "31 December 2025" (en)."""
    _refuse_datetime(d)
    loc = to_locale(locale)
    pattern = _vi_long_date_pattern(d) if loc.language == "vi" else _LONG_DATE.get(loc.language)
    return babel_dates.format_date(d, pattern or "long", locale=loc)


def format_datetime(
    value: dt.datetime,
    tz: ZoneInfo | str = DISPLAY_TZ,
    locale: LocaleLike = DEFAULT_LOCALE,
) -> str:
    """Time then date in ``tz``: UTC 2025-12-31T01:00 → "08:00 31/12/2025" (vi).

    Naive datetimes are refused with ValueError: their zone is unknown, and guessing would show
    a deadline seven hours off.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"refusing to format a naive datetime ({value.isoformat()}); store it UTC-aware")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    loc = to_locale(locale)
    local = value.astimezone(zone)
    pattern = _DATETIME.get(loc.language)
    return babel_dates.format_datetime(local, pattern or "short", tzinfo=zone, locale=loc)
