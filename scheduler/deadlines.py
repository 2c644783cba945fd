"""Turn the plan's timeframe phrases and its reporting regime into dated deadlines.

Pure functions, no I/O: the scheduler and the plan loader both call them.

A timeframe phrase ("Quý II/2013", "2013 - 2020", ...) is matched against an ordered
table of rules (regex -> builder).  The first rule whose regex matches the whole
normalised phrase builds the deadlines.  Anything no rule understands raises
``TimeframeError``: a wrong reminder is worse than none, so we never guess.
A province whose plan uses other wording passes its own table via ``rules=``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.plan.model import DeadlineKind, Indicator, ReportingRegime

MIN_YEAR = 1900
MAX_YEAR = 2200

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign.
_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]\s*")
_ROMAN_QUARTERS = {"I": 1, "II": 2, "III": 3, "IV": 4}
_KIND_ORDER = {kind: index for index, kind in enumerate(DeadlineKind)}


class TimeframeError(ValueError):
    """A timeframe phrase that no rule understands: the loader reports it with the row."""

    def __init__(self, message: str, phrase: str | None = None) -> None:
        super().__init__(message)
        self.phrase = phrase


@dataclass(frozen=True, slots=True)
class Deadline:
    due: dt.date
    kind: DeadlineKind
    period_year: int  # the reporting year the deadline belongs to
    label: str | None = None


Builder = Callable[[re.Match[str], ReportingRegime], list[Deadline]]


@dataclass(frozen=True, slots=True)
class TimeframeRule:
    """One wording of the "Thời gian thực hiện" column and how to date it."""

    name: str
    pattern: re.Pattern[str]
    build: Builder


def normalise_timeframe(text: str) -> str:
    """NFC, single spaces, every dash variant as a bare "-": the annexes mix all of them."""
    text = unicodedata.normalize("NFC", text)
    text = " ".join(text.split())
    return _DASHES.sub("-", text)


def sort_deadlines(deadlines: Iterable[Deadline]) -> list[Deadline]:
    """Date first, then the order of DeadlineKind, so output is stable for tests and diffs."""
    return sorted(deadlines, key=lambda d: (d.due, _KIND_ORDER[d.kind], d.period_year, d.label or ""))


# --- helpers -------------------------------------------------------------------------------


def _year(text: str) -> int:
    """A plan year; out-of-range years are typos in the source, not dates to schedule."""
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise TimeframeError(f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return year


def _year_span(start_text: str, end_text: str) -> tuple[int, int]:
    start, end = _year(start_text), _year(end_text)
    if end < start:
        raise TimeframeError(f"year range {start}-{end} is reversed")
    return start, end


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _annual_reports(years: Iterable[int], regime: ReportingRegime) -> list[Deadline]:
    """Section IV.3: every reporter sends a yearly report on the regime's day."""
    return [
        Deadline(regime.annual_report_due.in_year(y), DeadlineKind.ANNUAL_REPORT, y, f"Báo cáo năm {y}")
        for y in years
    ]


def _one_off(due: dt.date, label: str) -> list[Deadline]:
    return [Deadline(due, DeadlineKind.ONE_OFF, due.year, label)]


# --- builders ------------------------------------------------------------------------------


def _quarter(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "Quý II/2013": the task is due at the end of that quarter."""
    raw = match["quarter"].upper()
    quarter = int(raw) if raw.isdigit() else _ROMAN_QUARTERS.get(raw, 0)
    if not 1 <= quarter <= 4:
        raise TimeframeError(f"quarter {match['quarter']} does not exist")
    year = _year(match["year"])
    return _one_off(_month_end(year, quarter * 3), f"Quý {match['quarter'].upper()}/{year}")


def _year_range(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "2013-2020": an ongoing task, reported on every year of its span."""
    start, end = _year_span(match["start"], match["end"])
    return _annual_reports(range(start, end + 1), regime)


def _evaluate_at_end_of(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "... báo cáo đánh giá vào cuối năm 2015": yearly reports until then, then the evaluation."""
    year = _year(match["year"])
    if year < regime.years.start:
        raise TimeframeError(f"evaluation year {year} is before the plan starts in {regime.years.start}")
    final = Deadline(dt.date(year, 12, 31), DeadlineKind.FINAL_EVALUATION, year, f"Đánh giá năm {year}")
    return [*_annual_reports(range(regime.years.start, year), regime), final]


def _annual_and_five_year_plans(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "KH hàng năm và KH 5 năm 2016-2020": next year's plan yearly, the 5-year plan the year before."""
    start, end = _year_span(match["start"], match["end"])
    if start < regime.years.start:
        raise TimeframeError(f"five-year plan {start}-{end} starts before the plan in {regime.years.start}")
    annual = [
        Deadline(regime.annual_plan_due.in_year(y), DeadlineKind.PLAN_SUBMISSION, y + 1, f"KH năm {y + 1}")
        for y in range(regime.years.start, end)
    ]
    five_year = Deadline(
        regime.five_year_plan_due.in_year(start - 1),
        DeadlineKind.FIVE_YEAR_PLAN_SUBMISSION,
        start - 1,
        f"KH 5 năm {start}-{end}",
    )
    return [*annual, five_year]


def _in_year(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "Năm 2014" / "Trong năm 2014": done by the last day of that year."""
    year = _year(match["year"])
    return _one_off(dt.date(year, 12, 31), f"Năm {year}")


def _end_of_year(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "Cuối năm 2014": the last day of that year."""
    year = _year(match["year"])
    return _one_off(dt.date(year, 12, 31), f"Cuối năm {year}")


def _first_half(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "6 tháng đầu năm 2014": the end of June."""
    year = _year(match["year"])
    return _one_off(dt.date(year, 6, 30), f"6 tháng đầu năm {year}")


def _month(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "Tháng 9/2014": the last day of that month."""
    month = int(match["month"])
    if not 1 <= month <= 12:
        raise TimeframeError(f"month {month} does not exist")
    year = _year(match["year"])
    return _one_off(_month_end(year, month), f"Tháng {month}/{year}")


def _every_year(match: re.Match[str], regime: ReportingRegime) -> list[Deadline]:
    """For "Hàng năm": a yearly report for every year of the reporting regime."""
    return _annual_reports(regime.years.years(), regime)


def _rule(name: str, pattern: str, build: Builder) -> TimeframeRule:
    return TimeframeRule(name, re.compile(pattern, re.IGNORECASE), build)


_YEAR = r"(?P<year>\d{4})"
_SPAN = r"(?P<start>\d{4})-(?P<end>\d{4})"
_PLAN = r"(?:KH|kế hoạch)"

DEFAULT_RULES: tuple[TimeframeRule, ...] = (
    _rule("quarter", rf"quý (?P<quarter>[IVXLC]+|\d{{1,2}}) ?/ ?{_YEAR}", _quarter),
    _rule("year_range", _SPAN, _year_range),
    _rule(
        "evaluate_at_end_of",
        rf"triển khai thực hiện và báo cáo đánh giá vào cuối năm {_YEAR}",
        _evaluate_at_end_of,
    ),
    _rule(
        "annual_and_five_year_plans",
        rf"{_PLAN} (?:hàng|hằng) năm và {_PLAN} 5 năm {_SPAN}",
        _annual_and_five_year_plans,
    ),
    _rule("in_year", rf"(?:trong )?năm {_YEAR}", _in_year),
    _rule("end_of_year", rf"cuối năm {_YEAR}", _end_of_year),
    _rule("first_half", rf"6 tháng đầu năm {_YEAR}", _first_half),
    _rule("month", rf"tháng (?P<month>\d{{1,2}}) ?/ ?{_YEAR}", _month),
    _rule("every_year", r"(?:hàng|hằng) năm", _every_year),
)


# --- public API ----------------------------------------------------------------------------


def derive_deadlines(
    timeframe: str,
    regime: ReportingRegime,
    rules: Sequence[TimeframeRule] = DEFAULT_RULES,
) -> list[Deadline]:
    """Dates implied by one "Thời gian thực hiện" phrase; raises TimeframeError naming it."""
    text = normalise_timeframe(timeframe)
    for rule in rules:
        match = rule.pattern.fullmatch(text)
        if match is None:
            continue
        try:
            return sort_deadlines(rule.build(match, regime))
        except TimeframeError as error:
            raise TimeframeError(f"timeframe {timeframe!r}: {error}", phrase=timeframe) from error
    raise TimeframeError(f"timeframe {timeframe!r} matches no rule", phrase=timeframe)


def regime_deadlines(regime: ReportingRegime) -> list[Deadline]:
    """Section IV.3 on its own: reporters' yearly reports, then the planning office's consolidation."""
    deadlines = _annual_reports(regime.years.years(), regime)
    deadlines += [
        Deadline(
            regime.consolidated_report_due.in_year(y),
            DeadlineKind.CONSOLIDATED_REPORT,
            y,
            f"Báo cáo tổng hợp năm {y}",
        )
        for y in regime.years.years()
    ]
    return sort_deadlines(deadlines)


def indicator_deadlines(indicator: Indicator, regime: ReportingRegime) -> list[Deadline]:
    """Annex II indicators are reported yearly, but only while both the indicator and the regime run."""
    first = max(indicator.period.start, regime.years.start)
    last = min(indicator.period.end, regime.years.end)
    return sort_deadlines(
        Deadline(
            regime.annual_report_due.in_year(y),
            DeadlineKind.ANNUAL_REPORT,
            y,
            f"Chỉ tiêu {indicator.id} năm {y}",
        )
        for y in range(first, last + 1)
    )
