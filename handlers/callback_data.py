"""Callback data: short ASCII prefixes and ids only (Telegram allows 64 bytes).

Button data is never trusted: it is parsed strictly here and every handler re-checks
the caller's right to act before doing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_CALLBACK_BYTES = 64
SEPARATOR = ":"
#: Row ids in button data are refused above this: the id columns are INTEGER (int32 on PostgreSQL), and a
#: larger number would fail in the driver (an error, not a polite refusal).
MAX_ROW_ID = 2**31 - 1


class CallbackPrefix(StrEnum):
    """The first field of every button's data: which handler owns the press."""

    MENU = "m"  # m:<MenuAction>
    REGISTER = "r"  # r:<nonce>:<action>                       (handlers.onboarding)
    ADMIN = "a"  # a:<action>:<arg>                           (handlers.admin)
    INTAKE = "n"  # n:<nonce>:<action>[:<arg>...]            (handlers.intake)
    PROGRESS = "p"  # p:<nonce>:<action>[:<arg>...]          (handlers.progress)
    HISTORY = "h"  # h:<year>                                 (handlers.history)
    REMINDER = "d"  # d:<send id>:<action> or d:run            (handlers.reminders)


class MenuAction(StrEnum):
    ENTER_FIGURES = "nhap"
    REPORT_PROGRESS = "tiendo"
    MY_DEADLINES = "hannop"
    HISTORY = "lichsu"
    HELP = "help"
    INVITE = "moi"
    OFFICERS = "canbo"
    LOCK_YEAR = "khoa"


class InvalidCallbackDataError(ValueError):
    """Data that no button of ours produces: forged, truncated or from an old version."""


@dataclass(frozen=True, slots=True)
class CallbackData:
    prefix: CallbackPrefix
    args: tuple[str, ...]


def build(prefix: CallbackPrefix, *args: str) -> str:
    data = SEPARATOR.join((prefix.value, *args))
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES or not data.isascii():
        raise ValueError(f"callback data too long or not ASCII: {data!r}")
    return data


def parse(data: str | None) -> CallbackData:
    if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES or not data.isascii():
        raise InvalidCallbackDataError(data)
    prefix_text, *args = data.split(SEPARATOR)
    try:
        prefix = CallbackPrefix(prefix_text)
    except ValueError as exc:
        raise InvalidCallbackDataError(data) from exc
    return CallbackData(prefix, tuple(args))


def parse_menu_action(data: CallbackData) -> MenuAction:
    if data.prefix is not CallbackPrefix.MENU or len(data.args) != 1:
        raise InvalidCallbackDataError(data)
    try:
        return MenuAction(data.args[0])
    except ValueError as exc:
        raise InvalidCallbackDataError(data) from exc


def prefix_pattern(prefix: CallbackPrefix) -> str:
    """The anchored pattern a CallbackQueryHandler for ``prefix`` matches (the handler re-parses strictly)."""
    return rf"^{prefix.value}{SEPARATOR}"


def menu_pattern() -> str:
    """The anchored pattern the menu's CallbackQueryHandler matches."""
    return rf"^{CallbackPrefix.MENU.value}{SEPARATOR}[a-z]+$"
