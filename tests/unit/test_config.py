"""Settings come from the environment; the token stays secret."""

from __future__ import annotations

import datetime as dt
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


def test_reminder_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_DAYS_BEFORE", "14, 3;0")
    monkeypatch.setenv("REMINDER_DAYS_AFTER", "2,1")
    monkeypatch.setenv("REMINDER_FYI_DAYS_BEFORE", "")
    monkeypatch.setenv("REMINDER_TIME", "07:30")
    monkeypatch.setenv("SIMULATED_NOW", "2015-12-08T08:30:00+07:00")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.reminder_days_before == (0, 3, 14)
    assert settings.reminder_days_after == (1, 2)
    assert settings.reminder_fyi_days_before == ()
    assert settings.reminder_time == dt.time(7, 30)
    assert settings.simulated_now == dt.datetime(2015, 12, 8, 1, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REMINDER_DAYS_BEFORE", "30,-1"),
        ("REMINDER_DAYS_AFTER", "one"),
        ("SIMULATED_NOW", "2015-12-08T08:30:00"),
        ("REMINDER_GRACE_DAYS", "-1"),
    ],
)
def test_bad_reminder_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_reminder_policy_follows_the_settings() -> None:
    from bot.runtime import reminder_policy

    settings = Settings(_env_file=None, reminder_days_before=(0, 7), reminder_grace_days=1)  # type: ignore[call-arg]
    policy = reminder_policy(settings)
    assert policy.days_before == (7, 0)
    assert policy.grace == dt.timedelta(days=1)
    assert policy.calendar.is_holiday(dt.date(2015, 9, 2))  # the shipped holidays file is loaded
