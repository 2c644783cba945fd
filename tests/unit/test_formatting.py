"""Exact strings a Vietnamese reader sees: separators, rounding, date order, display time zone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from bot.formatting import (
    format_date,
    format_date_long,
    format_datetime,
    format_day_month,
    format_decimal,
    format_percent,
    to_locale,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45.5, "45,5%"),
        (Decimal("45.5"), "45,5%"),
        (100, "100%"),
        (Decimal(100), "100%"),
        (12 / 30 * 100, "40%"),  # 40.00000000000001 as a float
        (Decimal(12) / Decimal(30) * 100, "40%"),
        (33.3333, "33,3%"),
        (0, "0%"),
        (0.0, "0%"),
        (Decimal("2.25"), "2,3%"),  # half up, not banker's 2,2
        (2.45, "2,5%"),  # read as written, not as the binary 2.4500000000000001776...
        (Decimal("0.05"), "0,1%"),
        (Decimal("0.04"), "0%"),
        (-0.04, "0%"),  # never "-0%"
        (Decimal("-12.35"), "-12,4%"),  # half away from zero
        (Decimal("99.95"), "100%"),
        (1234.5, "1.234,5%"),
    ],
)
def test_percent_vi(value: Decimal | float | int, expected: str) -> None:
    assert format_percent(value) == expected
    assert format_percent(value, "vi") == expected


@pytest.mark.parametrize(
    ("value", "max_decimals", "expected"),
    [
        (45.5, 0, "46%"),
        (Decimal("44.5"), 0, "45%"),
        (33.3333, 2, "33,33%"),
        (Decimal("33.335"), 2, "33,34%"),
        (40, 2, "40%"),
    ],
)
def test_percent_max_decimals(value: Decimal | float | int, max_decimals: int, expected: str) -> None:
    assert format_percent(value, "vi", max_decimals=max_decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(45.5, "45.5%"), (100, "100%"), (33.3333, "33.3%"), (1234.5, "1,234.5%")],
)
def test_percent_en(value: float | int, expected: str) -> None:
    assert format_percent(value, "en") == expected


def test_percent_has_no_space_before_the_sign() -> None:
    for value in (0, 5, 45.5, 100, 1234.5):
        text = format_percent(value)
        assert not any(ch.isspace() for ch in text), repr(text)


@given(st.decimals(min_value=-10_000, max_value=10_000, places=3, allow_nan=False, allow_infinity=False))
def test_percent_vi_reads_back_as_the_rounded_value(value: Decimal) -> None:
    text = format_percent(value)
    assert text.endswith("%")
    parsed = Decimal(text[:-1].replace(".", "").replace(",", "."))
    assert abs(parsed - value) <= Decimal("0.05")


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (1234.5, "vi", "1.234,5"),
        (Decimal("1234.5"), "vi", "1.234,5"),
        (Decimal("1234.567"), "vi", "1.234,57"),
        (Decimal("1.005"), "vi", "1,01"),
        (1_000_000, "vi", "1.000.000"),
        (0, "vi", "0"),
        (Decimal("-0.001"), "vi", "0"),
        (1234.5, "en", "1,234.5"),
    ],
)
def test_decimal(value: Decimal | float | int, locale: str, expected: str) -> None:
    assert format_decimal(value, locale) == expected


def test_decimal_max_decimals_zero() -> None:
    assert format_decimal(Decimal("1234.5"), "vi", max_decimals=0) == "1.235"


@pytest.mark.parametrize("bad", [Decimal("NaN"), float("inf"), Decimal("-Infinity")])
def test_non_finite_numbers_are_refused(bad: Decimal | float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        format_percent(bad)
    with pytest.raises(ValueError, match="non-finite"):
        format_decimal(bad)


def test_negative_max_decimals_is_refused() -> None:
    with pytest.raises(ValueError, match="max_decimals"):
        format_percent(1, max_decimals=-1)


def test_strings_are_not_numbers() -> None:
    with pytest.raises(TypeError):
        format_percent("45.5")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "locale", "expected"),
    [
        (dt.date(2025, 12, 31), "vi", "31/12/2025"),
        (dt.date(2026, 1, 5), "vi", "05/01/2026"),
        (dt.date(2025, 12, 31), "en", "12/31/2025"),
        (dt.date(2026, 1, 5), "en", "01/05/2026"),
        (dt.date(2025, 12, 31), "en-US", "12/31/2025"),
    ],
)
def test_date(day: dt.date, locale: str, expected: str) -> None:
    assert format_date(day, locale) == expected


def test_date_defaults_to_vietnamese() -> None:
    assert format_date(dt.date(2025, 12, 31)) == "31/12/2025"
    assert format_date_long(dt.date(2025, 12, 31)) == "ngày 31 tháng 12 năm 2025"


@pytest.mark.parametrize(
    ("day", "locale", "expected"),
    [
        (dt.date(2025, 12, 31), "vi", "ngày 31 tháng 12 năm 2025"),
        # Nghị định 30/2020/NĐ-CP: pad days below 10 and months below 3.
        (dt.date(2026, 1, 5), "vi", "ngày 05 tháng 01 năm 2026"),
        (dt.date(2026, 2, 28), "vi", "ngày 28 tháng 02 năm 2026"),
        (dt.date(2026, 3, 5), "vi", "ngày 05 tháng 3 năm 2026"),
        (dt.date(2025, 12, 31), "en", "31 December 2025"),
        (dt.date(2026, 1, 5), "en", "5 January 2026"),
    ],
)
def test_date_long(day: dt.date, locale: str, expected: str) -> None:
    assert format_date_long(day, locale) == expected


def test_date_functions_refuse_datetimes() -> None:
    moment = dt.datetime(2025, 12, 31, 20, 0, tzinfo=UTC)  # already 1 January in Việt Nam
    with pytest.raises(TypeError, match="format_datetime"):
        format_date(moment)
    with pytest.raises(TypeError, match="format_datetime"):
        format_date_long(moment)


@pytest.mark.parametrize(
    ("moment", "tz", "locale", "expected"),
    [
        (dt.datetime(2025, 12, 31, 1, 0, tzinfo=UTC), "Asia/Ho_Chi_Minh", "vi", "08:00 31/12/2025"),
        (dt.datetime(2025, 12, 31, 17, 30, tzinfo=UTC), "Asia/Ho_Chi_Minh", "vi", "00:30 01/01/2026"),
        (dt.datetime(2025, 12, 31, 1, 0, tzinfo=UTC), ZoneInfo("Asia/Ho_Chi_Minh"), "vi", "08:00 31/12/2025"),
        (dt.datetime(2025, 12, 31, 1, 0, tzinfo=UTC), "UTC", "vi", "01:00 31/12/2025"),
        (
            dt.datetime(2025, 12, 31, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "Asia/Ho_Chi_Minh",
            "vi",
            "08:00 31/12/2025",
        ),
        (dt.datetime(2025, 12, 31, 1, 0, tzinfo=UTC), "Asia/Ho_Chi_Minh", "en", "12/31/2025 08:00"),
    ],
)
def test_datetime(moment: dt.datetime, tz: ZoneInfo | str, locale: str, expected: str) -> None:
    assert format_datetime(moment, tz, locale) == expected


def test_datetime_defaults_to_vietnam_and_vietnamese() -> None:
    assert format_datetime(dt.datetime(2025, 12, 31, 1, 0, tzinfo=UTC)) == "08:00 31/12/2025"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(dt.datetime(2025, 12, 31, 1, 0))


def test_locale_objects_and_tags_are_accepted() -> None:
    assert to_locale("en-US") == Locale("en", "US")
    assert to_locale(Locale("vi")) == Locale("vi")
    assert format_percent(45.5, Locale("vi")) == "45,5%"


@pytest.mark.parametrize(
    ("month", "day", "locale", "expected"),
    [(12, 15, "vi", "15/12"), (1, 5, "vi", "05/01"), (2, 29, "vi", "29/02"), (12, 15, "en", "12/15")],
)
def test_format_day_month(month: int, day: int, locale: str, expected: str) -> None:
    assert format_day_month(month, day, locale) == expected
