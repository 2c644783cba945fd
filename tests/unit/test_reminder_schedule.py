"""Reminder dates against the Vietnamese calendar, with exact local dates and UTC instants."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.reminder_schedule import (
    LOCAL_TZ,
    Occurrence,
    Purpose,
    ReminderPolicy,
    days_left,
    escalation_occurrence,
    latest_occurrence,
    local_send_time,
    next_occurrence,
    occurrences,
    send_date,
)
from scheduler.work_calendar import WorkCalendar, load_work_calendar

D = dt.date
UTC = dt.UTC
CALENDAR = load_work_calendar()
POLICY = ReminderPolicy(calendar=CALENDAR)
FAR = D(2100, 1, 1)


def local(year: int, month: int, day: int, hour: int = 8, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)


def utc(year: int, month: int, day: int, hour: int = 1, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def schedule(
    due: dt.date, until: dt.date, policy: ReminderPolicy = POLICY, purpose: Purpose = Purpose.ACTION
) -> list[tuple[int, dt.date]]:
    return [(o.offset_days, o.send_on) for o in occurrences(due, policy, until, purpose=purpose)]


def brute_latest(due: dt.date, policy: ReminderPolicy, now: dt.datetime, purpose: Purpose) -> Occurrence | None:
    until = now.astimezone(UTC).date() + dt.timedelta(days=1)
    return max((o for o in occurrences(due, policy, until, purpose=purpose) if o.at <= now), default=None)


def brute_next(due: dt.date, policy: ReminderPolicy, after: dt.datetime, purpose: Purpose) -> Occurrence | None:
    until = after.astimezone(UTC).date() + dt.timedelta(days=policy.repeat_every_days + 90)
    return min((o for o in occurrences(due, policy, until, purpose=purpose) if o.at > after), default=None)


# --- send times ----------------------------------------------------------------------------


def test_local_send_time_is_eight_in_hanoi_as_utc() -> None:
    at = local_send_time(D(2015, 11, 13), POLICY)
    assert at == utc(2015, 11, 13, 1)
    assert at.tzinfo is UTC


def test_local_send_time_follows_the_policy_zone() -> None:
    berlin = ReminderPolicy(tz=ZoneInfo("Europe/Berlin"), send_time=dt.time(9, 30))
    assert local_send_time(D(2015, 1, 15), berlin) == utc(2015, 1, 15, 8, 30)  # CET
    assert local_send_time(D(2015, 7, 15), berlin) == utc(2015, 7, 15, 7, 30)  # CEST


# --- the default ladder --------------------------------------------------------------------


def test_minus_thirty_on_sunday_goes_out_on_friday() -> None:
    # Due Tuesday 2015-12-15: -30 is Sunday 2015-11-15, so Friday 2015-11-13 at 08:00 local = 01:00 UTC.
    first = occurrences(D(2015, 12, 15), POLICY, D(2015, 11, 30))
    assert first == [Occurrence(at=utc(2015, 11, 13, 1), offset_days=-30, send_on=D(2015, 11, 13))]


def test_full_ladder_for_a_tuesday_deadline() -> None:
    assert schedule(D(2015, 12, 15), D(2016, 1, 31)) == [
        (-30, D(2015, 11, 13)),  # Sunday -> Friday
        (-7, D(2015, 12, 8)),
        (-3, D(2015, 12, 11)),  # Saturday -> Friday
        (-1, D(2015, 12, 14)),
        (0, D(2015, 12, 15)),
        (1, D(2015, 12, 16)),
        (7, D(2015, 12, 22)),
        (14, D(2015, 12, 29)),
        (21, D(2016, 1, 5)),
        (28, D(2016, 1, 12)),
        (35, D(2016, 1, 19)),
        (42, D(2016, 1, 26)),
    ]


def test_overdue_on_saturday_after_a_friday_deadline_waits_for_monday() -> None:
    # Friday 2015-12-18: +1 is Saturday; Friday would be the due day itself, so Monday.
    assert schedule(D(2015, 12, 18), D(2015, 12, 25))[-3:] == [
        (0, D(2015, 12, 18)),
        (1, D(2015, 12, 21)),
        (7, D(2015, 12, 25)),
    ]


def test_overdue_on_a_weekend_well_after_the_deadline_moves_back() -> None:
    policy = ReminderPolicy(days_before=(), days_after=(4,), calendar=CALENDAR)
    # Due Tuesday 2015-12-15: +4 is Saturday 19th, Friday 18th is already overdue.
    assert schedule(D(2015, 12, 15), D(2015, 12, 18), policy) == [(4, D(2015, 12, 18))]


def test_due_on_a_sunday_is_reminded_on_friday() -> None:
    assert schedule(D(2013, 12, 15), D(2013, 12, 16))[-2:] == [(0, D(2013, 12, 13)), (1, D(2013, 12, 16))]


def test_reminders_sharing_a_day_keep_the_one_closest_to_the_deadline() -> None:
    # Due Monday 2015-12-14: -1 (Sunday), -2 (Saturday) and -3 (Friday) all go out on Friday 11th.
    policy = ReminderPolicy(days_before=(3, 2, 1, 0), calendar=CALENDAR)
    assert schedule(D(2015, 12, 14), D(2015, 12, 14), policy) == [(-1, D(2015, 12, 11)), (0, D(2015, 12, 14))]


def test_holidays_of_30_april_and_1_may_next_to_a_weekend() -> None:
    # Due Monday 2015-05-04. Sun 3, Sat 2, Fri 1/5, Thu 30/4, Wed 29/4 (bridge), Tue 28/4 (Giỗ Tổ) are off:
    # -1, -3 and -7 all land on Monday 27/04 and only -1 survives.
    assert schedule(D(2015, 5, 4), D(2015, 5, 4)) == [
        (-30, D(2015, 4, 3)),
        (-1, D(2015, 4, 27)),
        (0, D(2015, 5, 4)),
    ]


def test_tet_pulls_reminders_before_the_holiday_and_pushes_overdue_after_it() -> None:
    # Due Friday 2015-02-13, the last working day before Tết Ất Mùi (16/02 - 24/02).
    assert schedule(D(2015, 2, 13), D(2015, 3, 6)) == [
        (-30, D(2015, 1, 14)),
        (-7, D(2015, 2, 6)),
        (-3, D(2015, 2, 10)),
        (-1, D(2015, 2, 12)),
        (0, D(2015, 2, 13)),
        # +1 (Saturday) and +7 (Tết) would fall back onto the due day: both move to Wednesday 25/02, +7 kept.
        (7, D(2015, 2, 25)),
        (14, D(2015, 2, 27)),
        (21, D(2015, 3, 6)),
    ]


def test_deadline_right_after_tet() -> None:
    # Due Wednesday 2015-02-25, the first working day after Tết: -7, -3, -1 all go out on Friday 13/02.
    assert schedule(D(2015, 2, 25), D(2015, 2, 25))[1:] == [(-1, D(2015, 2, 13)), (0, D(2015, 2, 25))]


def test_occurrences_are_strictly_increasing_and_utc() -> None:
    listed = occurrences(D(2014, 1, 31), POLICY, D(2016, 1, 1))
    assert all(a.at < b.at for a, b in itertools.pairwise(listed))
    assert all(o.at.tzinfo is UTC for o in listed)
    assert all(CALENDAR.is_working_day(o.send_on) for o in listed)


def test_until_before_the_first_reminder_is_empty() -> None:
    assert occurrences(D(2015, 12, 15), POLICY, D(2015, 11, 12)) == []


def test_days_left() -> None:
    due = D(2015, 12, 15)
    by_offset = {o.offset_days: o for o in occurrences(due, POLICY, D(2015, 12, 31))}
    assert days_left(due, by_offset[-3]) == 4  # Friday 11th, the deadline is four days away
    assert days_left(due, by_offset[0]) == 0
    assert days_left(due, by_offset[7]) == -7


def test_send_date_directly() -> None:
    assert send_date(D(2015, 12, 18), 1, CALENDAR) == D(2015, 12, 21)
    assert send_date(D(2015, 12, 18), 0, CALENDAR) == D(2015, 12, 18)
    assert send_date(D(2015, 12, 15), -30, CALENDAR) == D(2015, 11, 13)


# --- latest / next -------------------------------------------------------------------------


def test_latest_occurrence_at_the_minute_of_sending() -> None:
    due = D(2015, 12, 15)
    before = latest_occurrence(due, POLICY, local(2015, 12, 15, 7, 59))
    at_eight = latest_occurrence(due, POLICY, local(2015, 12, 15, 8, 0))
    assert before is not None
    assert (before.offset_days, before.send_on) == (-1, D(2015, 12, 14))
    assert at_eight is not None
    assert (at_eight.offset_days, at_eight.send_on, at_eight.at) == (0, due, utc(2015, 12, 15, 1))


def test_latest_occurrence_before_the_first_reminder_is_none() -> None:
    assert latest_occurrence(D(2015, 12, 15), POLICY, local(2015, 11, 13, 7, 59)) is None
    first = latest_occurrence(D(2015, 12, 15), POLICY, local(2015, 11, 13, 8, 0))
    assert first is not None
    assert first.offset_days == -30


def test_latest_occurrence_of_a_2013_deadline_in_2026() -> None:
    due = D(2013, 12, 15)  # a Sunday: every weekly repeat's nominal day is a Sunday, sent on the Friday before
    now = local(2026, 3, 10, 10)
    latest = latest_occurrence(due, POLICY, now)
    assert latest is not None
    assert latest.send_on == D(2026, 3, 6)
    assert latest.offset_days == (D(2026, 3, 8) - due).days
    assert latest == brute_latest(due, POLICY, now, Purpose.ACTION)
    assert len(occurrences(due, POLICY, now.date())) > 600  # the brute force had hundreds to scan


class CountingCalendar(WorkCalendar):
    """Counts working-day checks, to prove the lookup does not walk the years week by week."""

    checks = 0

    def is_working_day(self, day: dt.date) -> bool:
        CountingCalendar.checks += 1
        return WorkCalendar.is_working_day(self, day)


def test_latest_and_next_do_not_scan_the_years() -> None:
    calendar = CountingCalendar(fixed=CALENDAR.fixed, dated=CALENDAR.dated)
    policy = ReminderPolicy(calendar=calendar)
    CountingCalendar.checks = 0
    latest_occurrence(D(2013, 12, 15), policy, local(2026, 3, 10, 10))
    next_occurrence(D(2013, 12, 15), policy, local(2026, 3, 10, 10))
    assert CountingCalendar.checks < 100


def test_next_occurrence() -> None:
    due = D(2015, 12, 15)
    assert next_occurrence(due, POLICY, local(2015, 1, 1)) == Occurrence(utc(2015, 11, 13), -30, D(2015, 11, 13))
    on_due_day = next_occurrence(due, POLICY, local(2015, 12, 15, 7, 59))
    assert on_due_day is not None
    assert on_due_day.offset_days == 0
    after_due_day = next_occurrence(due, POLICY, local(2015, 12, 15, 8, 0))
    assert after_due_day is not None
    assert (after_due_day.offset_days, after_due_day.send_on) == (1, D(2015, 12, 16))


def test_next_occurrence_of_an_old_deadline() -> None:
    due = D(2013, 12, 15)
    after = local(2026, 3, 6, 8, 0)
    found = next_occurrence(due, POLICY, after)
    assert found is not None
    assert found.send_on == D(2026, 3, 13)
    assert found == brute_next(due, POLICY, after, Purpose.ACTION)


def test_next_occurrence_skips_to_the_kept_twin() -> None:
    # Due 2015-02-13: +1 and +7 share Wednesday 25/02; the next reminder is the +7 one.
    found = next_occurrence(D(2015, 2, 13), POLICY, local(2015, 2, 13, 9))
    assert found is not None
    assert (found.offset_days, found.send_on) == (7, D(2015, 2, 25))


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        latest_occurrence(D(2015, 12, 15), POLICY, dt.datetime(2015, 12, 15, 8))
    with pytest.raises(ValueError, match="after must be timezone-aware"):
        next_occurrence(D(2015, 12, 15), POLICY, dt.datetime(2015, 12, 15, 8))


# --- FYI and escalation --------------------------------------------------------------------


def test_fyi_only_at_its_own_offsets() -> None:
    assert schedule(D(2015, 12, 15), FAR, purpose=Purpose.FYI) == [(-7, D(2015, 12, 8))]
    policy = ReminderPolicy(fyi_days_before=(7, 3), calendar=CALENDAR)
    assert schedule(D(2015, 12, 15), FAR, policy, Purpose.FYI) == [(-7, D(2015, 12, 8)), (-3, D(2015, 12, 11))]


def test_fyi_next_and_latest() -> None:
    due = D(2015, 12, 15)
    assert next_occurrence(due, POLICY, local(2015, 12, 8, 8), purpose=Purpose.FYI) is None
    fyi = next_occurrence(due, POLICY, local(2015, 12, 8, 7, 59), purpose=Purpose.FYI)
    assert fyi is not None
    assert fyi.send_on == D(2015, 12, 8)
    assert latest_occurrence(due, POLICY, local(2030, 1, 1), purpose=Purpose.FYI) == fyi


def test_escalation_is_the_first_overdue_day() -> None:
    escalation = escalation_occurrence(D(2015, 12, 18), POLICY)  # Friday: +1 is Saturday -> Monday
    assert escalation == Occurrence(utc(2015, 12, 21), 1, D(2015, 12, 21))
    assert occurrences(D(2015, 12, 18), POLICY, FAR, purpose=Purpose.ESCALATION) == [escalation]
    assert latest_occurrence(D(2015, 12, 18), POLICY, local(2015, 12, 21, 7), purpose=Purpose.ESCALATION) is None
    assert latest_occurrence(D(2015, 12, 18), POLICY, local(2026, 1, 1), purpose=Purpose.ESCALATION) == escalation
    assert next_occurrence(D(2015, 12, 18), POLICY, local(2015, 12, 1), purpose=Purpose.ESCALATION) == escalation
    assert next_occurrence(D(2015, 12, 18), POLICY, local(2015, 12, 21), purpose=Purpose.ESCALATION) is None


def test_escalation_uses_the_first_days_after() -> None:
    policy = ReminderPolicy(days_after=(3, 10), calendar=CALENDAR)
    assert escalation_occurrence(D(2015, 12, 15), policy).send_on == D(2015, 12, 18)


# --- policy validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"days_before": (7, -1)}, "days_before values must be >= 0", id="negative-before"),
        pytest.param({"days_before": (7, 7)}, "days_before has duplicates", id="duplicate-before"),
        pytest.param({"fyi_days_before": (-7,)}, "fyi_days_before values must be >= 0", id="negative-fyi"),
        pytest.param({"days_after": (0, 7)}, "days_after values must be >= 1", id="zero-after"),
        pytest.param({"days_after": (7, 1)}, "sorted ascending", id="unsorted-after"),
        pytest.param({"days_after": (1, 1)}, "days_after has duplicates", id="duplicate-after"),
        pytest.param({"days_after": ()}, "must not be empty", id="no-after"),
        pytest.param({"days_before": (1.5,)}, "whole numbers", id="fractional-day"),
        pytest.param({"days_before": (True,)}, "whole numbers", id="bool-day"),
        pytest.param({"repeat_every_days": 0}, "repeat_every_days must be at least 1", id="no-repeat"),
        pytest.param({"send_time": dt.time(8, tzinfo=UTC)}, "send_time must be naive", id="aware-time"),
        pytest.param({"grace": dt.timedelta(hours=-1)}, "grace must not be negative", id="negative-grace"),
    ],
)
def test_policy_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReminderPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_defaults_and_list_input() -> None:
    policy = ReminderPolicy(days_before=[7, 1], days_after=[2])  # type: ignore[arg-type]
    assert policy.days_before == (7, 1)
    assert policy.days_after == (2,)
    assert hash(policy) == hash(ReminderPolicy(days_before=(7, 1), days_after=(2,)))
    default = ReminderPolicy()
    assert (default.send_time, default.grace, default.tz) == (dt.time(8), dt.timedelta(days=3), LOCAL_TZ)
    assert default.calendar == WorkCalendar()
    assert Purpose("fyi") is Purpose.FYI


# --- properties ----------------------------------------------------------------------------

PROPERTY = settings(max_examples=150, deadline=None)


@st.composite
def policies(draw: st.DrawFn) -> ReminderPolicy:
    before = draw(st.sets(st.integers(0, 40), max_size=5))
    after = draw(st.sets(st.integers(1, 20), min_size=1, max_size=3))
    fyi = draw(st.sets(st.integers(0, 15), max_size=2))
    return ReminderPolicy(
        days_before=tuple(sorted(before, reverse=True)),
        days_after=tuple(sorted(after)),
        fyi_days_before=tuple(sorted(fyi, reverse=True)),
        repeat_every_days=draw(st.integers(1, 14)),
        send_time=draw(st.sampled_from([dt.time(8), dt.time(0), dt.time(23, 30)])),
        calendar=CALENDAR,
    )


@st.composite
def moments(draw: st.DrawFn, due: dt.date) -> dt.datetime:
    """Around the deadline, often exactly at a send-time boundary."""
    day = due + dt.timedelta(days=draw(st.integers(-45, 3 * 365)))
    time = draw(
        st.one_of(
            st.sampled_from([dt.time(7, 59, 59), dt.time(8), dt.time(8, 0, 1), dt.time(0), dt.time(23, 30)]),
            st.times(),
        )
    )
    return dt.datetime.combine(day, time, tzinfo=LOCAL_TZ)


dues = st.dates(min_value=D(2013, 1, 1), max_value=D(2028, 12, 31))


@PROPERTY
@given(data=st.data(), due=dues, policy=policies(), purpose=st.sampled_from(Purpose))
def test_latest_occurrence_matches_a_scan(
    data: st.DataObject, due: dt.date, policy: ReminderPolicy, purpose: Purpose
) -> None:
    now = data.draw(moments(due))
    assert latest_occurrence(due, policy, now, purpose=purpose) == brute_latest(due, policy, now, purpose)


@PROPERTY
@given(data=st.data(), due=dues, policy=policies(), purpose=st.sampled_from(Purpose))
def test_next_occurrence_matches_a_scan(
    data: st.DataObject, due: dt.date, policy: ReminderPolicy, purpose: Purpose
) -> None:
    after = data.draw(moments(due))
    assert next_occurrence(due, policy, after, purpose=purpose) == brute_next(due, policy, after, purpose)


@PROPERTY
@given(due=dues, policy=policies())
def test_schedule_invariants(due: dt.date, policy: ReminderPolicy) -> None:
    listed = occurrences(due, policy, due + dt.timedelta(days=120))
    assert all(a.at < b.at and a.offset_days < b.offset_days for a, b in itertools.pairwise(listed))
    for occurrence in listed:
        assert CALENDAR.is_working_day(occurrence.send_on)
        assert occurrence.at == local_send_time(occurrence.send_on, policy)
        if occurrence.offset_days > 0:
            assert occurrence.send_on > due  # never "overdue" before the deadline has passed
        else:
            assert occurrence.send_on <= due
