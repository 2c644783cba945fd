from __future__ import annotations

from pathlib import Path

import pytest

from tests.dbfixtures import database_target, fresh_database_url  # noqa: F401

CONFIG_VARIABLES = (
    "TELEGRAM_BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS", "PLAN_FILE", "BOT_USERNAME", "LOCALES_DIR", "TIMEZONE",
)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, compiled_locales: Path) -> pytest.MonkeyPatch:
    """A clean environment: no token, compiled catalogs, no .env in the working directory."""
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOCALES_DIR", str(compiled_locales))
    return monkeypatch
