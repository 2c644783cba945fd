"""Security suite: whoever asks, and whatever a client sends, nothing is read or written beyond the caller's role.

Already covered elsewhere, not repeated here:

* strangers: /start (tests/e2e/test_start.py), /lichsu and /hannop (test_history_deadlines.py), /tonghop
  (test_summaries.py), a stranger pressing an officer's button (test_intake.py, test_admin.py);
* deactivated officers: /start and /nhap after deactivation (test_admin.py::test_officer_list_and_deactivation);
* forged data: other department's indicator at the wrong step and stale nonces (test_intake.py), status and task
  buttons (test_progress.py), admin buttons (test_admin.py), history years (test_history_deadlines.py), menu data
  (test_start.py), reminder buttons (test_reminder_delivery.py), parsing (tests/unit/test_callback_data.py);
* invites: reused and expired links, unknown tokens, the race for one link (test_onboarding.py,
  tests/services/test_registration.py, tests/storage/test_invites.py);
* a sticker or photo where a figure or a note is expected (test_intake.py, test_progress.py), and every kind of odd
  content at the figure step (test_fuzz.py).

Added here: a stranger trying every command, button and kind of content; an officer deactivated in the middle of a
conversation; an officer of another department forging ids at the step where they are valid, pressing a colleague's
buttons and reading history; every button prefix with garbage, oversized and non-ASCII data; buttons replayed after
their flow was confirmed or cancelled; a deactivated officer reusing their old invite; oversized and odd files
where text or a file is expected.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.runtime import Runtime
from bot.services.conversations import Flow
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.user import EmulatedUser
from storage.models import Base, Officer, TaskProgressReport
from storage.repositories import officers
from tests.e2e.conftest import ADMIN_ID, register_officer
from tests.e2e.registration_steps import invite_token, officer_row, register
from tests.e2e.test_intake import button_starting, next_answer, open_indicator, press, say, values

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]
AN, BINH, TU, STRANGER = 730_001, 730_002, 730_005, 730_009
SECRET_NOTE = "Bí mật nội bộ của Sở Xây dựng"
NOT_REGISTERED = "chưa được đăng ký"
OLDER_MESSAGE = "Nút này thuộc tin nhắn cũ"
NO_LONGER_VALID = "Nút này không còn hiệu lực"
BIG = 25 * 1024 * 1024
EXPIRED = {  # every refusal a button can get; none says more than that
    "Nút này không còn hiệu lực. Vui lòng gửi /start.",
    "Nút này không còn hiệu lực. Vui lòng gửi lại /lichsu.",
    "Nút này không còn hiệu lực. Vui lòng mở lại link mời.",
    "Nút này thuộc tin nhắn cũ. Vui lòng gửi /nhap để bắt đầu lại.",
    "Nút này thuộc tin nhắn cũ. Vui lòng gửi /tiendo để bắt đầu lại.",
}


async def table_counts(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessions() as session:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def text_of(message: SentMessage) -> str:
    assert message.text is not None, message.summary()
    return message.text


def big_document(name: str = "so-lieu.xlsx", size: int = BIG) -> dict[str, Any]:
    """A document as Telegram describes it: only the reference and the size, never the bytes."""
    return {"document": {"file_id": f"doc-{name}", "file_unique_id": f"u-{name}", "file_name": name, "file_size": size}}


LOCATION = {"location": {"latitude": 14.35, "longitude": 108.0}}
CONTACT = {"contact": {"phone_number": "+84900000000", "first_name": "An"}}


async def deactivate(runtime: Runtime, telegram_user_id: int) -> None:
    async with runtime.sessions.begin() as session:
        officer = await officers.get_by_telegram_id(session, telegram_user_id)
        assert officer is not None
        assert await officers.deactivate(session, officer, by_officer_id=None, now=runtime.clock.now())


async def officer_state(runtime: Runtime, telegram_user_id: int) -> Officer:
    async with runtime.sessions() as session:
        officer = await officers.get_by_telegram_id(session, telegram_user_id)
    assert officer is not None
    return officer


@pytest.fixture
async def an(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> EmulatedUser:
    """An officer of the Sở Xây dựng who has confirmed indicator 1 for 2020 with a note."""
    await register_officer(runtime, AN, "Nguyễn Văn An", "SXD")
    user = emulator.user(AN, "An")
    await open_indicator(user, "2020", 1)
    evidence = await say(user, "45,5")
    evidence = await say(user, SECRET_NOTE)
    review = await press(user, evidence, "Bỏ qua")
    assert text_of(await press(user, review, "Xác nhận")).startswith("Đã lưu")
    return user


@pytest.fixture
async def binh(emulator: BotApiEmulator, an: EmulatedUser, runtime: Runtime) -> EmulatedUser:
    """An officer of the Sở Khoa học và Công nghệ."""
    await register_officer(runtime, BINH, "Trần Văn Bình", "SKHCN")
    return emulator.user(BINH, "Bình")


# ---- a stranger --------------------------------------------------------------------------------


STRANGER_COMMANDS = [
    "/nhap", "/nhap 2020 1=45", "/tiendo", "/hannop", "/lichsu", "/lichsu 2020", "/moi SXD", "/canbo",
    "/khoa 2020", "/mokhoa 2019", "/nhacnho", "/tonghop", "/tonghop 2020", "/nhantonghop",
]  # fmt: skip


async def test_a_stranger_reads_and_writes_nothing(
    emulator: BotApiEmulator, an: EmulatedUser, runtime: Runtime
) -> None:
    review = await say(an, "/nhap 2020 1=50")  # a live review screen of An's to press on
    nonce = button_starting(review, "Xác nhận").split(":")[1]
    after_an = await table_counts(runtime)
    stranger = emulator.user(STRANGER, "Lạ")
    replies: list[str] = []
    for command in STRANGER_COMMANDS:
        replies.append(text_of(await say(stranger, command)))
        assert NOT_REGISTERED in replies[-1], (command, replies[-1])
    for content in ({"text": "45,5"}, {"text": SECRET_NOTE}, LOCATION, CONTACT, big_document()):
        await stranger.send_raw(content)
        replies.append(text_of(await stranger.wait_for_reply()))
        assert NOT_REGISTERED in replies[-1], (content, replies[-1])
    for data in (
        f"n:{nonce}:ok",
        f"n:{nonce}:ed",
        "p:abcd:ok",
        "a:inv:SXD",
        "a:lock:2020",
        "h:2020",
        "d:1:ack",
        "m:nhap",
    ):
        await stranger.press(review, data, force=True)
        await stranger.wait_for_callback_answer()
        replies.append(text_of(await stranger.wait_for_reply()))
        assert NOT_REGISTERED in replies[-1], (data, replies[-1])
    await stranger.press(review, "r:abcd:ok", force=True)  # a registration button: refused, no message
    alert = (await stranger.wait_for_callback_answer()).text
    assert alert is not None
    assert NO_LONGER_VALID in alert
    barrier = text_of(await say(stranger, "/trogiup"))
    assert "/start" in barrier
    replies += [text_of(m) for m in stranger.messages]
    for leaked in ("45,5", "50%", SECRET_NOTE, "Nguyễn Văn An", "Sở Xây dựng"):
        assert not any(leaked in text for text in replies), leaked
    assert await table_counts(runtime) == after_an  # nothing written by the stranger
    assert [(v.value, v.note) for v in await values(runtime)] == [(Decimal("45.5"), SECRET_NOTE)]
    still = await runtime.conversations.active(AN)
    assert still is not None
    assert (still.step, still.nonce) == ("review", nonce)  # An's own draft is untouched


# ---- a deactivated officer ---------------------------------------------------------------------


async def test_an_officer_deactivated_mid_conversation_can_neither_confirm_nor_read(
    an: EmulatedUser, runtime: Runtime
) -> None:
    review = await say(an, "/nhap 2020 1=60")
    await deactivate(runtime, AN)
    await an.press(review, button_starting(review, "Xác nhận"))
    await an.wait_for_callback_answer()
    assert NOT_REGISTERED in text_of(await an.wait_for_reply())
    for attempt in ("60", "/nhap", "/nhap 2020 1=60", "/tiendo", "/lichsu 2020", "/hannop", "/trogiup x"):
        answer = text_of(await say(an, attempt))
        assert SECRET_NOTE not in answer
        assert "45,5" not in answer
        if attempt != "/trogiup x":
            assert NOT_REGISTERED in answer, (attempt, answer)
    await an.send_raw(big_document("bao-cao.pdf", 1000))  # a file where the note would have gone
    assert NOT_REGISTERED in text_of(await an.wait_for_reply())
    assert [v.value for v in await values(runtime)] == [Decimal("45.5")]  # the draft's 60 was never stored
    assert not (await officer_state(runtime, AN)).active


async def test_a_deactivated_officer_cannot_come_back_with_the_old_invite(
    emulator: BotApiEmulator, bot_app: App, runtime: Runtime
) -> None:
    admin = emulator.user(ADMIN_ID, "Hùng")
    token = await invite_token(admin, "SXD")
    lan = emulator.user(730_003, "Lan")
    assert text_of(await register(lan, token)).startswith("Đăng ký thành công")
    await deactivate(runtime, lan.id)
    reused = text_of(await say(lan, f"/start {token}"))
    assert reused.startswith("Link mời này đã được sử dụng")
    assert await runtime.conversations.get(lan.id, Flow.REGISTER) is None
    officer = await officer_row(runtime.sessions, lan.id)
    assert officer is not None
    assert not officer.active


# ---- an officer of another department ----------------------------------------------------------


async def test_another_departments_ids_are_refused_where_such_buttons_are_valid(
    emulator: BotApiEmulator, binh: EmulatedUser, runtime: Runtime
) -> None:
    years = await say(binh, "/nhap")
    indicators = await press(binh, years, "2020")
    assert "Các chỉ tiêu của Sở Khoa học và Công nghệ" in text_of(indicators)
    nonce = indicators.callback_data[0].split(":")[1]
    await binh.press(indicators, f"n:{nonce}:i:1", force=True)  # indicator 1 is reported by the Sở Xây dựng
    refused = text_of(await binh.wait_for_reply())
    assert refused.startswith("Chỉ tiêu 1 không do đơn vị của anh/chị (Sở Khoa học và Công nghệ) báo cáo.")
    assert "Các chỉ tiêu của Sở Khoa học và Công nghệ" in refused  # the same list again
    conversation = await runtime.conversations.active(BINH)
    assert conversation is not None
    assert (conversation.step, "current" in conversation.data) == ("indicator", False)

    # Every department coordinates every task today, except the mass organisations: the youth union has one.
    await register_officer(runtime, TU, "Lê Văn Tú", "TINHDOAN")
    youth = emulator.user(TU, "Tú")
    ours = {a.task.id for a in runtime.progress.assignments(await runtime.accounts.identify(TU, "Tú"))}
    foreign = sorted({task.id for task in runtime.responsibility.plan.tasks} - ours)[0]
    tasks = await say(youth, "/tiendo")
    nonce = tasks.callback_data[0].split(":")[1]
    await youth.press(tasks, f"p:{nonce}:t:{foreign}", force=True)
    refused = text_of(await youth.wait_for_reply())
    assert refused.startswith(f"Nhiệm vụ {foreign} không giao cho đơn vị của anh/chị (")
    assert "Nhiệm vụ của " in refused  # the task list again
    conversation = await runtime.conversations.active(TU)
    assert conversation is not None
    assert (conversation.step, "draft" in conversation.data) == ("task", False)
    assert [v.value for v in await values(runtime)] == [Decimal("45.5")]
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TaskProgressReport)) == 0


async def test_a_colleagues_buttons_and_history_stay_theirs(
    an: EmulatedUser, binh: EmulatedUser, runtime: Runtime
) -> None:
    review = await say(an, "/nhap 2020 1=70")
    for label in ("Xác nhận", "Sửa", "Hủy"):
        answer = await next_answer(binh, button_starting(review, label), review)
        assert answer is not None
        assert OLDER_MESSAGE in answer  # Bình's own conversation is checked, and he has none
    history = text_of(await say(binh, "/lichsu 2020"))
    assert "Sở Khoa học và Công nghệ" in history
    assert SECRET_NOTE not in history
    assert "45,5" not in history
    assert "Nguyễn Văn An" not in history
    assert [v.value for v in await values(runtime)] == [Decimal("45.5")]
    saved = text_of(await press(an, review, "Xác nhận"))  # An's draft was not touched
    assert "Chỉ tiêu 1: 70% (phiên bản 2" in saved
    rows = await values(runtime)
    assert [r.value for r in rows] == [Decimal("45.5"), Decimal("70")]
    assert len({r.entered_by_officer_id for r in rows}) == 1


# ---- forged and replayed button data -----------------------------------------------------------


def forged_data(nonce: str) -> list[str]:
    """Every prefix with garbage, oversized, non-ASCII and out-of-range values; and unknown prefixes."""
    garbage = ["", ":", "::::", "x", "-1", "999999999999999999999", "'; DROP TABLE officers; --", "%00", "..", "\\"]
    found = [f"{prefix}:{junk}" for prefix in "mranphd" for junk in garbage]
    found += [f"{prefix}:" + "A" * 5000 for prefix in "mranphd"]  # Telegram caps data at 64 bytes; we do too
    found += [f"{prefix}:{nonce}:ok:" + "9" * 60 for prefix in "np"]
    found += [f"n:{nonce}:y:2030", f"n:{nonce}:y:20200", f"n:{nonce}:y:abc", f"n:{nonce}:i:999", f"n:{nonce}:i:1:2"]
    found += [f"n:{nonce}:e:1:v", f"n:{nonce}:e:99:zz", f"n:{nonce}:ok", f"n:{nonce}:two", f"n:{nonce}:sy"]
    found += [f"n:{nonce}:chỉ", "n:🙂:ok", "m:nhập", "zz:1", "nhap", "🙂", "a" * 64, "\x00"]
    found += [f"d:{'9' * 25}:{action}" for action in ("go", "ack", "snz")]  # beyond any id column's range
    found += ["d:2147483648:ack", "d:0:ack", "d:1:snz", f"a:off:{'9' * 40}", f"h:{'9' * 40}"]
    return found


async def test_garbage_button_data_is_answered_and_changes_nothing(an: EmulatedUser, runtime: Runtime) -> None:
    indicators = await press(an, await say(an, "/nhap"), "2020")
    nonce = indicators.callback_data[0].split(":")[1]
    before = await runtime.conversations.active(AN)
    counts = await table_counts(runtime)
    sent = len(an.messages)
    answers = []
    for data in forged_data(nonce):
        await an.press(indicators, data, force=True)
        answers.append((await an.wait_for_callback_answer()).text or "")  # no spinner is left hanging
    await an.send("/trogiup")  # a barrier: its answer comes after whatever the presses sent
    await an.wait_until(lambda: "/lichsu" in (an.messages[-1].text or ""), what="the help text")
    extra = [text_of(m) for m in an.messages[sent:-1]]
    unknown = "Phụ lục II không có chỉ tiêu số 999."  # the one id that is well-formed, at the step it fits
    assert all(text.startswith((NO_LONGER_VALID, unknown)) for text in extra), extra
    assert {text for text in answers if text} <= EXPIRED
    assert not any(SECRET_NOTE in text for text in answers + extra)
    after = await runtime.conversations.active(AN)
    assert after is not None
    assert before is not None
    assert (after.step, after.nonce, after.data) == (before.step, before.nonce, before.data)
    assert await table_counts(runtime) == counts
    assert [v.value for v in await values(runtime)] == [Decimal("45.5")]


async def test_out_of_range_ids_in_admin_buttons_are_refused_politely(
    emulator: BotApiEmulator, an: EmulatedUser, runtime: Runtime
) -> None:
    """Found by the sweep above: ids beyond the INTEGER columns used to reach the database and fail there."""
    admin = emulator.user(ADMIN_ID, "Hùng")
    listing = await say(admin, "/canbo")
    counts = await table_counts(runtime)
    for data in ("a:off:2147483648", "a:offok:9999999999", "a:pro:4294967296", "a:dem:2147483648"):
        await admin.press(listing, data, force=True)
        assert (await admin.wait_for_callback_answer()).text == "Nút này không còn hiệu lực. Vui lòng gửi /start."
    assert "/lichsu" in text_of(await say(admin, "/trogiup"))  # no other message came before it
    assert await table_counts(runtime) == counts
    assert (await officer_state(runtime, AN)).active


async def test_buttons_replayed_after_the_flow_ended_change_nothing(an: EmulatedUser, runtime: Runtime) -> None:
    review = await say(an, "/nhap 2020 1=80")
    await press(an, review, "Xác nhận")
    for label in ("Xác nhận", "Sửa", "Hủy"):  # the confirmed review, pressed again
        answer = await next_answer(an, button_starting(review, label), review)
        assert answer is not None
        assert OLDER_MESSAGE in answer
    cancelled = await say(an, "/nhap 2020 1=90")
    assert text_of(await press(an, cancelled, "Hủy")).startswith("Đã hủy")
    answer = await next_answer(an, button_starting(cancelled, "Xác nhận"), cancelled)
    assert answer is not None
    assert OLDER_MESSAGE in answer
    assert [(v.value, v.version) for v in await values(runtime)] == [(Decimal("45.5"), 1), (Decimal("80"), 2)]

    tasks = await say(an, "/tiendo")
    statuses = await press(an, tasks, "⬜ IV.1 ")
    note = await press(an, statuses, "Hoàn thành")
    review = await press(an, await press(an, note, "Bỏ qua"), "Bỏ qua")
    await press(an, review, "Xác nhận")
    for data in (button_starting(review, "Xác nhận"), button_starting(statuses, "Hoàn thành")):
        answer = await next_answer(an, data, review)
        assert answer is not None
        assert OLDER_MESSAGE in answer
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TaskProgressReport)) == 1
    assert await runtime.conversations.active(AN) is None


# ---- odd content where text or a file is expected ----------------------------------------------


async def test_oversized_and_odd_files_are_refused_where_they_do_not_fit(
    emulator: BotApiEmulator, an: EmulatedUser, bot_app: App, runtime: Runtime
) -> None:
    await open_indicator(an, "2020", 2)
    evidence_prompt = await press(an, await say(an, "12/30"), "Bỏ qua")
    assert "tệp minh chứng" in text_of(evidence_prompt)
    for content, expected in (
        (big_document(), "Tệp quá lớn (25.0 MB)"),
        (
            {"photo": [{"file_id": "p-big", "file_unique_id": "pb", "width": 9, "height": 9, "file_size": BIG}]},
            "Tệp quá lớn",
        ),
        (LOCATION, "Vui lòng gửi tệp tài liệu hoặc ảnh"),
        (CONTACT, "Vui lòng gửi tệp tài liệu hoặc ảnh"),
        ({"text": "đây là chữ"}, "Vui lòng gửi tệp tài liệu hoặc ảnh"),
    ):
        await an.send_raw(content)
        answer = text_of(await an.wait_for_reply())
        assert answer.startswith(expected), (content, answer)
        assert "Gửi tệp minh chứng" in answer  # asked again
    draft = await runtime.conversations.active(AN)
    assert draft is not None
    assert (draft.step, draft.data["items"]["2"]["evidence"]) == ("evidence", None)
    await an.send_raw(big_document("bao-cao.pdf", 20 * 1024 * 1024))  # exactly the limit is fine
    review = await an.wait_for_reply()
    assert "• Tệp minh chứng: bao-cao.pdf" in text_of(review)
    await press(an, review, "Xác nhận")
    stored = next(v for v in await values(runtime) if v.year == 2020 and v.value == Decimal(40))
    assert (stored.evidence_file_name, stored.evidence_file_size) == ("bao-cao.pdf", 20 * 1024 * 1024)

    # Registration asks for a name: a location or a big file is no name, and no officer is created.
    token = await invite_token(emulator.user(ADMIN_ID, "Hùng"), "SKHCN")
    newcomer = emulator.user(730_004, "🌟")
    ask = text_of(await say(newcomer, f"/start {token}"))
    assert "Vui lòng nhập họ và tên" in ask
    for content in (LOCATION, big_document(), CONTACT):
        await newcomer.send_raw(content)
        assert text_of(await newcomer.wait_for_reply()).startswith("Vui lòng nhập họ và tên bằng chữ")
    assert await officer_row(runtime.sessions, newcomer.id) is None
