"""SQLite in the event loop's thread: waiting for another connection's write lock never freezes the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage import sqlite_inline
from storage.db import create_engine, create_session_factory


async def test_a_writer_waits_for_the_lock_while_the_holder_goes_on(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'lock.sqlite3'}")
    sessions = create_session_factory(engine)
    order: list[str] = []
    try:
        async with sessions.begin() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
        holding = asyncio.Event()

        async def holder() -> None:
            async with sessions.begin() as session:  # BEGIN IMMEDIATE: the write lock
                await session.execute(text("INSERT INTO t VALUES (1)"))
                holding.set()
                await asyncio.sleep(0.2)  # awaits something else while holding it (an HTTP call, say)
                order.append("holder commits")

        async def waiter() -> None:
            await holding.wait()
            async with sessions.begin() as session:  # refused "locked" until the holder commits: waits
                await session.execute(text("INSERT INTO t VALUES (2)"))
                order.append("waiter has the lock")

        await asyncio.gather(holder(), waiter())
        async with sessions() as session:
            assert (await session.execute(text("SELECT x FROM t ORDER BY x"))).scalars().all() == [1, 2]
    finally:
        await engine.dispose()
    assert order == ["holder commits", "waiter has the lock"]


async def test_a_lock_held_too_long_is_reported_as_locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_inline, "BUSY_WAIT_SECONDS", 0.1)
    path = tmp_path / "held.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    sessions = create_session_factory(engine)
    outside = sqlite3.connect(path, isolation_level=None)  # another process's connection, say `greenbot invite`
    try:
        async with sessions.begin() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
        outside.execute("BEGIN IMMEDIATE")
        ticks = 0

        async def clock() -> None:
            nonlocal ticks
            for _ in range(5):
                await asyncio.sleep(0.01)
                ticks += 1

        async def write() -> None:
            async with sessions.begin() as session:
                await session.execute(text("INSERT INTO t VALUES (1)"))

        results = await asyncio.gather(write(), clock(), return_exceptions=True)
        assert isinstance(results[0], OperationalError)
        assert "database is locked" in str(results[0])
        assert ticks == 5  # the event loop ran on while the write waited
        outside.execute("ROLLBACK")
        await write()  # the lock is free again
    finally:
        outside.close()
        await engine.dispose()


async def test_other_errors_are_not_retried(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    try:
        async with engine.connect() as connection:
            with pytest.raises(OperationalError, match="no such table"):
                await connection.execute(text("SELECT * FROM missing"))
    finally:
        await engine.dispose()
