"""plan_round, the pure heart of a reminder round: who is told what, at which occurrence, and when not.

Everything is hand-built: a holiday on Tuesday 8 December 2015 moves the -7 reminder of a
deadline due on Tuesday 15 December back to Monday the 7th, so the shift shows in the keys.
"""

from __future__ import annotations

import datetime as dt

from bot.plan.model import DeadlineKind
from bot.services.deadline_view import DueItem
from bot.services.reminder_plan import (
    DueSnooze,
    PlannedEscalation,
    PlannedReminder,
    Recipient,
    RoundPlan,
    plan_round,
)
from scheduler.reminder_schedule import LOCAL_TZ, ReminderPolicy
from scheduler.work_calendar import WorkCalendar
from storage.enums import DepartmentRole, SendPurpose, SubjectType
from storage.repositories.reminders import SendKey

D = dt.date
UTC = dt.UTC
HOLIDAY = D(2015, 12, 8)  # a Tuesday, declared a day off for these tests
POLICY = ReminderPolicy(calendar=WorkCalendar(dated=frozenset({HOLIDAY})))
DUE = D(2015, 12, 15)  # Tuesday
YEAR_END = D(2015, 12, 31)  # Thursday

# Send instants (08:00 in Asia/Ho_Chi_Minh is 01:00 UTC).
MINUS_7_AT = dt.datetime(2015, 12, 7, 1, 0, tzinfo=UTC)  # -7 falls on the holiday: Monday the 7th instead
MINUS_30_YEAR_END_AT = dt.datetime(2015, 12, 1, 1, 0, tzinfo=UTC)  # 31/12 - 30 = Tuesday 1 December
MINUS_1_AT = dt.datetime(2015, 12, 14, 1, 0, tzinfo=UTC)
PLUS_1_AT = dt.datetime(2015, 12, 16, 1, 0, tzinfo=UTC)  # the first overdue day: escalation day
PLUS_7_AT = dt.datetime(2015, 12, 22, 1, 0, tzinfo=UTC)

MONDAY_MORNING = dt.datetime(2015, 12, 7, 2, 0, tzinfo=UTC)  # 09:00 local, an hour after the -7 reminder

LAN = Recipient(11, 5011, "Lan", "vi", "SXD")
MAI = Recipient(12, 5012, "Mai", None, "SXD")
TU = Recipient(21, 5021, "Tú", "vi", "STC")
HUNG = Recipient(31, 5031, "Hùng", "vi", "SKHDT")  # a planning-office admin
NGA = Recipient(32, 5032, "Nga", "vi", "SKHDT")


def item(
    deadline_id: int,
    *,
    due: dt.date = DUE,
    role: DepartmentRole | None = DepartmentRole.LEAD,
    delivered: bool = False,
    year: int | None = None,
) -> DueItem:
    """A task deadline as one department sees it (role None: the yearly report of section IV.3)."""
    regime = role is None
    return DueItem(
        deadline_id=deadline_id,
        subject_type=SubjectType.REGIME if regime else SubjectType.TASK,
        kind=DeadlineKind.ANNUAL_REPORT,
        due_on=due,
        period_year=year or due.year,
        task_key=None if regime else "II.4",
        indicator_number=None,
        title="Báo cáo năm 2015" if regime else "Bảo vệ môi trường",
        role=role,
        delivered=delivered,
        days_left=0,  # not read by the planner
    )


def plan(
    items: dict[str, list[DueItem]],
    recipients: dict[str, list[Recipient]],
    now: dt.datetime,
    *,
    admins: tuple[Recipient, ...] = (),
    locked_years: tuple[int, ...] = (),
    snoozes: tuple[DueSnooze, ...] = (),
    already_escalated: tuple[int, ...] = (),
) -> RoundPlan:
    return plan_round(
        items,
        recipients,
        list(admins),
        policy=POLICY,
        now=now,
        locked_years=locked_years,
        snoozes=snoozes,
        already_escalated=already_escalated,
    )


def keys(result: RoundPlan) -> list[SendKey]:
    return result.keys


# --- the lead department --------------------------------------------------------------------


def test_the_lead_gets_an_action_at_the_latest_occurrence_moved_off_the_holiday() -> None:
    lead = item(1)
    result = plan({"SXD": [lead]}, {"SXD": [LAN, MAI]}, MONDAY_MORNING)
    assert result.reminders == (
        PlannedReminder(SendKey(1, LAN.officer_id, -7, SendPurpose.ACTION), MINUS_7_AT, LAN, lead, folded=False),
        PlannedReminder(SendKey(1, MAI.officer_id, -7, SendPurpose.ACTION), MINUS_7_AT, MAI, lead, folded=False),
    )
    assert result.escalations == ()


def test_only_the_latest_occurrence_counts_and_nothing_before_the_first() -> None:
    lead = item(1)
    before_any = dt.datetime(2015, 11, 13, 0, 59, tzinfo=UTC)  # -30 is Sunday 15/11, sent Friday 13/11 08:00
    assert plan({"SXD": [lead]}, {"SXD": [LAN]}, before_any) == RoundPlan()
    day_before = dt.datetime(2015, 12, 14, 1, 0, tzinfo=UTC)  # -3 (Saturday 12/12, sent Friday 11/12) superseded
    [reminder] = plan({"SXD": [lead]}, {"SXD": [LAN]}, day_before).reminders
    assert (reminder.key.offset_days, reminder.due_at, reminder.folded) == (-1, MINUS_1_AT, False)


def test_without_the_holiday_the_same_reminder_goes_out_on_its_own_day() -> None:
    policy = ReminderPolicy()  # weekends only
    lead = item(1)
    [reminder] = plan_round({"SXD": [lead]}, {"SXD": [LAN]}, [], policy=policy, now=MONDAY_MORNING).reminders
    assert (reminder.key.offset_days, reminder.due_at, reminder.folded) == (
        -30,  # on Monday the 7th the -7 reminder of Tuesday the 8th has not come yet
        dt.datetime(2015, 11, 13, 1, 0, tzinfo=UTC),
        True,
    )


def test_a_department_without_recipients_or_without_items_plans_nothing() -> None:
    assert plan({"SXD": [item(1)]}, {"SXD": []}, MONDAY_MORNING) == RoundPlan()
    assert plan({"SXD": [item(1)]}, {"STC": [TU]}, MONDAY_MORNING) == RoundPlan()
    assert plan({}, {"SXD": [LAN]}, MONDAY_MORNING) == RoundPlan()


def test_the_yearly_report_binds_every_reporter_like_a_lead() -> None:
    report = item(7, role=None)
    result = plan({"SXD": [report], "STC": [report]}, {"SXD": [LAN], "STC": [TU]}, MONDAY_MORNING)
    assert keys(result) == [
        SendKey(7, LAN.officer_id, -7, SendPurpose.ACTION),
        SendKey(7, TU.officer_id, -7, SendPurpose.ACTION),
    ]
    late = plan({"SXD": [report], "STC": [report]}, {}, PLUS_1_AT, admins=(HUNG,))
    [escalation] = late.escalations
    assert escalation.late_departments == ("STC", "SXD")


# --- grace and folding ----------------------------------------------------------------------


def test_an_occurrence_older_than_the_grace_window_is_folded() -> None:
    year_end = item(2, due=YEAR_END)
    [reminder] = plan({"SXD": [year_end]}, {"SXD": [LAN]}, MONDAY_MORNING).reminders
    assert (reminder.key, reminder.due_at, reminder.folded) == (
        SendKey(2, LAN.officer_id, -30, SendPurpose.ACTION),
        MINUS_30_YEAR_END_AT,
        True,  # six days and an hour old: the bot was down, or Lan joined since
    )


def test_the_grace_window_is_inclusive() -> None:
    year_end = item(2, due=YEAR_END)
    at_edge = MINUS_30_YEAR_END_AT + POLICY.grace
    [on_time] = plan({"SXD": [year_end]}, {"SXD": [LAN]}, at_edge).reminders
    assert not on_time.folded
    [late] = plan({"SXD": [year_end]}, {"SXD": [LAN]}, at_edge + dt.timedelta(minutes=1)).reminders
    assert late.folded
    assert late.key == on_time.key  # same send: folding changes the message, not what is sent


# --- coordinating departments ---------------------------------------------------------------


def test_a_coordinator_gets_one_fyi_at_minus_7_only() -> None:
    coordinated = item(3, role=DepartmentRole.COORDINATOR)
    items, people = {"STC": [coordinated]}, {"STC": [TU]}
    assert plan(items, people, MINUS_7_AT - dt.timedelta(minutes=1)) == RoundPlan()  # -30 is not for them
    assert plan(items, people, MONDAY_MORNING).reminders == (
        PlannedReminder(SendKey(3, TU.officer_id, -7, SendPurpose.FYI), MINUS_7_AT, TU, coordinated, folded=False),
    )
    two_days_later = dt.datetime(2015, 12, 9, 2, 0, tzinfo=UTC)  # still inside the grace window
    assert keys(plan(items, people, two_days_later)) == [SendKey(3, TU.officer_id, -7, SendPurpose.FYI)]


def test_a_coordinator_gets_no_late_fyi_and_nothing_when_overdue() -> None:
    coordinated = item(3, role=DepartmentRole.COORDINATOR)
    items, people = {"STC": [coordinated]}, {"STC": [TU]}
    for now in (MINUS_1_AT, PLUS_1_AT, PLUS_7_AT, dt.datetime(2016, 3, 1, 1, 0, tzinfo=UTC)):
        assert plan(items, people, now, admins=(HUNG,)) == RoundPlan(), now


# --- what is closed gets nothing ------------------------------------------------------------


def test_delivered_deadlines_and_locked_years_get_nothing() -> None:
    delivered = item(4, delivered=True)
    locked = item(5, due=D(2014, 12, 15))
    items = {"SXD": [delivered, locked]}
    for now in (MONDAY_MORNING, PLUS_1_AT, dt.datetime(2015, 1, 5, 2, 0, tzinfo=UTC)):
        assert plan(items, {"SXD": [LAN]}, now, admins=(HUNG,), locked_years=(2014,)) == RoundPlan(), now


def test_locking_a_year_silences_it_even_when_overdue() -> None:
    overdue = item(5, due=D(2014, 12, 15))
    now = dt.datetime(2015, 1, 5, 2, 0, tzinfo=UTC)
    assert plan({"SXD": [overdue]}, {"SXD": [LAN]}, now, admins=(HUNG,)) != RoundPlan()  # open: reminded
    assert plan({"SXD": [overdue]}, {"SXD": [LAN]}, now, admins=(HUNG,), locked_years=(2014,)) == RoundPlan()


# --- escalation -----------------------------------------------------------------------------


def _late_everywhere() -> dict[str, list[DueItem]]:
    """Deadline 1 led by SXD and TPKONTUM (no one registered there), delivered by STC, coordinated by SKHDT."""
    return {
        "TPKONTUM": [item(1)],
        "SXD": [item(1)],
        "STC": [item(1, delivered=True)],
        "SKHDT": [item(1, role=DepartmentRole.COORDINATOR)],
    }


def test_no_escalation_before_the_first_overdue_reminder() -> None:
    on_due_day = dt.datetime(2015, 12, 15, 9, 0, tzinfo=UTC)
    assert plan(_late_everywhere(), {}, on_due_day, admins=(HUNG,)).escalations == ()
    assert plan(_late_everywhere(), {}, PLUS_1_AT - dt.timedelta(seconds=1), admins=(HUNG,)).escalations == ()


def test_escalation_lists_every_late_lead_department_to_every_admin() -> None:
    result = plan(_late_everywhere(), {"SXD": [LAN]}, PLUS_1_AT, admins=(HUNG, NGA))
    late = ("SXD", "TPKONTUM")  # sorted; TPKONTUM has no one registered; STC delivered; SKHDT only coordinates
    assert result.escalations == (
        PlannedEscalation(
            SendKey(1, HUNG.officer_id, 1, SendPurpose.ESCALATION), PLUS_1_AT, HUNG, item(1), late, folded=False
        ),
        PlannedEscalation(
            SendKey(1, NGA.officer_id, 1, SendPurpose.ESCALATION), PLUS_1_AT, NGA, item(1), late, folded=False
        ),
    )
    assert keys(result) == [
        SendKey(1, LAN.officer_id, 1, SendPurpose.ACTION),  # the lead is reminded too
        SendKey(1, HUNG.officer_id, 1, SendPurpose.ESCALATION),
        SendKey(1, NGA.officer_id, 1, SendPurpose.ESCALATION),
    ]


def test_escalation_keeps_its_first_overdue_key_and_folds_when_late() -> None:
    [escalation] = plan(_late_everywhere(), {}, PLUS_7_AT, admins=(HUNG,)).escalations
    assert (escalation.key.offset_days, escalation.due_at, escalation.folded) == (1, PLUS_1_AT, True)


def test_no_escalation_once_sent_nor_when_every_lead_delivered_nor_without_admins() -> None:
    assert plan(_late_everywhere(), {}, PLUS_1_AT, admins=(HUNG,), already_escalated=(1,)).escalations == ()
    delivered = {"SXD": [item(1, delivered=True)], "SKHDT": [item(1, role=DepartmentRole.COORDINATOR)]}
    assert plan(delivered, {}, PLUS_1_AT, admins=(HUNG,)).escalations == ()
    assert plan(_late_everywhere(), {}, PLUS_1_AT).escalations == ()


def test_escalations_are_ordered_by_due_date_then_deadline() -> None:
    items = {
        "SXD": [item(9, due=D(2015, 12, 1)), item(3), item(2)],
        "STC": [item(1, due=D(2015, 12, 1))],
    }
    result = plan(items, {}, PLUS_1_AT, admins=(HUNG,))
    assert [(e.key.deadline_id, e.late_departments) for e in result.escalations] == [
        (1, ("STC",)),
        (9, ("SXD",)),
        (2, ("SXD",)),
        (3, ("SXD",)),
    ]


def test_escalation_day_moves_forward_off_a_holiday() -> None:
    policy = ReminderPolicy(calendar=WorkCalendar(dated=frozenset({D(2015, 12, 16)})))
    thursday = dt.datetime(2015, 12, 17, 1, 0, tzinfo=UTC)
    items = {"SXD": [item(1)]}
    assert plan_round(items, {}, [HUNG], policy=policy, now=thursday - dt.timedelta(seconds=1)).escalations == ()
    [escalation] = plan_round(items, {}, [HUNG], policy=policy, now=thursday).escalations
    assert (escalation.key.offset_days, escalation.due_at) == (1, thursday)


# --- snoozes --------------------------------------------------------------------------------


def test_a_snooze_is_planned_for_its_local_day() -> None:
    lead = item(1)
    # 00:30 on Wednesday 9 December in Hồ Chí Minh City is still the 8th in UTC: the offset follows the local day.
    remind_at = dt.datetime(2015, 12, 8, 17, 30, tzinfo=UTC)
    assert remind_at.astimezone(LOCAL_TZ).date() == D(2015, 12, 9)
    now = remind_at + dt.timedelta(minutes=5)
    result = plan({"SXD": [lead]}, {"SXD": [LAN, MAI]}, now, snoozes=(DueSnooze(1, LAN.officer_id, remind_at),))
    assert result.reminders[-1] == PlannedReminder(
        SendKey(1, LAN.officer_id, -6, SendPurpose.SNOOZE), remind_at, LAN, lead, folded=False
    )
    assert [r.key.purpose for r in result.reminders] == [SendPurpose.ACTION, SendPurpose.ACTION, SendPurpose.SNOOZE]


def test_a_snooze_of_a_coordinated_deadline_is_planned_too() -> None:
    coordinated = item(3, role=DepartmentRole.COORDINATOR)
    remind_at = dt.datetime(2015, 12, 8, 2, 0, tzinfo=UTC)
    result = plan({"STC": [coordinated]}, {"STC": [TU]}, remind_at, snoozes=(DueSnooze(3, TU.officer_id, remind_at),))
    assert keys(result) == [
        SendKey(3, TU.officer_id, -7, SendPurpose.FYI),
        SendKey(3, TU.officer_id, -7, SendPurpose.SNOOZE),
    ]


def test_snoozes_are_dropped_when_delivered_locked_or_unknown() -> None:
    remind_at = dt.datetime(2015, 12, 9, 1, 30, tzinfo=UTC)
    items = {"SXD": [item(1, delivered=True), item(5, due=D(2014, 12, 15)), item(6)], "STC": [item(8)]}
    snoozes = (
        DueSnooze(1, LAN.officer_id, remind_at),  # delivered since
        DueSnooze(5, LAN.officer_id, remind_at),  # its year was locked
        DueSnooze(6, 99, remind_at),  # the officer is gone (deactivated or unreachable)
        DueSnooze(8, LAN.officer_id, remind_at),  # not a deadline of Lan's department
        DueSnooze(404, LAN.officer_id, remind_at),  # no such deadline any more
    )
    result = plan(items, {"SXD": [LAN]}, remind_at, locked_years=(2014,), snoozes=snoozes)
    assert [r.key.purpose for r in result.reminders] == [SendPurpose.ACTION]  # only deadline 6's own reminder
