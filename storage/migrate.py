"""Run the packaged Alembic migrations from code or the command line.

No alembic.ini is needed in the working directory: the configuration and the
scripts ship inside the ``storage`` package. Usage::

    python -m storage.migrate upgrade --url sqlite:///data/greenbot.sqlite3
    python -m storage.migrate current --url postgresql://bot@db/greenbot
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import create_engine, normalize_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = PACKAGE_DIR / "alembic.ini"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
URL_ENVIRONMENT_VARIABLES = ("GREENBOT_DATABASE_URL", "DATABASE_URL")

T = TypeVar("T")


class MigrationError(RuntimeError):
    """The database could not be brought to the requested revision."""


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic ``Config`` pointing at the packaged scripts (optionally bound to a URL)."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if database_url is not None:
        config.attributes["database_url"] = normalize_database_url(database_url)
    return config


def head_revision() -> str:
    """The newest revision shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise MigrationError("no migration scripts found")
    return head


async def _with_connection(database_url: str, work: Callable[[Connection], T]) -> T:
    """Run ``work`` on a sync connection inside one transaction, then check SQLite's foreign keys."""
    engine = create_engine(database_url, sqlite_foreign_keys=False)
    try:
        async with engine.begin() as connection:
            result = await connection.run_sync(work)
            if connection.dialect.name == "sqlite":
                problems = (await connection.execute(text("PRAGMA foreign_key_check"))).all()
                if problems:
                    raise MigrationError(f"foreign key violations after migration: {problems[:5]}")
            return result
    finally:
        await engine.dispose()


def _command(database_url: str, action: Callable[[Config], None]) -> Callable[[Connection], None]:
    def work(connection: Connection) -> None:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        action(config)

    return work


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    """Upgrade to ``revision``; safe to call from a running event loop."""
    await _with_connection(database_url, _command(database_url, lambda c: command.upgrade(c, revision)))


async def downgrade_async(database_url: str, revision: str) -> None:
    await _with_connection(database_url, _command(database_url, lambda c: command.downgrade(c, revision)))


async def current_revision_async(database_url: str) -> str | None:
    """The revision the database is at, or None for an empty (never migrated) database."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    return await _with_connection(database_url, read)


async def is_at_head_async(database_url: str) -> bool:
    """True when the database is at the newest shipped revision (start-up refuses otherwise)."""
    return await current_revision_async(database_url) == head_revision()


def _run(coroutine_factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_factory())
    raise RuntimeError("called from a running event loop: use the *_async variant")


def upgrade(database_url: str, revision: str = "head") -> None:
    """Blocking upgrade, for the CLI, start-up scripts and test fixtures (not inside a loop)."""
    _run(lambda: upgrade_async(database_url, revision))


def downgrade(database_url: str, revision: str) -> None:
    _run(lambda: downgrade_async(database_url, revision))


def current_revision(database_url: str) -> str | None:
    return _run(lambda: current_revision_async(database_url))


def is_at_head(database_url: str) -> bool:
    return current_revision(database_url) == head_revision()


def _url_from_environment() -> str | None:
    for name in URL_ENVIRONMENT_VARIABLES:
        value = os.environ.get(name)
        if value:
            return value
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage.migrate", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="database URL (default: $GREENBOT_DATABASE_URL)")
    sub = parser.add_subparsers(dest="action", required=True)
    up = sub.add_parser("upgrade", help="upgrade to a revision (default head)")
    up.add_argument("revision", nargs="?", default="head")
    down = sub.add_parser("downgrade", help="downgrade to a revision (e.g. base or -1)")
    down.add_argument("revision")
    sub.add_parser("current", help="print the database's revision")
    sub.add_parser("head", help="print the newest shipped revision")
    args = parser.parse_args(argv)

    if args.action == "head":
        print(head_revision())
        return 0
    url = args.url or _url_from_environment()
    if not url:
        parser.error("no database URL: pass --url or set GREENBOT_DATABASE_URL")
    if args.action == "upgrade":
        upgrade(url, args.revision)
    elif args.action == "downgrade":
        downgrade(url, args.revision)
    else:
        print(current_revision(url) or "(empty database)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
