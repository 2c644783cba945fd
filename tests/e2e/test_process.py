"""`greenbot run` as a real process, configured only through the environment, over loopback HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from emulator.emulator import BotApiEmulator
from tests.e2e.conftest import ADMIN_ID

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def _environment(emulator: BotApiEmulator, database_url: str, compiled_locales: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"ADMIN_IDS", "PLAN_FILE", "BOT_USERNAME"}},
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_BASE_URL": emulator.api_base_url,
        "TELEGRAM_BASE_FILE_URL": emulator.file_base_url,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "LOCALES_DIR": str(compiled_locales),
        "PYTHONPATH": str(REPO),
        "REMINDER_ROUNDS": "false",  # a test that wants scheduled rounds passes REMINDER_ROUNDS="true"
        "SUMMARY_ROUNDS": "false",
        **extra,
    }


def _closing_lines(log: str) -> list[str]:
    return [line for line in log.strip().splitlines() if line.strip()][-2:]


async def _run_to_exit(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    log_path = cwd / "run.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=cwd, env=env, stdout=log_file, stderr=log_file
        )
    returncode = await asyncio.wait_for(process.wait(), timeout=60)
    return returncode, log_path.read_text(encoding="utf-8")


async def test_greenbot_run_answers_and_stops_cleanly_on_sigterm(
    emulator: BotApiEmulator,
    database_url: str,
    db_engine: AsyncEngine,
    compiled_locales: Path,
    tmp_path: Path,
) -> None:
    env = _environment(emulator, database_url, compiled_locales, LOG_LEVEL="DEBUG")
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
        assert "Xin chào Hùng" in reply.text
        assert "quyền quản trị viên" in reply.text
        assert [command["command"] for command in emulator.commands()] == [
            "start", "nhap", "tiendo", "hannop", "lichsu", "huy", "trogiup"
        ]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
    log = log_path.read_text(encoding="utf-8")
    assert process.returncode == 0, log
    secret = emulator.token.split(":", 1)[1]
    assert secret not in log  # the token is redacted even at DEBUG
    assert "Traceback" not in log


async def test_a_rejected_token_is_explained_without_printing_it(
    emulator: BotApiEmulator, database_url: str, db_engine: AsyncEngine, compiled_locales: Path, tmp_path: Path
) -> None:
    wrong_token = "123456:WRONG-token-from-a-typo"
    env = _environment(emulator, database_url, compiled_locales, TELEGRAM_BOT_TOKEN=wrong_token)
    returncode, log = await _run_to_exit(env, tmp_path)
    assert returncode == 2, log
    assert "WRONG-token-from-a-typo" not in log  # not even in python-telegram-bot's own log lines
    # What the officer reads last is our explanation, in Vietnamese then English.
    assert _closing_lines(log) == [
        "Telegram không chấp nhận TELEGRAM_BOT_TOKEN. "
        "Vui lòng sao chép lại token từ @BotFather (/mybots) rồi chạy lại.",
        "Telegram rejected TELEGRAM_BOT_TOKEN. Copy the token again from @BotFather (/mybots) and retry.",
    ]


async def test_an_unreachable_bot_api_is_explained(
    emulator: BotApiEmulator, database_url: str, db_engine: AsyncEngine, compiled_locales: Path, tmp_path: Path
) -> None:
    closed = "http://127.0.0.1:9/bot"  # the discard port: nothing listens there
    env = _environment(emulator, database_url, compiled_locales, TELEGRAM_BASE_URL=closed)
    returncode, log = await _run_to_exit(env, tmp_path)
    assert returncode == 1, log
    assert emulator.token.split(":", 1)[1] not in log
    assert _closing_lines(log) == [
        f"Không kết nối được tới Telegram Bot API tại {closed}. Vui lòng kiểm tra mạng hoặc biến TELEGRAM_BASE_URL.",
        f"Cannot reach the Telegram Bot API at {closed}. Check the network or TELEGRAM_BASE_URL.",
    ]
