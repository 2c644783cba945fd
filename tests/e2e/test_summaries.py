"""The planning office's summaries over the loopback harness: /tonghop with its files, refusals, the group
chat, and a simulated end of 2015 in which each scheduled digest goes out exactly once.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from docx import Document
from telegram.ext import Application

from bot.clock import FakeClock
from bot.runtime import Runtime
from bot.text import telegram_length
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.user import EmulatedUser
from handlers.summary_delivery import run_digest_round
from storage.repositories import locks
from tests.e2e.conftest import ADMIN_ID, register_officer
from tests.e2e.test_intake import press, say

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BUILDING_ID, STRANGER_ID = 821_001, 821_009
FILE_NAMES = ["bieu-do-2015.png", "tong-hop-2015.xlsx", "bao-cao-2015.docx"]


def _at(day: dt.date, hour: int = 8, minute: int = 30) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), TZ).astimezone(dt.UTC)


async def _setup_2015(runtime: Runtime, clock: FakeClock, emulator: BotApiEmulator, day: dt.date) -> EmulatedUser:
    """2013 and 2014 locked; the admin and an officer of Sở Xây dựng have opened the chat."""
    clock.current = _at(day, 7, 0)
    admin = emulator.user(ADMIN_ID, "Hùng")
    await say(admin, "/start")
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        for year in (2013, 2014):
            await locks.set_lock(session, plan_id, year, True, None, now=clock.now())
    await register_officer(runtime, BUILDING_ID, "Lê Văn Cường", "SXD")
    building = emulator.user(BUILDING_ID, "Cường")
    await say(building, "/start")
    admin.mark_read()
    building.mark_read()
    return admin


async def _enter_figures(building: EmulatedUser, figures: str = "1=45,5 2=50 3=40 4=12/30") -> None:
    review = await say(building, f"/nhap 2015 {figures}")
    saved = await press(building, review, "Xác nhận")
    assert saved.text is not None
    assert saved.text.startswith("Đã lưu")


def _files(messages: list[SentMessage]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for message in messages:
        stored = message.document or message.photo
        if stored is not None:
            found[stored.filename or "photo.png"] = stored.data
    return found


async def test_tonghop_2015_returns_the_message_and_the_three_files(
    bot_app: Application[Any, Any, Any, Any, Any, Any], runtime: Runtime, clock: FakeClock, emulator: BotApiEmulator
) -> None:
    admin = await _setup_2015(runtime, clock, emulator, dt.date(2015, 11, 20))
    building = emulator.user(BUILDING_ID, "Cường")
    await _enter_figures(building)
    clock.current = _at(dt.date(2015, 12, 18))

    await admin.send("/tonghop 2015")
    replies = await admin.wait_for_replies(6, timeout=60)
    texts = [m.text for m in replies if m.text]
    assert texts[0] == "Đang tổng hợp số liệu năm 2015, vui lòng chờ trong giây lát…"
    body = "\n".join(t for t in texts[1:] if t)
    assert body.startswith("📊 Tổng hợp năm 2015")
    assert "• 4/6 chỉ tiêu đã có số liệu" in body
    assert "45,5% · mục tiêu 100% năm 2020" in body
    assert "40% · mục tiêu 100% năm 2020" in body  # 12/30 entered as a fraction
    assert "Sở Xây dựng · Lê Văn Cường · 07:00 20/11/2015" in body  # when it was confirmed
    files = _files(replies)
    assert sorted(files) == sorted(FILE_NAMES)

    workbook = openpyxl.load_workbook(io.BytesIO(files["tong-hop-2015.xlsx"]))
    assert workbook.sheetnames == ["Phụ lục I", "Phụ lục II", "Lịch sử"]
    annex_ii = workbook["Phụ lục II"]
    header = [cell.value for cell in annex_ii[1]]
    column = header.index("Năm 2015")
    rows = {row[0].value: row for row in annex_ii.iter_rows(min_row=2)}
    assert str(rows[1][1].value).startswith("Tỷ lệ các xã phường")
    first = rows[1][column]
    assert first.value == pytest.approx(0.455)
    assert "%" in first.number_format
    document = Document(io.BytesIO(files["bao-cao-2015.docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "tăng trưởng xanh năm 2015" in text
    assert files["bieu-do-2015.png"].startswith(b"\x89PNG")


async def test_a_stranger_and_an_officer_get_nothing_of_the_compile(
    bot_app: Application[Any, Any, Any, Any, Any, Any], runtime: Runtime, clock: FakeClock, emulator: BotApiEmulator
) -> None:
    await _setup_2015(runtime, clock, emulator, dt.date(2015, 12, 18))
    stranger = emulator.user(STRANGER_ID, "Lạ")
    answer = await say(stranger, "/tonghop 2015")
    assert answer.text is not None
    assert "chưa được đăng ký" in answer.text
    building = emulator.user(BUILDING_ID, "Cường")
    refused = await say(building, "/tonghop 2015")
    assert refused.text is not None
    assert "cơ quan đầu mối" in refused.text
    for user in (stranger, building):
        assert not _files(user.messages)
        assert not any("Tổng hợp năm" in (m.text or "") for m in user.messages)


async def test_a_group_registered_with_nhantonghop_receives_the_digests(
    bot_app: Application[Any, Any, Any, Any, Any, Any], runtime: Runtime, clock: FakeClock, emulator: BotApiEmulator
) -> None:
    admin = await _setup_2015(runtime, clock, emulator, dt.date(2015, 12, 11))
    group = emulator.group(-100_777, "Tổ tổng hợp Sở KH&ĐT")
    stranger = emulator.user(STRANGER_ID, "Lạ")
    await stranger.send_in(group, "/nhantonghop")
    refusal = await group_reply(group, "chưa được đăng ký")
    await admin.send_in(group, "/tro_chuyen_khac")  # any other command in a group: the bot stays silent
    await admin.send_in(group, "/nhantonghop")
    registered = await group_reply(group, "Từ nay nhóm này sẽ nhận")
    assert [m.message_id for m in group.messages] == [refusal.message_id, registered.message_id]
    clock.current = _at(dt.date(2015, 12, 14))  # Monday
    report = await run_digest_round(bot_app.bot, runtime)
    assert report.sent == 1
    digest = [m.text or "" for m in group.messages[2:]]
    assert digest[0].startswith("🗓 Bản tin tuần, ngày 14/12/2015")
    assert all(telegram_length(text) <= 4096 for text in digest)
    assert not any("Bản tin tuần" in (m.text or "") for m in admin.messages)  # the group replaces private chats


async def group_reply(group: Any, needle: str) -> SentMessage:
    """The bot's message in the group containing ``needle`` (waiting for it to arrive)."""
    message: SentMessage = await group.wait_for(lambda m: needle in (m.text or ""))
    return message


async def test_a_simulated_end_of_year_sends_each_digest_once(
    bot_app: Application[Any, Any, Any, Any, Any, Any], runtime: Runtime, clock: FakeClock, emulator: BotApiEmulator
) -> None:
    """From 01/11/2015 to 10/01/2016, a digest round every day at 08:30 (twice on some days), the bot down
    24-28/12; figures entered on 20/11 and corrected on 21/12."""
    admin = await _setup_2015(runtime, clock, emulator, dt.date(2015, 11, 1))
    building = emulator.user(BUILDING_ID, "Cường")
    received: list[tuple[dt.date, SentMessage]] = []
    day = dt.date(2015, 11, 1)
    while day <= dt.date(2016, 1, 10):
        clock.current = _at(day)
        if not dt.date(2015, 12, 24) <= day <= dt.date(2015, 12, 28):
            await run_digest_round(bot_app.bot, runtime)
            if day.day % 5 == 0:
                clock.current = _at(day, 15, 0)
                await run_digest_round(bot_app.bot, runtime)  # a second round the same day: nothing new
        received += [(day, message) for message in admin.unread]
        admin.mark_read()
        if day == dt.date(2015, 11, 20):
            await _enter_figures(building)
        if day == dt.date(2015, 12, 21):
            clock.current = _at(day, 10, 0)
            await _enter_figures(building, "1=47")
        building.mark_read()
        day += dt.timedelta(days=1)

    def days(prefix: str) -> list[dt.date]:
        return [d for d, m in received if (m.text or "").startswith(prefix)]

    weekly = days("🗓 Bản tin tuần")
    mondays = [dt.date(2015, 11, 2) + dt.timedelta(weeks=n) for n in range(10)]
    # Every Monday; the week of the downtime on Tuesday 29/12, when the bot is back (within the 3-day grace).
    assert weekly == [*mondays[:8], dt.date(2015, 12, 29), dt.date(2016, 1, 4)], weekly
    assert days("📌 Hạn nộp ngày 15/12/2015") == [dt.date(2015, 12, 16)]
    compiles = days("📊 Tổng hợp năm 2015")
    assert compiles == [dt.date(2015, 12, 16), dt.date(2015, 12, 22)]  # first, then the change of 21/12
    files = Counter(
        (d, (m.document or m.photo).filename)  # type: ignore[union-attr]
        for d, m in received
        if m.document or m.photo
    )
    assert files == Counter({(d, name): 1 for d in compiles for name in FILE_NAMES})


async def test_a_failing_upload_is_retried_without_repeating_the_parts_already_sent(
    bot_app: Application[Any, Any, Any, Any, Any, Any], runtime: Runtime, clock: FakeClock, emulator: BotApiEmulator
) -> None:
    admin = await _setup_2015(runtime, clock, emulator, dt.date(2015, 12, 16))
    clock.current = _at(dt.date(2015, 12, 16))
    emulator.fail_next("sendPhoto", 1, "500")
    emulator.fail_next("sendDocument", 1, "429", retry_after=0.01)
    report = await run_digest_round(bot_app.bot, runtime)
    assert (report.sent, report.failed) == (3, 0)  # this week's digest, the 15/12 report and the compile
    texts = [m.text for m in admin.messages if m.text]
    assert len(texts) == len(set(texts))  # no message twice
    assert sorted(name for name in _files(admin.messages)) == sorted(FILE_NAMES)
    assert len([m for m in admin.messages if m.document or m.photo]) == len(FILE_NAMES)
