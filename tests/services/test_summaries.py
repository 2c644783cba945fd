"""The planning office's compile and digests over the real Kon Tum plan, in December 2015 (2013-2014 locked).

The yearly reports and most tasks are due on Tuesday 15/12/2015; the day after, at 08:00, the
planning office gets the deadline report and the yearly compile; on Monday 14/12 the weekly digest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from bot.clock import FakeClock
from bot.plan.model import DeadlineKind
from bot.reports.message import render_deadline_day, render_summary, render_weekly
from bot.reports.model import DeliveryState
from bot.runtime import Runtime
from bot.services.digests import DigestEnvelope, DigestService
from bot.services.summaries import SummaryService
from bot.text import telegram_length
from scheduler.reminder_schedule import LOCAL_TZ
from storage.enums import DigestKind, OfficerRole, ProgressStatus, SendStatus
from storage.repositories import departments, digests, indicator_values, task_progress
from storage.repositories import plan as plan_rows
from tests.services.conftest import add_officer


def local(month: int, day: int, hour: int = 8, minute: int = 30, *, year: int = 2015) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(dt.UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(12, 16))


async def _figure(
    runtime: Runtime, code: str, number: int, year: int, value: str, at: dt.datetime, officer: int | None
) -> None:
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        indicator = await plan_rows.get_indicator(session, plan_id, number)
        department = await departments.get_by_code(session, code)
        assert indicator is not None
        assert department is not None
        await indicator_values.record_value(
            session,
            indicator_id=indicator.id,
            department_id=department.id,
            year=year,
            value=Decimal(value),
            entered_by_officer_id=officer,
            now=at,
        )


async def _progress(runtime: Runtime, code: str, task: str, status: ProgressStatus, note: str, at: dt.datetime) -> None:
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        row = await plan_rows.get_task(session, plan_id, task)
        department = await departments.get_by_code(session, code)
        assert row is not None
        assert department is not None
        await task_progress.record_progress(
            session,
            task_id=row.id,
            department_id=department.id,
            period_year=2015,
            status=status,
            note=note,
            reported_by_officer_id=None,
            now=at,
        )


async def _entered(runtime_2015: Runtime) -> int:
    """SXD enters four figures on 20/11 (one corrected on 25/11); TPKONTUM reports II.4 two days late."""
    cuong = await add_officer(runtime_2015, 7101, "Lê Văn Cường", "SXD")
    await _figure(runtime_2015, "SXD", 1, 2014, "40", local(12, 1, year=2014), cuong)
    for number, value in ((1, "45,5"), (2, "50"), (3, "40"), (4, "40")):
        await _figure(runtime_2015, "SXD", number, 2015, value.replace(",", "."), local(11, 20), cuong)
    await _figure(runtime_2015, "SXD", 4, 2015, "41.5", local(11, 25), cuong)
    await _progress(
        runtime_2015, "TPKONTUM", "II.4", ProgressStatus.IN_PROGRESS, "Đã trồng 2.000 cây xanh", local(12, 17, 9)
    )
    return cuong


async def test_the_yearly_compile_has_figures_deliveries_and_tasks(runtime_2015: Runtime, clock: FakeClock) -> None:
    await _entered(runtime_2015)
    clock.current = local(12, 18)
    summary = await SummaryService.from_runtime(runtime_2015).compile(2015)

    assert summary.years == (2013, 2014, 2015)
    assert (summary.indicators_with_data, len(summary.indicators)) == (4, 6)
    first = summary.indicators[0]
    figure = first.figure(2015)
    assert figure is not None
    assert figure.value == Decimal("45.5")
    assert (figure.department, figure.officer) == ("Sở Xây dựng", "Lê Văn Cường")
    assert first.change(2015) == Decimal("5.5")
    assert first.progress(2015) == Decimal("45.5")  # of the 100% target
    fourth = summary.indicators[3]
    assert [v.value for v in fourth.versions] == [Decimal("40"), Decimal("41.5")]
    assert summary.indicators[4].figure(2015) is None

    lines = {line.code: line for line in summary.departments}
    city = {o.title: o for o in lines["TPKONTUM"].outcomes}
    report = city["Báo cáo năm 2015"]
    assert (report.state, report.days_late) == (DeliveryState.LATE, 2)  # 17/12 for 15/12
    building = lines["SXD"].outcomes
    assert {o.indicator_number: o.state for o in building if o.indicator_number} == {
        1: DeliveryState.ON_TIME,
        2: DeliveryState.ON_TIME,
        3: DeliveryState.ON_TIME,
        4: DeliveryState.ON_TIME,
    }
    assert lines["SXD"].has_missing  # III.2 and IV.1 have no report, so its yearly report is missing
    consolidated = next(o for o in lines["SKHDT"].outcomes if o.kind is DeadlineKind.CONSOLIDATED_REPORT)
    assert consolidated.state is DeliveryState.PENDING  # due 31/12
    ii4 = next(task for task in summary.tasks if task.key == "II.4")
    assert ii4.latest is not None
    assert ii4.latest.note == "Đã trồng 2.000 cây xanh"
    assert [group.code for group in summary.task_groups] == ["I", "II", "III", "IV", "V"]


async def test_the_compile_message_reads_well_and_splits_between_sections(
    runtime_2015: Runtime, clock: FakeClock
) -> None:
    await _entered(runtime_2015)
    clock.current = local(12, 18)
    summary = await SummaryService.from_runtime(runtime_2015).compile(2015)
    vi = runtime_2015.catalogs.translator("vi")
    messages = render_summary(vi, summary)
    text = "\n".join(messages)
    assert messages[0].startswith("📊 Tổng hợp năm 2015: Kế hoạch hành động tăng trưởng xanh (514/QĐ-UBND)")
    assert "• 4/6 chỉ tiêu đã có số liệu" in messages[0]
    assert "45,5% · mục tiêu 100% năm 2020 · đạt 45,5% mục tiêu · +5,5 điểm phần trăm so với năm 2014" in text
    assert "Sở Xây dựng · Lê Văn Cường · 08:30 20/11/2015" in text
    assert "5. Tỷ lệ các cơ sở sản xuất mới" in text
    assert "chưa có số liệu" in text
    assert "đã sửa (lần 2)" in text
    assert "Ủy ban nhân dân thành phố Kon Tum" in text
    assert "⏱ Nộp trễ" in text
    assert "Đã trồng 2.000 cây xanh" in text
    assert all(telegram_length(message) <= 4096 for message in messages)

    small = render_summary(vi, summary, limit=700)
    assert len(small) > 3
    assert "\n".join(small).replace("\n", "") == text.replace("\n", "")  # nothing lost, nothing cut
    assert all(telegram_length(message) <= 700 for message in small)
    headings = ("📈 CHỈ TIÊU", "🏢 TÌNH HÌNH NỘP", "📋 NHIỆM VỤ")
    for limit in range(700, 4097, 97):  # wherever the cut falls, a section heading never ends a message
        for message in render_summary(vi, summary, limit=limit):
            last = message.rstrip().splitlines()[-1]
            assert not last.startswith(headings), (limit, last)


async def _admin(runtime: Runtime) -> int:
    return await add_officer(runtime, 7900, "Hùng", "SKHDT", role=OfficerRole.ADMIN)


async def test_digests_go_out_once_each_at_their_time(runtime_2015: Runtime, clock: FakeClock) -> None:
    await _admin(runtime_2015)
    service = DigestService.from_runtime(runtime_2015)
    rival = dataclasses.replace(service, worker="rival")

    clock.current = local(12, 14)  # Monday: the weekly digest
    [weekly] = await service.prepare_round()
    assert (weekly.key.kind, weekly.key.subject, weekly.key.chat_id) == (DigestKind.WEEKLY, "2015-W51", 7900)
    assert weekly.weekly is not None
    text = "\n".join(render_weekly(runtime_2015.catalogs.translator("vi"), weekly.weekly))
    assert text.startswith("🗓 Bản tin tuần, ngày 14/12/2015")
    assert "Báo cáo năm 2015 (mục IV.3)" in text
    assert await rival.prepare_round() == []  # the other process gets nothing
    await service.delivered(weekly, 1)
    clock.current = local(12, 14, 14)
    assert await service.prepare_round() == []

    clock.current = local(12, 16)  # the day after 15/12: the deadline report and the yearly compile
    sent = await _deliver(service)
    assert sent == [(DigestKind.COMPILE, "2015:2015-12-16"), (DigestKind.DEADLINE, "2015-12-15")]
    assert await rival.prepare_round() == []

    clock.current = local(12, 17, 10)  # a figure changes: the compile again, at most once a day
    await _figure(runtime_2015, "SXD", 1, 2015, "47", local(12, 17, 9), None)
    assert await _deliver(service) == [(DigestKind.COMPILE, "2015:2015-12-17")]
    await _figure(runtime_2015, "SXD", 1, 2015, "48", local(12, 17, 11), None)
    clock.current = local(12, 17, 12)
    assert await _deliver(service) == []
    clock.current = local(12, 18)  # the next day it goes out again with the change of 11:00
    assert await _deliver(service) == [(DigestKind.COMPILE, "2015:2015-12-18")]
    clock.current = local(12, 19)
    assert await _deliver(service) == []


async def _deliver(service: DigestService) -> list[tuple[DigestKind, str]]:
    """One round as the sender would finish it: every claimed digest marked sent."""
    envelopes = await service.prepare_round()
    for envelope in envelopes:
        await service.delivered(envelope, 1)
    return sorted((e.key.kind, e.key.subject) for e in envelopes)


async def test_the_day_after_report_names_on_time_late_and_missing(runtime_2015: Runtime, clock: FakeClock) -> None:
    await _entered(runtime_2015)
    clock.current = local(12, 16)
    summaries = SummaryService.from_runtime(runtime_2015)
    async with runtime_2015.sessions() as session:
        snapshot, filed = await summaries.load(session)
    report = summaries.deadline_day(snapshot, filed, dt.date(2015, 12, 15), dt.date(2015, 12, 16))
    text = "\n".join(render_deadline_day(runtime_2015.catalogs.translator("vi"), report))
    assert text.startswith("📌 Hạn nộp ngày 15/12/2015: tình hình nộp báo cáo")
    assert "Chỉ tiêu 1" in text
    assert "✅ Đúng hạn (1): Sở Xây dựng" in text
    assert "❌ Chưa nộp" in text
    assert "Ủy ban nhân dân thành phố Kon Tum" in text


async def _claimed_weekly(runtime: Runtime, clock: FakeClock) -> tuple[DigestService, DigestEnvelope]:
    """Monday 14/12/2015 08:30: the admin's weekly digest, claimed by this worker and not sent yet."""
    await _admin(runtime)
    service = DigestService.from_runtime(runtime)
    clock.current = local(12, 14)
    [weekly] = await service.prepare_round()
    return service, weekly


async def test_a_failed_digest_is_retaken_and_resumes_after_the_parts_sent(
    runtime_2015: Runtime, clock: FakeClock
) -> None:
    service, weekly = await _claimed_weekly(runtime_2015, clock)
    await service.failed(weekly, 1, "network down")
    [retaken] = await dataclasses.replace(service, worker="later").prepare_round()
    assert (retaken.send_id, retaken.parts_sent) == (weekly.send_id, 1)
    async with runtime_2015.sessions() as session:
        row = await digests.get(session, retaken.key)
    assert row is not None
    assert row.status is SendStatus.CLAIMED
    assert row.claimed_by == "later"


async def test_a_digest_abandoned_during_a_call_resumes_after_the_part_in_flight(
    runtime_2015: Runtime, clock: FakeClock
) -> None:
    """The claimer died while part 1 was on its way: part 1 may have arrived, so the take-over starts at 2."""
    service, weekly = await _claimed_weekly(runtime_2015, clock)
    await service.progressed(weekly, 1)
    await service.in_flight(weekly, 1)
    clock.current = local(12, 14, 8, 40)
    assert await dataclasses.replace(service, worker="later").prepare_round() == []  # the claim is still fresh
    clock.current = local(12, 14, 8, 46)
    [retaken] = await dataclasses.replace(service, worker="later").prepare_round()
    assert (retaken.send_id, retaken.parts_sent) == (weekly.send_id, 2)
    async with runtime_2015.sessions() as session:
        row = await digests.get(session, retaken.key)
    assert row is not None
    assert (row.status, row.parts_sent, row.part_in_flight) == (SendStatus.CLAIMED, 2, None)


async def test_a_part_refused_with_an_answer_is_not_counted_as_out(runtime_2015: Runtime, clock: FakeClock) -> None:
    service, weekly = await _claimed_weekly(runtime_2015, clock)
    await service.in_flight(weekly, 0)
    await service.in_flight(weekly, None)  # Telegram answered 500: part 0 did not arrive
    clock.current = local(12, 14, 8, 46)
    [retaken] = await dataclasses.replace(service, worker="later").prepare_round()
    assert retaken.parts_sent == 0


async def test_a_registered_group_replaces_the_private_chats(runtime_2015: Runtime, clock: FakeClock) -> None:
    admin = await _admin(runtime_2015)
    service = DigestService.from_runtime(runtime_2015)
    assert await service.register_chat(-100500, "Tổ tổng hợp", admin) == []
    assert await service.is_digest_chat(-100500)
    clock.current = local(12, 14)
    assert [e.key.chat_id for e in await service.prepare_round()] == [-100500]
    assert await service.register_chat(-100600, "Nhóm mới", admin) == [-100500]
    assert not await service.is_digest_chat(-100500)
    assert await service.unregister_chat(-100600)
    assert not await service.is_digest_chat(-100600)
