"""Storage tests run against the database(s) named by TEST_DATABASE_URL (see tests/dbfixtures.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.dbfixtures import (
    database_target,
    database_url,
    db_backend,
    db_engine,
    db_session,
    db_sessions,
    fresh_database_url,
)
from tests.storage.factories import Seed, seed

__all__ = [
    "database_target",
    "database_url",
    "db_backend",
    "db_engine",
    "db_session",
    "db_sessions",
    "fresh_database_url",
]


@pytest.fixture
async def seeded(db_session: AsyncSession) -> Seed:
    """The small test plan synced and committed, with one officer in STNMT and one in SCT."""
    return await seed(db_session)
