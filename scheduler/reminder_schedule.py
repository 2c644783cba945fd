"""When the reminders for one deadline go out: nominal offsets from the due date, moved onto working days.

Pure date arithmetic, no I/O.  The job runner asks two questions, "what is the latest reminder that should
already have gone out?" (``latest_occurrence``) and "when is the next one?" (``next_occurrence``).  Both
answer in time proportional to the number of configured offsets, never to the age of the deadline: a 2013
deadline checked in 2026 has hundreds of weekly overdue repeats, and we compute the right one directly.

Shifting rules (why: an office does not read Telegram on Sunday or during Tết):
* a reminder on or before the due date moves back to the previous working day, so it still comes in time;
* an overdue reminder also moves back, unless that would put it on or before the due date - an "overdue"
  message before the deadline has passed would be false - in which case it moves forward instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from scheduler.work_calendar import WorkCalendar

LOCAL_TZ: Final[ZoneInfo] = ZoneInfo("Asia/Ho_Chi_Minh")
_UTC: Final = dt.UTC


class Purpose(StrEnum):
    """Who the reminder is for; each purpose has its own offsets."""

    ACTION = "action"  # the responsible department: the full ladder, then weekly while overdue
    FYI = "fyi"  # coordinating departments: a short heads-up only
    ESCALATION = "escalation"  # the supervisor: once, on the first overdue day


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """Offsets (in days) and the local hour at which reminders go out."""

    days_before: tuple[int, ...] = (30, 7, 3, 1, 0)  # 0 = on the due day
    days_after: tuple[int, ...] = (1, 7)  # overdue
    repeat_every_days: int = 7  # then weekly after the last days_after, forever (the caller stops it)
    fyi_days_before: tuple[int, ...] = (7,)  # coordinating departments get a short FYI only at these
    send_time: dt.time = dt.time(8, 0)  # local wall-clock time, naive
    grace: dt.timedelta = dt.timedelta(days=3)  # catch-up window after downtime (used by callers)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    tz: ZoneInfo = LOCAL_TZ

    def __post_init__(self) -> None:
        # Accept lists from config files, but store tuples so the policy stays hashable.
        for name in ("days_before", "days_after", "fyi_days_before"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _check_days("days_before", self.days_before, minimum=0)
        _check_days("fyi_days_before", self.fyi_days_before, minimum=0)
        _check_days("days_after", self.days_after, minimum=1)
        if not self.days_after:
            raise ValueError("days_after must not be empty: escalation and the weekly repeat start from it")
        if list(self.days_after) != sorted(self.days_after):
            raise ValueError(f"days_after must be sorted ascending, got {self.days_after}")
        if self.repeat_every_days < 1:
            raise ValueError(f"repeat_every_days must be at least 1, got {self.repeat_every_days}")
        if self.send_time.tzinfo is not None:
            raise ValueError("send_time must be naive: it is read in the policy's tz")
        if self.grace < dt.timedelta(0):
            raise ValueError(f"grace must not be negative, got {self.grace}")


def _check_days(name: str, days: tuple[int, ...], *, minimum: int) -> None:
    for value in days:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must hold whole numbers of days, got {value!r}")
        if value < minimum:
            raise ValueError(f"{name} values must be >= {minimum}, got {value}")
    if len(set(days)) != len(days):
        raise ValueError(f"{name} has duplicates: {days}")


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One reminder: when it goes out, and which nominal offset from the due date it stands for."""

    at: dt.datetime  # aware, UTC
    offset_days: int  # nominal offset relative to the due date: -30, -7, -3, -1, 0, 1, 7, 14, 21, ...
    send_on: dt.date  # local date it goes out, after the working-day shift


def days_left(due: dt.date, occurrence: Occurrence) -> int:
    """Days from the send date to the due date as the reader sees them (negative when overdue)."""
    return (due - occurrence.send_on).days


def local_send_time(day: dt.date, policy: ReminderPolicy) -> dt.datetime:
    """``policy.send_time`` on ``day`` in the policy's zone, as an aware UTC datetime."""
    return dt.datetime.combine(day, policy.send_time, tzinfo=policy.tz).astimezone(_UTC)


def send_date(due: dt.date, offset_days: int, calendar: WorkCalendar) -> dt.date:
    """The working day on which the reminder for ``due + offset_days`` goes out (see the module rules)."""
    nominal = due + dt.timedelta(days=offset_days)
    earlier = calendar.previous_working_day(nominal)
    if offset_days <= 0 or earlier > due:
        return earlier
    return calendar.next_working_day(nominal)


def _occurrence(due: dt.date, offset_days: int, policy: ReminderPolicy) -> Occurrence:
    day = send_date(due, offset_days, policy.calendar)
    return Occurrence(at=local_send_time(day, policy), offset_days=offset_days, send_on=day)


# --- offsets -------------------------------------------------------------------------------


def _fixed_offsets(policy: ReminderPolicy, purpose: Purpose) -> list[int]:
    """The finite offsets of a purpose, ascending; ACTION adds the endless repeats on top."""
    if purpose is Purpose.ACTION:
        return sorted({-d for d in policy.days_before} | set(policy.days_after))
    if purpose is Purpose.FYI:
        return sorted({-d for d in policy.fyi_days_before})
    return [policy.days_after[0]]


def _repeats(purpose: Purpose) -> bool:
    return purpose is Purpose.ACTION


def _repeat_offset(policy: ReminderPolicy, k: int) -> int:
    """Offset of the k-th weekly (k >= 1) repeat after the last days_after reminder."""
    return policy.days_after[-1] + k * policy.repeat_every_days


def _repeat(due: dt.date, policy: ReminderPolicy, k: int) -> Occurrence:
    return _occurrence(due, _repeat_offset(policy, k), policy)


def _estimated_repeat(due: dt.date, policy: ReminderPolicy, moment: dt.datetime) -> int:
    """The repeat whose nominal date is about ``moment``'s local date; callers then walk a few steps.

    Send dates never move more than MAX_NON_WORKING_RUN days from their nominal date, so the walk is
    bounded by that run divided by the repeat interval, whatever the age of the deadline.
    """
    local_day = moment.astimezone(policy.tz).date()
    first = due + dt.timedelta(days=policy.days_after[-1])
    return max(1, (local_day - first).days // policy.repeat_every_days)


def _latest_repeat(due: dt.date, policy: ReminderPolicy, now: dt.datetime) -> Occurrence | None:
    """The last repeat with ``at <= now``.  Send dates never decrease with k, so we can walk."""
    k = _estimated_repeat(due, policy, now)
    while _repeat(due, policy, k + 1).at <= now:
        k += 1
    while k >= 1 and _repeat(due, policy, k).at > now:
        k -= 1
    return _repeat(due, policy, k) if k >= 1 else None


def _next_repeat(due: dt.date, policy: ReminderPolicy, after: dt.datetime) -> Occurrence:
    """The first repeat with ``at > after``, or the later repeat that shares its send date."""
    k = _estimated_repeat(due, policy, after)
    while k > 1 and _repeat(due, policy, k - 1).at > after:
        k -= 1
    while _repeat(due, policy, k).at <= after:
        k += 1
    found = _repeat(due, policy, k)
    while (following := _repeat(due, policy, k + 1)).send_on == found.send_on:
        found, k = following, k + 1
    return found


def _deduplicated(candidates: Iterable[Occurrence]) -> list[Occurrence]:
    """One reminder per send date, the one with the larger offset (closest to or after the due date)."""
    by_day: dict[dt.date, Occurrence] = {}
    for occurrence in candidates:
        kept = by_day.get(occurrence.send_on)
        if kept is None or occurrence.offset_days > kept.offset_days:
            by_day[occurrence.send_on] = occurrence
    return sorted(by_day.values())


# --- public API ----------------------------------------------------------------------------


def escalation_occurrence(due: dt.date, policy: ReminderPolicy) -> Occurrence:
    """The supervisor's single reminder, on the first overdue reminder day (``days_after[0]``)."""
    return _occurrence(due, policy.days_after[0], policy)


def occurrences(
    due: dt.date,
    policy: ReminderPolicy,
    until: dt.date,
    *,
    purpose: Purpose = Purpose.ACTION,
) -> list[Occurrence]:
    """Every reminder with ``send_on <= until``, strictly increasing in ``at`` (iterates the repeats)."""

    def candidates() -> Iterator[Occurrence]:
        for offset in _fixed_offsets(policy, purpose):
            yield _occurrence(due, offset, policy)
        if not _repeats(purpose):
            return
        k = 1
        while (repeat := _repeat(due, policy, k)).send_on <= until:
            yield repeat
            k += 1

    return [o for o in _deduplicated(candidates()) if o.send_on <= until]


def latest_occurrence(
    due: dt.date,
    policy: ReminderPolicy,
    now: dt.datetime,
    *,
    purpose: Purpose = Purpose.ACTION,
) -> Occurrence | None:
    """The most recent reminder that should have gone out by ``now`` (aware), or None if none yet."""
    _require_aware(now, "now")
    found = [o for o in (_occurrence(due, off, policy) for off in _fixed_offsets(policy, purpose)) if o.at <= now]
    if _repeats(purpose) and (repeat := _latest_repeat(due, policy, now)) is not None:
        found.append(repeat)
    # Largest `at`, and on a shared send date the larger offset: exactly what occurrences() keeps.
    return max(found, default=None)


def next_occurrence(
    due: dt.date,
    policy: ReminderPolicy,
    after: dt.datetime,
    *,
    purpose: Purpose = Purpose.ACTION,
) -> Occurrence | None:
    """The first reminder strictly after ``after`` (aware), or None when the purpose has no more."""
    _require_aware(after, "after")
    found = [o for o in (_occurrence(due, off, policy) for off in _fixed_offsets(policy, purpose)) if o.at > after]
    if _repeats(purpose):
        found.append(_next_repeat(due, policy, after))
    if not found:
        return None
    first_at = min(o.at for o in found)
    return max(o for o in found if o.at == first_at)


def _require_aware(moment: dt.datetime, name: str) -> None:
    """Naive datetimes would be read in the server's zone and shift reminders by hours."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
