"""The database unreachable for a while, in the middle of /nhap: a polite "busy" answer, then it goes on by itself.

The outage is real on both backends; the bot's engine is the one production builds, only its connects are redirected:

* SQLite: the pooled connections are closed (as when the file's volume goes away) and every new
  connection is pointed at a path SQLite cannot open ("unable to open database file").
* PostgreSQL: the bot's connections are killed with ``pg_terminate_backend`` from a separate admin
  connection (as in a server restart or failover), and every new connection goes to a port where
  nothing listens (connection refused). ``pool_pre_ping`` must notice the dead connections.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.runtime import Runtime
from emulator.user import EmulatedUser
from tests.e2e.test_intake import button_starting, officer, open_indicator, press, say, values  # noqa: F401

pytestmark = pytest.mark.e2e

BUSY = "Hệ thống đang bận, vui lòng thử lại sau ít phút."
NOTE_DURING = "Ghi chú gõ lúc mất kết nối"
NOTE_AFTER = "Ghi chú gõ lại sau sự cố"
TYPED = ("45,5", NOTE_DURING, NOTE_AFTER)


async def _terminate_backends(engine: AsyncEngine) -> int:
    """Kill every other session on the bot's database, from a connection of our own; returns how many."""
    admin = create_async_engine(engine.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await admin.dispose()
    return int(killed or 0)


@asynccontextmanager
async def database_down(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[None]:
    """The database cannot be reached inside the block; afterwards it is back, and the engine must cope."""
    closed_ports: list[socket.socket] = []
    redirect: Callable[[Any, Any, list[Any], dict[str, Any]], None]
    if engine.dialect.name == "sqlite":
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        unreachable = str(blocker / "greenbot.sqlite3")

        def redirect(dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
            cargs[0] = unreachable

        event.listen(engine.sync_engine, "do_connect", redirect)
        await engine.dispose()
    else:
        refusing = socket.socket()
        refusing.bind(("127.0.0.1", 0))  # bound but never listening: every connection is refused
        closed_ports.append(refusing)
        port = refusing.getsockname()[1]

        def redirect(dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
            cparams.update(host="127.0.0.1", port=port)

        event.listen(engine.sync_engine, "do_connect", redirect)
        assert await _terminate_backends(engine) >= 1  # the bot's pooled connection at least
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "do_connect", redirect)
        for sock in closed_ports:
            sock.close()


def _assert_quiet_logs(caplog: pytest.LogCaptureFixture, outages: int) -> None:
    """Each failed update is one WARNING without traceback; nothing anywhere quotes what was typed."""
    from_handler = [r for r in caplog.records if r.name == "handlers.errors"]
    assert from_handler, "the error handler logged nothing"
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in from_handler), [
        (r.levelname, r.getMessage()) for r in from_handler
    ]
    assert all(r.getMessage().startswith("database unavailable while handling update") for r in from_handler)
    assert len(from_handler) == outages
    for record in caplog.records:
        assert not any(typed in record.getMessage() for typed in TYPED), record.getMessage()


async def test_outage_mid_conversation_then_the_same_conversation_completes(
    officer: EmulatedUser,  # noqa: F811
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    await open_indicator(officer, "2020", 1)
    note_prompt = await say(officer, "45,5")
    assert note_prompt.text is not None
    assert note_prompt.text.startswith("Đã ghi vào bản nháp: 45,5%.")

    with caplog.at_level(logging.WARNING):
        async with database_down(runtime.engine, tmp_path):
            busy = await say(officer, NOTE_DURING)
            assert busy.text == BUSY
            assert busy.buttons == []
            await officer.press(note_prompt, button_starting(note_prompt, "Bỏ qua"))
            assert (await officer.wait_for_reply()).text == BUSY
            assert (await officer.wait_for_callback_answer()).text is None  # the button's spinner stops
            assert (await say(officer, "/nhap")).text == BUSY

        # Back: the conversation is still at the note, with the figure typed before the outage.
        evidence = await say(officer, NOTE_AFTER)
        assert evidence.text is not None
        assert "tệp minh chứng" in evidence.text
        review = await press(officer, evidence, "Bỏ qua")
        assert review.text is not None
        assert "• Số liệu: 45,5%" in review.text
        assert f"• Ghi chú: {NOTE_AFTER}" in review.text

        # A second outage at the last step: "Xác nhận" stores nothing...
        async with database_down(runtime.engine, tmp_path):
            await officer.press(review, button_starting(review, "Xác nhận"))
            assert (await officer.wait_for_reply()).text == BUSY
            await officer.wait_for_callback_answer()
    assert await values(runtime) == []

    # ...and the same button, pressed again once the database is back, stores the figure exactly once.
    saved = await press(officer, review, "Xác nhận")
    assert saved.text is not None
    assert "Đã lưu. Số liệu năm 2020:" in saved.text
    [stored] = await values(runtime)
    assert (stored.year, stored.value, stored.version, stored.note) == (2020, Decimal("45.5"), 1, NOTE_AFTER)
    assert await runtime.conversations.active(officer.id) is None
    _assert_quiet_logs(caplog, outages=4)


async def test_killed_connections_are_replaced_without_anyone_noticing(
    officer: EmulatedUser,  # noqa: F811
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A PostgreSQL restart between two messages: ``pool_pre_ping`` swaps the dead connection for a new one."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server that could drop the bot's connections")
    await open_indicator(officer, "2020", 1)
    assert await _terminate_backends(runtime.engine) >= 1
    with caplog.at_level(logging.WARNING):
        note_prompt = await say(officer, "45,5")
    assert note_prompt.text is not None
    assert note_prompt.text.startswith("Đã ghi vào bản nháp: 45,5%.")
    assert [r for r in caplog.records if r.name == "handlers.errors"] == []
