"""Reusable database fixtures: a migrated database per test session, a clean engine per test.

Which database: ``TEST_DATABASE_URL`` (default ``sqlite``, a file in pytest's tmp dir).
It may list several targets separated by commas to run everything against each in one
go, e.g. ``TEST_DATABASE_URL=sqlite,postgresql+asyncpg://postgres@127.0.0.1:5432/test``;
test ids then carry ``[sqlite]``/``[postgresql]``.

For PostgreSQL the URL names an existing database used only as the entry point: a fresh
``greenbot_test_<hex>`` database is created next to it, migrated once with Alembic, and
dropped at the end. A PostgreSQL URL that cannot be reached is an error, never a skip.
Tests are isolated by emptying every table before each test (much faster than
re-migrating). Engines are created per test: asyncpg connections are bound to the event
loop that opened them, and pytest-asyncio gives every test its own loop.

Use from another test folder's conftest.py::

    from tests.dbfixtures import database_url, db_engine, db_session, db_sessions  # noqa: F401
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import migrate
from storage.db import create_engine, create_session_factory, normalize_database_url
from storage.models import Base

ENV_VAR = "TEST_DATABASE_URL"
SQLITE = "sqlite"
T = TypeVar("T")


def configured_targets() -> list[str]:
    """The database targets named by ``TEST_DATABASE_URL`` (``sqlite`` when unset)."""
    raw = os.environ.get(ENV_VAR, "").strip()
    targets = [part.strip() for part in raw.split(",") if part.strip()]
    return targets or [SQLITE]


def backend_of(target: str) -> str:
    return SQLITE if target == SQLITE else make_url(normalize_database_url(target)).get_backend_name()


def run_blocking(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a private loop in a helper thread.

    Session-scoped set-up must not touch the per-test event loops pytest-asyncio manages.
    """
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(_awaited(factory))
        except BaseException as error:  # re-raised in the calling thread
            box["error"] = error

    thread = threading.Thread(target=target, name="db-fixture-setup")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


async def _awaited(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


async def _admin_execute(admin_url: str, statement: str) -> None:
    engine = create_async_engine(normalize_database_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def blank_database(target: str, tmp_dir: Path) -> Iterator[str]:
    """A new, empty database of the target's backend; yields its async URL, removes it afterwards."""
    name = f"greenbot_test_{secrets.token_hex(6)}"
    if target == SQLITE:
        yield normalize_database_url(f"sqlite:///{tmp_dir / f'{name}.sqlite3'}")
        return
    admin_url = normalize_database_url(target)
    if make_url(admin_url).get_backend_name() != "postgresql":
        raise pytest.UsageError(f"{ENV_VAR}: unsupported target {target!r}")
    run_blocking(lambda: _admin_execute(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        run_blocking(lambda: _admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=configured_targets(), ids=backend_of)
def database_target(request: pytest.FixtureRequest) -> str:
    """One entry of ``TEST_DATABASE_URL``: ``sqlite`` or a PostgreSQL entry-point URL."""
    target: str = request.param
    return target


@pytest.fixture(scope="session")
def database_url(database_target: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a database migrated to head, shared by the whole session (per target)."""
    with blank_database(database_target, tmp_path_factory.mktemp("db")) as url:
        run_blocking(lambda: migrate.upgrade_async(url))
        yield url


@pytest.fixture
def db_backend(database_target: str) -> str:
    """``sqlite`` or ``postgresql``: for the rare assertion that differs by backend."""
    return backend_of(database_target)


@pytest.fixture
def fresh_database_url(database_target: str, tmp_path: Path) -> Iterator[str]:
    """An extra, empty (not migrated) database of the same backend, for migration tests."""
    with blank_database(database_target, tmp_path) as url:
        yield url


async def clear_tables(engine: AsyncEngine) -> None:
    """Empty every application table (not ``alembic_version``) and restart the id sequences."""
    tables = Base.metadata.sorted_tables
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                await connection.execute(table.delete())


@pytest.fixture
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the session's database, emptied before the test."""
    engine = create_engine(database_url)
    try:
        await clear_tables(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def db_sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory, for tests that need several independent sessions."""
    return create_session_factory(db_engine)


@pytest.fixture
async def db_session(db_sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session; the test commits when it wants data visible to other sessions."""
    async with db_sessions() as session:
        yield session
