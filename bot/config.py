"""Settings from environment variables and an optional `.env` file, built once in `main`.

The token is a `SecretStr` so it never shows up in a repr, a log line or a traceback.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.plan.loader import DEFAULT_PLAN_PATH
from scheduler.work_calendar import DEFAULT_HOLIDAYS_FILE
from storage.db import default_sqlite_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOCALES_DIR = PROJECT_ROOT / "locales"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"


def _random_webhook_secret() -> SecretStr:
    """One per process when WEBHOOK_SECRET is unset; several processes must share a set one.

    Its characters are checked at `greenbot run --webhook`, not here: a validation error would print it.
    """
    return SecretStr(secrets.token_urlsafe(32))


class Settings(BaseSettings):
    """Everything an IT officer can configure; see README for the list with defaults."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False)

    telegram_bot_token: SecretStr | None = None
    bot_username: str | None = Field(default=None, description="Used for invite links without network")
    database_url: str | None = None
    data_dir: Path = Path("data")
    plan_file: Path = DEFAULT_PLAN_PATH
    telegram_base_url: str = TELEGRAM_API_URL
    telegram_base_file_url: str = TELEGRAM_FILE_URL
    # How long a Bot API call may wait for Telegram's answer (python-telegram-bot's default is 5 s).
    telegram_read_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    locales_dir: Path = DEFAULT_LOCALES_DIR
    invite_ttl_days: int = Field(default=7, ge=1, le=90)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line, for log collectors
    rate_limit_max_retries: int = Field(default=5, ge=0, le=20)
    rate_limit_messages_per_second: float = Field(default=29, gt=0, le=30)
    conversation_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    soft_check_margin: Decimal = Field(default=Decimal(30), ge=0, le=100)
    # Reminders (issue: reminder engine); README lists them with their meaning.
    reminder_rounds: bool = True  # False: no scheduled rounds (tests drive them; /nhacnho can still run one)
    reminder_days_before: Annotated[tuple[int, ...], NoDecode] = (30, 7, 3, 1, 0)
    reminder_days_after: Annotated[tuple[int, ...], NoDecode] = (1, 7)
    reminder_repeat_days: int = Field(default=7, ge=1, le=365)
    reminder_fyi_days_before: Annotated[tuple[int, ...], NoDecode] = (7,)
    reminder_time: dt.time = dt.time(8, 0)
    reminder_grace_days: int = Field(default=3, ge=0, le=60)
    reminder_round_minutes: int = Field(default=15, ge=1, le=24 * 60)
    reminder_max_attempts: int = Field(default=3, ge=1, le=20)
    reminder_retry_seconds: float = Field(default=1.0, ge=0, le=600)
    reminder_chat_interval_seconds: float = Field(default=1.0, ge=0, le=60)
    reminder_parallel_chats: int = Field(default=40, ge=1, le=500)
    # Answers to people (replies, edits, button answers) when the Bot API fails: tries, and the first pause.
    reply_max_attempts: int = Field(default=4, ge=1, le=10)
    reply_retry_seconds: float = Field(default=1.0, ge=0, le=60)
    holidays_file: Path = DEFAULT_HOLIDAYS_FILE
    # Summaries for the planning office (issue: summaries); README lists them with their meaning.
    summary_rounds: bool = True  # False: no scheduled digests (tests drive them; /tonghop still works)
    summary_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    summary_time: dt.time = dt.time(8, 0)
    summary_window_days: int = Field(default=30, ge=1, le=365)
    planning_office_chat_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    simulated_now: dt.datetime | None = Field(default=None, description="Demos and tests only: the clock starts here")
    # Webhook mode (`greenbot run --webhook URL`); README lists them with their meaning.
    webhook_url: str | None = None  # set: serve webhooks instead of long polling
    webhook_secret: SecretStr = Field(default_factory=_random_webhook_secret)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)

    @property
    def conversation_idle_timeout(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.conversation_idle_minutes)

    @field_validator("admin_ids", "planning_office_chat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object, info: ValidationInfo) -> object:
        """ADMIN_IDS and PLANNING_OFFICE_CHAT_IDS are comma-separated ids such as `12345, -100678`."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(part) for part in parts if part)
            except ValueError as exc:
                name = (info.field_name or "").upper()
                raise ValueError(f"{name} must be Telegram ids separated by commas: {exc}") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("reminder_days_before", "reminder_days_after", "reminder_fyi_days_before", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        """Day lists such as `30,7,3,1,0` (an empty value means none)."""
        if isinstance(value, str):
            try:
                return tuple(int(part) for part in value.replace(";", ",").split(",") if part.strip())
            except ValueError as exc:
                raise ValueError(f"expected whole numbers of days separated by commas: {exc}") from exc
        return value

    @field_validator("reminder_days_before", "reminder_days_after", "reminder_fyi_days_before")
    @classmethod
    def _no_negative_days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(day < 0 for day in value):
            raise ValueError("days must not be negative")
        return tuple(sorted(set(value)))

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        """`WEBHOOK_SECRET=` (an empty line in .env) means "generate one", like leaving it out."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return _random_webhook_secret()
        return value

    @field_validator("simulated_now")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("SIMULATED_NOW needs a time zone, e.g. 2015-12-08T08:30:00+07:00")
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
