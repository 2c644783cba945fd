"""The migrations build exactly the schema the models describe, and go down and up again."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage import migrate
from storage.db import create_engine
from storage.models import Base


async def _schema_diff(url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(compare)
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(database_url: str) -> None:
    assert await _schema_diff(database_url) == []
    assert await migrate.current_revision_async(database_url) == migrate.head_revision()
    assert await migrate.is_at_head_async(database_url)


async def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    url = fresh_database_url
    assert await migrate.current_revision_async(url) is None
    await migrate.upgrade_async(url)
    expected = {table.name for table in Base.metadata.sorted_tables}
    assert expected <= await _tables(url)
    await migrate.downgrade_async(url, "base")
    assert await migrate.current_revision_async(url) is None
    assert await _tables(url) <= {"alembic_version"}
    await migrate.upgrade_async(url)
    assert await migrate.current_revision_async(url) == migrate.head_revision()
    assert await _schema_diff(url) == []


async def test_blocking_helpers_refuse_a_running_loop(database_url: str) -> None:
    with pytest.raises(RuntimeError, match="_async"):
        migrate.upgrade(database_url)


def test_blocking_helpers_and_cli(fresh_database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Outside an event loop (CLI, start-up scripts) the plain functions work without alembic.ini in cwd."""
    url = fresh_database_url
    assert migrate.main(["--url", url, "current"]) == 0
    assert "(empty database)" in capsys.readouterr().out
    assert not migrate.is_at_head(url)
    migrate.upgrade(url)
    assert migrate.is_at_head(url)
    assert migrate.current_revision(url) == migrate.head_revision()
    assert migrate.main(["head"]) == 0
    assert capsys.readouterr().out.strip() == migrate.head_revision()
    migrate.downgrade(url, "base")
    assert migrate.current_revision(url) is None


def test_the_shipped_head_read_without_alembic_is_alembics() -> None:
    from storage.schema_version import shipped_head

    assert shipped_head() == migrate.head_revision()


async def test_is_current_tells_a_migrated_database_from_an_empty_or_older_one(fresh_database_url: str) -> None:
    from storage.schema_version import database_revision, is_current

    assert await database_revision(fresh_database_url) is None  # never migrated: no alembic_version table
    assert not await is_current(fresh_database_url)
    await migrate.upgrade_async(fresh_database_url, "0003")
    assert await database_revision(fresh_database_url) == "0003"
    assert not await is_current(fresh_database_url)
    await migrate.upgrade_async(fresh_database_url)
    assert await is_current(fresh_database_url)
