from __future__ import annotations

from tests.dbfixtures import database_target, database_url, db_engine, db_sessions  # noqa: F401
