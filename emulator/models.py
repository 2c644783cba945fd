"""Plain records of what happened on the emulated server, as tests read them."""

# ruff: noqa: ASYNC109  # test helpers take a plain `timeout=` on purpose
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

MarkupKind = Literal["inline", "reply", "remove", "force_reply"]


class ChangeSignal:
    """Wake every waiter when state changes; waiters re-check their own predicate.

    ``bump()`` is synchronous so state can be changed from plain code; waiting is an
    ``asyncio.Event`` swap, never polling.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def bump(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """True once ``predicate()`` holds, False when ``timeout`` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Markup:
    kind: MarkupKind
    rows: list[list[Button]]
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def buttons(self) -> list[Button]:
        return [button for row in self.rows for button in row]

    @property
    def texts(self) -> list[list[str]]:
        return [[button.text for button in row] for row in self.rows]


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class SentMessage:
    """A message the bot sent to a chat, kept up to date as the bot edits or deletes it."""

    message_id: int
    chat_id: int
    date: int
    raw: dict[str, Any]
    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    source_text: str | None = None  # text as the bot sent it, before parse_mode was applied
    reply_markup: Markup | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    reply_to_message_id: int | None = None
    link_preview_options: dict[str, Any] | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions of ``raw``
    edits_seen: int = 0

    @property
    def buttons(self) -> list[Button]:
        return self.reply_markup.buttons if self.reply_markup else []

    @property
    def callback_data(self) -> list[str]:
        return [b.callback_data for b in self.buttons if b.callback_data is not None]

    def button(self, text: str) -> Button:
        for candidate in self.buttons:
            if candidate.text == text:
                return candidate
        raise AssertionError(f"no button {text!r} on message {self.message_id}: {self.buttons}")

    @property
    def content(self) -> str:
        return self.text if self.text is not None else (self.caption or "")

    def summary(self) -> str:
        parts = [f"#{self.message_id}"]
        if self.document is not None:
            parts.append(f"document={self.document.filename!r} ({self.document.size} bytes)")
        if self.photo is not None:
            parts.append(f"photo ({self.photo.size} bytes)")
        parts.append(repr(self.content[:200]))
        if self.reply_markup is not None:
            parts.append(f"{self.reply_markup.kind}={self.reply_markup.texts}")
        if self.edit_count:
            parts.append(f"edited x{self.edit_count}")
        if self.deleted:
            parts.append("DELETED")
        return " ".join(parts)


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class ApiCall:
    """One request to the emulator, as the call log keeps it."""

    method: str
    params: dict[str, Any]
    time: float
    status: int
    response: dict[str, Any]
    token: str

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the bot's webhook: the HTTP status, or why there was none."""

    update_id: int
    url: str
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Stats:
    """Counts of message-producing calls (send*/edit*/copy/forward) accepted vs rejected."""

    accepted: int = 0
    rejected: int = 0
    rate_limited: int = 0
    accepted_by_method: Counter[str] = field(default_factory=Counter)
    rejected_by_method: Counter[str] = field(default_factory=Counter)
