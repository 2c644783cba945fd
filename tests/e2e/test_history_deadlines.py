"""/lichsu and /hannop over real HTTP: own entries with names and local times, year buttons, deadlines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.constants import MessageLimit
from telegram.ext import Application

from bot.clock import FakeClock
from bot.runtime import Runtime
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.user import EmulatedUser
from storage.enums import ProgressStatus, ValueSource
from storage.models import IndicatorValue, TaskProgressReport
from storage.repositories import indicator_values, task_progress
from storage.repositories import plan as plan_rows
from storage.repositories.evidence import Evidence
from tests.e2e.conftest import register_officer

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]
OFFICER_ID, OTHER_ID, STRANGER_ID = 720_001, 720_002, 720_003
# 14:05 on 3 March 2026 in Asia/Ho_Chi_Minh.
CORRECTED_AT = dt.datetime(2026, 3, 3, 7, 5, tzinfo=dt.UTC)


async def say(user: EmulatedUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.wait_for_reply()


def text_of(message: SentMessage) -> str:
    assert message.text is not None
    return message.text


async def record_figure(
    runtime: Runtime, officer_id: int, number: int, year: int, value: str, **extra: Any
) -> IndicatorValue:
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        indicator = await plan_rows.get_indicator(session, plan_id, number)
        sxd = (await plan_rows.department_ids(session, ["SXD"]))["SXD"]
        assert indicator is not None
        return await indicator_values.record_value(
            session,
            indicator_id=indicator.id,
            department_id=sxd,
            year=year,
            value=Decimal(value),
            entered_by_officer_id=officer_id,
            **{"now": runtime.clock.now(), **extra},
        )


async def record_progress(
    runtime: Runtime, officer_id: int, code: str, task_key: str, year: int, status: ProgressStatus, note: str | None
) -> None:
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        task = await plan_rows.get_task(session, plan_id, task_key)
        department_id = (await plan_rows.department_ids(session, [code]))[code]
        assert task is not None
        await task_progress.record_progress(
            session,
            task_id=task.id,
            department_id=department_id,
            period_year=year,
            status=status,
            reported_by_officer_id=officer_id,
            note=note,
            now=runtime.clock.now(),
        )


async def count(runtime: Runtime, model: type[IndicatorValue] | type[TaskProgressReport]) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def officer_id(bot_app: App, runtime: Runtime) -> int:
    return await register_officer(runtime, OFFICER_ID, "Nguyễn Văn An", "SXD")


@pytest.fixture
def officer(emulator: BotApiEmulator, officer_id: int) -> EmulatedUser:
    return emulator.user(OFFICER_ID, "An")


async def test_history_of_a_year_shows_own_entries_with_name_and_local_time(
    officer: EmulatedUser, officer_id: int, runtime: Runtime
) -> None:
    await record_figure(runtime, officer_id, 1, 2015, "40", numerator=Decimal(12), denominator=Decimal(30))
    await record_figure(
        runtime,
        officer_id,
        1,
        2015,
        "47.5",
        source=ValueSource.QUICK,
        note="Theo báo cáo của UBND các huyện",
        evidence=Evidence(file_id="F1", file_name="thu-gom-2015.pdf", file_size=100, sender_telegram_id=OFFICER_ID),
        now=CORRECTED_AT,
    )
    await record_progress(runtime, officer_id, "SXD", "I.5", 2015, ProgressStatus.IN_PROGRESS, "Đã tập huấn")
    other_id = await register_officer(runtime, OTHER_ID, "Lê Công", "SCT")
    await record_progress(runtime, other_id, "SCT", "I.5", 2015, ProgressStatus.BLOCKED, "Ghi chú của Sở Công Thương")

    reply = await say(officer, "/lichsu 2015")
    text = text_of(reply)
    assert "Lịch sử nhập liệu của Sở Xây dựng năm 2015" in text
    assert "Chỉ tiêu 1. Tỷ lệ các xã phường, thị trấn" in text
    assert "v1 · 40% (12/30) · Nguyễn Văn An · 09:00 02/03/2026\n" in text
    assert (
        "v2 · 47,5% · Nguyễn Văn An · 14:05 03/03/2026 · nhập nhanh · sửa · "
        "ghi chú: “Theo báo cáo của UBND các huyện” · tệp: thu-gom-2015.pdf"
    ) in text
    assert "Đơn vị chưa nhập số liệu: chỉ tiêu 2, 3, 4." in text
    assert "I.5 Đẩy mạnh công tác giáo dục truyền thông" in text
    assert "(phối hợp)\n   v1 · Đang triển khai · Nguyễn Văn An · 09:00 02/03/2026 · ghi chú: “Đã tập huấn”" in text
    assert "Sở Công Thương" not in text  # another department's report on the same task stays hidden
    assert "Lê Công" not in text
    assert "Gặp vướng mắc" not in text
    assert reply.reply_markup is None  # a year was given: no year buttons
    # Reading changes nothing: exactly what was recorded is stored.
    assert await count(runtime, IndicatorValue) == 2
    assert await count(runtime, TaskProgressReport) == 2


async def test_history_without_a_year_offers_buttons_and_refuses_forged_ones(
    officer: EmulatedUser, officer_id: int, runtime: Runtime
) -> None:
    await runtime.periods.set_locked(2019, True, by_officer_id=None)
    await record_figure(runtime, officer_id, 2, 2015, "12.5")

    first = await say(officer, "/lichsu")
    text = text_of(first)
    assert "năm 2020" in text  # the open year
    assert "chưa nhập số liệu hay báo cáo tiến độ nào cho năm 2020" in text
    assert "Chọn năm khác:" in text
    assert first.reply_markup is not None
    assert first.reply_markup.texts == [["2013", "2014", "2015", "2016"], ["2017", "2018", "2019 🔒", "2020"]]
    assert first.callback_data == [f"h:{year}" for year in range(2013, 2021)]

    await officer.press(first, text="2015")
    assert (await officer.wait_for_callback_answer()).text is None
    chosen = text_of(await officer.wait_for_reply())
    assert "Lịch sử nhập liệu của Sở Xây dựng năm 2015" in chosen
    assert "v1 · 12,5% · Nguyễn Văn An · 09:00 02/03/2026" in chosen

    for forged in ("h:2030", "h:abc", "h:2015:1", "h:"):
        await officer.press(first, forged, force=True)
        answer = await officer.wait_for_callback_answer()
        assert answer.text == "Nút này không còn hiệu lực. Vui lòng gửi lại /lichsu."
    barrier = text_of(await say(officer, "/trogiup"))  # the forged presses sent no message
    assert "/lichsu" in barrier
    assert await count(runtime, IndicatorValue) == 1


async def test_history_with_a_bad_year(officer: EmulatedUser) -> None:
    for argument in ("abc", "2030", "2012"):
        reply = await say(officer, f"/lichsu {argument}")
        assert text_of(reply) == (
            f"“{argument}” không phải là năm báo cáo. "
            "Các năm báo cáo: 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020. Ví dụ: /lichsu 2020"
        )
        assert reply.reply_markup is not None
        assert len(reply.callback_data) == 8


async def test_long_history_is_split_between_lines(officer: EmulatedUser, officer_id: int, runtime: Runtime) -> None:
    note = "Số liệu tổng hợp từ báo cáo của các phòng chuyên môn và UBND các huyện, thành phố"
    for version in range(40):
        await record_figure(runtime, officer_id, 3, 2016, f"{version}.5", note=note)
    await officer.send("/lichsu 2016")
    barrier = await officer.send("/trogiup")
    await barrier.confirmed()
    await officer.wait_until(
        lambda: any("/lichsu" in (m.text or "") for m in officer.unread), what="the help text after the history"
    )
    parts = [m for m in officer.unread if "/trogiup" not in (m.text or "") and "/lichsu:" not in (m.text or "")]
    officer.mark_read()
    assert len(parts) >= 2
    assert all(len(text_of(part)) <= MessageLimit.MAX_TEXT_LENGTH for part in parts)
    lines = [line for part in parts for line in text_of(part).split("\n")]
    versions = [line for line in lines if line.lstrip().startswith("v")]
    assert len(versions) == 40  # every version on one whole line, none cut between messages
    assert all(line.startswith("   v") and line.endswith("”") for line in versions)
    assert versions[-1].startswith("   v40 · 39,5% · Nguyễn Văn An")


async def test_my_deadlines_lists_the_latest_overdue_ones(
    officer: EmulatedUser, officer_id: int, runtime: Runtime
) -> None:
    reply = await say(officer, "/hannop")
    text = text_of(reply)
    assert len(text) < MessageLimit.MAX_TEXT_LENGTH
    assert text.startswith("Hạn nộp của Sở Xây dựng (hôm nay 02/03/2026)")
    header = next(line for line in text.split("\n") if line.startswith("Quá hạn ("))
    total = int(header.removeprefix("Quá hạn (").removesuffix("):"))
    assert text.count("\n• ") == 10
    assert f"… và {total - 10} hạn khác" in text
    assert "• I.5 Đẩy mạnh công tác giáo dục truyền thông" in text
    assert "hạn 15/12/2020 · quá hạn 1903 ngày · chưa nộp · phối hợp" in text
    assert "· chủ trì" in text
    assert "Không có hạn nộp nào sắp tới trong 60 ngày." in text
    assert "Bot sẽ tự động gửi lời nhắc trước mỗi hạn nộp." in text

    await record_progress(runtime, officer_id, "SXD", "I.5", 2020, ProgressStatus.DONE, None)
    after = text_of(await say(officer, "/hannop"))
    assert f"Quá hạn ({total - 1}):" in after
    assert "• I.5 " not in after
    assert await count(runtime, TaskProgressReport) == 1


async def test_strangers_are_told_to_register(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> None:
    stranger = emulator.user(STRANGER_ID, "Tú")
    for command in ("/lichsu", "/lichsu 2015", "/hannop"):
        assert "chưa được đăng ký" in text_of(await say(stranger, command))
    menu = await say(stranger, "/start")
    await stranger.press(menu.message_id, "h:2015", force=True)
    await stranger.wait_for_callback_answer()
    assert "chưa được đăng ký" in text_of(await stranger.wait_for_reply())
    assert await count(runtime, IndicatorValue) == 0


async def test_my_deadlines_before_the_yearly_report(
    officer: EmulatedUser, officer_id: int, runtime: Runtime, clock: FakeClock
) -> None:
    clock.current = dt.datetime(2020, 11, 1, 2, 0, tzinfo=dt.UTC)  # 09:00 on 1 November 2020, local
    await record_figure(runtime, officer_id, 1, 2020, "55")
    text = text_of(await say(officer, "/hannop"))
    assert "Sắp tới (60 ngày tới):" in text
    assert "• Chỉ tiêu 1 Tỷ lệ các xã phường, thị trấn" in text
    assert "hạn 15/12/2020 · còn 44 ngày · đã nộp · chủ trì" in text
    assert "hạn 15/12/2020 · còn 44 ngày · chưa nộp · phối hợp" in text
    assert (
        "• Báo cáo năm 2020 (mục IV.3)\n"
        "   hạn 15/12/2020 · còn 44 ngày · chưa nộp · còn thiếu: chỉ tiêu 2, chỉ tiêu 3, chỉ tiêu 4"
    ) in text
    assert "Không có hạn nộp nào sắp tới" not in text
    assert await count(runtime, IndicatorValue) == 1
