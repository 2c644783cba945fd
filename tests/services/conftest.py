from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from storage.enums import OfficerRole
from storage.repositories import departments, locks, officers
from tests.dbfixtures import database_target, database_url, db_engine, db_sessions  # noqa: F401

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 09:00 local, after the 2025 mergers


@pytest.fixture
async def runtime(database_url: str, compiled_locales: Path, db_engine: Any) -> AsyncIterator[Runtime]:  # noqa: F811
    """The real plan synced into an empty database, with a FakeClock at ``NOW``."""
    settings = Settings(_env_file=None, database_url=database_url, locales_dir=compiled_locales)  # type: ignore[call-arg]
    built = build_runtime(settings, clock=FakeClock(NOW))
    await built.sync_plan()
    try:
        yield built
    finally:
        await built.engine.dispose()


@pytest.fixture
async def runtime_2015(
    database_url: str,  # noqa: F811
    compiled_locales: Path,
    db_engine: Any,  # noqa: F811
    clock: FakeClock,
) -> AsyncIterator[Runtime]:
    """The real plan synced into an empty database, with 2013 and 2014 locked: only 2015+ deadlines are open.

    Same pattern as tests/services/conftest.py's ``runtime``, with a clock the tests move.
    """
    settings = Settings(_env_file=None, database_url=database_url, locales_dir=compiled_locales)
    built = build_runtime(settings, clock=clock)
    await built.sync_plan()
    async with built.sessions.begin() as session:
        plan_id = await built.periods.plan_id(session)
        for year in (2013, 2014):
            await locks.set_lock(session, plan_id, year, True, None, now=clock.now())
    try:
        yield built
    finally:
        await built.engine.dispose()


async def add_officer(
    runtime: Runtime, telegram_user_id: int, name: str, code: str, *, role: OfficerRole = OfficerRole.OFFICER
) -> int:
    async with runtime.sessions.begin() as session:
        department = await departments.get_by_code(session, code)
        assert department is not None, code
        officer = await officers.create_officer(
            session,
            telegram_user_id=telegram_user_id,
            full_name=name,
            department_id=department.id,
            role=role,
            now=runtime.clock.now(),
        )
        return officer.id
