"""kill -9 at every step of /nhap and /tiendo and in the middle of a reminder round: the restarted bot loses nothing.

Each test runs the real ``greenbot run`` as a subprocess against the loopback emulator, SIGKILLs it and
starts a new process on the same database. To keep process starts few, one process carries one fresh
officer to each step (officer k stops right after the bot answered step k), is killed once, and the
next process finishes every officer's flow. The state a kill leaves is the same whichever officer
answered last: each step is saved before the bot answers (``flowkit.save_and_ask``).

Before the kill the test waits until the bot confirmed every update (PTB opens its next long poll,
which confirms the offset, right after fetching; test_restart.py does the same). A kill between
the answer and that confirmation would hand the update to the new process again, and the product
does not de-duplicate updates: a re-delivered typed value would be read as the next step's answer.

Resuming, as the product documents it: the step lives in the database (``handlers.dialog``), so the
officer can simply go on from the last message (its buttons keep their nonce); or send the command
again, which offers the unsent draft ("Tiếp tục" / "Bắt đầu lại") and asks the same step's question
with a new nonce. Officers at an even step go on from the last message, those at an odd step use the
command, so both ways are covered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Final

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.user import EmulatedUser
from storage.db import create_session_factory
from storage.enums import AttemptOutcome, ProgressStatus, SendStatus, ValueSource
from storage.models import DeliveryAttempt, IndicatorValue, Officer, ReminderSend, TaskProgressReport
from tests.e2e.test_intake import button_starting, next_answer, press, say
from tests.e2e.test_process import _environment
from tests.e2e.test_two_processes import SIMULATED_NOW, _prepare_database, _start_bot, _stop, _wait_until_settled

pytestmark = pytest.mark.e2e

START_TIMEOUT: Final = 60.0  # the first answer of a fresh process waits for its start-up
EXIT_TIMEOUT: Final = 30.0
RESUMED: Final = "Tiếp tục phần nhập đang dở."
STALE_BUTTON: Final = "Nút này thuộc tin nhắn cũ"


async def _kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(process.wait(), timeout=EXIT_TIMEOUT)
    assert process.returncode == -signal.SIGKILL


def _log_text(log: Path) -> str:
    return log.read_text(encoding="utf-8")


async def _stopped_cleanly(process: asyncio.subprocess.Process, log: Path) -> None:
    await _stop(process)
    text = _log_text(log)
    assert process.returncode == 0, text
    assert "Traceback" not in text, text


def _text(message: SentMessage) -> str:
    assert message.text is not None
    return message.text


async def _register(database_url: str, compiled_locales: Path, department: str, ids: list[int]) -> None:
    """The plan (as of today) and the officers, through a runtime whose engine is closed again."""
    from bot.config import Settings
    from bot.runtime import build_runtime
    from tests.e2e.conftest import register_officer

    runtime = build_runtime(Settings(_env_file=None, database_url=database_url, locales_dir=compiled_locales))  # type: ignore[call-arg]
    try:
        await runtime.sync_plan()
        for telegram_id in ids:
            await register_officer(runtime, telegram_id, f"Cán bộ {telegram_id}", department)
    finally:
        await runtime.engine.dispose()


@dataclass
class Walk:
    """One officer's way through a flow: the step they stopped at before the kill, and the last answer."""

    user: EmulatedUser
    stop_at: int
    last: SentMessage | None = None
    answers: list[SentMessage] = field(default_factory=list)


async def _old_review_refused(walk: Walk) -> None:
    """Confirmed before the kill: pressing the old review's "Xác nhận" again stores nothing more."""
    review = walk.answers[-2]
    refused = await next_answer(walk.user, button_starting(review, "Xác nhận"), review)
    assert refused is not None
    assert STALE_BUTTON in refused


# --- /nhap ---------------------------------------------------------------------------------------

NHAP_STEPS: Final = ("/nhap", "year", "indicator", "value", "note skipped", "evidence skipped", "confirm")
NHAP_FIRST_ID: Final = 720_001
#: (year, indicator, value) per officer: one figure each, 2019 just below 2020 so no soft check asks "chắc chắn?".
NHAP_TARGETS: Final = (
    (2020, 1, 50),
    (2020, 2, 51),
    (2020, 3, 52),
    (2020, 4, 53),
    (2019, 1, 49),
    (2019, 2, 50),
    (2019, 3, 51),
)


def _nhap_question(step: int, year: int) -> str:
    """What the question of the step the officer is at contains, as answered and as resumed."""
    return {
        0: "chọn năm báo cáo",
        1: "Các chỉ tiêu của Sở Xây dựng",
        2: f"năm {year}",
        3: "Thêm ghi chú",
        4: "tệp minh chứng",
        5: f"Vui lòng kiểm tra lại trước khi gửi. Năm báo cáo {year}:",
    }[step]


async def _nhap_step(walk: Walk, step: int, target: tuple[int, int, int]) -> SentMessage:
    """Answer ``step`` of /nhap from the last message; checks the bot's answer and returns it."""
    year, number, value = target
    user, last = walk.user, walk.last
    if step == 0:
        answer = await say(user, "/nhap")
    elif step == 1:
        assert last is not None
        answer = await press(user, last, str(year))
    elif step == 2:
        assert last is not None
        [data] = [b.callback_data for b in last.buttons if b.text[2:].startswith(f"{number}.")]
        assert data is not None
        await user.press(last, data)
        answer = await user.wait_for_reply()
        assert "Vui lòng nhập" in _text(answer)
    elif step == 3:
        answer = await say(user, str(value))
        assert _text(answer).startswith(f"Đã ghi vào bản nháp: {value}%."), answer.text
    elif step in (4, 5):
        assert last is not None
        answer = await press(user, last, "Bỏ qua")
    else:
        assert last is not None
        answer = await press(user, last, "Xác nhận")
        assert f"Đã lưu. Số liệu năm {year}:" in _text(answer), answer.text
        assert f"Chỉ tiêu {number}: {value}% (phiên bản 1," in _text(answer), answer.text
        return answer
    assert _nhap_question(step, year) in _text(answer), (NHAP_STEPS[step], answer.text)
    if step == 5:
        assert f"• Số liệu: {value}%" in _text(answer), answer.text  # the value typed earlier
    return answer


async def _nhap_resume(walk: Walk, target: tuple[int, int, int]) -> None:
    """After the restart: go on from the last message (even steps) or through /nhap's draft offer (odd steps)."""
    year, number, value = target
    k = walk.stop_at
    if k == len(NHAP_STEPS) - 1:
        await _old_review_refused(walk)
        fresh = await say(walk.user, "/nhap")  # nothing left unsent: a new entry starts
        assert "chọn năm báo cáo" in _text(fresh), fresh.text
        return
    if k % 2 == 1:
        offer = await say(walk.user, "/nhap")
        assert f"Anh/chị có phần nhập chưa gửi của năm {year}" in _text(offer), (NHAP_STEPS[k], offer.text)
        if k >= 3:
            assert f"(chỉ tiêu {number}: {value}%)" in _text(offer), offer.text
        resumed = await press(walk.user, offer, "Tiếp tục")
        assert _text(resumed).startswith(RESUMED), resumed.text
        assert _nhap_question(k, year) in _text(resumed), (NHAP_STEPS[k], resumed.text)
        if k == 5:
            assert f"• Số liệu: {value}%" in _text(resumed), resumed.text
        walk.last = resumed
    for step in range(k + 1, len(NHAP_STEPS)):
        walk.last = await _nhap_step(walk, step, target)


async def test_kill_9_after_every_step_of_nhap(
    emulator: BotApiEmulator, database_url: str, db_engine: AsyncEngine, compiled_locales: Path, tmp_path: Path
) -> None:
    ids = [NHAP_FIRST_ID + k for k in range(len(NHAP_STEPS))]
    await _register(database_url, compiled_locales, "SXD", ids)
    env = _environment(emulator, database_url, compiled_locales)
    walks = [Walk(emulator.user(telegram_id, f"Cán bộ {k}"), k) for k, telegram_id in enumerate(ids)]

    first = await _start_bot(env, tmp_path / "first.log")
    try:
        for walk, target in zip(walks, NHAP_TARGETS, strict=True):
            for step in range(walk.stop_at + 1):
                walk.last = await _nhap_step(walk, step, target)
                walk.answers.append(walk.last)
        await emulator.wait_all_fetched(timeout=START_TIMEOUT)
    finally:
        await _kill(first)

    second = await _start_bot(env, tmp_path / "second.log")
    try:
        for walk, target in zip(walks, NHAP_TARGETS, strict=True):
            await _nhap_resume(walk, target)
    finally:
        await _stopped_cleanly(second, tmp_path / "second.log")

    async with create_session_factory(db_engine)() as session:
        rows = (await session.scalars(select(IndicatorValue))).all()
    stored = sorted((r.year, r.value, r.version) for r in rows)
    assert len(rows) == len(NHAP_TARGETS), stored  # one figure per officer, none twice
    assert sorted((r.year, r.value) for r in rows) == sorted((year, Decimal(value)) for year, _, value in NHAP_TARGETS)
    assert {(r.version, r.source) for r in rows} == {(1, ValueSource.CHAT)}


# --- /tiendo -------------------------------------------------------------------------------------

TIENDO_STEPS: Final = ("/tiendo", "task", "status", "note skipped", "evidence skipped", "confirm")
TIENDO_FIRST_ID: Final = 730_001
STATUSES: Final = (("Hoàn thành", ProgressStatus.DONE), ("Đang triển khai", ProgressStatus.IN_PROGRESS))
TIENDO_QUESTIONS: Final = (
    "Nhiệm vụ của Sở Xây dựng tại Phụ lục I",
    "Vui lòng chọn tình trạng thực hiện năm",
    "Thêm ghi chú về kết quả đã làm",
    "Gửi tệp minh chứng",
    "Vui lòng kiểm tra lại trước khi gửi. Năm báo cáo",
)


def _open_tasks(message: SentMessage) -> list[str]:
    """The codes of the tasks not reported yet, from the /tiendo list's buttons ("⬜ IV.1 …")."""
    return [b.text.split()[1] for b in message.buttons if b.text.startswith("⬜ ")]


async def _tiendo_step(walk: Walk, step: int, task: str, status: str) -> SentMessage:
    user, last = walk.user, walk.last
    if step == 0:
        answer = await say(user, "/tiendo")
    elif step == 1:
        assert last is not None
        answer = await press(user, last, f"⬜ {task} ")
    elif step == 2:
        assert last is not None
        answer = await press(user, last, status)
    elif step in (3, 4):
        assert last is not None
        answer = await press(user, last, "Bỏ qua")
    else:
        assert last is not None
        answer = await press(user, last, "Xác nhận")
        assert f"Đã lưu: nhiệm vụ {task}, năm " in _text(answer), answer.text
        assert f": {status} (phiên bản 1," in _text(answer), answer.text
        return answer
    assert TIENDO_QUESTIONS[step] in _text(answer), (TIENDO_STEPS[step], answer.text)
    if step >= 1:
        assert task in _text(answer), answer.text
    if step == 4:
        assert f"• Tình trạng: {status}" in _text(answer), answer.text  # chosen before
    return answer


async def _tiendo_resume(walk: Walk, task: str, status: str) -> None:
    k = walk.stop_at
    if k == len(TIENDO_STEPS) - 1:
        await _old_review_refused(walk)
        return
    if k % 2 == 1:
        offer = await say(walk.user, "/tiendo")
        assert f"Anh/chị có báo cáo tiến độ chưa gửi cho nhiệm vụ {task} (năm " in _text(offer), offer.text
        resumed = await press(walk.user, offer, "Tiếp tục")
        assert _text(resumed).startswith(RESUMED), resumed.text
        assert TIENDO_QUESTIONS[k] in _text(resumed), (TIENDO_STEPS[k], resumed.text)
        walk.last = resumed
    for step in range(k + 1, len(TIENDO_STEPS)):
        walk.last = await _tiendo_step(walk, step, task, status)


async def test_kill_9_after_every_step_of_tiendo(
    emulator: BotApiEmulator, database_url: str, db_engine: AsyncEngine, compiled_locales: Path, tmp_path: Path
) -> None:
    ids = [TIENDO_FIRST_ID + k for k in range(len(TIENDO_STEPS))]
    await _register(database_url, compiled_locales, "SXD", ids)
    env = _environment(emulator, database_url, compiled_locales)
    walks = [Walk(emulator.user(telegram_id, f"Cán bộ {k}"), k) for k, telegram_id in enumerate(ids)]
    statuses = [STATUSES[k % 2] for k in range(len(walks))]

    first = await _start_bot(env, tmp_path / "first.log")
    try:
        tasks: list[str] = []
        for k, walk in enumerate(walks):
            for step in range(walk.stop_at + 1):
                if step == 1 and not tasks:
                    assert walk.last is not None
                    tasks = _open_tasks(walk.last)
                    assert len(tasks) >= len(walks), tasks  # one task per officer: each report is a version 1
                walk.last = await _tiendo_step(walk, step, tasks[k] if tasks else "", statuses[k][0])
                walk.answers.append(walk.last)
        await emulator.wait_all_fetched(timeout=START_TIMEOUT)
    finally:
        await _kill(first)

    second = await _start_bot(env, tmp_path / "second.log")
    try:
        for k, walk in enumerate(walks):
            await _tiendo_resume(walk, tasks[k], statuses[k][0])
    finally:
        await _stopped_cleanly(second, tmp_path / "second.log")

    async with create_session_factory(db_engine)() as session:
        rows = (await session.scalars(select(TaskProgressReport))).all()
    assert len(rows) == len(walks), [(r.version, r.status) for r in rows]
    assert all(r.version == 1 for r in rows)
    assert Counter(r.status for r in rows) == Counter(status for _label, status in statuses)


# --- a reminder round ----------------------------------------------------------------------------

#: How long the emulator holds the second reminder's sendMessage: the kill lands inside this window.
IN_FLIGHT_SECONDS: Final = 1.5
#: The restarted process comes back after the send log's claims went stale (``ReminderService.stale_after``).
RESTART_NOW: Final = dt.datetime.fromisoformat(SIMULATED_NOW) + dt.timedelta(minutes=16)
SETTLE_TIMEOUT: Final = 60.0


def _delivered(users: dict[int, EmulatedUser]) -> dict[int, list[SentMessage]]:
    return {tg: [m for m in user.chat.bot_messages if not m.deleted] for tg, user in users.items()}


def _message_keys(users: dict[int, EmulatedUser]) -> set[tuple[int, int]]:
    return {(tg, m.message_id) for tg, messages in _delivered(users).items() for m in messages}


def _delivered_count(users: dict[int, EmulatedUser]) -> int:
    return sum(len(messages) for messages in _delivered(users).values())


async def test_kill_9_in_the_middle_of_a_reminder_round(
    emulator: BotApiEmulator, database_url: str, db_engine: AsyncEngine, compiled_locales: Path, tmp_path: Path
) -> None:
    """The round of test_two_processes.py (08:30 on 8 December 2015), sent one chat at a time, killed mid-way.

    The first reminder goes out and is recorded; the second is held by the emulator when the process
    dies, and the emulator delivers it afterwards (sent, but not recorded). The rest are claimed and
    never tried. A claim whose claimer vanished is taken over once it is older than 15 minutes
    (``storage.repositories.send_log.takeable``); the restarted process here comes back at 08:46.
    Nothing is skipped and nothing arrives twice: the sends never tried go out now, the recorded one
    is not repeated, and the one in flight at the kill (its ``calling_since`` mark was left behind)
    counts as sent, unconfirmed, like a read timeout, so the officer keeps the single copy that arrived.
    """
    telegram_ids = await _prepare_database(database_url, compiled_locales)
    users = {tg: emulator.user(tg, f"Cán bộ {tg}", started=True) for tg in telegram_ids}
    settings = {
        "REMINDER_ROUNDS": "true",
        "REMINDER_CHAT_INTERVAL_SECONDS": "0",
        "REMINDER_PARALLEL_CHATS": "1",  # one chat after another: the kill falls between two known sends
    }
    first_env = _environment(emulator, database_url, compiled_locales, SIMULATED_NOW=SIMULATED_NOW, **settings)
    second_env = _environment(
        emulator, database_url, compiled_locales, SIMULATED_NOW=RESTART_NOW.isoformat(), **settings
    )
    emulator.fail_next("sendMessage", 1, "slow", delay=0)  # the first reminder goes straight through
    held = emulator.fail_next("sendMessage", 1, "slow", delay=IN_FLIGHT_SECONDS)
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()

    first = await _start_bot(first_env, tmp_path / "first" / "greenbot.log")
    try:
        await emulator.wait_until_used(held, timeout=START_TIMEOUT)  # the second send is under way
    finally:
        await _kill(first)
    before = _message_keys(users)
    assert len(before) == 1, before  # the first reminder arrived before the second was tried

    # The held call is answered after the kill: the reminder reaches the officer, the bot never hears of it.
    arrived = await emulator.hub.changed.wait_for(lambda: _delivered_count(users) == 2, IN_FLIGHT_SECONDS + 30)
    assert arrived, "the reminder in flight at the kill was not delivered"
    [(in_flight_chat, in_flight_id)] = _message_keys(users) - before
    async with create_session_factory(db_engine)() as session:
        left = Counter((await session.scalars(select(ReminderSend.status))).all())
    assert left[SendStatus.SENT] >= 1
    assert left[SendStatus.CLAIMED] >= 2, left  # the one in flight and the ones never tried: held by the dead claim
    assert set(left) == {SendStatus.SENT, SendStatus.CLAIMED}, left

    second = await _start_bot(second_env, tmp_path / "second" / "greenbot.log")
    try:
        counts = await _wait_until_settled(db_engine, [second], [tmp_path / "second" / "greenbot.log"])
    finally:
        await _stopped_cleanly(second, tmp_path / "second" / "greenbot.log")
    assert set(counts) == {SendStatus.SENT}, counts

    async with create_session_factory(db_engine)() as session:
        sends = list((await session.scalars(select(ReminderSend))).all())
        officers = await session.execute(select(Officer.id, Officer.telegram_user_id))
        chat_of = {officer_id: chat for officer_id, chat in officers}
        sent_attempts = Counter(
            (
                await session.scalars(
                    select(DeliveryAttempt.send_id).where(DeliveryAttempt.outcome == AttemptOutcome.SENT)
                )
            ).all()
        )
    # The envelope in flight (one message; a bundle carries several sends) is settled without a message id.
    interrupted = [send for send in sends if send.telegram_message_id is None]
    assert interrupted
    assert {chat_of[send.officer_id] for send in interrupted} == {in_flight_chat}
    for send in interrupted:
        assert send.status is SendStatus.SENT
        assert send.last_error is not None
        assert "unconfirmed" in send.last_error
    interrupted_ids = {send.id for send in interrupted}
    # Each other send recorded as sent once by a call that came back; the interrupted ones by none.
    assert sent_attempts == Counter(send.id for send in sends if send.id not in interrupted_ids)
    envelopes: defaultdict[int, set[int]] = defaultdict(set)
    for send in sends:
        if send.id not in interrupted_ids:
            assert send.telegram_message_id is not None
            envelopes[chat_of[send.officer_id]].add(send.telegram_message_id)
    delivered = _delivered(users)
    for telegram_id, messages in delivered.items():
        expected = envelopes[telegram_id] | ({in_flight_id} if telegram_id == in_flight_chat else set())
        assert {m.message_id for m in messages} == expected, telegram_id  # nothing skipped
        assert len(messages) == len(expected), telegram_id  # nothing twice
        contents = [m.content for m in messages]
        assert len(set(contents)) == len(contents), telegram_id  # no reminder's text twice either
