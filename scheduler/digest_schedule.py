"""When the planning office's digests are due: the weekly digest, the day after a deadline, the yearly compile.

Pure date arithmetic, no I/O. Each occurrence has a ``subject`` that names it in the digest send
log, so the same occurrence is claimed once per chat however many rounds or processes ask.

* weekly: every ``weekday`` at ``send_time`` (default Monday 08:00), subject the ISO week "2015-W47";
* after a deadline: at ``send_time`` on the first working day after the due date (a deadline on
  Friday is reported on Monday, not on Saturday), subject the due date "2015-12-15";
* the yearly compile: at the same moment after the yearly report deadline of section IV.3, subject
  "<year>:<local day>", so a later change of that year's figures sends it again at most once a day.

An occurrence is only sent while it is at most ``grace`` old: a bot that was down for a month
does not flood the office with stale digests when it comes back (the compile is always available
on demand with /tonghop).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final
from zoneinfo import ZoneInfo

from scheduler.work_calendar import WorkCalendar

LOCAL_TZ: Final[ZoneInfo] = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS_PER_WEEK: Final = 7


@dataclass(frozen=True, slots=True)
class DigestPolicy:
    weekday: int = 0  # Monday; datetime.weekday() numbering
    send_time: dt.time = dt.time(8, 0)  # local, naive
    window_days: int = 30  # the weekly digest looks this far ahead
    grace: dt.timedelta = dt.timedelta(days=3)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    tz: ZoneInfo = LOCAL_TZ

    def __post_init__(self) -> None:
        if not 0 <= self.weekday < DAYS_PER_WEEK:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.send_time.tzinfo is not None:
            raise ValueError("send_time must be naive: it is read in the policy's tz")
        if self.window_days < 1:
            raise ValueError(f"window_days must be at least 1, got {self.window_days}")

    def at(self, day: dt.date) -> dt.datetime:
        """``send_time`` on ``day`` in the policy's zone, as an aware UTC datetime."""
        return dt.datetime.combine(day, self.send_time, self.tz).astimezone(dt.UTC)

    def today(self, now: dt.datetime) -> dt.date:
        return now.astimezone(self.tz).date()

    def fresh(self, at: dt.datetime, now: dt.datetime) -> bool:
        """Due (``at`` has come) and not older than the grace window."""
        return at <= now <= at + self.grace


@dataclass(frozen=True, slots=True)
class WeeklySlot:
    subject: str  # ISO week, "2015-W47"
    at: dt.datetime


def latest_weekly(policy: DigestPolicy, now: dt.datetime) -> WeeklySlot | None:
    """The latest weekly slot at or before ``now``, if still within the grace window."""
    today = policy.today(now)
    day = today - dt.timedelta(days=(today.weekday() - policy.weekday) % DAYS_PER_WEEK)
    if policy.at(day) > now:
        day -= dt.timedelta(days=DAYS_PER_WEEK)
    at = policy.at(day)
    if not policy.fresh(at, now):
        return None
    year, week, _ = day.isocalendar()
    return WeeklySlot(f"{year}-W{week:02d}", at)


def after_deadline_at(due_on: dt.date, policy: DigestPolicy) -> dt.datetime:
    """The first working day after the due date, at the send time."""
    return policy.at(policy.calendar.next_working_day(due_on + dt.timedelta(days=1)))


def deadline_subject(due_on: dt.date) -> str:
    return due_on.isoformat()


def compile_subject(year: int, today: dt.date) -> str:
    return f"{year}:{today.isoformat()}"


def compile_due(
    annual_due: dt.date,
    policy: DigestPolicy,
    now: dt.datetime,
    *,
    last_sent: dt.datetime | None,
    last_change: dt.datetime | None,
) -> bool:
    """Whether the year's compile should go out now.

    First when the yearly report deadline has passed (within the grace window, and not sent yet);
    afterwards whenever a figure or report of the year came in after the last compile was sent.
    The subject carries the day, so this fires at most once a day.
    """
    first_at = after_deadline_at(annual_due, policy)
    if now < first_at:
        return False
    if last_sent is None:
        if policy.fresh(first_at, now):
            return True
        return last_change is not None and last_change > first_at
    return last_change is not None and last_change > last_sent
