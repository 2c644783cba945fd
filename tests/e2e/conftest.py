"""The real bot (our Application, handlers, services and database) against the loopback emulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application

from bot.app import build_application
from bot.clock import FakeClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from emulator.emulator import BotApiEmulator
from emulator.fixtures import emulator  # noqa: F401
from emulator.ptb import running_application
from tests.dbfixtures import database_target, database_url, db_engine  # noqa: F401

ADMIN_ID = 900_001
# 09:00 on Monday 2 March 2026 in Asia/Ho_Chi_Minh: after the 2025 mergers.
START_TIME = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str, compiled_locales: Path) -> Settings:  # noqa: F811
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=emulator.token,
        telegram_base_url=emulator.api_base_url,
        telegram_base_file_url=emulator.file_base_url,
        database_url=database_url,
        admin_ids=frozenset({ADMIN_ID}),
        locales_dir=compiled_locales,
        reminder_rounds=False,  # tests run reminder rounds themselves, at the fake clock's time
        summary_rounds=False,  # and the digest rounds
        reminder_retry_seconds=0.01,
        reply_retry_seconds=0.01,
        reminder_chat_interval_seconds=0,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START_TIME)


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock, db_engine: AsyncEngine) -> Runtime:  # noqa: F811
    """db_engine empties the tables first; the runtime opens its own engine like production."""
    return build_runtime(settings, clock=clock)


@pytest.fixture
async def bot_app(runtime: Runtime, settings: Settings) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    token = settings.token_value()
    assert token
    app = build_application(runtime, token)
    async with running_application(app):
        yield app


async def register_officer(runtime: Runtime, telegram_user_id: int, full_name: str, department_code: str) -> int:
    """An officer as the invite flow leaves them (the plan must be synced: use after ``bot_app``)."""
    from storage.repositories import departments, officers

    async with runtime.sessions.begin() as session:
        department = await departments.get_by_code(session, department_code)
        assert department is not None, department_code
        officer = await officers.create_officer(
            session,
            telegram_user_id=telegram_user_id,
            full_name=full_name,
            department_id=department.id,
            now=runtime.clock.now(),
        )
        return officer.id
