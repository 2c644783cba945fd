"""Property tests: whatever an officer types, the parser answers with a figure or a Vietnamese explanation.

Never another exception (no InvalidOperation, OverflowError, KeyError from a message template...).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import Translator, load_catalogs
from bot.services.figures import (
    Figure,
    FigureError,
    QuickEntryError,
    parse_count,
    parse_figure,
    parse_quick_entry,
)

FAST = settings(max_examples=300, deadline=None)

# Pieces officers (and their phones) produce; joined at random into number-like text.
PIECES = [
    "0", "1", "2", "5", "9", "12", "30", "45", "100", "150", "000", "1.234", "1.000", "999",
    ",", ".", ",5", ".5", "%", "％", "/", "／", " / ", " trên ", "TRÊN", "tren", " ", "\u00a0", "\t",
    "-", "−", "–", "+", "e", "E", "e999999", "inf", "nan", "½", "⑳", "１", "٤",
    "😀", "👍🏽", "\x00", "\x1c", "\u200b", "\ufeff", "=", ":", "abc", "bốn mươi",
]  # fmt: skip
number_like = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
any_text = st.one_of(st.text(), number_like, st.text(alphabet="0123456789,.%/ -", max_size=30))


@pytest.fixture(scope="module")
def vi(compiled_locales: Path) -> Translator:
    return load_catalogs(compiled_locales).translator("vi")


@pytest.fixture(scope="module")
def en(compiled_locales: Path) -> Translator:
    return load_catalogs(compiled_locales).translator("en")


def _assert_vietnamese(error: FigureError | QuickEntryError, vi: Translator, en: Translator) -> None:
    message = error.describe(vi)
    assert message.strip()
    assert message != error.describe(en)  # translated, not the English msgid
    if isinstance(error, FigureError):  # quick-entry messages may quote a token that contains "{"
        assert "{" not in message


def _assert_names_the_indicator(error: QuickEntryError, vi: Translator) -> None:
    if error.figure_error is not None:
        assert error.indicator is not None
        assert error.describe(vi).startswith(f"Chỉ tiêu {error.indicator}: ")


def _check_figure(figure: Figure) -> None:
    assert 0 <= figure.percent <= 100
    assert figure.percent.as_tuple().exponent == -4
    if figure.denominator is not None:
        assert figure.numerator is not None
        assert 0 <= figure.numerator <= figure.denominator
        exact = Fraction(figure.numerator) * 100 / Fraction(figure.denominator)
        assert abs(Fraction(figure.percent) - exact) <= Fraction(1, 20000)
    else:
        assert figure.numerator is None


@FAST
@given(text=any_text)
def test_parse_figure_answers_with_a_figure_or_a_vietnamese_message(vi: Translator, en: Translator, text: str) -> None:
    try:
        figure = parse_figure(text)
    except FigureError as error:
        _assert_vietnamese(error, vi, en)
    else:
        _check_figure(figure)


@FAST
@given(text=any_text)
def test_parse_count_answers_with_a_count_or_a_vietnamese_message(vi: Translator, en: Translator, text: str) -> None:
    try:
        count = parse_count(text)
    except FigureError as error:
        _assert_vietnamese(error, vi, en)
    else:
        assert count.is_finite()
        assert count >= 0
        assert -count.as_tuple().exponent <= 2  # type: ignore[operator]  # finite, so an int


values = st.one_of(number_like, *[st.sampled_from(["45,5", "12/30", "100", "0", "1/3", "45.5%", "150", "31/30"])] * 3)
quick_items = st.tuples(
    st.one_of(st.integers(1, 9), st.integers(-5, 1200)), st.sampled_from(["=", "=", "=", "=", ":", ""]), values
).map(lambda item: f"{item[0]}{item[1]}{item[2]}")
year_args = st.sampled_from([[], [], [], ["2015"], ["2015"], ["2015"], ["15"], ["1899"]])
item_args = st.lists(st.one_of(*[quick_items] * 6, st.sampled_from(["2015", "trên", "30"])), max_size=6)
structured_args = st.tuples(year_args, item_args).map(lambda pair: pair[0] + pair[1])
quick_args = st.one_of(st.text().map(str.split), *[structured_args] * 3)


@FAST
@given(args=quick_args)
def test_parse_quick_entry_answers_with_items_or_a_vietnamese_message(
    vi: Translator, en: Translator, args: list[str]
) -> None:
    try:
        entry = parse_quick_entry(args)
    except QuickEntryError as error:
        _assert_vietnamese(error, vi, en)
        _assert_names_the_indicator(error, vi)
    else:
        assert entry.items
        numbers = [number for number, _ in entry.items]
        assert len(set(numbers)) == len(numbers)
        assert all(1 <= number <= 999 for number in numbers)
        assert entry.year is None or 1900 <= entry.year <= 2100
        for _, figure in entry.items:
            _check_figure(figure)


# Round trips: what the bot itself shows (Vietnamese formatting) is read back as the same number.
two_decimals = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@FAST
@given(value=two_decimals, dot=st.booleans(), percent_sign=st.booleans())
def test_typed_percentages_read_back(vi: Translator, value: Decimal, dot: bool, percent_sign: bool) -> None:
    typed = vi.decimal(value)  # "45,5"
    if dot:
        typed = typed.replace(",", ".")
    if percent_sign:
        typed += " %"
    assert parse_figure(typed) == Figure(value.quantize(Decimal("0.0001")))


@FAST
@given(value=st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_counts_shown_by_the_bot_read_back(vi: Translator, value: Decimal) -> None:
    assert parse_count(vi.decimal(value)) == value  # "1.234.567,5"


@FAST
@given(numerator=st.integers(0, 10**9), extra=st.integers(0, 10**9), separator=st.sampled_from(["/", " / ", " trên "]))
def test_ratios_of_whole_numbers(numerator: int, extra: int, separator: str) -> None:
    denominator = numerator + extra
    if denominator == 0:
        return
    figure = parse_figure(f"{numerator}{separator}{denominator}")
    assert (figure.numerator, figure.denominator) == (Decimal(numerator), Decimal(denominator))
    _check_figure(figure)


@FAST
@given(
    year=st.none() | st.integers(1900, 2100),
    items=st.dictionaries(st.integers(1, 999), two_decimals, min_size=1, max_size=10),
    separator=st.sampled_from(["=", ":"]),
)
def test_well_formed_quick_entries_read_back(
    vi: Translator, year: int | None, items: dict[int, Decimal], separator: str
) -> None:
    args = ([] if year is None else [str(year)]) + [f"{n}{separator}{vi.decimal(v)}" for n, v in items.items()]
    entry = parse_quick_entry(args)
    assert entry.year == year
    assert entry.items == tuple((n, Figure(v.quantize(Decimal("0.0001")))) for n, v in items.items())
