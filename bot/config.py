"""Settings from environment variables and an optional `.env` file, built once in `main`.

The token is a `SecretStr` so it never shows up in a repr, a log line or a traceback.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.plan.loader import DEFAULT_PLAN_PATH
from storage.db import default_sqlite_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOCALES_DIR = PROJECT_ROOT / "locales"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"


class Settings(BaseSettings):
    """Everything an IT officer can configure; see README for the list with defaults."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    bot_username: str | None = Field(default=None, description="Used for invite links without network")
    database_url: str | None = None
    data_dir: Path = Path("data")
    plan_file: Path = DEFAULT_PLAN_PATH
    telegram_base_url: str = TELEGRAM_API_URL
    telegram_base_file_url: str = TELEGRAM_FILE_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    locales_dir: Path = DEFAULT_LOCALES_DIR
    invite_ttl_days: int = Field(default=7, ge=1, le=90)
    log_level: str = "INFO"
    rate_limit_max_retries: int = Field(default=5, ge=0, le=20)
    conversation_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    soft_check_margin: Decimal = Field(default=Decimal(30), ge=0, le=100)

    @property
    def conversation_idle_timeout(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.conversation_idle_minutes)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """ADMIN_IDS is a comma-separated list such as `12345, 67890`."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(part) for part in parts if part)
            except ValueError as exc:
                raise ValueError(f"ADMIN_IDS must be Telegram user ids separated by commas: {exc}") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("DEFAULT_LOCALE must be 'vi' or 'en'")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under DATA_DIR."""
        if self.database_url:
            return self.database_url
        return default_sqlite_url(self.data_dir.resolve())

    def token_value(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None
