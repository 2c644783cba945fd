"""ReminderService over the real plan and database, in December 2015 (2013 and 2014 locked).

Kon Tum's 2015 yearly report and most Annex I tasks are due on Tuesday 15 December 2015, so:
-30 went out on Friday 13 November (the 15th is a Sunday), -7 on Tuesday 8 December, -3 on
Friday 11 December (the 12th is a Saturday), +1 on Wednesday 16 December, +7 on the 22nd.
Every reminder goes out at 08:00 in Asia/Ho_Chi_Minh, 01:00 UTC. The planning office is SKHDT.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest
from sqlalchemy import delete, select

from bot.clock import FakeClock
from bot.plan.model import DeadlineKind
from bot.runtime import Runtime
from bot.services.deadline_view import DeadlineViewService, DueItem
from bot.services.reminders import (
    EntryTarget,
    Envelope,
    EnvelopeKind,
    ReminderService,
    RoundResult,
    SendSubject,
    Unreachable,
)
from scheduler.reminder_schedule import LOCAL_TZ
from storage.enums import AttemptOutcome, OfficerRole, SendPurpose, SendStatus, SubjectType
from storage.models import DeliveryAttempt, Officer, ReminderSend
from storage.repositories.reminders import SendKey
from tests.services.conftest import add_officer

UTC = dt.UTC
SINGLE, BUNDLE, CATCH_UP, ESCALATION = (
    EnvelopeKind.SINGLE,
    EnvelopeKind.BUNDLE,
    EnvelopeKind.CATCH_UP,
    EnvelopeKind.ESCALATION,
)
ACTION, FYI, SNOOZE = SendPurpose.ACTION, SendPurpose.FYI, SendPurpose.SNOOZE
ANNUAL = DeadlineKind.ANNUAL_REPORT
DUE = dt.date(2015, 12, 15)
YEAR_END = dt.date(2015, 12, 31)


def local(month: int, day: int, hour: int = 8, minute: int = 30, *, year: int = 2015) -> dt.datetime:
    """A wall-clock time in Kon Tum, as the UTC instant the clock holds."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


MINUS_7_SENT = local(12, 8, 8, 0)  # 2015-12-08 01:00 UTC
TUESDAY = local(12, 8)  # 08:30 on the -7 day


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TUESDAY)


# --- helpers --------------------------------------------------------------------------------


def service(runtime: Runtime, worker: str = "worker-a") -> ReminderService:
    return dataclasses.replace(ReminderService.from_runtime(runtime), worker=worker)


async def items_of(runtime: Runtime, code: str) -> list[DueItem]:
    views = DeadlineViewService.from_runtime(runtime)
    async with runtime.sessions() as session:
        return await views.items(session, code, DUE)


def deadline(items: Iterable[DueItem], what: str | int | DeadlineKind, due: dt.date = DUE) -> int:
    """The id of a deadline by task key, indicator number or regime kind, and due date."""
    found = [
        i.deadline_id
        for i in items
        if i.due_on == due
        and what in (i.task_key, i.indicator_number, i.kind if i.subject_type is SubjectType.REGIME else None)
    ]
    assert len(found) == 1, (what, due, found)
    return found[0]


Shape = tuple[int, EnvelopeKind, list[tuple[int, int, SendPurpose]]]


def shape(envelopes: Iterable[Envelope]) -> list[Shape]:
    """(officer, kind, [(deadline, offset, purpose), …]) per envelope, in round order."""
    return [
        (e.recipient.officer_id, e.kind, [(p.key.deadline_id, p.key.offset_days, p.key.purpose) for p in planned(e)])
        for e in envelopes
    ]


def planned(envelope: Envelope) -> list[Any]:
    return [*envelope.reminders, *envelope.escalations]


def sent_keys(result: RoundResult) -> set[SendKey]:
    return {p.key for e in result.envelopes for p in planned(e)}


def send_ids(result: RoundResult) -> list[int]:
    return [send_id for e in result.envelopes for send_id in e.send_ids]


async def sends(runtime: Runtime) -> list[ReminderSend]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(ReminderSend).order_by(ReminderSend.id))).all())


async def send_row(runtime: Runtime, send_id: int) -> ReminderSend:
    async with runtime.sessions() as session:
        row = await session.get(ReminderSend, send_id)
        assert row is not None
        return row


async def officer_row(runtime: Runtime, officer_id: int) -> Officer:
    async with runtime.sessions() as session:
        row = await session.get(Officer, officer_id)
        assert row is not None
        return row


# --- claiming -------------------------------------------------------------------------------


async def test_a_round_claims_each_send_once(runtime_2015: Runtime) -> None:
    lan = await add_officer(runtime_2015, 7001, "Lan", "TPKONTUM")
    items = await items_of(runtime_2015, "TPKONTUM")
    report, ii4 = deadline(items, ANNUAL), deadline(items, "II.4")
    first = await service(runtime_2015).prepare_round()
    assert (first.planned, first.claimed) == (2, 2)
    assert shape(first.envelopes) == [
        (lan, SINGLE, [(ii4, -7, FYI)]),  # Thành phố Kon Tum coordinates II.4: a heads-up only
        (lan, SINGLE, [(report, -7, ACTION)]),  # the yearly report binds it like a lead
    ]
    rows = await sends(runtime_2015)
    assert [(r.status, r.claimed_by, r.claimed_at, r.due_at, r.attempts) for r in rows] == [
        (SendStatus.CLAIMED, "worker-a", TUESDAY, MINUS_7_SENT, 0)
    ] * 2
    assert sorted(send_ids(first)) == [r.id for r in rows]

    again = await service(runtime_2015).prepare_round()
    assert (again.envelopes, again.planned, again.claimed) == ((), 2, 0)
    other = await service(runtime_2015, "worker-b").prepare_round()
    assert (other.envelopes, other.claimed) == ((), 0)
    assert len(await sends(runtime_2015)) == 2


async def test_two_workers_at_once_split_the_round_without_overlap(runtime_2015: Runtime) -> None:
    for telegram_id, name, code in [
        (7001, "Lan", "TPKONTUM"),
        (7002, "Mai", "TPKONTUM"),
        (7003, "Bình", "SXD"),
        (7004, "Tú", "STC"),
        (7005, "Hà", "STNMT"),
    ]:
        await add_officer(runtime_2015, telegram_id, name, code)
    await add_officer(runtime_2015, 7009, "Hùng", "SKHDT", role=OfficerRole.ADMIN)
    first, second = await asyncio.gather(
        service(runtime_2015, "worker-a").prepare_round(), service(runtime_2015, "worker-b").prepare_round()
    )
    ids_a, ids_b = send_ids(first), send_ids(second)
    assert not set(ids_a) & set(ids_b)
    assert len(set(ids_a)) == len(ids_a) == first.claimed
    assert len(set(ids_b)) == len(ids_b) == second.claimed
    together = sent_keys(first) | sent_keys(second)
    assert not sent_keys(first) & sent_keys(second)
    owners = {r.id: r.claimed_by for r in await sends(runtime_2015)}
    assert {owners[i] for i in ids_a} <= {"worker-a"}
    assert {owners[i] for i in ids_b} <= {"worker-b"}

    async with runtime_2015.sessions.begin() as session:  # the same round again, by one worker alone
        await session.execute(delete(ReminderSend))
    alone = await service(runtime_2015, "solo").prepare_round()
    assert alone.claimed == first.claimed + second.claimed == alone.planned
    assert together == sent_keys(alone)
    assert len(together) > 40  # a real round: bundles, catch-ups and escalations for six people


# --- grouping -------------------------------------------------------------------------------


async def test_more_than_three_due_at_once_go_out_as_one_bundle(runtime_2015: Runtime, clock: FakeClock) -> None:
    clock.current = local(12, 11)  # Friday: the -3 reminders; Tuesday's FYIs are past the grace window
    ha = await add_officer(runtime_2015, 7005, "Hà", "STNMT")
    an = await add_officer(runtime_2015, 7006, "An", "SKHCN")
    stnmt, skhcn = await items_of(runtime_2015, "STNMT"), await items_of(runtime_2015, "SKHCN")
    result = await service(runtime_2015).prepare_round()
    assert shape(result.envelopes) == [
        (ha, SINGLE, [(deadline(stnmt, "II.4"), -3, ACTION)]),  # three due: three messages with buttons
        (ha, SINGLE, [(deadline(stnmt, 6), -3, ACTION)]),
        (ha, SINGLE, [(deadline(stnmt, ANNUAL), -3, ACTION)]),
        (ha, CATCH_UP, [(deadline(stnmt, "II.1", YEAR_END), -30, ACTION)]),  # 1 December, ten days ago
        (
            an,
            BUNDLE,  # four due: one list
            [
                (deadline(skhcn, "I.9"), -3, ACTION),
                (deadline(skhcn, "II.2"), -3, ACTION),
                (deadline(skhcn, 5), -3, ACTION),
                (deadline(skhcn, ANNUAL), -3, ACTION),
            ],
        ),
        (an, CATCH_UP, [(deadline(skhcn, "III.4", YEAR_END), -30, ACTION)]),
    ]
    bundle = result.envelopes[4]
    assert len(bundle.send_ids) == 4
    assert all(not r.folded for r in bundle.reminders)


async def test_a_long_outage_folds_into_one_catch_up(runtime_2015: Runtime, clock: FakeClock) -> None:
    clock.current = local(11, 17, 9, 0)  # Tuesday 17/11: the -30 reminder went out on Friday 13/11, 4 days ago
    lan = await add_officer(runtime_2015, 7001, "Lan", "TPKONTUM")
    report = deadline(await items_of(runtime_2015, "TPKONTUM"), ANNUAL)
    reminders = service(runtime_2015)
    result = await reminders.prepare_round()
    assert shape(result.envelopes) == [(lan, CATCH_UP, [(report, -30, ACTION)])]
    [envelope] = result.envelopes
    assert envelope.reminders[0].due_at == local(11, 13, 8, 0)
    assert envelope.reminders[0].folded
    await reminders.delivered(envelope, message_id=4321)
    row = await send_row(runtime_2015, envelope.send_ids[0])
    assert (row.status, row.folded, row.telegram_message_id, row.attempts, row.sent_at) == (
        SendStatus.SENT,
        True,
        4321,
        1,
        local(11, 17, 9, 0),
    )
    assert (await reminders.prepare_round()).envelopes == ()


# --- escalation -----------------------------------------------------------------------------


async def test_escalation_goes_out_once_per_deadline_across_rounds_and_days(
    runtime_2015: Runtime, clock: FakeClock
) -> None:
    clock.current = local(12, 16)  # Wednesday: the first overdue day of the 15/12 deadlines
    hung = await add_officer(runtime_2015, 7009, "Hùng", "SKHDT", role=OfficerRole.ADMIN)
    nga = await add_officer(runtime_2015, 7010, "Nga", "SKHDT", role=OfficerRole.ADMIN)
    lan = await add_officer(runtime_2015, 7001, "Lan", "TPKONTUM")
    tpkontum = await items_of(runtime_2015, "TPKONTUM")
    report, ii4 = deadline(tpkontum, ANNUAL), deadline(tpkontum, "II.4")
    first = await service(runtime_2015).prepare_round()
    for sent in first.envelopes:  # delivered: nothing is left to retry or take over
        await service(runtime_2015).delivered(sent, message_id=1)

    escalations = [e for e in first.envelopes if e.kind is ESCALATION]
    assert [e.recipient.officer_id for e in escalations] == [hung, nga]
    hung_list, nga_list = (list(e.escalations) for e in escalations)
    assert [(x.key.deadline_id, x.late_departments) for x in hung_list] == [
        (x.key.deadline_id, x.late_departments) for x in nga_list
    ]
    by_deadline = {x.key.deadline_id: x for x in hung_list}
    reporters = tuple(sorted(runtime_2015.registry.reporters(DUE)))
    assert len(reporters) == 22
    assert by_deadline[report].late_departments == reporters  # registered or not, every reporter is late
    assert by_deadline[ii4].late_departments == ("STNMT",)  # the lead, though no one there uses the bot
    assert (by_deadline[report].key.offset_days, by_deadline[report].due_at, by_deadline[report].folded) == (
        1,
        local(12, 16, 8, 0),
        False,
    )
    dues = [x.item.due_on for x in hung_list]
    assert dues == sorted(dues)
    assert dues[0] == dt.date(2014, 7, 31)  # the 2015 annual plan (task I.3), long overdue: folded in
    assert hung_list[0].folded
    assert shape(e for e in first.envelopes if e.recipient.officer_id == lan) == [
        (lan, SINGLE, [(report, 1, ACTION)])  # the coordinator of II.4 hears nothing once it is overdue
    ]

    kinds = [e.kind for e in (await service(runtime_2015).prepare_round()).envelopes]
    assert kinds == []
    clock.current = local(12, 17)
    await add_officer(runtime_2015, 7011, "Quang", "SKHDT", role=OfficerRole.ADMIN)  # joins after the fact
    assert ESCALATION not in {e.kind for e in (await service(runtime_2015).prepare_round()).envelopes}
    clock.current = local(12, 22)  # +7: Lan is reminded again, the planning office is not
    week_later = await service(runtime_2015).prepare_round()
    assert ESCALATION not in {e.kind for e in week_later.envelopes}
    assert (lan, SINGLE, [(report, 7, ACTION)]) in shape(week_later.envelopes)

    rows = [r for r in await sends(runtime_2015) if r.purpose is SendPurpose.ESCALATION]
    assert sorted({r.officer_id for r in rows}) == [hung, nga]
    assert len(rows) == 2 * len(hung_list)


async def test_a_failed_escalation_is_retried_like_any_send(runtime_2015: Runtime, clock: FakeClock) -> None:
    clock.current = local(12, 16)
    await add_officer(runtime_2015, 7009, "Hùng", "SKHDT", role=OfficerRole.ADMIN)
    reminders = service(runtime_2015)
    first = await reminders.prepare_round()
    for envelope in first.envelopes:
        if envelope.kind is ESCALATION:
            await reminders.gave_up(envelope, "TimedOut")
        else:
            await reminders.delivered(envelope, message_id=1)
    [escalation] = [e for e in first.envelopes if e.kind is ESCALATION]
    clock.advance(dt.timedelta(minutes=15))
    retry = await service(runtime_2015, "worker-b").prepare_round()
    assert [(e.kind, sorted(e.send_ids)) for e in retry.envelopes] == [(ESCALATION, sorted(escalation.send_ids))]


async def test_an_abandoned_escalation_is_taken_over(runtime_2015: Runtime, clock: FakeClock) -> None:
    clock.current = local(12, 16)
    await add_officer(runtime_2015, 7009, "Hùng", "SKHDT", role=OfficerRole.ADMIN)
    crashed = await service(runtime_2015, "crashed").prepare_round()
    [escalation] = [e for e in crashed.envelopes if e.kind is ESCALATION]
    clock.advance(dt.timedelta(minutes=16))
    taken = await service(runtime_2015, "worker-b").prepare_round()
    assert ESCALATION in {e.kind for e in taken.envelopes}
    assert sorted(send_ids(taken)) == sorted(send_ids(crashed))
    assert escalation.send_ids


# --- failures -------------------------------------------------------------------------------


async def test_a_failed_send_is_retried_by_later_rounds_until_max_attempts(
    runtime_2015: Runtime, clock: FakeClock
) -> None:
    await add_officer(runtime_2015, 7001, "Lan", "TPKONTUM")
    report = deadline(await items_of(runtime_2015, "TPKONTUM"), ANNUAL)
    reminders = service(runtime_2015)
    assert reminders.max_attempts == 3
    fyi, action = (await reminders.prepare_round()).envelopes
    await reminders.delivered(fyi, message_id=1)
    [send_id] = action.send_ids
    for attempt in (1, 2, 3):
        await reminders.gave_up(action, f"TimedOut #{attempt}")
        row = await send_row(runtime_2015, send_id)
        assert (row.status, row.attempts, row.last_error) == (SendStatus.FAILED, attempt, f"TimedOut #{attempt}")
        clock.advance(dt.timedelta(minutes=15))  # the next sweep
        retry = await service(runtime_2015, f"worker-{attempt}").prepare_round()
        if attempt < 3:
            assert [(e.kind, e.send_ids) for e in retry.envelopes] == [(SINGLE, (send_id,))]
            assert retry.envelopes[0].reminders[0].key == SendKey(report, action.recipient.officer_id, -7, ACTION)
            row = await send_row(runtime_2015, send_id)
            assert (row.status, row.claimed_by) == (SendStatus.CLAIMED, f"worker-{attempt}")
            action = retry.envelopes[0]
        else:
            assert retry.envelopes == ()  # three attempts spent: it stays FAILED, and /nhacnho shows it
    row = await send_row(runtime_2015, send_id)
    assert (row.status, row.attempts) == (SendStatus.FAILED, 3)


async def test_a_claim_left_by_a_dead_worker_is_taken_over_after_stale_after(
    runtime_2015: Runtime, clock: FakeClock
) -> None:
    await add_officer(runtime_2015, 7001, "Lan", "TPKONTUM")
    crashed = await service(runtime_2015, "crashed").prepare_round()
    assert crashed.claimed == 2
    clock.advance(dt.timedelta(minutes=10))
    assert (await service(runtime_2015, "worker-b").prepare_round()).envelopes == ()  # maybe still sending
    clock.advance(dt.timedelta(minutes=6))  # 16 minutes: longer than stale_after (15)
    taken = await service(runtime_2015, "worker-b").prepare_round()
    assert shape(taken.envelopes) == shape(crashed.envelopes)
    assert sorted(send_ids(taken)) == sorted(send_ids(crashed))
    assert taken.claimed == 2
    assert {(r.status, r.claimed_by, r.claimed_at) for r in await sends(runtime_2015)} == {
        (SendStatus.CLAIMED, "worker-b", clock.now())
    }
    assert (await service(runtime_2015, "worker-c").prepare_round()).envelopes == ()


async def test_an_unreachable_officer_is_reported_once_and_then_left_out(
    runtime_2015: Runtime, clock: FakeClock
) -> None:
    lan = await add_officer(runtime_2015, 7001, "Nguyễn Thị Lan", "TPKONTUM")
    mai = await add_officer(runtime_2015, 7002, "Mai", "TPKONTUM")
    reminders = service(runtime_2015)
    envelopes = (await reminders.prepare_round()).envelopes
    lans = [e for e in envelopes if e.recipient.officer_id == lan]
    assert len(lans) == 2
    assert await reminders.unreachable(lans[0], "Forbidden: bot was blocked by the user") == Unreachable(
        lan, "Nguyễn Thị Lan", "TPKONTUM"
    )
    assert (await officer_row(runtime_2015, lan)).unreachable_at == TUESDAY
    assert await reminders.unreachable(lans[1], "Forbidden: bot was blocked by the user") is None
    for envelope in lans:
        row = await send_row(runtime_2015, envelope.send_ids[0])
        assert (row.status, row.attempts) == (SendStatus.SKIPPED, 0)
        assert row.last_error is not None
        assert "unreachable" in row.last_error

    clock.current = local(12, 11)  # the -3 reminder: Mai gets it, Lan does not
    later = await service(runtime_2015).prepare_round()
    assert [e.recipient.officer_id for e in later.envelopes] == [mai]


# --- the buttons ----------------------------------------------------------------------------


async def test_the_buttons_answer_only_the_recipient(runtime_2015: Runtime) -> None:
    await add_officer(runtime_2015, 7001, "Lan", "TPKONTUM")
    await add_officer(runtime_2015, 7003, "Bình", "SXD")
    reminders = service(runtime_2015)
    envelopes = (await reminders.prepare_round()).envelopes
    by_officer = {(e.recipient.telegram_user_id, e.reminders[0].key.deadline_id): e for e in envelopes if e.reminders}
    tpkontum = await items_of(runtime_2015, "TPKONTUM")
    [report_send] = by_officer[(7001, deadline(tpkontum, ANNUAL))].send_ids
    [ii4_send] = by_officer[(7001, deadline(tpkontum, "II.4"))].send_ids

    for stranger in (7003, 999_999):  # another officer, someone unknown
        assert await reminders.acknowledge(report_send, stranger) is None
        assert await reminders.snooze(report_send, stranger) is None
        assert await reminders.entry_target(report_send, stranger) is None
    assert await reminders.acknowledge(10_000_000, 7001) is None  # no such send

    assert await reminders.acknowledge(report_send, 7001) is True
    assert await reminders.acknowledge(report_send, 7001) is False
    assert (await send_row(runtime_2015, report_send)).acknowledged_at == TUESDAY
    assert await reminders.entry_target(report_send, 7001) == EntryTarget(2015, SendSubject.YEAR)
    assert await reminders.entry_target(ii4_send, 7001) == EntryTarget(2015, SendSubject.TASK, task_key="II.4")
    [bundle] = [e for e in envelopes if e.recipient.telegram_user_id == 7003 and e.kind is BUNDLE]
    [indicator_send] = [
        send_id for send_id, r in zip(bundle.send_ids, bundle.reminders, strict=True) if r.item.indicator_number == 1
    ]
    assert await reminders.entry_target(indicator_send, 7003) == EntryTarget(
        2015, SendSubject.INDICATOR, indicator_number=1
    )
    assert await reminders.entry_target(indicator_send, 7001) is None
    assert await reminders.snooze(report_send, 7001) == local(12, 9)


async def test_a_snoozed_reminder_comes_back_the_next_day(runtime_2015: Runtime, clock: FakeClock) -> None:
    lan = await add_officer(runtime_2015, 7001, "Lan", "TPKONTUM")
    report = deadline(await items_of(runtime_2015, "TPKONTUM"), ANNUAL)
    reminders = service(runtime_2015)
    clock.current = TUESDAY + dt.timedelta(seconds=42)
    envelopes = (await reminders.prepare_round()).envelopes
    for message_id, envelope in enumerate(envelopes, start=1):
        await reminders.delivered(envelope, message_id)
    [report_send] = next(e for e in envelopes if e.reminders[0].key.deadline_id == report).send_ids
    remind_at = await reminders.snooze(report_send, 7001)
    assert remind_at == local(12, 9)  # a day later, to the minute
    assert await reminders.snooze(report_send, 7001) == remind_at  # pressed twice: one snooze

    clock.current = remind_at - dt.timedelta(minutes=1)
    assert (await reminders.prepare_round()).envelopes == ()
    clock.current = remind_at
    result = await reminders.prepare_round()
    assert shape(result.envelopes) == [(lan, SINGLE, [(report, -6, SNOOZE)])]  # 9/12 is six days before 15/12
    assert result.envelopes[0].reminders[0].due_at == remind_at
    clock.advance(dt.timedelta(minutes=15))
    assert (await reminders.prepare_round()).envelopes == ()


# --- /nhacnho -------------------------------------------------------------------------------


async def test_upcoming_lists_the_next_reminder_per_deadline_and_department(runtime_2015: Runtime) -> None:
    await add_officer(runtime_2015, 7001, "Lan", "TPKONTUM")
    await add_officer(runtime_2015, 7002, "Mai", "TPKONTUM")
    reminders = service(runtime_2015)
    tpkontum = await items_of(runtime_2015, "TPKONTUM")
    # II.4's only FYI (-7) is behind; the yearly report's -3 is next, then next year's report.
    upcoming = await reminders.upcoming(2)
    assert [(u.at, u.department_code, u.recipients, u.purpose, u.item.deadline_id) for u in upcoming] == [
        (local(12, 11, 8, 0), "TPKONTUM", 2, ACTION, deadline(tpkontum, ANNUAL)),
        (local(11, 15, 8, 0, year=2016), "TPKONTUM", 2, ACTION, deadline(tpkontum, ANNUAL, dt.date(2016, 12, 15))),
    ]

    await add_officer(runtime_2015, 7005, "Hà", "STNMT")
    stnmt = await items_of(runtime_2015, "STNMT")
    upcoming = await reminders.upcoming(8)
    assert [(u.at, u.department_code, u.recipients, u.purpose, u.item.deadline_id) for u in upcoming] == [
        (local(12, 11, 8, 0), "STNMT", 1, ACTION, deadline(stnmt, "II.4")),
        (local(12, 11, 8, 0), "STNMT", 1, ACTION, deadline(stnmt, 6)),
        (local(12, 11, 8, 0), "STNMT", 1, ACTION, deadline(stnmt, ANNUAL)),
        (local(12, 11, 8, 0), "TPKONTUM", 2, ACTION, deadline(tpkontum, ANNUAL)),
        (local(12, 24, 8, 0), "STNMT", 1, FYI, deadline(stnmt, "I.2", YEAR_END)),  # the year-end heads-ups
        (local(12, 24, 8, 0), "STNMT", 1, FYI, deadline(stnmt, "I.3", YEAR_END)),
        (local(12, 24, 8, 0), "STNMT", 1, ACTION, deadline(stnmt, "II.1", YEAR_END)),
        (local(12, 24, 8, 0), "STNMT", 1, FYI, deadline(stnmt, "III.1", YEAR_END)),
    ]


async def test_problems_list_failed_attempts_newest_first_with_names(runtime_2015: Runtime, clock: FakeClock) -> None:
    await add_officer(runtime_2015, 7001, "Nguyễn Thị Lan", "TPKONTUM")
    reminders = service(runtime_2015)
    fyi, action = (await reminders.prepare_round()).envelopes
    await reminders.record_attempt(action, AttemptOutcome.TIMED_OUT, detail="Timed out")
    clock.advance(dt.timedelta(seconds=5))
    await reminders.record_attempt(action, AttemptOutcome.RETRY_AFTER, detail="Flood control exceeded")
    clock.advance(dt.timedelta(seconds=5))
    await reminders.delivered(action, message_id=77)
    await reminders.delivered(fyi, message_id=78)
    problems = await reminders.problems(10)
    assert [(a.outcome, a.detail, a.chat_id, a.send_id, a.worker, name) for a, name in problems] == [
        (AttemptOutcome.RETRY_AFTER, "Flood control exceeded", 7001, action.send_ids[0], "worker-a", "Nguyễn Thị Lan"),
        (AttemptOutcome.TIMED_OUT, "Timed out", 7001, action.send_ids[0], "worker-a", "Nguyễn Thị Lan"),
    ]
    assert [a.attempted_at for a, _ in problems] == [TUESDAY + dt.timedelta(seconds=5), TUESDAY]
    assert len(await reminders.problems(1)) == 1
    async with runtime_2015.sessions() as session:
        outcomes = (await session.scalars(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id))).all()
    assert list(outcomes) == [
        AttemptOutcome.TIMED_OUT,
        AttemptOutcome.RETRY_AFTER,
        AttemptOutcome.SENT,
        AttemptOutcome.SENT,
    ]
