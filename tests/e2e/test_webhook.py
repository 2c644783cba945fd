"""`greenbot run --webhook URL` as a real process: the emulator POSTs updates to it with the secret header.

Also SIGTERM in both modes: the update in hand is finished (its reply goes out) and the process exits 0
within 10 s. "In hand" is made to last by answering the reply's sendMessage slowly.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from emulator.emulator import BotApiEmulator
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.test_process import _environment
from tests.e2e.test_two_processes import SIMULATED_NOW, _prepare_database

pytestmark = pytest.mark.e2e

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
START_TIMEOUT_SECONDS: Final = 60.0  # migrations and the plan sync come first
SIGTERM_EXIT_SECONDS: Final = 10.0  # the promise: exit 0 within 10 s
SLOW_REPLY_SECONDS: Final = 2.0  # below PTB's 5 s read timeout, so the reply is answered, late
FORGER_ID: Final = 900_777
ALLOWED_UPDATES: Final = ["message", "callback_query", "my_chat_member"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotProcess:
    """A `greenbot run` subprocess whose output goes to a file (a full pipe would block the bot)."""

    def __init__(self, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    async def terminate(self) -> int:
        """SIGTERM, then the exit code, which must come within SIGTERM_EXIT_SECONDS."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=SIGTERM_EXIT_SECONDS)


@asynccontextmanager
async def greenbot_run(env: dict[str, str], cwd: Path, *args: str) -> AsyncIterator[BotProcess]:
    log_path = cwd / "greenbot.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", *args, cwd=cwd, env=env, stdout=log_file, stderr=log_file
        )
    bot = BotProcess(process, log_path)
    try:
        yield bot
    finally:
        if process.returncode is None:  # a failed assertion: do not leave the bot running
            process.kill()
            await process.wait()


def _webhook_env(
    emulator: BotApiEmulator, database_url: str, compiled_locales: Path, port: int, secret: str
) -> dict[str, str]:
    return _environment(
        emulator,
        database_url,
        compiled_locales,
        LOG_LEVEL="DEBUG",
        WEBHOOK_SECRET=secret,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )


def _forged_start(update_id: int) -> dict[str, Any]:
    """What a stranger who found the webhook URL might post: a well-formed /start."""
    user = {"id": FORGER_ID, "is_bot": False, "first_name": "Mạo danh", "language_code": "vi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_767_225_600,
            "chat": {"id": FORGER_ID, "type": "private", "first_name": "Mạo danh"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_webhook_mode_answers_refuses_forgeries_reports_health_and_stops_on_sigterm(
    emulator: BotApiEmulator,
    database_url: str,
    db_engine: AsyncEngine,
    compiled_locales: Path,
    tmp_path: Path,
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/tg/{secrets.token_hex(8)}"
    secret = f"test-{secrets.token_urlsafe(24)}"
    env = _webhook_env(emulator, database_url, compiled_locales, port, secret)
    async with greenbot_run(env, tmp_path, "--webhook", url) as bot, aiohttp.ClientSession() as http:
        hook = await emulator.wait_for_webhook(timeout=START_TIMEOUT_SECONDS)
        assert (hook["url"], hook["secret_token"], hook["allowed_updates"]) == (url, secret, ALLOWED_UPDATES)

        admin = emulator.user(ADMIN_ID, "Hùng")
        sent = await admin.send("/start")
        reply = await admin.wait_for_reply(timeout=30)
        assert reply.text is not None
        assert "Xin chào Hùng" in reply.text
        await emulator.wait_all_fetched(timeout=30)  # the bot answered the POST after replying
        deliveries = emulator.webhook_deliveries()
        assert [(d.update_id, d.url, d.status) for d in deliveries] == [(sent.update_id, url, 200)]

        for headers in ({SECRET_HEADER: "wrong-secret"}, {}):
            async with http.post(url, json=_forged_start(sent.update_id + 100), headers=headers) as response:
                assert response.status == 403
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "database": "ok"}

        # Updates are handled one at a time in arrival order: once this later one is answered, the
        # forged ones would have been too, and nothing went to the forger.
        await admin.send("/trogiup")
        assert (await admin.wait_for_reply(timeout=30)).text
        assert not [call for call in emulator.calls_to("sendMessage") if call.params.get("chat_id") == FORGER_ID]
        assert emulator.calls_to("getUpdates") == []  # no long polling in webhook mode

        assert await bot.terminate() == 0, bot.log
    log = bot.log
    assert secret not in log  # the secret is redacted like the token, even at DEBUG
    assert emulator.token.split(":", 1)[1] not in log
    assert "Traceback" not in log


async def test_webhook_mode_runs_the_scheduled_reminder_rounds(
    emulator: BotApiEmulator,
    database_url: str,
    db_engine: AsyncEngine,
    compiled_locales: Path,
    tmp_path: Path,
) -> None:
    """The job queue starts with the Application, as in polling: the start-up catch-up round sends reminders."""
    telegram_ids = await _prepare_database(database_url, compiled_locales)
    for telegram_id in telegram_ids:
        emulator.user(telegram_id, f"Cán bộ {telegram_id}", started=True)
    port = _free_port()
    env = {
        **_webhook_env(emulator, database_url, compiled_locales, port, secrets.token_urlsafe(16)),
        "REMINDER_ROUNDS": "true",
        "SIMULATED_NOW": SIMULATED_NOW,
    }
    async with greenbot_run(env, tmp_path, "--webhook", f"http://127.0.0.1:{port}/telegram") as bot:
        await emulator.wait_for_webhook(timeout=START_TIMEOUT_SECONDS)
        officers = set(telegram_ids)

        def reminded() -> bool:
            return any(call.params.get("chat_id") in officers for call in emulator.calls_to("sendMessage", ok=True))

        assert await emulator.hub.changed.wait_for(reminded, START_TIMEOUT_SECONDS), bot.log
        assert await bot.terminate() == 0, bot.log
    assert emulator.calls_to("getUpdates") == []


async def test_webhook_mode_finishes_the_update_in_hand_on_sigterm(
    emulator: BotApiEmulator,
    database_url: str,
    db_engine: AsyncEngine,
    compiled_locales: Path,
    tmp_path: Path,
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = _webhook_env(emulator, database_url, compiled_locales, port, secrets.token_urlsafe(16))
    slow_reply = emulator.fail_next("sendMessage", 1, "slow", delay=SLOW_REPLY_SECONDS)
    async with greenbot_run(env, tmp_path, "--webhook", url) as bot:
        await emulator.wait_for_webhook(timeout=START_TIMEOUT_SECONDS)
        admin = emulator.user(ADMIN_ID, "Hùng")
        sent = await admin.send("/start")
        await emulator.wait_until_used(slow_reply, timeout=30)  # the bot is sending the reply: in hand
        assert await bot.terminate() == 0, bot.log
    # The reply went out, and only then did the bot answer Telegram: the update is not redelivered.
    assert "Xin chào Hùng" in (admin.messages[-1].text or "")
    assert [(d.update_id, d.status) for d in emulator.webhook_deliveries()] == [(sent.update_id, 200)]
    assert emulator.pending_updates() == []
    assert "Traceback" not in bot.log


async def test_polling_mode_finishes_the_update_in_hand_on_sigterm(
    emulator: BotApiEmulator,
    database_url: str,
    db_engine: AsyncEngine,
    compiled_locales: Path,
    tmp_path: Path,
) -> None:
    env = _environment(emulator, database_url, compiled_locales)
    slow_reply = emulator.fail_next("sendMessage", 1, "slow", delay=SLOW_REPLY_SECONDS)
    async with greenbot_run(env, tmp_path) as bot:
        admin = emulator.user(ADMIN_ID, "Hùng")
        await admin.send("/start")
        await emulator.wait_until_used(slow_reply, timeout=START_TIMEOUT_SECONDS)  # sending the reply: in hand
        assert await bot.terminate() == 0, bot.log
    assert "Xin chào Hùng" in (admin.messages[-1].text or "")
    assert emulator.calls_to("sendMessage", ok=True)
    assert "Traceback" not in bot.log
