"""Reminder rounds end to end: the real application and database, the loopback Bot API, December 2015.

2013 and 2014 are locked, so only 2015 deadlines (and later ones) are open. Thành phố Kon Tum
(TPKONTUM) has two deadlines on Tuesday 15 December 2015: it coordinates task II.4 (a heads-up at
-7) and owes the yearly report (an action reminder). At 08:30 on Tuesday 8 December both -7
reminders are due; the planning office is SKHDT, where the ADMIN_IDS admin lands on /start.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from telegram.ext import AIORateLimiter, Application, ExtBot
from telegram.request import HTTPXRequest

from bot.clock import FakeClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.user import EmulatedUser
from handlers.reminder_delivery import run_round
from storage.enums import AttemptOutcome, SendPurpose, SendStatus
from storage.models import Officer, ReminderSend
from storage.repositories import locks, reminders
from tests.e2e.conftest import ADMIN_ID, register_officer

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]
LAN_ID, MAI_ID = 710_001, 710_002
LAN, MAI = "Nguyễn Thị Lan", "Trần Thị Mai"
TPKONTUM_NAME = "Ủy ban nhân dân thành phố Kon Tum"
TUESDAY = dt.datetime(2015, 12, 8, 1, 30, tzinfo=dt.UTC)  # 08:30 in Kon Tum, half an hour after the -7 reminders
FRIDAY = dt.datetime(2015, 12, 11, 1, 30, tzinfo=dt.UTC)  # the -3 reminders (the 12th is a Saturday)
BLOCKED = "Forbidden: bot was blocked by the user"
FAST_RETRY = 0.01  # seconds; the emulator's retry_after, so no test waits long

HEADS_UP = (
    "⏰ Để anh/chị biết: đơn vị của anh/chị là cơ quan phối hợp thực hiện nội dung này.\n\n"
    "II.4 Di dời, thay thế các cơ sở sản xuất vật liệu xây dựng thủ công tiêu tốn năng lượng"
)
REPORT_REMINDER = (
    "⏰ Nhắc nhở: sắp đến hạn nộp báo cáo.\n\n"
    "Báo cáo năm 2015 (mục IV.3)\n"
    "hạn 15/12/2015 (còn 7 ngày)\n\n"
    'Vui lòng nộp qua /nhap hoặc /tiendo, hoặc bấm "Nhập ngay".'
)
SNOOZED_REMINDER = (
    "⏰ Nhắc lại theo yêu cầu của anh/chị: nội dung này vẫn chưa được nộp.\n\n"
    "Báo cáo năm 2015 (mục IV.3)\n"
    "hạn 15/12/2015 (còn 6 ngày)"
)
UNREACHABLE_NOTICE = (
    f"Bot không gửi được tin nhắn tới {LAN} ({TPKONTUM_NAME}): người này đã chặn bot hoặc đã xóa tài khoản "
    "Telegram. Bot tạm dừng nhắc người này cho đến khi họ nhắn lại cho bot; vui lòng liên hệ trực tiếp."
)
NO_LONGER_VALID = "Nút này không còn hiệu lực. Vui lòng gửi /start."
ADMINS_ONLY = "Chức năng này chỉ dành cho cơ quan đầu mối (quản trị viên)."


@pytest.fixture
def clock() -> FakeClock:
    """Overrides the conftest clock, so the plan is synced (and departments active) as of December 2015."""
    return FakeClock(TUESDAY)


@pytest.fixture
async def open_2015(bot_app: App, runtime: Runtime) -> None:
    """Lock 2013 and 2014 once the application has synced the plan: only 2015 onwards is reminded."""
    async with runtime.sessions.begin() as session:
        plan_id = await runtime.periods.plan_id(session)
        for year in (2013, 2014):
            await locks.set_lock(session, plan_id, year, True, None, now=runtime.clock.now())


# --- helpers --------------------------------------------------------------------------------


async def officer(emulator: BotApiEmulator, runtime: Runtime, telegram_user_id: int, name: str) -> EmulatedUser:
    """A registered Thành phố Kon Tum officer whose chat with the bot is open."""
    await register_officer(runtime, telegram_user_id, name, "TPKONTUM")
    return emulator.user(telegram_user_id, name.split()[-1], started=True)


async def started_admin(emulator: BotApiEmulator) -> EmulatedUser:
    admin = emulator.user(ADMIN_ID, "Hùng")
    await admin.send("/start")
    await admin.wait_for_reply()
    return admin


def texts(user: EmulatedUser) -> list[str]:
    return [message.text or "" for message in user.messages]


def text_of(message: SentMessage) -> str:
    assert message.text is not None
    return message.text


async def sends_to(runtime: Runtime, telegram_user_id: int) -> list[ReminderSend]:
    async with runtime.sessions() as session:
        query = (
            select(ReminderSend)
            .join(Officer, ReminderSend.officer_id == Officer.id)
            .where(Officer.telegram_user_id == telegram_user_id)
            .order_by(ReminderSend.id)
        )
        return list((await session.scalars(query)).all())


async def send_of(runtime: Runtime, telegram_user_id: int, purpose: SendPurpose) -> ReminderSend:
    [send] = [s for s in await sends_to(runtime, telegram_user_id) if s.purpose is purpose]
    return send


async def outcomes(runtime: Runtime, send_id: int) -> list[tuple[AttemptOutcome, str | None]]:
    async with runtime.sessions() as session:
        return [(a.outcome, a.detail) for a in await reminders.attempts_for(session, send_id)]


async def officer_row(runtime: Runtime, telegram_user_id: int) -> Officer:
    async with runtime.sessions() as session:
        query = select(Officer).where(Officer.telegram_user_id == telegram_user_id)
        row = await session.scalar(query.execution_options(populate_existing=True))
        assert row is not None
        return row


def calls_to_chat(emulator: BotApiEmulator, chat_id: int) -> int:
    return sum(1 for call in emulator.calls_to("sendMessage") if str(call.params.get("chat_id")) == str(chat_id))


async def answer_to_press(user: EmulatedUser, message: SentMessage, data: str) -> str | None:
    """Press (forged or not) and return the text of the callback answer to exactly that press."""
    seen = len(user.callback_answers)
    await user.press(message, data, force=True)
    await user.wait_until(lambda: len(user.callback_answers) > seen, what="the callback answer")
    return user.callback_answers[seen].text


async def press(user: EmulatedUser, message: SentMessage, label: str) -> tuple[str | None, SentMessage]:
    """Press a real button; returns the callback answer and the reply that follows it."""
    await user.press(message, text=label)
    answer = await user.wait_for_callback_answer()
    return answer.text, await user.wait_for_reply()


# --- (a) flood limits, server errors, slow answers --------------------------------------------


async def test_flood_and_server_errors_are_retried_until_the_reminder_arrives_once(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime, open_2015: None
) -> None:
    lan = await officer(emulator, runtime, LAN_ID, LAN)
    emulator.fail_next("sendMessage", 2, "429", retry_after=FAST_RETRY)
    emulator.fail_next("sendMessage", 2, "500")
    report = await run_round(bot_app.bot, runtime)

    assert (report.claimed, report.sent, report.failed, report.unreachable) == (2, 2, 0, 0)
    assert len(lan.messages) == 2  # each reminder exactly once
    assert text_of(lan.messages[0]).startswith(HEADS_UP)
    assert text_of(lan.messages[1]) == REPORT_REMINDER
    assert [c.status for c in emulator.calls_to("sendMessage", ok=False)] == [429, 429, 500, 500]

    heads_up = await send_of(runtime, LAN_ID, SendPurpose.FYI)
    # The two 429s never reach the round: AIORateLimiter (RATE_LIMIT_MAX_RETRIES) waits them out itself.
    assert await outcomes(runtime, heads_up.id) == [
        (AttemptOutcome.NETWORK_ERROR, "Internal Server Error"),
        (AttemptOutcome.NETWORK_ERROR, "Internal Server Error"),
        (AttemptOutcome.SENT, None),
    ]
    action = await send_of(runtime, LAN_ID, SendPurpose.ACTION)
    assert await outcomes(runtime, action.id) == [(AttemptOutcome.SENT, None)]
    for send, message in ((heads_up, lan.messages[0]), (action, lan.messages[1])):
        assert (send.status, send.attempts, send.telegram_message_id, send.folded) == (
            SendStatus.SENT,
            1,
            message.message_id,
            False,
        )

    again = await run_round(bot_app.bot, runtime)
    assert (again.claimed, again.sent) == (0, 0)
    assert len(lan.messages) == 2


async def test_a_flood_longer_than_the_rate_limiter_waits_is_logged_then_retried(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime, settings: Settings, open_2015: None
) -> None:
    lan = await officer(emulator, runtime, LAN_ID, LAN)
    emulator.fail_next("sendMessage", settings.rate_limit_max_retries + 1, "429", retry_after=FAST_RETRY)
    emulator.fail_next("sendMessage", 1, "slow", delay=0.2)  # slow but within the timeout: waited for, not retried
    report = await run_round(bot_app.bot, runtime)

    assert (report.sent, report.failed) == (2, 0)
    assert report.outcomes[AttemptOutcome.RETRY_AFTER] == 1
    assert [text_of(m)[:20] for m in lan.messages] == [HEADS_UP[:20], REPORT_REMINDER[:20]]
    heads_up = await send_of(runtime, LAN_ID, SendPurpose.FYI)
    [(flood, detail), sent] = await outcomes(runtime, heads_up.id)
    assert (flood, sent) == (AttemptOutcome.RETRY_AFTER, (AttemptOutcome.SENT, None))
    assert detail is not None
    assert "0.01" in detail
    assert len(emulator.calls_to("sendMessage", ok=True)) == 2


async def test_a_send_that_timed_out_after_reaching_telegram_is_not_sent_again(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime, settings: Settings, open_2015: None
) -> None:
    lan = await officer(emulator, runtime, LAN_ID, LAN)
    token = settings.token_value()
    assert token
    # The application's bot waits 5 s for an answer; this one gives up after 0.2 s, so "slow" becomes a timeout.
    impatient = ExtBot(
        token,
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        request=HTTPXRequest(read_timeout=0.2),
        rate_limiter=AIORateLimiter(max_retries=settings.rate_limit_max_retries),
    )
    emulator.fail_next("sendMessage", 1, "slow", delay=0.6)
    async with impatient:
        report = await run_round(impatient, runtime)
    assert report.outcomes[AttemptOutcome.TIMED_OUT] == 1
    heads_up = await send_of(runtime, LAN_ID, SendPurpose.FYI)
    # A read timeout may come after Telegram took the message: recorded, counted as sent, never resent.
    assert [outcome for outcome, _ in await outcomes(runtime, heads_up.id)] == [AttemptOutcome.TIMED_OUT]
    unconfirmed = await send_of(runtime, LAN_ID, SendPurpose.FYI)
    assert (unconfirmed.status, unconfirmed.telegram_message_id) == (SendStatus.SENT, None)
    # Let the slow request finish on the server side, as Telegram would.
    await lan.wait_until(lambda: len(emulator.calls_to("sendMessage", ok=True)) == 2, what="the slow answer")
    assert len(lan.messages) == 2, texts(lan)


async def test_of_two_rounds_at_once_one_runs_and_the_other_steps_aside(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime, settings: Settings, clock: FakeClock, open_2015: None
) -> None:
    """A second runtime on the same database stands for a second process: the round lease lets one round run."""
    lan = await officer(emulator, runtime, LAN_ID, LAN)
    other = build_runtime(settings, clock=clock)
    emulator.fail_next("sendMessage", 1, "slow", delay=0.3)  # the first round is still sending when the other asks
    try:
        reports = await asyncio.gather(run_round(bot_app.bot, runtime), run_round(bot_app.bot, other))
        assert sorted((r.planned, r.claimed, r.sent) for r in reports) == [(0, 0, 0), (2, 2, 2)]  # one stood aside
        assert len(lan.messages) == 2
        later = await run_round(bot_app.bot, other)  # the lease ended with the round: the next one runs, finds all sent
        assert (later.planned, later.claimed) == (2, 0)
    finally:
        await other.engine.dispose()
    assert len(lan.messages) == 2


# --- (b) a blocked bot ----------------------------------------------------------------------


async def test_a_blocked_officer_is_marked_unreachable_and_the_planning_office_told_once(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime, clock: FakeClock, open_2015: None
) -> None:
    admin = await started_admin(emulator)
    lan = await officer(emulator, runtime, LAN_ID, LAN)
    lan.block()  # every send to her now fails with 403 "Forbidden: bot was blocked by the user"
    await emulator.wait_all_fetched()
    report = await run_round(bot_app.bot, runtime)

    assert report.unreachable == 2  # both of her reminders were refused, in the same round
    assert lan.messages == []
    assert texts(admin).count(UNREACHABLE_NOTICE) == 1
    assert (await officer_row(runtime, LAN_ID)).unreachable_at == TUESDAY
    for send in await sends_to(runtime, LAN_ID):
        assert (send.status, send.attempts) == (SendStatus.SKIPPED, 0)
        assert await outcomes(runtime, send.id) == [(AttemptOutcome.FORBIDDEN, BLOCKED)]

    refused = calls_to_chat(emulator, LAN_ID)
    clock.current = FRIDAY  # the -3 reminder is due, but not to her
    await run_round(bot_app.bot, runtime)
    assert calls_to_chat(emulator, LAN_ID) == refused  # not even tried
    assert texts(admin).count(UNREACHABLE_NOTICE) == 1

    lan.unblock()  # she writes again: the notice promised reminders would resume
    await lan.send("/start")
    await lan.wait_for_reply()
    assert (await officer_row(runtime, LAN_ID)).unreachable_at is None
    clock.current = dt.datetime(2015, 12, 14, 1, 30, tzinfo=dt.UTC)  # Monday: the -1 reminder
    await run_round(bot_app.bot, runtime)
    reminder = await lan.wait_for_reply()
    assert "hạn 15/12/2015 (còn 1 ngày)" in text_of(reminder)


# --- (c) the buttons under a reminder ---------------------------------------------------------


async def test_the_reminder_buttons_acknowledge_snooze_and_open_the_entry(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime, clock: FakeClock, open_2015: None
) -> None:
    lan = await officer(emulator, runtime, LAN_ID, LAN)
    mai = await officer(emulator, runtime, MAI_ID, MAI)
    await run_round(bot_app.bot, runtime)
    heads_up, reminder = await lan.wait_for_replies(2)
    assert text_of(reminder) == REPORT_REMINDER
    assert reminder.reply_markup is not None
    assert reminder.reply_markup.texts == [["Nhập ngay"], ["Đã nhận", "Nhắc lại sau"]]
    mai.mark_read()

    answer, noted = await press(lan, reminder, "Đã nhận")
    assert answer == "Đã ghi nhận, cảm ơn anh/chị."
    assert text_of(noted) == (
        "Đã ghi nhận anh/chị đã nhận được lời nhắc này. Bot vẫn tiếp tục nhắc cho đến khi đơn vị nộp báo cáo."
    )
    action = await send_of(runtime, LAN_ID, SendPurpose.ACTION)
    assert action.acknowledged_at == TUESDAY
    await lan.press(reminder, text="Đã nhận")  # twice: thanked again, but no second confirmation message
    assert (await lan.wait_for_callback_answer()).text == "Đã ghi nhận, cảm ơn anh/chị."

    answer, snoozed = await press(lan, reminder, "Nhắc lại sau")
    assert answer is None
    assert text_of(snoozed) == "Vâng. Bot sẽ nhắc lại anh/chị lúc 08:30 09/12/2015."
    clock.advance(dt.timedelta(days=1) - dt.timedelta(minutes=1))
    await run_round(bot_app.bot, runtime)
    assert lan.unread == []  # not yet
    clock.advance(dt.timedelta(minutes=1))
    report = await run_round(bot_app.bot, runtime)
    assert report.sent == 1
    again = await lan.wait_for_reply()
    assert text_of(again).startswith(SNOOZED_REMINDER)
    assert again.reply_markup is not None
    assert [b.text for b in again.buttons] == ["Nhập ngay", "Đã nhận", "Nhắc lại sau"]
    assert mai.unread == []
    assert (await run_round(bot_app.bot, runtime)).sent == 0

    await lan.press(reminder, text="Nhập ngay")  # the yearly report: the year's task list of /tiendo
    tasks = await lan.wait_for_reply()
    assert text_of(tasks).startswith(f"Nhiệm vụ của {TPKONTUM_NAME} tại Phụ lục I, năm báo cáo 2015:")
    assert "⬜ II.4 (phối hợp):" in text_of(tasks)
    await lan.press(heads_up, text="Nhập ngay")  # the coordinated task: straight to its status question
    status = await lan.wait_for_reply()
    assert text_of(status).startswith("Nhiệm vụ II.4: ")
    assert "Vui lòng chọn tình trạng thực hiện năm 2015:" in text_of(status)


async def test_a_forged_or_forwarded_reminder_button_is_refused(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime, open_2015: None
) -> None:
    lan = await officer(emulator, runtime, LAN_ID, LAN)
    mai = await officer(emulator, runtime, MAI_ID, MAI)
    await run_round(bot_app.bot, runtime)
    _, lans = await lan.wait_for_replies(2)
    _, mais = await mai.wait_for_replies(2)
    lan_send = (await send_of(runtime, LAN_ID, SendPurpose.ACTION)).id
    mai_send = (await send_of(runtime, MAI_ID, SendPurpose.ACTION)).id
    assert f"d:{lan_send}:ack" in lans.callback_data

    for action in ("ack", "snz", "go"):
        assert await answer_to_press(lan, lans, f"d:{mai_send}:{action}") == NO_LONGER_VALID  # another send id
        assert await answer_to_press(mai, mais, f"d:{lan_send}:{action}") == NO_LONGER_VALID  # another user
    assert await answer_to_press(lan, lans, "d:999999:ack") == NO_LONGER_VALID
    assert await answer_to_press(lan, lans, f"d:{lan_send}:delete") == NO_LONGER_VALID

    assert lan.unread == []
    assert mai.unread == []
    for telegram_user_id in (LAN_ID, MAI_ID):
        assert (await send_of(runtime, telegram_user_id, SendPurpose.ACTION)).acknowledged_at is None
    async with runtime.sessions() as session:
        assert await reminders.pending_snoozes(session, after=TUESDAY, limit=10) == []


# --- (d) /nhacnho -------------------------------------------------------------------------


async def test_nhacnho_shows_what_comes_next_and_runs_a_round_for_admins_only(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime, open_2015: None
) -> None:
    lan = await officer(emulator, runtime, LAN_ID, LAN)
    await lan.send("/nhacnho")
    refusal = await lan.wait_for_reply()
    assert text_of(refusal) == ADMINS_ONLY
    assert await answer_to_press(lan, refusal, "d:run") == ADMINS_ONLY
    assert await sends_to(runtime, LAN_ID) == []  # the forged "run now" ran nothing

    admin = await started_admin(emulator)
    await admin.send("/nhacnho")
    overview = await admin.wait_for_reply()
    text = text_of(overview)
    assert text.startswith("Các lời nhắc sắp gửi:\n")
    assert f"• 08:00 11/12/2015: {TPKONTUM_NAME} (1 cán bộ, cần thực hiện)\n   Báo cáo năm 2015 (mục IV.3)" in text
    assert text.endswith("Các lần gửi lỗi gần đây:\nKhông có.")
    assert overview.reply_markup is not None
    assert overview.reply_markup.texts == [["Chạy lượt nhắc ngay"]]

    await admin.press(overview, text="Chạy lượt nhắc ngay")
    assert (await admin.wait_for_callback_answer()).text == "Đang chạy lượt nhắc…"
    await admin.wait_until(
        lambda: any(t.startswith("Đã chạy xong một lượt nhắc") for t in texts(admin)), what="the round's summary"
    )
    reminders_to_admin = admin.unread[:-1]
    done = admin.unread[-1]
    assert len(reminders_to_admin) == 3  # SKHDT's list, its catch-up, and the escalation of overdue I.3 plans
    assert text_of(done) == "Đã chạy xong một lượt nhắc: gửi được 5 tin, lỗi 0 tin, 0 người không nhận được."
    assert [text_of(m)[:20] for m in lan.unread[-2:]] == [HEADS_UP[:20], REPORT_REMINDER[:20]]
