"""The one error handler: a failure inside a handler becomes a polite Vietnamese message, an outage a "busy" one."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from telegram.ext import Application

from emulator.emulator import BotApiEmulator
from storage.repositories import officers

pytestmark = pytest.mark.e2e

App = Application[Any, Any, Any, Any, Any, Any]


async def test_unexpected_failure_gets_a_polite_answer_and_no_details(
    emulator: BotApiEmulator, bot_app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail 42")

    monkeypatch.setattr(officers, "get_active_with_department", broken)
    user = emulator.user(31337, "Bình")
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        await user.send("/start")
        reply = await user.wait_for_reply()
    assert reply.text == (
        "Hệ thống đang bận hoặc gặp sự cố. Thông tin anh/chị đã nhập vẫn được giữ nguyên; "
        "vui lòng thử lại sau ít phút."
    )
    assert any("error while handling update" in record.getMessage() for record in caplog.records)

    monkeypatch.undo()
    await user.send("/start")
    recovered = await user.wait_for_reply()
    assert recovered.text is not None
    assert "chưa được đăng ký" in recovered.text


async def test_unreachable_database_gets_the_busy_answer_and_a_short_warning(
    emulator: BotApiEmulator, bot_app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """tests/e2e/test_db_outage.py takes the database away for real; this is the error handler's side alone."""

    async def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(officers, "get_active_with_department", unreachable)
    user = emulator.user(31337, "Bình")
    with caplog.at_level(logging.WARNING, logger="handlers.errors"):
        await user.send("/start")
        reply = await user.wait_for_reply()
    assert reply.text == "Hệ thống đang bận, vui lòng thử lại sau ít phút."
    [record] = [r for r in caplog.records if r.name == "handlers.errors"]
    assert (record.levelno, record.exc_info) == (logging.WARNING, None)
    assert "connection refused" not in record.getMessage()

    monkeypatch.undo()  # the database is back: the bot recovers by itself
    await user.send("/start")
    recovered = await user.wait_for_reply()
    assert recovered.text is not None
    assert "chưa được đăng ký" in recovered.text
