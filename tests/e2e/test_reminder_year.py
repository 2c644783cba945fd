"""A whole reporting year, day by day, over the loopback harness: who received which reminder, and when.

The fake clock walks from 1 January 2015 to 8 January 2016 at 08:30 local; every day one reminder
round runs through the real application, exactly as the 08:00 job would. Years 2013 and 2014
are locked, so what is due is the 2015 work of the Kon Tum plan. Three people are registered:

* an officer of Thành phố Kon Tum (TPKONTUM), which reports once a year and coordinates II.4;
* an officer of Sở Xây dựng (SXD), which leads indicators 1-4 and task IV.1 and coordinates many;
* the planning office's admin (Sở Kế hoạch và Đầu tư in 2015), who receives the escalations.

SXD enters its four indicators on 20/11; TPKONTUM reports from the "Nhập ngay" button on 17/12;
the bot is down from 24/12 to 03/01 and catches up on 04/01.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application

from bot.clock import FakeClock
from bot.runtime import Runtime
from bot.services.reminders import ReminderService
from emulator.emulator import BotApiEmulator
from emulator.user import EmulatedUser
from handlers.reminder_delivery import run_round
from storage.repositories import locks
from tests.e2e.conftest import ADMIN_ID, register_officer
from tests.e2e.test_intake import press, say

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CITY_ID, BUILDING_ID = 811_001, 811_002
FIRST_DAY, LAST_DAY = dt.date(2015, 1, 1), dt.date(2016, 1, 8)
DOWN_FROM, DOWN_UNTIL = dt.date(2015, 12, 24), dt.date(2016, 1, 3)  # no round runs on these days
YEARLY_REPORT = "Báo cáo năm 2015 (mục IV.3)"

Log = dict[int, list[tuple[dt.date, str]]]


def _at(day: dt.date, hour: int = 8, minute: int = 30) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), TZ).astimezone(dt.UTC)


def _collect(day: dt.date, users: list[EmulatedUser], log: Log) -> int:
    """Move what each user received since the last look into the log; how many messages that was."""
    count = 0
    for user in users:
        for message in user.unread:
            log[user.id].append((day, message.text or ""))
            count += 1
        user.mark_read()
    return count


def _days(log: Log, user_id: int, *needles: str) -> list[dt.date]:
    """The days on which the user received a message containing every needle (one entry per message)."""
    return [day for day, text in log[user_id] if all(needle in text for needle in needles)]


async def _enter_figures(building: EmulatedUser) -> None:
    review = await say(building, "/nhap 2015 1=45,5 2=50 3=40 4=12/30")
    saved = await press(building, review, "Xác nhận")
    assert saved.text is not None
    assert saved.text.startswith("Đã lưu")


async def _report_from_the_reminder(city: EmulatedUser, reminder: Any) -> None:
    """ "Nhập ngay" on the yearly-report reminder opens /tiendo for 2015; the report is II.4."""
    tasks = await press(city, reminder, "Nhập ngay")
    assert tasks.text is not None
    assert "năm báo cáo 2015" in tasks.text
    status = await press(city, tasks, "⬜ II.4")
    note = await press(city, status, "Đang triển khai")
    evidence = await press(city, note, "Bỏ qua")
    review = await press(city, evidence, "Bỏ qua")
    saved = await press(city, review, "Xác nhận")
    assert saved.text is not None
    assert "Đã lưu" in saved.text


async def test_a_simulated_reporting_year(
    bot_app: Application[Any, Any, Any, Any, Any, Any],
    runtime: Runtime,
    clock: FakeClock,
    emulator: BotApiEmulator,
) -> None:
    clock.current = _at(FIRST_DAY, 7, 0)
    admin = emulator.user(ADMIN_ID, "Hùng")
    await say(admin, "/start")  # the admin joins the planning office of 2015
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        for year in (2013, 2014):
            await locks.set_lock(session, plan_id, year, True, None, now=clock.now())
    await register_officer(runtime, CITY_ID, "Trần Thị Hoa", "TPKONTUM")
    await register_officer(runtime, BUILDING_ID, "Lê Văn Cường", "SXD")
    city, building = emulator.user(CITY_ID, "Hoa"), emulator.user(BUILDING_ID, "Cường")
    users = [city, building, admin]
    for officer in (city, building):  # Telegram only lets a bot write to people who opened its chat
        await say(officer, "/start")
    _collect(FIRST_DAY, users, defaultdict(list))  # the /start answers are not reminders

    log: Log = defaultdict(list)
    service = ReminderService.from_runtime(runtime)
    rival = dataclasses.replace(service, worker="second-process")
    day = FIRST_DAY
    while day <= LAST_DAY:
        clock.current = _at(day)
        if not DOWN_FROM <= day <= DOWN_UNTIL:
            if day == dt.date(2015, 12, 15):  # two workers race for the same round
                await _race(bot_app, runtime, service, rival)
            else:
                await run_round(bot_app.bot, runtime, service)
        _collect(day, users, log)
        if day in (dt.date(2015, 12, 8), dt.date(2015, 12, 16)):
            clock.current = _at(day, 14, 0)  # a second round the same day sends nothing new
            await run_round(bot_app.bot, runtime, service)
            assert _collect(day, users, log) == 0
        if day == dt.date(2015, 11, 20):
            await _enter_figures(building)
            building.mark_read()
        if day == dt.date(2015, 12, 17):
            [reminder] = [m for m in city.messages if m.text and "Đã quá hạn" in m.text]
            await _report_from_the_reminder(city, reminder)
            city.mark_read()
        day += dt.timedelta(days=1)

    _city_got_exactly_its_reminders(log)
    _building_got_exactly_its_reminders(log)
    _admin_got_each_escalation_once(log)


async def _race(
    bot_app: Application[Any, Any, Any, Any, Any, Any], runtime: Runtime, one: ReminderService, other: ReminderService
) -> None:
    import asyncio

    first, second = await asyncio.gather(
        run_round(bot_app.bot, runtime, one), run_round(bot_app.bot, runtime, other)
    )
    assert first.claimed + second.claimed > 0


def _city_got_exactly_its_reminders(log: Log) -> None:
    """TPKONTUM: the yearly report at -30 (Sunday 15/11 → Friday 13/11), -7, -3 (Saturday → Friday), -1, 0, +1;
    the II.4 FYI once at -7; nothing after it reported on 17/12."""
    got = log[CITY_ID]
    assert [day for day, _ in got] == [
        dt.date(2015, 11, 13),
        dt.date(2015, 12, 8),
        dt.date(2015, 12, 8),
        dt.date(2015, 12, 11),
        dt.date(2015, 12, 14),
        dt.date(2015, 12, 15),
        dt.date(2015, 12, 16),
    ], got
    assert _days(log, CITY_ID, YEARLY_REPORT) == [
        dt.date(2015, 11, 13),
        dt.date(2015, 12, 8),
        dt.date(2015, 12, 11),
        dt.date(2015, 12, 14),
        dt.date(2015, 12, 15),
        dt.date(2015, 12, 16),
    ]
    assert _days(log, CITY_ID, "Để anh/chị biết", "II.4") == [dt.date(2015, 12, 8)]
    first_text = got[0][1]
    assert first_text.startswith("⏰ Nhắc nhở: sắp đến hạn nộp báo cáo.")
    assert "hạn 15/12/2015 (còn 32 ngày)" in first_text
    assert _days(log, CITY_ID, "hạn chót là hôm nay") == [dt.date(2015, 12, 15)]
    assert _days(log, CITY_ID, "Đã quá hạn", "(quá hạn 1 ngày)") == [dt.date(2015, 12, 16)]


def _building_got_exactly_its_reminders(log: Log) -> None:
    """SXD: a list at -30 (five actions), indicators never again once entered on 20/11, IV.1 from 01/12,
    the yearly report until the end, a catch-up after the downtime."""
    got = log[BUILDING_ID]
    assert [day for day, _ in got] == [
        dt.date(2015, 7, 24),  # FYI: I.3 "KH năm 2016" is due 31/07
        dt.date(2015, 11, 13),  # list of five: indicators 1-4 and the yearly report
        dt.date(2015, 12, 1),  # IV.1 evaluation due 31/12, -30
        dt.date(2015, 12, 8),  # list: the yearly report and eight FYIs
        dt.date(2015, 12, 11),
        dt.date(2015, 12, 14),
        dt.date(2015, 12, 15),
        dt.date(2015, 12, 16),
        dt.date(2015, 12, 22),  # +7
        dt.date(2016, 1, 4),  # catch-up (+14 of 29/12 missed) and IV.1 +1 (01/01 is a holiday)
        dt.date(2016, 1, 4),
        dt.date(2016, 1, 5),  # +21
        dt.date(2016, 1, 7),  # IV.1 +7
    ], got
    assert _days(log, BUILDING_ID, "Anh/chị có 5 hạn nộp cần lưu ý") == [dt.date(2015, 11, 13)]
    assert _days(log, BUILDING_ID, "Anh/chị có 9 hạn nộp cần lưu ý") == [dt.date(2015, 12, 8)]
    after_entry = [text for day, text in got if day > dt.date(2015, 11, 20)]
    assert not [text for text in after_entry if "Chỉ tiêu 1 " in text]  # delivered: never reminded again
    assert _days(log, BUILDING_ID, "Trong thời gian bot không gửi được tin", YEARLY_REPORT) == [dt.date(2016, 1, 4)]
    assert _days(log, BUILDING_ID, "Đã quá hạn", "\nIV.1 ") == [dt.date(2016, 1, 4), dt.date(2016, 1, 7)]
    assert "\nCòn thiếu: IV.1\n" in got[4][1]  # the yearly report still lacks the evaluation


def _admin_got_each_escalation_once(log: Log) -> None:
    escalations = [(day, text) for day, text in log[ADMIN_ID] if text.startswith("⚠️")]
    yearly = [(day, text) for day, text in escalations if YEARLY_REPORT in text]
    assert [day for day, _ in yearly] == [dt.date(2015, 12, 16)]
    text = yearly[0][1]
    assert "Ủy ban nhân dân thành phố Kon Tum" in text  # not delivered yet on 16/12
    assert "Chỉ tiêu 1 " not in text  # SXD entered it on 20/11
    assert [day for day, text in escalations if "IV.1" in text] == [dt.date(2016, 1, 4)]
