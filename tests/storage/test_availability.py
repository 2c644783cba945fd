"""Which failures mean "the database is unreachable for now" (the user is told to retry), with real errors."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import db
from storage.availability import database_unavailable, describe
from storage.db import create_engine, ping


async def _error_of(engine: AsyncEngine) -> BaseException:
    try:
        await ping(engine)
    except Exception as error:  # what the bot's handler would see
        return error
    finally:
        await engine.dispose()
    raise AssertionError("the database answered")


async def test_an_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    folder = tmp_path / "volume"
    engine = create_engine(f"sqlite:///{folder / 'greenbot.sqlite3'}")  # the factory makes the folder
    folder.rmdir()
    folder.write_text("")  # and a file takes its place, as when the volume is gone
    error = await _error_of(engine)
    assert isinstance(error, OperationalError)
    assert database_unavailable(error)
    assert describe(error) == "sqlalchemy.exc.OperationalError<-sqlite3.OperationalError"


async def test_a_postgresql_server_that_refuses_connections() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening
        error = await _error_of(create_engine(f"postgresql://postgres@127.0.0.1:{closed.getsockname()[1]}/test"))
    assert isinstance(error, ConnectionRefusedError)
    assert database_unavailable(error)  # it came through the driver
    assert describe(error) == "ConnectionRefusedError"


async def test_a_postgresql_host_that_never_answers_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the engine's connect timeout asyncpg would wait 60 s here, and so would every update."""
    monkeypatch.setattr(db, "POSTGRES_CONNECT_TIMEOUT_SECONDS", 0.2)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts, never speaks
        error = await _error_of(create_engine(f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/test"))
    assert isinstance(error, TimeoutError)
    assert database_unavailable(error)


async def test_an_exhausted_pool(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}", pool_size=1, max_overflow=0, pool_timeout=0.01)
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            error = await _error_of(engine)
    finally:
        await engine.dispose()
    assert database_unavailable(error)
    assert describe(error) == "sqlalchemy.exc.TimeoutError"


async def test_a_connection_killed_in_the_middle_of_a_transaction(db_engine: AsyncEngine, db_backend: str) -> None:
    if db_backend != "postgresql":
        pytest.skip("SQLite has no server that could drop a connection")
    admin = create_engine(db_engine.url, isolation_level="AUTOCOMMIT")
    try:
        async with db_engine.connect() as connection:
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            async with admin.connect() as killer:
                await killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(DBAPIError) as raised:
                await connection.execute(text("SELECT 1"))
    finally:
        await admin.dispose()
    assert raised.value.connection_invalidated
    assert database_unavailable(raised.value)
    await ping(db_engine)  # and the pool hands out a working connection again


async def test_other_failures_are_not_outages(db_engine: AsyncEngine) -> None:
    async with db_engine.connect() as connection:
        await connection.execute(text("CREATE TEMPORARY TABLE unique_x (x INTEGER PRIMARY KEY)"))
        await connection.execute(text("INSERT INTO unique_x VALUES (1)"))
        with pytest.raises(IntegrityError) as duplicate:
            await connection.execute(text("INSERT INTO unique_x VALUES (1)"))
        await connection.rollback()
    assert not database_unavailable(duplicate.value)
    assert not database_unavailable(ValueError("bad button"))
    assert not database_unavailable(ConnectionRefusedError("raised outside the database driver"))
    assert not database_unavailable(TimeoutError())
    assert not database_unavailable(None)


def test_a_wrapped_outage_is_recognised_and_described_without_its_message() -> None:
    typed = "45,5 ghi chú bí mật"
    outage = OperationalError("UPDATE conversation_states SET data = ?", (typed,), sqlite3.OperationalError("I/O"))
    wrapped = RuntimeError("while saving the step")
    wrapped.__cause__ = outage
    assert database_unavailable(wrapped)
    assert typed not in describe(wrapped)
    assert describe(wrapped) == "RuntimeError<-sqlalchemy.exc.OperationalError<-sqlite3.OperationalError"
