"""Online backup of the embedded SQLite database, safe while the bot is running.

Copying ``greenbot.sqlite3`` with ``cp`` while the bot writes can catch a half-applied
transaction, and misses whatever still sits in the ``-wal`` file. SQLite's backup API
(``sqlite3.Connection.backup``) copies one committed snapshot instead: in WAL mode it reads
without blocking the bot's writers. The copy is a single self-contained file (rollback
journal, no ``-wal``) that is checked before it replaces ``destination`` atomically.

PostgreSQL is backed up with ``pg_dump``; ``pg_dump_command`` spells the command out.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from storage.db import is_sqlite

BACKUP_SUFFIX = ".sqlite3"
PG_DUMP_SUFFIX = ".dump"
SQLITE_TIMEOUT_SECONDS = 5.0


class BackupError(RuntimeError):
    """The backup could not be made; the message says why in one line."""


class NotSqliteError(BackupError):
    """The database is a server (PostgreSQL): ``pg_dump`` is the tool for it."""


class SourceMissingError(BackupError):
    """There is no database file where the URL points (connecting would create an empty one)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no database file at {path}")
        self.path = path


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What was written: the file, its size and the schema revision it holds (for the restore)."""

    path: Path
    size_bytes: int
    revision: str | None


def sqlite_file(database_url: str) -> Path:
    """The database file behind an SQLite URL; NotSqliteError for PostgreSQL."""
    if not is_sqlite(database_url):
        raise NotSqliteError("not an SQLite database")
    database = make_url(database_url).database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        raise BackupError("an in-memory database has nothing to back up")
    return Path(database).expanduser().resolve()


def backup_target(destination: Path, now: dt.datetime, suffix: str = BACKUP_SUFFIX) -> Path:
    """``destination`` itself, or a time-stamped file inside it when it is a folder."""
    if destination.is_dir():
        return destination / f"greenbot-{now:%Y%m%d-%H%M%S}{suffix}"
    return destination


def backup_sqlite(database_url: str, destination: Path, now: dt.datetime | None = None) -> BackupResult:
    """Copy the SQLite database at ``database_url`` to ``destination`` (a file, or a folder to write into)."""
    source_path = sqlite_file(database_url)
    if not source_path.is_file():
        raise SourceMissingError(source_path)
    target = backup_target(destination, now or dt.datetime.now().astimezone()).expanduser().resolve()
    if target == source_path:
        raise BackupError("the destination is the live database itself")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")

    descriptor, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(descriptor)
    partial = Path(partial_name)
    try:
        _copy(source_path, partial)
        revision = _check_copy(partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=target, size_bytes=target.stat().st_size, revision=revision)


def _copy(source_path: Path, target: Path) -> None:
    """One backup step over the whole database: a single consistent read snapshot."""
    # mode=rw: never create a database file that is not there.
    source = sqlite3.connect(f"file:{quote(str(source_path))}?mode=rw", uri=True, timeout=SQLITE_TIMEOUT_SECONDS)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # A standalone file: a restore is a plain copy, no -wal/-shm companions to carry along.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()


def _check_copy(path: Path) -> str | None:
    """Refuse a copy that SQLite itself finds damaged; return its Alembic revision."""
    copy = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        verdict = [row[0] for row in copy.execute("PRAGMA quick_check")]
        if verdict != ["ok"]:
            raise BackupError(f"the copy failed SQLite's quick_check: {'; '.join(map(str, verdict[:3]))}")
        has_version = copy.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if has_version is None:
            return None
        row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    finally:
        copy.close()


def pg_dump_command(database_url: str, destination: Path, now: dt.datetime | None = None) -> str:
    """The ``pg_dump`` command line for a PostgreSQL URL, in libpq spelling and without the password.

    pg_dump asks for the password itself (or reads PGPASSWORD / ~/.pgpass), so it never lands in
    the shell history from here.
    """
    url = make_url(database_url).set(drivername="postgresql")._replace(password=None)  # set() ignores None
    query = dict(url.query)
    if "ssl" in query and "sslmode" not in query:  # asyncpg spelling -> libpq spelling
        query["sslmode"] = query.pop("ssl")
        url = url.set(query=query)
    libpq_url = url.render_as_string(hide_password=False)
    target = backup_target(destination, now or dt.datetime.now().astimezone(), PG_DUMP_SUFFIX)
    return f"pg_dump --format=custom --file={shlex.quote(str(target))} {shlex.quote(libpq_url)}"
