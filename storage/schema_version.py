"""Is the database at the schema this code ships? Answered without loading Alembic.

Every start of ``greenbot run`` asks; Alembic (with Mako and Pygments) would stay in the bot's
memory for the life of the process, about 11 MB, for a question one query answers. The shipped
head is read from the revision files' own ``revision``/``down_revision`` lines; a test checks it
against Alembic's answer. Upgrading still goes through Alembic (``storage.migrate``).
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from storage.db import create_engine

VERSIONS_DIR = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


class SchemaHistoryError(RuntimeError):
    """The shipped revision files do not form one line of history."""


def shipped_head(versions_dir: Path = VERSIONS_DIR) -> str:
    """The one revision no other revision builds on."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions_dir.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        if found := _REVISION.search(source):
            revisions.add(found.group(1))
            parents.update(_DOWN_REVISION.findall(source))
    heads = revisions - parents
    if len(heads) != 1:
        raise SchemaHistoryError(f"expected one head revision, found {sorted(heads)}")
    return heads.pop()


async def database_revision(database_url: str) -> str | None:
    """The revision recorded in the database, or None when it was never migrated."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            try:
                revision = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            except (OperationalError, ProgrammingError) as error:
                if "alembic_version" in str(error):  # no such table / relation does not exist: never migrated
                    return None
                raise
            return str(revision) if revision is not None else None
    finally:
        await engine.dispose()


async def is_current(database_url: str) -> bool:
    return await database_revision(database_url) == shipped_head()
