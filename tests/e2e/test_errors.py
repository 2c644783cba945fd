"""The one error handler: a failure inside a handler becomes a polite Vietnamese message."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from telegram.ext import Application

from storage.repositories import officers
from tests.emulator.emulator import BotApiEmulator

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]


async def test_database_failure_gets_a_polite_answer_and_no_details(
    emulator: BotApiEmulator, bot_app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(officers, "get_active_by_telegram_id", unreachable)
    user = emulator.user(31337, "Bình")
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        await user.send("/start")
        reply = await user.wait_for_reply()
    assert reply.text == (
        "Hệ thống đang bận hoặc gặp sự cố. Thông tin anh/chị đã nhập vẫn được giữ nguyên; "
        "vui lòng thử lại sau ít phút."
    )
    assert "connection refused" not in reply.text
    assert any("error while handling update" in record.getMessage() for record in caplog.records)

    monkeypatch.undo()  # the database is back: the bot recovers by itself
    await user.send("/start")
    recovered = await user.wait_for_reply()
    assert recovered.text is not None
    assert "chưa được đăng ký" in recovered.text
