"""Fuzz: 1,000 wrong answers at the figure step of /nhap and hundreds of odd notes at /tiendo.

Every wrong figure (tests/e2e/fuzz_inputs.py: empty, blank, huge, negative, over 100 %, "12/0", numerator above
denominator, words, emoji, bidi and zero-width marks, 5,000 characters, SQL, Markdown/HTML, odd separators,
control characters, stickers, locations, oversized files...) must get the Vietnamese explanation of its problem and
the same question again, and nothing is stored. Over real HTTP one message costs ~35 ms (the bot's own 29/s send
pacing), so the 1,000 are handed to the flow's input handler in-process, each reply still sent through the Bot API
emulator, and a seeded 50 of them also go the whole way (getUpdates, routing, the database lookups).

Notes must be stored exactly as typed (without surrounding whitespace) or refused with a reason.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes

from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services.conversations import Conversation, Flow
from bot.services.entries import EntryProblem
from bot.services.figures import FigureProblem
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.ptb import application_builder
from emulator.user import EmulatedUser
from handlers import intake, progress
from handlers.common import RUNTIME_KEY, Caller, identify_caller
from storage.models import AuditEvent, TaskProgressReport
from tests.e2e.fuzz_inputs import BadFigure, OddNote, bad_figures, expected_note, odd_notes
from tests.e2e.test_intake import OFFICER_ID, open_indicator, press, say, values
from tests.e2e.test_intake import officer as officer  # the fixture

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]
SEED = 20260302
FIGURES = bad_figures(SEED, 1000)


def _over_http(count: int) -> list[BadFigure]:
    """One of every kind, then a seeded sample of the rest."""
    firsts = list({item.kind: item for item in reversed(FIGURES)}.values())
    rest = [item for item in FIGURES if item not in firsts]
    return firsts + random.Random(SEED).sample(rest, count - len(firsts))


OVER_HTTP = _over_http(50)
VALUE_QUESTION = "Vui lòng nhập tỷ lệ (%) năm 2020"
TWO_STEP_BUTTON = "Nhập tử số và mẫu số"
NOTE_QUESTION = "Thêm ghi chú về kết quả đã làm"
EVIDENCE_QUESTION = "Gửi tệp minh chứng"

InputHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Caller, Conversation], Awaitable[None]]


@dataclass
class InProcess:
    """The bot's handlers called directly, on the test's runtime; replies still go out over the Bot API.

    A second Application (never polling, no rate limiter) gives the handlers a real context and bot.
    """

    app: App
    user_id: int
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10**6))

    def update(self, content: dict[str, Any]) -> Update:
        person = {"id": self.user_id, "is_bot": False, "first_name": "An", "language_code": "vi"}
        message = {
            "message_id": next(self.ids),
            "from": person,
            "chat": {"id": self.user_id, "type": "private", "first_name": "An"},
            "date": int(time.time()),
            **content,
        }
        return Update.de_json({"update_id": next(self.ids), "message": message}, self.app.bot)

    def context(self, update: Update) -> ContextTypes.DEFAULT_TYPE:
        return CallbackContext.from_update(update, self.app)

    async def caller(self) -> Caller:
        update = self.update({"text": "-"})
        return await identify_caller(update, self.context(update))

    async def answer(
        self, handler: InputHandler, caller: Caller, conversation: Conversation, content: dict[str, Any]
    ) -> None:
        update = self.update(content)
        await handler(update, self.context(update), caller, conversation)


@pytest.fixture
async def in_process(emulator: BotApiEmulator, bot_app: App, runtime: Runtime) -> AsyncIterator[InProcess]:
    app = application_builder(emulator).build()
    app.bot_data[RUNTIME_KEY] = runtime
    async with app:
        yield InProcess(app, OFFICER_ID)


def _problem_named(text: str, vi: Translator) -> FigureProblem | None:
    """Which figure problem a reply explains: the longest Vietnamese message (up to its first value) it starts with."""
    named = [(len(head), problem) for problem in FigureProblem if text.startswith(head := _head(vi, problem.value))]
    return max(named)[1] if named else None


def _head(vi: Translator, msgid: str) -> str:
    translated = vi.gettext(msgid)
    assert translated != msgid, f"not translated: {msgid}"
    return translated.split("{")[0]


def _check_refused(reply: SentMessage, item: BadFigure, vi: Translator, nonce: str) -> None:
    shown = repr((item.text or str(item.fields))[:60])
    assert reply.text is not None, shown
    problem = _problem_named(reply.text, vi)
    assert problem in item.expected, f"{item.kind} {shown}: {problem} not in {set(item.expected)}: {reply.text[:200]}"
    assert VALUE_QUESTION in reply.text, shown  # the same question again
    assert [(b.text, b.callback_data) for b in reply.buttons] == [(TWO_STEP_BUTTON, f"n:{nonce}:two")], shown


async def _send(user: EmulatedUser, item: BadFigure) -> SentMessage:
    if item.text is not None:
        await user.send(item.text)
    else:
        await user.send_raw(item.content())
    return await user.wait_for_reply()


async def test_a_thousand_wrong_figures_are_each_explained_and_nothing_is_stored(
    officer: EmulatedUser, runtime: Runtime, in_process: InProcess
) -> None:
    assert {item.kind for item in FIGURES} >= {"blank", "5000_chars", "sql", "markup", "bidi", "not_text"}
    vi = runtime.catalogs.translator("vi")
    await open_indicator(officer, "2020", 1)
    at_value = await runtime.conversations.active(OFFICER_ID)
    assert at_value is not None
    assert (at_value.flow, at_value.step) == (Flow.INTAKE, intake.Step.VALUE)
    caller = await in_process.caller()

    for item in FIGURES:
        await in_process.answer(intake.on_input, caller, at_value, item.content())
        _check_refused(await officer.wait_for_reply(), item, vi, at_value.nonce)
    for item in OVER_HTTP:  # the whole way: polling, routing, who is asking, which conversation
        _check_refused(await _send(officer, item), item, vi, at_value.nonce)

    after = await runtime.conversations.active(OFFICER_ID)
    assert after is not None
    assert (after.step, after.nonce, after.data) == (at_value.step, at_value.nonce, at_value.data)
    assert await values(runtime) == []
    async with runtime.sessions() as session:
        audited = await session.scalar(select(func.count()).where(AuditEvent.entity == "indicator_value"))
    assert audited == 0

    note_prompt = await say(officer, "45,5")  # still the same conversation, still working
    assert note_prompt.text is not None
    assert note_prompt.text.startswith("Đã ghi vào bản nháp: 45,5%.")
    review = await press(officer, await press(officer, note_prompt, "Bỏ qua"), "Bỏ qua")
    await press(officer, review, "Xác nhận")
    [stored] = await values(runtime)
    assert (stored.value, stored.note) == (Decimal("45.5"), None)


# ---- /tiendo notes -------------------------------------------------------------------------------


async def _at_note_step(officer: EmulatedUser, status: str = "Đang triển khai") -> SentMessage:
    tasks = await say(officer, "/tiendo")
    [data] = [b.callback_data for b in tasks.buttons if " IV.1 " in b.text]
    assert data is not None
    await officer.press(tasks, data)
    return await press(officer, await officer.wait_for_reply(), status)


async def reports(runtime: Runtime) -> list[TaskProgressReport]:
    async with runtime.sessions() as session:
        query = select(TaskProgressReport).order_by(TaskProgressReport.version)
        return list((await session.scalars(query)).all())


def _refusal_head(vi: Translator, note: OddNote) -> str:
    assert note.refused is not None
    return _head(vi, note.refused.value)


async def test_odd_notes_are_stored_exactly_or_refused_with_a_reason(
    officer: EmulatedUser, runtime: Runtime, in_process: InProcess
) -> None:
    vi = runtime.catalogs.translator("vi")
    prompt = await _at_note_step(officer)
    assert prompt.text is not None
    assert NOTE_QUESTION in prompt.text
    at_note = await runtime.conversations.active(OFFICER_ID)
    assert at_note is not None
    assert (at_note.flow, at_note.step) == (Flow.PROGRESS, progress.Step.NOTE)
    caller = await in_process.caller()

    notes = odd_notes(SEED, 300)
    refusals = {EntryProblem.NOTE_EMPTY, EntryProblem.NOTE_TOO_LONG, EntryProblem.NOTE_BAD_CHARACTERS}
    assert {n.refused for n in notes} == {None, *refusals}
    assert sum(n.stored is not None for n in notes) > len(notes) // 2
    for note in notes:
        await in_process.answer(progress.on_input, caller, at_note, {"text": note.text})
        reply = await officer.wait_for_reply()
        assert reply.text is not None
        kept = await runtime.conversations.get(OFFICER_ID, Flow.PROGRESS)
        assert kept is not None
        if note.stored is None:
            assert reply.text.startswith(_refusal_head(vi, note)), (note.text[:60], reply.text[:200])
            assert NOTE_QUESTION in reply.text
            assert kept.step == progress.Step.NOTE
            continue
        assert EVIDENCE_QUESTION in reply.text, (note.text[:60], reply.text[:200])
        assert (kept.step, kept.data["draft"]["note"]) == (progress.Step.EVIDENCE, note.stored)
        await runtime.conversations.save(at_note)  # back at the note question for the next one
    assert await reports(runtime) == []  # drafts only, until someone confirms


NOTES_OVER_HTTP = [
    "x" * 1000,
    "😀" * 1000,
    "  Tiếng Việt tổ hợp (NFD): \u0110a\u0306\u0301k Ha\u0300  ",
    "<b>đậm</b> <script>alert('x')</script> &amp; *đậm* _nghiêng_ `mã` [liên kết](http://example.com)",
    "{note} {0} %s %(name)s {{}} }{ '; DROP TABLE task_progress_reports; --",
    "שלום \u202eRLO\u202c مرحبا \u2066isolate\u2069 zero\u200bwidth\ufeff",
    "Dòng 1\nDòng 2\n\tthụt lề\n👨‍👩‍👧‍👦 🇻🇳 \uffff\U0010ffff \u2028",
    "C:\\Windows\\System32 \\n \\x00 Z̷̢͔̈́a̸̡͚͑l̵g̶o̵",
]
REFUSED_OVER_HTTP = ["y" * 5000, "lỗi\x00ký tự", "riêng\ue000tư", "\x1b[31mđỏ"]


async def test_odd_notes_over_http_reach_the_database_unchanged(officer: EmulatedUser, runtime: Runtime) -> None:
    vi = runtime.catalogs.translator("vi")
    for text in NOTES_OVER_HTTP:
        expected = text.strip()
        await _at_note_step(officer)
        evidence = await say(officer, text)
        assert evidence.text is not None
        assert EVIDENCE_QUESTION in evidence.text, evidence.text[:200]
        review = await press(officer, evidence, "Bỏ qua")
        assert review.text is not None
        assert f"• Ghi chú: {expected}\n" in review.text  # shown as typed: no markup is interpreted
        saved = await press(officer, review, "Xác nhận")
        assert saved.text is not None
        assert saved.text.startswith("Đã lưu")
        assert (await reports(runtime))[-1].note == expected

    await _at_note_step(officer)
    for text in REFUSED_OVER_HTTP:
        refusal = await say(officer, text)
        assert refusal.text is not None
        assert refusal.text.startswith(_refusal_head(vi, expected_note(text, required=False))), refusal.text[:200]
        assert NOTE_QUESTION in refusal.text
    assert [r.note for r in await reports(runtime)] == [text.strip() for text in NOTES_OVER_HTTP]
