"""The user side: people (and groups) that talk to the bot, and what they see back."""

# ruff: noqa: ASYNC109  # test helpers take a plain `timeout=` on purpose
from __future__ import annotations

import copy
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.formatting import command_entities
from emulator.methods_messages import document_json, photo_json
from emulator.models import CallbackAnswer, Markup, SentMessage
from emulator.state import BotState, ChatState, Hub, PendingQuery, UserProfile


def make_png(width: int = 1, height: int = 1) -> bytes:
    """A valid, blank RGB PNG, so photos pass the emulator's image check."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


TINY_PNG = make_png()
DEFAULT_TIMEOUT = 5.0


@dataclass
class UserUpdate:
    """An update the user side produced; ``await confirmed()`` waits until the bot fetched it."""

    update: dict[str, Any]
    hub: Hub
    bot: BotState

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def message(self) -> dict[str, Any] | None:
        for kind in ("message", "edited_message"):
            if kind in self.update:
                return dict(self.update[kind])
        query = self.update.get("callback_query")
        return dict(query["message"]) if query else None

    @property
    def message_id(self) -> int | None:
        message = self.message
        return int(message["message_id"]) if message else None

    @property
    def callback_query_id(self) -> str | None:
        query = self.update.get("callback_query")
        return str(query["id"]) if query else None

    async def confirmed(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the bot confirmed this update with a later getUpdates offset."""
        if not await self.hub.changed.wait_for(lambda: self.bot.delivered_upto >= self.update_id, timeout):
            raise AssertionError(f"the bot did not fetch update {self.update_id} within {timeout}s")


class EmulatedGroup:
    def __init__(self, hub: Hub, bot: BotState, chat: ChatState) -> None:
        self.hub, self.bot, self.chat = hub, bot, chat

    @property
    def id(self) -> int:
        return self.chat.id

    @property
    def title(self) -> str | None:
        return self.chat.title

    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent to the group."""
        return list(self.chat.bot_messages)

    async def wait_for(self, predicate: Callable[[SentMessage], bool], timeout: float = DEFAULT_TIMEOUT) -> SentMessage:
        """The first message the bot sent to the group that matches ``predicate`` (waiting for it)."""

        def found() -> bool:
            return any(predicate(message) for message in self.chat.bot_messages)

        if not await self.hub.changed.wait_for(found, timeout):
            texts = [message.text for message in self.chat.bot_messages]
            raise AssertionError(f"timed out after {timeout}s waiting in group {self.chat.id}; it has {texts}")
        return next(message for message in self.chat.bot_messages if predicate(message))


class EmulatedUser:
    """One person in a private chat with one bot."""

    def __init__(self, hub: Hub, bot: BotState, profile: UserProfile, chat: ChatState) -> None:
        self.hub, self.bot, self.profile, self.chat = hub, bot, profile, chat

    @property
    def id(self) -> int:
        return self.profile.id

    # ---- sending -------------------------------------------------------------------------

    def _message(self, chat: ChatState, fields: dict[str, Any], reply_to: int | None) -> dict[str, Any]:
        message_id = chat.take_message_id()
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self.profile.as_user(),
            "chat": chat.as_chat(),
            "date": self.hub.now(),
            **fields,
        }
        if reply_to is not None:
            if reply_to not in chat.messages:
                raise AssertionError(f"cannot reply to unknown message {reply_to} in chat {chat.id}")
            message["reply_to_message"] = {k: v for k, v in chat.messages[reply_to].items() if k != "reply_to_message"}
        chat.messages[message_id] = message
        return message

    def _deliver(self, kind: str, payload: dict[str, Any]) -> UserUpdate:
        update = self.bot.push_update(kind, copy.deepcopy(payload))
        self.hub.changed.bump()
        return UserUpdate(update, self.hub, self.bot)

    async def send_raw(self, fields: dict[str, Any], *, reply_to: int | None = None) -> UserUpdate:
        """A private message with arbitrary content fields (``location``, ``contact``, ...)."""
        self.chat.started = True
        self.chat.blocked = False
        return self._deliver("message", self._message(self.chat, fields, reply_to))

    async def send(self, text: str, *, reply_to: int | None = None) -> UserUpdate:
        """A text message; ``/command ...`` (including ``/start payload``) gets its entity."""
        fields: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return await self.send_raw(fields, reply_to=reply_to)

    async def send_document(
        self,
        data: bytes = b"%PDF-1.4\n% emulator test document\n",
        filename: str = "report.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> UserUpdate:
        stored = self.hub.store_file(data, filename, mime_type, "documents")
        fields: dict[str, Any] = {"document": document_json(stored)}
        if caption:
            fields["caption"] = caption
        return await self.send_raw(fields)

    async def send_photo(self, data: bytes = TINY_PNG, caption: str | None = None) -> UserUpdate:
        stored = self.hub.store_file(data, "photo.png", "image/png", "photos")
        fields: dict[str, Any] = {"photo": photo_json(stored)}
        if caption:
            fields["caption"] = caption
        return await self.send_raw(fields)

    async def send_sticker(self, emoji: str = "👍") -> UserUpdate:
        webp = b"RIFF\x00\x00\x00\x00WEBPVP8 "
        stored = self.hub.store_file(webp, "sticker.webp", "image/webp", "stickers")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
            "file_size": stored.size,
        }
        return await self.send_raw({"sticker": sticker})

    async def send_in(self, group: EmulatedGroup, text: str) -> UserUpdate:
        fields: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        return self._deliver("message", self._message(group.chat, fields, None))

    async def edit(self, message_id: int, text: str) -> UserUpdate:
        """The user edits one of their own text messages (an ``edited_message`` update)."""
        message = self.chat.messages.get(message_id)
        if message is None or message.get("from", {}).get("id") != self.id:
            raise AssertionError(f"message {message_id} is not the user's")
        message.update({"text": text, "edit_date": self.hub.now()})
        return self._deliver("edited_message", message)

    def _resolve(self, message: SentMessage | int) -> tuple[ChatState, SentMessage | None, int]:
        if isinstance(message, SentMessage):
            chat = self.bot.chats[message.chat_id]
            return chat, chat.by_id.get(message.message_id), message.message_id
        return self.chat, self.chat.by_id.get(message), message

    async def press(
        self,
        message: SentMessage | int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        force: bool = False,
    ) -> UserUpdate:
        """Press an inline button, chosen by ``callback_data`` or by its ``text``.

        Without ``force`` the button must exist on the (undeleted) message; with it any data
        can be sent, as a forged or stale client would.
        """
        chat, sent, message_id = self._resolve(message)
        if text is not None and callback_data is None:
            if sent is None:
                raise AssertionError(f"no bot message {message_id} in chat {chat.id}")
            callback_data = sent.button(text).callback_data
        if callback_data is None:
            raise AssertionError("press() needs callback_data or text")
        if not force:
            if sent is None or sent.deleted:
                raise AssertionError(f"message {message_id} is not (or no longer) in chat {chat.id}")
            if callback_data not in sent.callback_data:
                raise AssertionError(f"no button with callback_data {callback_data!r} on {sent.summary()}")
        query_id = f"{self.hub.next_id()}{secrets.randbelow(10**9):09d}"
        if sent is not None and not sent.deleted:
            shown: dict[str, Any] = copy.deepcopy(sent.raw)
        else:
            shown = {"chat": chat.as_chat(), "message_id": message_id, "date": 0}
        query = {
            "id": query_id,
            "from": self.profile.as_user(),
            "message": shown,
            "chat_instance": str(abs(hash((self.bot.token, chat.id)))),
            "data": callback_data,
        }
        self.bot.queries[query_id] = PendingQuery(query_id, chat.id, self.id)
        return self._deliver("callback_query", query)

    def block(self) -> None:
        """The user blocks the bot: sends fail with 403 and the bot gets a my_chat_member update."""
        self._membership("member", "kicked")
        self.chat.blocked = True

    def unblock(self) -> None:
        self._membership("kicked", "member")
        self.chat.blocked = False

    def _membership(self, old: str, new: str) -> None:
        bot_user = self.bot.profile.as_user()
        new_member: dict[str, Any] = {"user": bot_user, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"user": bot_user, "status": old}
        if old == "kicked":
            old_member["until_date"] = 0
        self._deliver(
            "my_chat_member",
            {
                "chat": self.chat.as_chat(),
                "from": self.profile.as_user(),
                "date": self.hub.now(),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            },
        )

    # ---- what the user sees -----------------------------------------------------------------

    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent to this chat, in order, edits applied (deleted ones flagged)."""
        return list(self.chat.bot_messages)

    @property
    def visible_messages(self) -> list[SentMessage]:
        return [m for m in self.chat.bot_messages if not m.deleted]

    @property
    def unread(self) -> list[SentMessage]:
        return self.chat.bot_messages[self.chat.read_cursor :]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return list(self.chat.callback_answers)

    @property
    def actions(self) -> list[str]:
        return list(self.chat.actions)

    @property
    def reply_keyboard(self) -> Markup | None:
        """The reply keyboard currently shown (until the bot removes it)."""
        return self.chat.reply_keyboard

    def mark_read(self) -> None:
        self.chat.read_cursor = len(self.chat.bot_messages)

    def describe(self) -> str:
        chat = self.chat
        lines = [f"chat {chat.id} received {len(chat.bot_messages)} message(s):"]
        for index, sent in enumerate(chat.bot_messages):
            marker = "  (read)" if index < chat.read_cursor else "  (new) "
            lines.append(f"{marker} {sent.summary()}")
        if chat.callback_answers:
            lines.append(f"  callback answers: {[a.text for a in chat.callback_answers]}")
        failed = [
            c
            for c in self.hub.calls
            if not c.ok and c.token == self.bot.token and str(c.params.get("chat_id")) == str(chat.id)
        ]
        for failure in failed[-5:]:
            lines.append(f"  FAILED {failure.method}: {failure.status} {failure.response.get('description')}")
        return "\n".join(lines)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT, what: str = "condition"
    ) -> None:
        if not await self.hub.changed.wait_for(predicate, timeout):
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; {self.describe()}")

    async def wait_for_replies(self, count: int, timeout: float = DEFAULT_TIMEOUT) -> list[SentMessage]:
        """The next ``count`` messages the bot sends here (each returned once across waits)."""
        chat = self.chat
        target = chat.read_cursor + count
        await self.wait_until(lambda: len(chat.bot_messages) >= target, timeout, f"{count} new message(s)")
        got = chat.bot_messages[chat.read_cursor : target]
        chat.read_cursor = target
        return got

    async def wait_for_reply(self, timeout: float = DEFAULT_TIMEOUT) -> SentMessage:
        return (await self.wait_for_replies(1, timeout))[0]

    async def wait_for_edit(self, message: SentMessage | int, timeout: float = DEFAULT_TIMEOUT) -> SentMessage:
        """Wait for an edit of ``message`` not yet returned by an earlier ``wait_for_edit``."""
        _, sent, message_id = self._resolve(message)
        if sent is None:
            raise AssertionError(f"no bot message {message_id}")
        target = sent
        await self.wait_until(
            lambda: target.edit_count > target.edits_seen, timeout, f"an edit of message {message_id}"
        )
        target.edits_seen = target.edit_count
        return target

    async def wait_for_callback_answer(self, timeout: float = DEFAULT_TIMEOUT) -> CallbackAnswer:
        chat = self.chat
        await self.wait_until(lambda: len(chat.callback_answers) > chat.answers_seen, timeout, "a callback answer")
        answer = chat.callback_answers[chat.answers_seen]
        chat.answers_seen += 1
        return answer
