"""The forgiving number parser: every accepted and refused way officers type a figure, and what they are told.

Messages are checked in Vietnamese through the real compiled catalog, so a missing translation fails here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.i18n import Translator, load_catalogs
from bot.services.figures import (
    MAX_LENGTH,
    Figure,
    FigureError,
    FigureProblem,
    QuickEntry,
    QuickEntryError,
    QuickEntryProblem,
    parse_count,
    parse_figure,
    parse_quick_entry,
    ratio_figure,
)

P = FigureProblem
Q = QuickEntryProblem


@pytest.fixture(scope="module")
def vi(compiled_locales: Path) -> Translator:
    return load_catalogs(compiled_locales).translator("vi")


@pytest.fixture(scope="module")
def en(compiled_locales: Path) -> Translator:
    return load_catalogs(compiled_locales).translator("en")


def _problem(text: str) -> FigureProblem:
    with pytest.raises(FigureError) as caught:
        parse_figure(text)
    return caught.value.problem


# --- percentages and ratios that are accepted ----------------------------------------------------

PERCENTAGES = [
    ("45", "45"),
    ("45,5", "45.5"),
    ("45.5", "45.5"),
    ("12.5", "12.5"),  # Babel's parse_decimal("12.5", locale="vi") without strict=True says 125
    ("45,5%", "45.5"),
    (" 45,5 % ", "45.5"),
    ("45,5 %", "45.5"),
    ("45 %", "45"),
    ("45,50", "45.5"),
    ("45,55", "45.55"),
    ("100", "100"),
    ("100,00", "100"),
    ("0", "0"),
    ("0,0", "0"),
    ("00045", "45"),
    (".5", "0.5"),
    (",5", "0.5"),
    ("5.", "5"),  # a sentence-final dot
    ("5,", "5"),
    ("+45", "45"),
    ("４５，５％", "45.5"),  # full-width keyboard, NFKC
    ("45\u00a0%", "45"),  # non-breaking space
    ("4\u200b5", "45"),  # a zero-width space is invisible on the phone
    ("\ufeff45,5", "45.5"),  # BOM from copy-paste
    ("\t45,5\n", "45.5"),
]


@pytest.mark.parametrize(("text", "percent"), PERCENTAGES)
def test_percentages_accepted(text: str, percent: str) -> None:
    figure = parse_figure(text)
    assert figure == Figure(percent=Decimal(percent))
    assert figure.numerator is None
    assert figure.denominator is None
    assert figure.percent.as_tuple().exponent == -4  # stored quantized to 4 decimals


def test_comma_and_dot_mean_the_same() -> None:
    assert parse_figure("45.5") == parse_figure("45,5") == Figure(Decimal("45.5"))
    assert parse_figure("12.5").percent == Decimal("12.5")


RATIOS = [
    ("12/30", "40", "12", "30"),
    ("12 / 30", "40", "12", "30"),
    ("12 trên 30", "40", "12", "30"),
    ("12 TRÊN 30", "40", "12", "30"),
    ("12 Trên 30", "40", "12", "30"),
    ("12 tren 30", "40", "12", "30"),  # phone without Vietnamese keyboard
    ("12 tre\u0302n 30", "40", "12", "30"),  # decomposed diacritic, NFKC composes it
    ("12trên30", "40", "12", "30"),
    ("１２／３０", "40", "12", "30"),
    ("1/3", "33.3333", "1", "3"),
    ("2/3", "66.6667", "2", "3"),
    ("1/6", "16.6667", "1", "6"),
    ("30/30", "100", "30", "30"),
    ("0/5", "0", "0", "5"),
    ("12,5/25", "50", "12.5", "25"),
    ("12.5/25", "50", "12.5", "25"),
    ("1.234/2.000", "61.7", "1234", "2000"),  # Vietnamese thousands grouping in ratio parts
    ("1.234,5/2.469", "50", "1234.5", "2469"),
    ("1.000.000/4.000.000", "25", "1000000", "4000000"),
    ("1/2.000.000", "0.0001", "1", "2000000"),  # 0.00005 rounds half up, not to even
    ("½", "50", "1", "2"),  # NFKC: "1⁄2"
    ("12÷30", "40", "12", "30"),
]


@pytest.mark.parametrize(("text", "percent", "numerator", "denominator"), RATIOS)
def test_ratios_accepted(text: str, percent: str, numerator: str, denominator: str) -> None:
    figure = parse_figure(text)
    assert figure == Figure(Decimal(percent), Decimal(numerator), Decimal(denominator))
    assert figure.percent.as_tuple().exponent == -4


# --- refused input --------------------------------------------------------------------------------

REFUSED = [
    ("", P.EMPTY),
    ("   ", P.EMPTY),
    ("\u200b", P.EMPTY),
    ("bốn mươi", P.NOT_A_NUMBER),
    ("abc", P.NOT_A_NUMBER),
    ("😀", P.NOT_A_NUMBER),
    ("45😀", P.NOT_A_NUMBER),
    ("4\x005", P.NOT_A_NUMBER),
    ("4\x1c5", P.NOT_A_NUMBER),  # a control character Python counts as whitespace
    ("1e5", P.NOT_A_NUMBER),
    ("1E2", P.NOT_A_NUMBER),
    ("1e999999", P.NOT_A_NUMBER),
    ("inf", P.NOT_A_NUMBER),
    ("Infinity", P.NOT_A_NUMBER),
    ("nan", P.NOT_A_NUMBER),
    ("0x10", P.NOT_A_NUMBER),
    ("٤٥", P.NOT_A_NUMBER),  # Arabic-Indic digits: Decimal() would take them, we do not
    (",", P.NOT_A_NUMBER),
    (".", P.NOT_A_NUMBER),
    ("%", P.NOT_A_NUMBER),
    ("-", P.NOT_A_NUMBER),
    ("1..5", P.NOT_A_NUMBER),
    ("1,2,3", P.NOT_A_NUMBER),
    ("1,234.5", P.NOT_A_NUMBER),
    ("5-", P.NOT_A_NUMBER),
    ("--5", P.NOT_A_NUMBER),
    ("12/", P.NOT_A_NUMBER),
    ("/30", P.NOT_A_NUMBER),
    ("1//2", P.NOT_A_NUMBER),
    ("12 trên", P.NOT_A_NUMBER),
    ("12 15", P.SEVERAL_NUMBERS),
    ("12,5 13", P.SEVERAL_NUMBERS),
    ("4 5", P.SEVERAL_NUMBERS),
    ("45 ,5", P.SEVERAL_NUMBERS),
    ("1/2/3", P.SEVERAL_NUMBERS),
    ("12 15/30", P.SEVERAL_NUMBERS),
    ("-5", P.NEGATIVE),
    ("- 5", P.NEGATIVE),
    ("−5", P.NEGATIVE),  # U+2212 minus sign
    ("–5", P.NEGATIVE),  # en dash
    ("-150", P.NEGATIVE),
    ("-1/3", P.NEGATIVE),
    ("1/-3", P.NEGATIVE),
    ("150", P.ABOVE_100),
    ("100,01", P.ABOVE_100),
    ("101%", P.ABOVE_100),
    ("1.234,5", P.ABOVE_100),  # unambiguous Vietnamese grouping: 1234,5
    ("0/0", P.ZERO_DENOMINATOR),
    ("5/0", P.ZERO_DENOMINATOR),
    ("5/0,00", P.ZERO_DENOMINATOR),
    ("31/30", P.NUMERATOR_ABOVE_DENOMINATOR),
    ("30,01/30", P.NUMERATOR_ABOVE_DENOMINATOR),
    ("45,555", P.TOO_MANY_DECIMALS),
    ("45.555", P.TOO_MANY_DECIMALS),
    ("1.234", P.TOO_MANY_DECIMALS),  # in a percentage the dot is a decimal separator
    ("0,001", P.TOO_MANY_DECIMALS),
    ("12,345/30", P.TOO_MANY_DECIMALS),
    ("1/3,333", P.TOO_MANY_DECIMALS),
    ("%45", P.MISPLACED_PERCENT),
    ("45%%", P.MISPLACED_PERCENT),
    ("45 % 5", P.SEVERAL_NUMBERS),
    ("12/30%", P.MISPLACED_PERCENT),
    ("12%/30", P.MISPLACED_PERCENT),
    ("4" * (MAX_LENGTH + 1), P.TOO_LONG),
    (" " * (MAX_LENGTH + 1), P.TOO_LONG),  # length is checked before anything else
    ("⑳" * (MAX_LENGTH // 2 + 1), P.TOO_LONG),  # NFKC doubles it past the limit
]


@pytest.mark.parametrize(("text", "problem"), REFUSED)
def test_refused(text: str, problem: FigureProblem) -> None:
    assert _problem(text) is problem


def test_longest_allowed_input_is_parsed() -> None:
    assert parse_figure(" " * (MAX_LENGTH - 2) + "45").percent == 45
    assert parse_figure("0" * (MAX_LENGTH - 1) + "1").percent == 1


def test_too_many_decimals_suggests_the_rounded_value(vi: Translator) -> None:
    with pytest.raises(FigureError) as caught:
        parse_figure("45,555")
    assert caught.value.values == {"rounded": "45.56"}
    assert caught.value.describe(vi) == (
        "Có quá nhiều chữ số sau dấu phẩy. Vui lòng làm tròn đến tối đa 2 chữ số thập phân, ví dụ: 45,56."
    )


# --- messages -------------------------------------------------------------------------------------


def _message(text: str, translator: Translator) -> str:
    with pytest.raises(FigureError) as caught:
        parse_figure(text)
    return caught.value.describe(translator)


def test_above_100_message_in_vietnamese_and_english(vi: Translator, en: Translator) -> None:
    assert _message("150,5", vi) == "Tỷ lệ không thể lớn hơn 100% (anh/chị đã nhập 150,5). Ví dụ: 45,5 hoặc 12/30."
    assert _message("150.5", en) == "A percentage cannot be more than 100 (you entered 150.5). Example: 45,5 or 12/30."


def test_ratio_messages_show_the_numbers_typed(vi: Translator) -> None:
    assert _message("1.234/1.000", vi) == ("Trong tỷ số, tử số (1.234) không thể lớn hơn mẫu số (1.000). Ví dụ: 12/30.")
    assert _message("5/0", vi) == "Mẫu số (số thứ hai) của tỷ số không thể bằng 0. Ví dụ: 12/30."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Anh/chị chưa nhập số liệu. Vui lòng nhập một số, ví dụ: 45,5."),
        (
            "bốn mươi",
            "Đây không phải là số. Vui lòng chỉ dùng chữ số: tỷ lệ phần trăm (ví dụ: 45,5) hoặc tỷ số (ví dụ: 12/30).",
        ),
        ("12 15", "Anh/chị đã nhập nhiều hơn một số. Vui lòng chỉ nhập một số, ví dụ: 45,5."),
        ("-5", "Không nhận số âm. Vui lòng nhập số từ 0 trở lên, ví dụ: 45,5."),
        ("4" * 300, "Nội dung quá dài so với một số. Vui lòng chỉ nhập một số, ví dụ: 45,5."),
        (
            "12/30%",
            "Dấu phần trăm (%) chỉ được viết một lần, ở cuối tỷ lệ phần trăm, và không dùng trong tỷ số."
            " Ví dụ: 12/30 hoặc 45,5%.",
        ),
    ],
)
def test_vietnamese_messages(vi: Translator, text: str, expected: str) -> None:
    assert _message(text, vi) == expected


@pytest.mark.parametrize("problem", list(FigureProblem))
def test_every_figure_message_is_translated_and_gives_an_example(vi: Translator, problem: FigureProblem) -> None:
    text = FigureError(problem, {"value": "150", "rounded": "1.5", "numerator": "3", "denominator": "2"}).describe(vi)
    assert vi.gettext(problem.value) != problem.value
    assert "ví dụ" in text.lower()
    assert "{" not in text


@pytest.mark.parametrize("problem", [p for p in QuickEntryProblem if p is not Q.BAD_VALUE])
def test_every_quick_entry_message_is_translated_and_shows_the_command(
    vi: Translator, problem: QuickEntryProblem
) -> None:
    text = QuickEntryError(problem, {"token": "x", "first": "1900", "last": "2100"}, indicator=3).describe(vi)
    assert vi.gettext(problem.value) != problem.value
    assert "Ví dụ: /nhap 2015 1=45,5 2=12/30" in text
    assert "{" not in text


def test_not_text_message(vi: Translator) -> None:
    assert FigureError(P.NOT_TEXT).describe(vi) == (
        "Vui lòng gõ số liệu bằng tin nhắn văn bản, không gửi nhãn dán, ảnh hay tệp. Ví dụ: 45,5."
    )


def test_absurd_numbers_are_cut_short_in_messages(vi: Translator) -> None:
    text = _message("9" * 150, vi)
    assert "…" in text
    assert len(text) < 120


def test_error_is_a_value_error_with_an_english_log_text() -> None:
    with pytest.raises(ValueError, match="ABOVE_100"):
        parse_figure("150")


# --- counts (two-step ratio entry) ----------------------------------------------------------------

COUNTS = [
    ("12", "12"),
    (" 12 ", "12"),
    ("0", "0"),
    ("12,5", "12.5"),
    ("12.5", "12.5"),
    ("12,50", "12.5"),
    ("0.5", "0.5"),
    ("1.234", "1234"),  # Vietnamese thousands grouping
    ("1.000", "1000"),
    ("1.234.567", "1234567"),
    ("1.234,5", "1234.5"),
    ("1.234,56", "1234.56"),
    ("１２３", "123"),
    ("1500000", "1500000"),
    ("9" * MAX_LENGTH, "9" * MAX_LENGTH),  # no upper bound besides length
]


@pytest.mark.parametrize(("text", "value"), COUNTS)
def test_counts_accepted(text: str, value: str) -> None:
    assert parse_count(text) == Decimal(value)


COUNTS_REFUSED = [
    ("", P.EMPTY),
    (" ", P.EMPTY),
    ("abc", P.NOT_A_COUNT),
    ("😀", P.NOT_A_COUNT),
    ("1e3", P.NOT_A_COUNT),
    ("12%", P.NOT_A_COUNT),
    ("12/30", P.NOT_A_COUNT),
    ("12 trên 30", P.NOT_A_COUNT),
    ("1,234.5", P.NOT_A_COUNT),
    ("1.234.5", P.NOT_A_COUNT),
    ("-3", P.NEGATIVE),
    ("1,234", P.TOO_MANY_DECIMALS),  # a comma is always the decimal separator
    ("1.2345", P.TOO_MANY_DECIMALS),
    ("01.234", P.TOO_MANY_DECIMALS),  # grouping never starts with 0
    ("1.234,567", P.TOO_MANY_DECIMALS),
    ("12 15", P.SEVERAL_NUMBERS),
    ("1" * (MAX_LENGTH + 1), P.TOO_LONG),
]


@pytest.mark.parametrize(("text", "problem"), COUNTS_REFUSED)
def test_counts_refused(text: str, problem: FigureProblem) -> None:
    with pytest.raises(FigureError) as caught:
        parse_count(text)
    assert caught.value.problem is problem


def test_count_message(vi: Translator) -> None:
    with pytest.raises(FigureError) as caught:
        parse_count("mười hai")
    assert caught.value.describe(vi) == (
        "Đây không phải là số. Vui lòng nhập một số từ 0 trở lên bằng chữ số, ví dụ: 12 hoặc 1.234."
    )


# --- ratio_figure ---------------------------------------------------------------------------------


def test_ratio_figure_from_two_counts() -> None:
    assert ratio_figure(parse_count("1.234"), parse_count("2.468")) == Figure(
        Decimal("50"), Decimal("1234"), Decimal("2468")
    )
    assert ratio_figure(Decimal(1), Decimal(3)).percent == Decimal("33.3333")
    assert ratio_figure(Decimal(0), Decimal(7)).percent == 0


@pytest.mark.parametrize(
    ("numerator", "denominator", "problem"),
    [
        ("0", "0", P.ZERO_DENOMINATOR),
        ("5", "0", P.ZERO_DENOMINATOR),
        ("31", "30", P.NUMERATOR_ABOVE_DENOMINATOR),
        ("-1", "3", P.NEGATIVE),
        ("1", "-3", P.NEGATIVE),
        ("NaN", "3", P.NOT_A_NUMBER),
        ("1", "Infinity", P.NOT_A_NUMBER),
        ("1e999999", "1e999999", P.NOT_A_NUMBER),  # not typeable, and would be a huge Fraction
    ],
)
def test_ratio_figure_refuses(numerator: str, denominator: str, problem: FigureProblem) -> None:
    with pytest.raises(FigureError) as caught:
        ratio_figure(Decimal(numerator), Decimal(denominator))
    assert caught.value.problem is problem


# --- quick entry ----------------------------------------------------------------------------------


def test_quick_entry_with_year() -> None:
    entry = parse_quick_entry(["2015", "1=45,5", "2=12/30"])
    assert entry == QuickEntry(
        year=2015,
        items=((1, Figure(Decimal("45.5"))), (2, Figure(Decimal("40"), Decimal("12"), Decimal("30")))),
    )


@pytest.mark.parametrize(
    ("args", "year", "items"),
    [
        (["1=45,5"], None, [(1, "45.5")]),
        (["3:45.5%"], None, [(3, "45.5")]),  # "N:value" too
        (["２０２０", "１２＝１／４"], 2020, [(12, "25")]),  # full-width
        (["1900", "999=0"], 1900, [(999, "0")]),
        (["2100", "7=100"], 2100, [(7, "100")]),
        (["1=45,", "2=30;"], None, [(1, "45"), (2, "30")]),  # list punctuation after a value
        (["2=1", "1=2"], None, [(2, "1"), (1, "2")]),  # order as typed
        (["1 =5"], None, [(1, "5")]),
    ],
)
def test_quick_entry_accepted(args: list[str], year: int | None, items: list[tuple[int, str]]) -> None:
    entry = parse_quick_entry(args)
    assert entry.year == year
    assert [(number, figure.percent) for number, figure in entry.items] == [(n, Decimal(p)) for n, p in items]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ([], Q.NOTHING_GIVEN),
        ([""], Q.NOTHING_GIVEN),
        (["2015"], Q.NOTHING_GIVEN),
        (["15", "1=4"], Q.BAD_YEAR),
        (["1899", "1=4"], Q.BAD_YEAR),
        (["2101", "1=4"], Q.BAD_YEAR),
        (["20155", "1=4"], Q.BAD_YEAR),
        (["abc"], Q.BAD_ITEM),
        (["1=4", "2015"], Q.BAD_ITEM),  # the year comes first
        (["1=12", "trên", "30"], Q.BAD_ITEM),  # a ratio is written 12/30 here
        (["0=5"], Q.BAD_INDICATOR),
        (["1000=5"], Q.BAD_INDICATOR),
        (["x=5"], Q.BAD_INDICATOR),
        (["=5"], Q.BAD_INDICATOR),
        (["1.5=5"], Q.BAD_INDICATOR),
        (["1=5", "1:6"], Q.DUPLICATE_INDICATOR),
        (["1=5", "01=6"], Q.DUPLICATE_INDICATOR),
        (["2015", "1=150"], Q.BAD_VALUE),
    ],
)
def test_quick_entry_refused(args: list[str], problem: QuickEntryProblem) -> None:
    with pytest.raises(QuickEntryError) as caught:
        parse_quick_entry(args)
    assert caught.value.problem is problem


def test_quick_entry_wrong_value_names_the_indicator(vi: Translator) -> None:
    with pytest.raises(QuickEntryError) as caught:
        parse_quick_entry(["2015", "1=45,5", "2=31/30"])
    error = caught.value
    assert error.indicator == 2
    assert error.figure_error is not None
    assert error.figure_error.problem is P.NUMERATOR_ABOVE_DENOMINATOR
    assert error.describe(vi) == ("Chỉ tiêu 2: Trong tỷ số, tử số (31) không thể lớn hơn mẫu số (30). Ví dụ: 12/30.")


def test_quick_entry_empty_value(vi: Translator) -> None:
    with pytest.raises(QuickEntryError) as caught:
        parse_quick_entry(["4="])
    assert caught.value.describe(vi) == "Chỉ tiêu 4: Anh/chị chưa nhập số liệu. Vui lòng nhập một số, ví dụ: 45,5."


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            [],
            "Vui lòng ghi số liệu sau lệnh: năm (không bắt buộc), rồi số thứ tự chỉ tiêu=giá trị."
            " Ví dụ: /nhap 2015 1=45,5 2=12/30",
        ),
        (
            ["15", "1=4"],
            "“15” không phải là năm hợp lệ. Vui lòng ghi năm ở đầu, gồm 4 chữ số, từ 1900 đến 2100."
            " Ví dụ: /nhap 2015 1=45,5 2=12/30",
        ),
        (
            ["1=12", "trên", "30"],
            "Không hiểu “trên”. Vui lòng ghi mỗi số liệu theo dạng số thứ tự chỉ tiêu=giá trị, không có dấu cách"
            " (tỷ số ghi là 12/30). Ví dụ: /nhap 2015 1=45,5 2=12/30",
        ),
        (
            ["0=5"],
            "“0=5”: số thứ tự chỉ tiêu phải là số nguyên từ 1 đến 999. Ví dụ: /nhap 2015 1=45,5 2=12/30",
        ),
        (
            ["1=5", "1:6"],
            "Chỉ tiêu 1 được nhập nhiều lần. Vui lòng nhập mỗi chỉ tiêu một lần. Ví dụ: /nhap 2015 1=45,5 2=12/30",
        ),
    ],
)
def test_quick_entry_vietnamese_messages(vi: Translator, args: list[str], expected: str) -> None:
    with pytest.raises(QuickEntryError) as caught:
        parse_quick_entry(args)
    assert caught.value.describe(vi) == expected


def test_quick_entry_quotes_a_wrong_item_safely(vi: Translator) -> None:
    with pytest.raises(QuickEntryError) as caught:
        parse_quick_entry(["ab\x00c" + "x" * 100])
    assert caught.value.values["token"] == "abc" + "x" * 17 + "…"
    assert "\x00" not in caught.value.describe(vi)
