"""When the planning office's digests are due (pure date arithmetic)."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.digest_schedule import (
    DigestPolicy,
    after_deadline_at,
    compile_due,
    compile_subject,
    latest_weekly,
)
from scheduler.reminder_schedule import LOCAL_TZ
from scheduler.work_calendar import load_work_calendar

POLICY = DigestPolicy(calendar=load_work_calendar())


def local(year: int, month: int, day: int, hour: int = 8, minute: int = 30) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(dt.UTC)


def test_the_weekly_slot_is_monday_at_eight_and_named_by_iso_week() -> None:
    slot = latest_weekly(POLICY, local(2015, 12, 14))
    assert slot is not None
    assert (slot.subject, slot.at) == ("2015-W51", local(2015, 12, 14, 8, 0))
    assert latest_weekly(POLICY, local(2015, 12, 14, 7, 59)) is None  # last week's slot is past the grace
    later = latest_weekly(POLICY, local(2015, 12, 16))
    assert later is not None
    assert later.subject == "2015-W51"  # a bot that was down on Monday still sends it on Wednesday
    assert latest_weekly(POLICY, local(2015, 12, 18)) is None  # but not four days late


def test_another_weekday_and_time() -> None:
    friday = DigestPolicy(weekday=4, send_time=dt.time(16, 30))
    slot = latest_weekly(friday, local(2015, 12, 18, 17, 0))
    assert slot is not None
    assert slot.at == local(2015, 12, 18, 16, 30)
    with pytest.raises(ValueError, match="weekday"):
        DigestPolicy(weekday=7)


def test_the_day_after_report_skips_weekends_and_holidays() -> None:
    assert after_deadline_at(dt.date(2015, 12, 15), POLICY) == local(2015, 12, 16, 8, 0)
    assert after_deadline_at(dt.date(2015, 12, 18), POLICY) == local(2015, 12, 21, 8, 0)  # Friday → Monday
    assert after_deadline_at(dt.date(2015, 12, 31), POLICY) == local(2016, 1, 4, 8, 0)  # 01/01 holiday, weekend


def test_the_compile_goes_out_after_the_deadline_then_on_changes_once_a_day() -> None:
    due = dt.date(2015, 12, 15)
    assert not compile_due(due, POLICY, local(2015, 12, 16, 7, 0), last_sent=None, last_change=None)
    assert compile_due(due, POLICY, local(2015, 12, 16), last_sent=None, last_change=None)
    sent = local(2015, 12, 16)
    assert not compile_due(due, POLICY, local(2015, 12, 17), last_sent=sent, last_change=local(2015, 12, 15))
    assert compile_due(due, POLICY, local(2015, 12, 17), last_sent=sent, last_change=local(2015, 12, 16, 10))
    # Installed a month late: no first compile, but a change still sends it.
    assert not compile_due(due, POLICY, local(2016, 1, 20), last_sent=None, last_change=local(2015, 12, 1))
    assert compile_due(due, POLICY, local(2016, 1, 20), last_sent=None, last_change=local(2016, 1, 19))
    assert compile_subject(2015, dt.date(2015, 12, 17)) == "2015:2015-12-17"
