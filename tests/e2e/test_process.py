"""`greenbot run` as a real process, configured only through the environment, over loopback HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.e2e.conftest import ADMIN_ID
from tests.emulator.emulator import BotApiEmulator

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


async def test_greenbot_run_answers_and_stops_cleanly_on_sigterm(
    emulator: BotApiEmulator,
    database_url: str,
    db_engine: AsyncEngine,
    compiled_locales: Path,
    tmp_path: Path,
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"ADMIN_IDS", "PLAN_FILE", "BOT_USERNAME"}},
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_BASE_URL": emulator.api_base_url,
        "TELEGRAM_BASE_FILE_URL": emulator.file_base_url,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "LOCALES_DIR": str(compiled_locales),
        "PYTHONPATH": str(REPO),
        "LOG_LEVEL": "DEBUG",
    }
    log_path = tmp_path / "greenbot.log"  # a file, not a pipe: a full pipe would block the bot
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env, stdout=log_file, stderr=log_file
        )
    try:
        admin = emulator.user(ADMIN_ID, "Hùng")
        await admin.send("/start")
        reply = await admin.wait_for_reply(timeout=60)
        assert reply.text is not None
        assert "quản trị viên Hùng" in reply.text
        assert [command["command"] for command in emulator.commands()] == ["start", "trogiup"]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
    log = log_path.read_text(encoding="utf-8")
    assert process.returncode == 0, log
    secret = emulator.token.split(":", 1)[1]
    assert secret not in log  # the token is redacted even at DEBUG
    assert "Traceback" not in log
