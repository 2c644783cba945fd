"""Working days in Vietnam: weekends, fixed holidays, the per-year lists of the shipped file, and bad files."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from scheduler.work_calendar import (
    DEFAULT_HOLIDAYS_FILE,
    MAX_NON_WORKING_RUN,
    WorkCalendar,
    WorkCalendarError,
    load_work_calendar,
)

D = dt.date

# Mùng 1 Tết and Giỗ Tổ Hùng Vương (10/3 âm lịch) of every year the shipped file covers.
LUNAR_NEW_YEAR = {
    2013: D(2013, 2, 10), 2014: D(2014, 1, 31), 2015: D(2015, 2, 19), 2016: D(2016, 2, 8),
    2017: D(2017, 1, 28), 2018: D(2018, 2, 16), 2019: D(2019, 2, 5), 2020: D(2020, 1, 25),
    2021: D(2021, 2, 12), 2022: D(2022, 2, 1), 2023: D(2023, 1, 22), 2024: D(2024, 2, 10),
    2025: D(2025, 1, 29), 2026: D(2026, 2, 17), 2027: D(2027, 2, 6), 2028: D(2028, 1, 26),
    2029: D(2029, 2, 13), 2030: D(2030, 2, 3),
}  # fmt: skip
HUNG_KINGS = {
    2013: D(2013, 4, 19), 2014: D(2014, 4, 9), 2015: D(2015, 4, 28), 2016: D(2016, 4, 16),
    2017: D(2017, 4, 6), 2018: D(2018, 4, 25), 2019: D(2019, 4, 14), 2020: D(2020, 4, 2),
    2021: D(2021, 4, 21), 2022: D(2022, 4, 10), 2023: D(2023, 4, 29), 2024: D(2024, 4, 18),
    2025: D(2025, 4, 7), 2026: D(2026, 4, 26), 2027: D(2027, 4, 16), 2028: D(2028, 4, 4),
    2029: D(2029, 4, 23), 2030: D(2030, 4, 12),
}  # fmt: skip


@pytest.fixture(scope="module")
def shipped() -> WorkCalendar:
    return load_work_calendar()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the calendar itself -------------------------------------------------------------------


def test_plain_calendar_knows_only_weekends() -> None:
    calendar = WorkCalendar()
    assert calendar.is_working_day(D(2015, 12, 18))  # Friday
    assert not calendar.is_working_day(D(2015, 12, 19))  # Saturday
    assert not calendar.is_working_day(D(2015, 12, 20))  # Sunday
    assert not calendar.is_holiday(D(2015, 12, 19))
    assert calendar.previous_working_day(D(2015, 12, 20)) == D(2015, 12, 18)
    assert calendar.next_working_day(D(2015, 12, 19)) == D(2015, 12, 21)


def test_working_day_is_its_own_previous_and_next() -> None:
    calendar = WorkCalendar()
    assert calendar.previous_working_day(D(2015, 12, 15)) == D(2015, 12, 15)
    assert calendar.next_working_day(D(2015, 12, 15)) == D(2015, 12, 15)


def test_fixed_and_dated_holidays() -> None:
    calendar = WorkCalendar(fixed=frozenset({(9, 2)}), dated=frozenset({D(2021, 9, 3)}))
    assert calendar.is_holiday(D(2020, 9, 2))
    assert calendar.is_holiday(D(2030, 9, 2))
    assert calendar.is_holiday(D(2021, 9, 3))
    assert not calendar.is_holiday(D(2022, 9, 3))
    # Thursday 2/9/2021 and Friday 3/9/2021 are off, then the weekend: four days in a row.
    assert calendar.previous_working_day(D(2021, 9, 5)) == D(2021, 9, 1)
    assert calendar.next_working_day(D(2021, 9, 2)) == D(2021, 9, 6)


def test_custom_weekend() -> None:
    calendar = WorkCalendar(weekend=frozenset({6}))  # Sunday only
    assert calendar.is_working_day(D(2015, 12, 19))
    assert calendar.previous_working_day(D(2015, 12, 20)) == D(2015, 12, 19)


def test_leap_day_can_be_a_fixed_holiday() -> None:
    calendar = WorkCalendar(fixed=frozenset({(2, 29)}))
    assert calendar.is_holiday(D(2016, 2, 29))
    assert calendar.is_working_day(D(2017, 2, 28))


@pytest.mark.parametrize(
    "calendar",
    [
        pytest.param(WorkCalendar(weekend=frozenset(range(7))), id="every-day-weekend"),
        pytest.param(
            WorkCalendar(dated=frozenset(D(2015, 1, 1) + dt.timedelta(days=i) for i in range(400))),
            id="every-day-holiday",
        ),
    ],
)
def test_calendar_without_working_days_raises_instead_of_hanging(calendar: WorkCalendar) -> None:
    with pytest.raises(WorkCalendarError, match=f"no working day within {MAX_NON_WORKING_RUN} days before"):
        calendar.previous_working_day(D(2015, 6, 1))
    with pytest.raises(WorkCalendarError, match="after"):
        calendar.next_working_day(D(2015, 6, 1))


def test_run_just_under_the_limit_is_still_walked() -> None:
    start = D(2015, 6, 1)
    calendar = WorkCalendar(
        dated=frozenset(start - dt.timedelta(days=i) for i in range(MAX_NON_WORKING_RUN)),
        weekend=frozenset(),
    )
    assert calendar.previous_working_day(start) == start - dt.timedelta(days=MAX_NON_WORKING_RUN)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"weekend": frozenset({7})}, "weekend day 7", id="weekday-7"),
        pytest.param({"weekend": frozenset({-1})}, "weekend day -1", id="weekday-negative"),
        pytest.param({"fixed": frozenset({(2, 30)})}, "02-30 does not exist", id="feb-30"),
        pytest.param({"fixed": frozenset({(13, 1)})}, "13-01 does not exist", id="month-13"),
    ],
)
def test_invalid_calendar_is_rejected(kwargs: dict[str, frozenset[object]], message: str) -> None:
    with pytest.raises(WorkCalendarError, match=message):
        WorkCalendar(**kwargs)  # type: ignore[arg-type]


# --- the shipped file ----------------------------------------------------------------------


def test_shipped_file_fixed_holidays(shipped: WorkCalendar) -> None:
    assert shipped.fixed == {(1, 1), (4, 30), (5, 1), (9, 2)}
    assert shipped.weekend == {5, 6}


def test_shipped_years_parse_and_fall_in_their_year() -> None:
    raw = tomllib.loads(DEFAULT_HOLIDAYS_FILE.read_text(encoding="utf-8"))
    assert set(raw) == {"fixed", "years"}
    assert sorted(int(year) for year in raw["years"]) == list(range(2013, 2031))
    for year, entries in raw["years"].items():
        assert entries, year
        for entry in entries:
            assert dt.date.fromisoformat(entry).year == int(year), entry


@pytest.mark.parametrize("year", range(2013, 2031))
def test_shipped_file_has_tet_and_hung_kings(shipped: WorkCalendar, year: int) -> None:
    new_year = LUNAR_NEW_YEAR[year]
    # The last day of the lunar year through mùng 3 is off in every official notice.
    for day in range(-1, 4):
        assert shipped.is_holiday(new_year + dt.timedelta(days=day)), (year, day)
    assert shipped.is_holiday(HUNG_KINGS[year])


@pytest.mark.parametrize("year", range(2021, 2031))
def test_shipped_file_has_the_second_national_day_day(shipped: WorkCalendar, year: int) -> None:
    assert shipped.is_holiday(D(year, 9, 1)) or shipped.is_holiday(D(year, 9, 3))


def test_shipped_file_holiday_runs(shipped: WorkCalendar) -> None:
    # Tết Ất Mùi 2015: off Monday 16/02 to Tuesday 24/02.
    assert shipped.previous_working_day(D(2015, 2, 20)) == D(2015, 2, 13)
    assert shipped.next_working_day(D(2015, 2, 16)) == D(2015, 2, 25)
    # 2015: Giỗ Tổ Tue 28/04, bridge Wed 29/04, 30/04 Thu, 01/05 Fri, then the weekend: back to Monday 27/04.
    assert shipped.previous_working_day(D(2015, 5, 3)) == D(2015, 4, 27)
    # 2016: 30/04 and 01/05 on the weekend, compensated on Monday 02/05 and Tuesday 03/05.
    assert shipped.next_working_day(D(2016, 4, 30)) == D(2016, 5, 4)


# --- loading files -------------------------------------------------------------------------


def test_loads_a_small_file_with_native_toml_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '# comment\nfixed = ["01-01", "09-02"]\n[years]\n2015 = ["2015-02-16", 2015-02-17]\n2016 = []\n',
    )
    calendar = load_work_calendar(path)
    assert calendar.fixed == {(1, 1), (9, 2)}
    assert calendar.dated == {D(2015, 2, 16), D(2015, 2, 17)}


def test_empty_file_is_a_weekend_only_calendar(tmp_path: Path) -> None:
    assert load_work_calendar(write(tmp_path, "")) == WorkCalendar()


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        pytest.param('fixed = ["02-30"]', "02-30", id="month-day-does-not-exist"),
        pytest.param('fixed = ["2-3"]', "'2-3'", id="month-day-not-padded"),
        pytest.param("fixed = [101]", "101", id="month-day-not-a-string"),
        pytest.param('fixed = "01-01"', "'fixed' must be a list", id="fixed-not-a-list"),
        pytest.param('[years]\n2015 = ["2015-02-30"]', "'2015-02-30'", id="bad-date"),
        pytest.param('[years]\n2015 = ["2015-2-16"]', "'2015-2-16'", id="date-not-padded"),
        pytest.param('[years]\n2015 = ["20150216"]', "'20150216'", id="basic-iso-format"),
        pytest.param('[years]\n2015 = ["2016-02-16"]', "2016-02-16 is not in 2015", id="date-in-other-year"),
        pytest.param("[years]\n2015 = [2015-02-16T08:00:00]", "2015-02-16 08:00:00", id="datetime"),
        pytest.param('[years]\nabc = ["2015-02-16"]', "'abc' is not a four-digit year", id="year-key"),
        pytest.param('[years]\n2015 = "2015-02-16"', "years.2015 must be a list", id="year-not-a-list"),
        pytest.param('years = ["2015-02-16"]', "'years' must be a table", id="years-not-a-table"),
        pytest.param('fixed = []\nholidays = ["01-01"]', "unknown key(s) holidays", id="unknown-key"),
        pytest.param("fixed = [", "not valid TOML", id="broken-toml"),
    ],
)
def test_bad_file_names_the_file_and_the_entry(tmp_path: Path, text: str, entry: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(WorkCalendarError) as raised:
        load_work_calendar(path)
    assert str(path) in str(raised.value)
    assert entry in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_work_calendar(tmp_path / "missing.toml")
