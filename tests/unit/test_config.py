"""Settings come from the environment; the token stays secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.plan.loader import DEFAULT_PLAN_PATH


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS", "TIMEZONE", "DEFAULT_LOCALE", "PLAN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = Settings()
    assert settings.telegram_bot_token is None
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.default_locale == "vi"
    assert settings.plan_file == DEFAULT_PLAN_PATH
    assert settings.telegram_base_url == "https://api.telegram.org/bot"
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("data/greenbot.sqlite3")
    assert settings.admin_ids == frozenset()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("123", {123}), ("1, 2,3", {1, 2, 3}), ("1;2", {1, 2}), (" ", set()), ("7,", {7})],
)
def test_admin_ids_comma_separated(monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[int]) -> None:
    monkeypatch.setenv("ADMIN_IDS", raw)
    assert Settings().admin_ids == frozenset(expected)


def test_admin_ids_rejects_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "12,alice")
    with pytest.raises(ValidationError, match="ADMIN_IDS"):
        Settings()


def test_token_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN-VALUE")
    settings = Settings()
    assert settings.token_value() == "123456:SECRET-TOKEN-VALUE"
    assert "SECRET-TOKEN-VALUE" not in repr(settings)
    assert "SECRET-TOKEN-VALUE" not in str(settings.model_dump())


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=postgresql://u@h/db\nTIMEZONE=UTC\n", encoding="utf-8")
    settings = Settings()
    assert settings.resolved_database_url == "postgresql://u@h/db"
    assert settings.timezone == "UTC"


@pytest.mark.parametrize(("name", "value"), [("TIMEZONE", "Mars/Base"), ("DEFAULT_LOCALE", "fr")])
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
