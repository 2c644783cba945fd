"""The timeframe rules against every phrase of Decision 514/QĐ-UBND's annexes, with exact dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest

from bot.plan.model import DeadlineKind, Indicator, MonthDay, ReportingRegime, YearRange
from scheduler.deadlines import (
    DEFAULT_RULES,
    Deadline,
    TimeframeError,
    TimeframeRule,
    derive_deadlines,
    indicator_deadlines,
    regime_deadlines,
)

D = dt.date
K = DeadlineKind


def make_regime(**overrides: object) -> ReportingRegime:
    fields: dict[str, object] = {
        "planning_office": "SKHDT",
        "reporters": ["ALL"],
        "recipient": "UBND tỉnh Kon Tum",
        "upstream": "Bộ Kế hoạch và Đầu tư",
        "years": YearRange(start=2013, end=2020),
    }
    fields.update(overrides)
    return ReportingRegime.model_validate(fields)


REGIME = make_regime()


def dates(deadlines: list[Deadline]) -> list[tuple[dt.date, DeadlineKind, int]]:
    return [(d.due, d.kind, d.period_year) for d in deadlines]


def annual(start: int, end: int, month: int = 12, day: int = 15) -> list[tuple[dt.date, DeadlineKind, int]]:
    return [(D(y, month, day), K.ANNUAL_REPORT, y) for y in range(start, end + 1)]


# --- every distinct phrase of Phụ lục I and Phụ lục II ------------------------------------

ANNEX_CASES = [
    pytest.param("Quý II/2013", [(D(2013, 6, 30), K.ONE_OFF, 2013)], id="quy-II-2013"),
    pytest.param("Quý III/2013", [(D(2013, 9, 30), K.ONE_OFF, 2013)], id="quy-III-2013"),
    pytest.param("2013-2020", annual(2013, 2020), id="2013-2020"),
    pytest.param("2013-2015", annual(2013, 2015), id="2013-2015"),
    pytest.param(
        "Triển khai thực hiện và báo cáo đánh giá vào cuối năm 2015",
        [
            (D(2013, 12, 15), K.ANNUAL_REPORT, 2013),
            (D(2014, 12, 15), K.ANNUAL_REPORT, 2014),
            (D(2015, 12, 31), K.FINAL_EVALUATION, 2015),
        ],
        id="evaluate-end-2015",
    ),
    pytest.param(
        "KH hàng năm và KH 5 năm 2016-2020",
        [
            (D(2013, 7, 31), K.PLAN_SUBMISSION, 2014),
            (D(2014, 7, 31), K.PLAN_SUBMISSION, 2015),
            (D(2015, 7, 31), K.PLAN_SUBMISSION, 2016),
            (D(2015, 12, 31), K.FIVE_YEAR_PLAN_SUBMISSION, 2015),
            (D(2016, 7, 31), K.PLAN_SUBMISSION, 2017),
            (D(2017, 7, 31), K.PLAN_SUBMISSION, 2018),
            (D(2018, 7, 31), K.PLAN_SUBMISSION, 2019),
            (D(2019, 7, 31), K.PLAN_SUBMISSION, 2020),
        ],
        id="kh-hang-nam-5-nam-2016-2020",
    ),
    pytest.param("2013 - 2020", annual(2013, 2020), id="2013-spaced-2020"),
]


@pytest.mark.parametrize(("phrase", "expected"), ANNEX_CASES)
def test_annex_phrases(phrase: str, expected: list[tuple[dt.date, DeadlineKind, int]]) -> None:
    assert dates(derive_deadlines(phrase, REGIME)) == expected


def test_2013_2020_is_eight_yearly_reports_on_15_december() -> None:
    result = derive_deadlines("2013-2020", REGIME)
    assert [d.due for d in result] == [D(y, 12, 15) for y in range(2013, 2021)]
    assert {d.label for d in result} == {f"Báo cáo năm {y}" for y in range(2013, 2021)}


def test_labels() -> None:
    assert derive_deadlines("Quý II/2013", REGIME)[0].label == "Quý II/2013"
    five_year = [
        d
        for d in derive_deadlines("KH hàng năm và KH 5 năm 2016-2020", REGIME)
        if d.kind is K.FIVE_YEAR_PLAN_SUBMISSION
    ]
    assert [d.label for d in five_year] == ["KH 5 năm 2016-2020"]
    first_plan = derive_deadlines("KH hàng năm và KH 5 năm 2016-2020", REGIME)[0]
    assert first_plan.label == "KH năm 2014"


# --- generic forms other plans use --------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Quý 2/2013", [(D(2013, 6, 30), K.ONE_OFF, 2013)]),
        ("Quý I/2014", [(D(2014, 3, 31), K.ONE_OFF, 2014)]),
        ("Quý IV/2014", [(D(2014, 12, 31), K.ONE_OFF, 2014)]),
        ("quý iv / 2014", [(D(2014, 12, 31), K.ONE_OFF, 2014)]),
        ("Năm 2014", [(D(2014, 12, 31), K.ONE_OFF, 2014)]),
        ("Trong năm 2014", [(D(2014, 12, 31), K.ONE_OFF, 2014)]),
        ("cuối năm 2016", [(D(2016, 12, 31), K.ONE_OFF, 2016)]),
        ("Cuối năm 2016", [(D(2016, 12, 31), K.ONE_OFF, 2016)]),
        ("6 tháng đầu năm 2014", [(D(2014, 6, 30), K.ONE_OFF, 2014)]),
        ("Tháng 9/2014", [(D(2014, 9, 30), K.ONE_OFF, 2014)]),
        ("Tháng 2/2016", [(D(2016, 2, 29), K.ONE_OFF, 2016)]),
        ("Tháng 2/2015", [(D(2015, 2, 28), K.ONE_OFF, 2015)]),
        ("Tháng 12/2014", [(D(2014, 12, 31), K.ONE_OFF, 2014)]),
        ("Hàng năm", annual(2013, 2020)),
        ("Hằng năm", annual(2013, 2020)),
        ("Kế hoạch hằng năm và kế hoạch 5 năm 2016-2020", None),
    ],
)
def test_generic_forms(phrase: str, expected: list[tuple[dt.date, DeadlineKind, int]] | None) -> None:
    if expected is None:  # same meaning as the annex wording
        expected = dates(derive_deadlines("KH hàng năm và KH 5 năm 2016-2020", REGIME))
    assert dates(derive_deadlines(phrase, REGIME)) == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "2013-2020",
        "2013 - 2020",
        "2013–2020",
        "2013 – 2020",
        "2013—2020",
        "2013 — 2020",
        "2013\u22122020",
        "  2013 -\t2020 ",
        "2013\u00a0-\u00a02020",
    ],
)
def test_dash_and_space_variants(phrase: str) -> None:
    assert dates(derive_deadlines(phrase, REGIME)) == annual(2013, 2020)


def test_decomposed_unicode_is_normalised() -> None:
    phrase = unicodedata.normalize("NFD", "Triển khai thực hiện và báo cáo đánh giá vào cuối năm 2015")
    assert dates(derive_deadlines(phrase, REGIME))[-1] == (D(2015, 12, 31), K.FINAL_EVALUATION, 2015)


def test_extra_inner_whitespace_is_normalised() -> None:
    phrase = "KH hàng năm\n và  KH 5 năm 2016 – 2020"
    assert len(derive_deadlines(phrase, REGIME)) == 8


# --- the regime's days are settings, not constants ----------------------------------------


def test_custom_annual_report_due_moves_dates() -> None:
    regime = make_regime(annual_report_due="12-20")
    assert dates(derive_deadlines("2013-2015", regime)) == annual(2013, 2015, day=20)
    evaluation = dates(derive_deadlines("Triển khai thực hiện và báo cáo đánh giá vào cuối năm 2015", regime))
    assert evaluation[:2] == [
        (D(2013, 12, 20), K.ANNUAL_REPORT, 2013),
        (D(2014, 12, 20), K.ANNUAL_REPORT, 2014),
    ]


def test_custom_plan_days_move_dates() -> None:
    regime = make_regime(annual_plan_due="06-30", five_year_plan_due="10-15")
    result = derive_deadlines("KH hàng năm và KH 5 năm 2016-2020", regime)
    assert result[0].due == D(2013, 6, 30)
    assert [d.due for d in result if d.kind is K.FIVE_YEAR_PLAN_SUBMISSION] == [D(2015, 10, 15)]


def test_29_february_falls_back_in_common_years() -> None:
    regime = make_regime(annual_report_due=MonthDay(month=2, day=29))
    assert [d.due for d in derive_deadlines("2015-2016", regime)] == [D(2015, 2, 28), D(2016, 2, 29)]


def test_hang_nam_follows_regime_years() -> None:
    regime = make_regime(years=YearRange(start=2021, end=2025))
    assert dates(derive_deadlines("Hàng năm", regime)) == annual(2021, 2025)


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "Thường xuyên",
        "Sau năm 2020",
        "Quý II",
        "2013",
        "2013-20",
        "Quý II/2013 và Quý III/2013",
        "",
    ],
)
def test_unknown_phrase_raises_naming_it(phrase: str) -> None:
    with pytest.raises(TimeframeError, match="matches no rule") as info:
        derive_deadlines(phrase, REGIME)
    assert repr(phrase) in str(info.value)
    assert info.value.phrase == phrase


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("Quý V/2013", "quarter V"),
        ("Quý 5/2013", "quarter 5"),
        ("Quý 0/2013", "quarter 0"),
        ("2020-2013", "reversed"),
        ("2013-2301", "outside"),
        ("1899-1900", "outside"),
        ("Năm 2201", "outside"),
        ("Tháng 13/2014", "month 13"),
        ("Tháng 0/2014", "month 0"),
        ("KH hàng năm và KH 5 năm 2020-2016", "reversed"),
        ("KH hàng năm và KH 5 năm 2011-2015", "before the plan"),
        ("Triển khai thực hiện và báo cáo đánh giá vào cuối năm 2012", "before the plan"),
    ],
)
def test_impossible_data_is_rejected(phrase: str, reason: str) -> None:
    with pytest.raises(TimeframeError, match=re.escape(reason)) as info:
        derive_deadlines(phrase, REGIME)
    assert repr(phrase) in str(info.value)


def test_timeframe_error_is_a_value_error() -> None:
    assert issubclass(TimeframeError, ValueError)


# --- extending the rules -------------------------------------------------------------------


def test_a_province_can_add_a_rule() -> None:
    def every_quarter(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
        year = int(match["year"])
        return [Deadline(D(year, m, 28 if m == 2 else 30), K.ONE_OFF, year) for m in (12, 3, 6, 9)]

    rules = (
        *DEFAULT_RULES,
        TimeframeRule("quarterly", re.compile(r"hàng quý năm (?P<year>\d{4})"), every_quarter),
    )
    result = derive_deadlines("hàng quý năm 2014", REGIME, rules=rules)
    assert [d.due.month for d in result] == [3, 6, 9, 12]  # sorted even if the builder is not
    with pytest.raises(TimeframeError):
        derive_deadlines("hàng quý năm 2014", REGIME)


def test_sorted_by_date_then_kind() -> None:
    regime = make_regime(annual_report_due="12-31")
    result = regime_deadlines(regime)
    assert result == sorted(result, key=lambda d: d.due)
    assert [d.kind for d in result[:2]] == [K.ANNUAL_REPORT, K.CONSOLIDATED_REPORT]


# --- regime and indicators ----------------------------------------------------------------


def test_regime_deadlines() -> None:
    result = regime_deadlines(REGIME)
    assert len(result) == 16
    expected = []
    for y in range(2013, 2021):
        expected += [(D(y, 12, 15), K.ANNUAL_REPORT, y), (D(y, 12, 31), K.CONSOLIDATED_REPORT, y)]
    assert dates(result) == expected
    assert result[0].label == "Báo cáo năm 2013"
    assert result[1].label == "Báo cáo tổng hợp năm 2013"


def test_regime_deadlines_follow_settings() -> None:
    regime = make_regime(
        years=YearRange(start=2014, end=2015), annual_report_due="11-30", consolidated_report_due="01-15"
    )
    assert dates(regime_deadlines(regime)) == [
        (D(2014, 1, 15), K.CONSOLIDATED_REPORT, 2014),
        (D(2014, 11, 30), K.ANNUAL_REPORT, 2014),
        (D(2015, 1, 15), K.CONSOLIDATED_REPORT, 2015),
        (D(2015, 11, 30), K.ANNUAL_REPORT, 2015),
    ]


def make_indicator(start: int, end: int) -> Indicator:
    return Indicator(
        id=1,
        name="Tỷ lệ các xã phường, thị trấn có các điểm thu gom rác thải, nước thải",
        lead=["SXD"],
        responsible_text="Sở Xây dựng",
        period=YearRange(start=start, end=end),
        timeframe_text="2013 - 2020",
    )


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (2013, 2020, range(2013, 2021)),
        (2015, 2018, range(2015, 2019)),
        (2010, 2014, range(2013, 2015)),
        (2018, 2025, range(2018, 2021)),
        (2021, 2025, range(0)),
        (2005, 2012, range(0)),
    ],
)
def test_indicator_deadlines(start: int, end: int, years: range) -> None:
    result = indicator_deadlines(make_indicator(start, end), REGIME)
    assert dates(result) == [(D(y, 12, 15), K.ANNUAL_REPORT, y) for y in years]


def test_indicator_deadlines_follow_annual_report_due() -> None:
    regime = make_regime(annual_report_due="12-20")
    result = indicator_deadlines(make_indicator(2013, 2014), regime)
    assert [d.due for d in result] == [D(2013, 12, 20), D(2014, 12, 20)]
    assert result[0].label == "Chỉ tiêu 1 năm 2013"
