"""URL normalisation and engine settings (SQLite-specific checks use their own tmp file)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, create_session_factory, default_sqlite_url, normalize_database_url, ping


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/bot.db", "sqlite+aiosqlite:///data/bot.db"),
        ("sqlite:////abs/bot.db", "sqlite+aiosqlite:////abs/bot.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u:p%40ss@h:5432/db", "postgresql+asyncpg://u:p%40ss@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db?sslmode=require", "postgresql+asyncpg://u@h/db?ssl=require"),
    ],
)
def test_normalize_database_url(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


def test_unsupported_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        normalize_database_url("mysql://u@h/db")


def test_default_sqlite_url(tmp_path: Path) -> None:
    assert default_sqlite_url(tmp_path) == f"sqlite+aiosqlite:///{tmp_path}/greenbot.sqlite3"


async def test_sqlite_engine_creates_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "bot.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    try:
        await ping(engine)
        assert path.parent.is_dir()
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 0  # the wait is ours
    finally:
        await engine.dispose()


async def test_sqlite_transactions_are_real(tmp_path: Path) -> None:
    """SELECTs run inside the transaction and a rollback undoes DDL too (no legacy sqlite3 mode)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'tx.sqlite3'}")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.rollback()
            assert (await connection.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 't'"))).scalar() == 0
    finally:
        await engine.dispose()


async def test_ping_and_session_factory(db_engine: AsyncEngine) -> None:
    await ping(db_engine)
    factory = create_session_factory(db_engine)
    async with factory() as session:
        assert (await session.execute(text("SELECT 1"))).scalar() == 1
    assert factory.kw["expire_on_commit"] is False


async def test_ping_fails_loudly_for_unreachable_postgres() -> None:
    engine = create_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={"timeout": 2})
    try:
        with pytest.raises(ConnectionRefusedError):
            await ping(engine)
    finally:
        await engine.dispose()


async def test_sqlite_read_then_write_transactions_wait_instead_of_failing(tmp_path: Path) -> None:
    """Two sessions that each read, then write, at the same time: both succeed (BEGIN IMMEDIATE)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
            await connection.execute(text("INSERT INTO counter VALUES (1, 0)"))
        factory = create_session_factory(engine)

        async def increment() -> None:
            async with factory() as session:
                current = (await session.execute(text("SELECT n FROM counter"))).scalar_one()
                await session.execute(text("UPDATE counter SET n = :n"), {"n": current + 1})
                await session.commit()

        await asyncio.gather(*(increment() for _ in range(5)))
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT n FROM counter"))).scalar() == 5  # no lost update
    finally:
        await engine.dispose()
