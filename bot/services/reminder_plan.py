"""Which reminders are due right now, and to whom: a pure function over what the round loaded.

For every department and every deadline it has not delivered (in a year that is not locked):

* the lead department's officers (and every reporter, for the yearly report of section IV.3)
  get an action reminder at the latest scheduled occurrence not after ``now``;
* coordinating departments get a short FYI, only at the FYI offsets before the deadline;
* from the first overdue day the planning office's admins get one escalation per deadline,
  listing every lead department that has not delivered (registered officers or not).

Only the latest occurrence counts: a reminder superseded by a newer one is never sent late.
An occurrence older than the grace window (the bot was down, or the officer joined since)
is marked ``folded``: it goes out inside one short catch-up message instead of one each.
The send log's unique key then makes each of them go out at most once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.services.deadline_view import DueItem
from scheduler.reminder_schedule import (
    Occurrence,
    Purpose,
    ReminderPolicy,
    escalation_occurrence,
    latest_occurrence,
)
from storage.enums import DepartmentRole, SendPurpose
from storage.repositories.reminders import SendKey


@dataclass(frozen=True, slots=True)
class Recipient:
    """An officer who can be written to (active, not known to have blocked the bot)."""

    officer_id: int
    telegram_user_id: int
    full_name: str
    locale: str | None
    department_code: str


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One row of the send log to claim, with what the message will say."""

    key: SendKey
    due_at: dt.datetime
    recipient: Recipient
    item: DueItem
    folded: bool


@dataclass(frozen=True, slots=True)
class PlannedEscalation:
    key: SendKey
    due_at: dt.datetime
    recipient: Recipient
    item: DueItem  # the deadline as one of the late departments sees it (title, due date)
    late_departments: tuple[str, ...]
    folded: bool


@dataclass(frozen=True, slots=True)
class DueSnooze:
    deadline_id: int
    officer_id: int
    remind_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RoundPlan:
    reminders: tuple[PlannedReminder, ...] = ()
    escalations: tuple[PlannedEscalation, ...] = ()

    @property
    def keys(self) -> list[SendKey]:
        return [r.key for r in self.reminders] + [e.key for e in self.escalations]


class _Dates:
    """The schedule maths once per (due date, purpose) within a round: thousands of items share ~30 dates."""

    def __init__(self, policy: ReminderPolicy, now: dt.datetime) -> None:
        self.policy, self.now = policy, now
        self._latest: dict[tuple[dt.date, Purpose], Occurrence | None] = {}
        self._escalation: dict[dt.date, Occurrence] = {}

    def latest(self, due: dt.date, purpose: Purpose) -> Occurrence | None:
        key = (due, purpose)
        if key not in self._latest:
            self._latest[key] = latest_occurrence(due, self.policy, self.now, purpose=purpose)
        return self._latest[key]

    def escalation(self, due: dt.date) -> Occurrence:
        if due not in self._escalation:
            self._escalation[due] = escalation_occurrence(due, self.policy)
        return self._escalation[due]


def _is_lead(item: DueItem) -> bool:
    """The yearly report (role None) binds every reporter like a lead."""
    return item.role is not DepartmentRole.COORDINATOR


def _open(item: DueItem, locked_years: frozenset[int]) -> bool:
    return not item.delivered and item.period_year not in locked_years


def _department_reminders(
    items: Sequence[DueItem],
    recipients: Sequence[Recipient],
    dates: _Dates,
    locked_years: frozenset[int],
) -> list[PlannedReminder]:
    policy, now = dates.policy, dates.now
    planned: list[PlannedReminder] = []
    for item in items:
        if not _open(item, locked_years):
            continue
        lead = _is_lead(item)
        purpose = SendPurpose.ACTION if lead else SendPurpose.FYI
        occurrence = dates.latest(item.due_on, Purpose.ACTION if lead else Purpose.FYI)
        if occurrence is None:
            continue
        folded = now - occurrence.at > policy.grace
        if folded and not lead:
            continue  # an FYI is only worth reading on time
        planned += [
            PlannedReminder(
                SendKey(item.deadline_id, recipient.officer_id, occurrence.offset_days, purpose),
                occurrence.at,
                recipient,
                item,
                folded,
            )
            for recipient in recipients
        ]
    return planned


def _snoozed(
    snoozes: Iterable[DueSnooze],
    items_by_department: Mapping[str, Sequence[DueItem]],
    recipients_by_officer: Mapping[int, Recipient],
    policy: ReminderPolicy,
    locked_years: frozenset[int],
) -> list[PlannedReminder]:
    """ "Nhắc lại sau": the same reminder again, unless the department has delivered since."""
    planned: list[PlannedReminder] = []
    for snooze in snoozes:
        recipient = recipients_by_officer.get(snooze.officer_id)
        if recipient is None:
            continue
        items = items_by_department.get(recipient.department_code, ())
        item = next((i for i in items if i.deadline_id == snooze.deadline_id), None)
        if item is None or not _open(item, locked_years):
            continue
        offset = (snooze.remind_at.astimezone(policy.tz).date() - item.due_on).days
        key = SendKey(item.deadline_id, recipient.officer_id, offset, SendPurpose.SNOOZE)
        planned.append(PlannedReminder(key, snooze.remind_at, recipient, item, folded=False))
    return planned


def _escalations(
    items_by_department: Mapping[str, Sequence[DueItem]],
    escalation_recipients: Sequence[Recipient],
    already_escalated: frozenset[int],
    dates: _Dates,
    locked_years: frozenset[int],
) -> list[PlannedEscalation]:
    policy, now = dates.policy, dates.now
    late: defaultdict[int, list[str]] = defaultdict(list)
    example: dict[int, DueItem] = {}
    for code, items in items_by_department.items():
        for item in items:
            if item.deadline_id in already_escalated or not _is_lead(item) or not _open(item, locked_years):
                continue
            if dates.escalation(item.due_on).at <= now:
                late[item.deadline_id].append(code)
                example.setdefault(item.deadline_id, item)
    planned: list[PlannedEscalation] = []
    for deadline_id in sorted(late, key=lambda d: (example[d].due_on, d)):
        item = example[deadline_id]
        occurrence = dates.escalation(item.due_on)
        folded = now - occurrence.at > policy.grace
        planned += [
            PlannedEscalation(
                SendKey(deadline_id, recipient.officer_id, occurrence.offset_days, SendPurpose.ESCALATION),
                occurrence.at,
                recipient,
                item,
                tuple(sorted(late[deadline_id])),
                folded,
            )
            for recipient in escalation_recipients
        ]
    return planned


def plan_round(
    items_by_department: Mapping[str, Sequence[DueItem]],
    recipients_by_department: Mapping[str, Sequence[Recipient]],
    escalation_recipients: Sequence[Recipient],
    *,
    policy: ReminderPolicy,
    now: dt.datetime,
    locked_years: Iterable[int] = (),
    snoozes: Iterable[DueSnooze] = (),
    already_escalated: Iterable[int] = (),
) -> RoundPlan:
    """Everything due at ``now``; the caller claims the keys and sends what it won."""
    locked = frozenset(locked_years)
    dates = _Dates(policy, now)
    reminders: list[PlannedReminder] = []
    for code, recipients in recipients_by_department.items():
        if recipients:
            reminders += _department_reminders(items_by_department.get(code, ()), recipients, dates, locked)
    by_officer = {r.officer_id: r for recipients in recipients_by_department.values() for r in recipients}
    reminders += _snoozed(snoozes, items_by_department, by_officer, policy, locked)
    escalations = _escalations(items_by_department, escalation_recipients, frozenset(already_escalated), dates, locked)
    return RoundPlan(tuple(reminders), tuple(escalations))
