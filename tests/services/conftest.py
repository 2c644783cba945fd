from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
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
