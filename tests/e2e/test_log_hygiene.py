"""Logs as production writes them carry neither the token nor what people type (issue: production readiness).

The bot is configured exactly as `greenbot main` does (``configure_logging`` at INFO with the token
as a secret), then a new officer registers under a typed name and enters a figure with a wrong
input and a note. Every record at INFO and above, and the text the production handler writes,
must be free of the token, the invite code and the typed texts.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.logging_setup import configure_logging
from bot.runtime import Runtime
from emulator.emulator import BotApiEmulator
from emulator.models import SentMessage
from emulator.ptb import running_application
from emulator.user import EmulatedUser
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.registration_steps import invite_token

pytestmark = pytest.mark.e2e

OFFICER_ID = 700_777
TYPED_NAME = "Trần Thị Bảo Mật"
WRONG_FIGURE = "sáu mươi ba phẩy năm"
FIGURE = "63,5"  # "63," cannot occur in a log timestamp (seconds stop at 59)
NOTE = "Ghi chú nội bộ: số liệu lấy từ huyện Đăk Hà"
QUIETENED_LOGGERS = ("httpx", "httpcore", "apscheduler")


class _Collector(logging.Handler):
    """Keeps every record (after the production handler's filter has seen it)."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(level=logging.INFO)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class CapturedLogs:
    output: io.StringIO = field(default_factory=io.StringIO)
    records: list[logging.LogRecord] = field(default_factory=list)

    def texts(self) -> list[str]:
        """What each record says: its message, and its traceback when it has one."""
        formatter = logging.Formatter()
        texts = []
        for record in self.records:
            text = record.getMessage()
            if record.exc_info:
                text += formatter.formatException(record.exc_info)
            if record.exc_text:
                text += record.exc_text
            texts.append(text)
        return texts


@contextmanager
def production_logging(token: str) -> Iterator[CapturedLogs]:
    """``configure_logging`` as `greenbot run` calls it, its stream redirected; the test's logging restored after."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in QUIETENED_LOGGERS}
    captured = CapturedLogs()
    configure_logging("INFO", secrets=[token])
    streams = [handler for handler in root.handlers if isinstance(handler, logging.StreamHandler)]
    assert streams, "configure_logging installed no stream handler"
    for handler in streams:
        handler.setStream(captured.output)
    root.addHandler(_Collector(captured.records))
    try:
        yield captured
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


async def say(user: EmulatedUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.wait_for_reply()


async def press(user: EmulatedUser, message: SentMessage, label: str) -> SentMessage:
    [data] = [b.callback_data for b in message.buttons if b.text.startswith(label) and b.callback_data]
    await user.press(message, data)
    return await user.wait_for_reply()


async def register_with_typed_name(emulator: BotApiEmulator, invite: str) -> EmulatedUser:
    user = emulator.user(OFFICER_ID, "Mật")
    await user.send(f"/start {invite}")
    prompt = await user.wait_for_reply()
    await user.press(prompt, text="Nhập tên khác")
    await user.wait_for_callback_answer()
    await user.wait_for_reply()
    confirm = await say(user, TYPED_NAME)
    assert confirm.text is not None
    assert TYPED_NAME in confirm.text
    await user.press(confirm, text="Đúng")
    await user.wait_for_callback_answer()
    welcome = await user.wait_for_reply()
    assert welcome.text is not None
    assert welcome.text.startswith("Đăng ký thành công")
    return user


async def enter_figure_with_a_wrong_input_and_a_note(user: EmulatedUser) -> SentMessage:
    indicators = await press(user, await say(user, "/nhap"), "2020")
    [data] = [b.callback_data for b in indicators.buttons if b.text[2:].startswith("1.")]
    assert data is not None
    await user.press(indicators, data)
    await user.wait_for_reply()
    wrong = await say(user, WRONG_FIGURE)
    assert wrong.text is not None
    assert "Đây không phải là số" in wrong.text
    note_prompt = await say(user, FIGURE)
    assert note_prompt.text is not None
    assert note_prompt.text.startswith("Đã ghi vào bản nháp: 63,5%.")
    evidence_prompt = await say(user, NOTE)
    review = await press(user, evidence_prompt, "Bỏ qua")
    assert review.text is not None
    assert f"• Ghi chú: {NOTE}" in review.text
    return await press(user, review, "Xác nhận")


async def test_info_logs_carry_no_token_and_no_typed_text(
    emulator: BotApiEmulator, runtime: Runtime, settings: Settings
) -> None:
    token = settings.token_value()
    assert token
    with production_logging(token) as logs:
        async with running_application(build_application(runtime, token)):
            invite = await invite_token(emulator.user(ADMIN_ID, "Hùng"))
            officer = await register_with_typed_name(emulator, invite)
            saved = await enter_figure_with_a_wrong_input_and_a_note(officer)
            assert saved.text is not None
            assert saved.text.startswith("Đã lưu.")

    written = logs.output.getvalue()
    # The capture saw the flow: the registration is logged at INFO, by user id.
    assert any(r.levelno == logging.INFO and str(OFFICER_ID) in r.getMessage() for r in logs.records), written
    assert str(OFFICER_ID) in written
    texts = logs.texts()
    for secret in (token, invite, TYPED_NAME, WRONG_FIGURE, FIGURE, NOTE):
        assert secret not in written, f"{secret!r} in the log output:\n{written}"
        leaking = [text for text in texts if secret in text]
        assert not leaking, f"{secret!r} in log records: {leaking}"
