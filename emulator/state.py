"""The emulated server's state: bots, users, chats, pending updates and stored files."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.failures import FailureInjector, RateLimiter
from emulator.models import (
    ApiCall,
    CallbackAnswer,
    ChangeSignal,
    Markup,
    SentMessage,
    Stats,
    StoredFile,
    WebhookDelivery,
)

UPDATE_TYPES = (
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "my_chat_member",
    "chat_member",
)


def random_token(bot_id: int) -> str:
    alphabet = string.ascii_letters + string.digits + "_-"
    return f"{bot_id}:AA" + "".join(secrets.choice(alphabet) for _ in range(33))


@dataclass
class UserProfile:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def as_user(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


@dataclass
class ChatState:
    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    user: UserProfile | None = None  # the other side of a private chat
    started: bool = False  # a private chat exists only once the user wrote to the bot
    blocked: bool = False
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # every message, both sides
    bot_messages: list[SentMessage] = field(default_factory=list)
    by_id: dict[int, SentMessage] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    reply_keyboard: Markup | None = None
    read_cursor: int = 0  # how many bot messages user-side waits have consumed
    answers_seen: int = 0

    def as_chat(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name is not None:
                data["last_name"] = self.user.last_name
            if self.user.username is not None:
                data["username"] = self.user.username
        return data

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class PendingQuery:
    query_id: str
    chat_id: int
    user_id: int
    answered: bool = False


@dataclass
class BotState:
    token: str
    profile: UserProfile
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    delivered_upto: int = 0  # highest update_id the bot confirmed with an offset
    allowed_updates: list[str] | None = None
    webhook: dict[str, Any] = field(default_factory=dict)
    webhook_task: asyncio.Task[None] | None = None  # emulator/webhook.py delivers while a webhook is set
    webhook_deliveries: list[WebhookDelivery] = field(default_factory=list)
    chats: dict[int, ChatState] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (name|description|..., lang)
    queries: dict[str, PendingQuery] = field(default_factory=dict)
    poll_generation: int = 0
    waiting_polls: int = 0  # getUpdates requests currently held open
    updates_signal: ChangeSignal = field(default_factory=ChangeSignal)

    def me(self) -> dict[str, Any]:
        return {
            **self.profile.as_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        allowed = self.allowed_updates
        default_excluded = kind in ("chat_member", "message_reaction", "message_reaction_count")
        if (allowed is None or allowed == []) and default_excluded:
            return update
        if allowed and kind not in allowed:
            return update
        self.updates.append(update)
        self.updates_signal.bump()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (or keep only the last ``-offset`` ones)."""
        if offset < 0:
            keep = self.updates[offset:]
            dropped = self.updates[: len(self.updates) - len(keep)]
            self.updates = keep
        else:
            dropped = [u for u in self.updates if u["update_id"] < offset]
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if dropped:
            self.delivered_upto = max(self.delivered_upto, max(u["update_id"] for u in dropped))


class Hub:
    """Everything the server, the method implementations and the user side share."""

    def __init__(self, clock: Callable[[], float], monotonic: Callable[[], float]) -> None:
        self.clock = clock
        self.monotonic = monotonic
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, UserProfile] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.calls: list[ApiCall] = []
        self.stats = Stats()
        self.failures = FailureInjector()
        self.rate_limiter: RateLimiter | None = None
        self.changed = ChangeSignal()
        self.closing = False
        self._ids = itertools.count(1)

    def now(self) -> int:
        return int(self.clock())

    def next_id(self) -> int:
        return next(self._ids)

    def store_file(self, data: bytes, filename: str | None, mime_type: str | None, folder: str) -> StoredFile:
        serial = self.next_id()
        file_id = f"{folder[:2].upper()}ACAgIAAxkBAAI{serial:04d}" + secrets.token_urlsafe(12)
        extension = (filename or "").rpartition(".")[2] if filename and "." in filename else "bin"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"AgAD{serial:04d}",
            data=data,
            filename=filename,
            mime_type=mime_type,
            file_path=f"{folder}/file_{serial}.{extension}",
        )
        self.files[file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored
