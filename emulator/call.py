"""The context every method implementation receives, and shared lookups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from emulator.errors import Params, bad_request, forbidden
from emulator.state import BotState, ChatState, Hub


@dataclass
class Call:
    hub: Hub
    bot: BotState
    params: Params
    method: str
    long_poll_cap: float | None = None


Handler = Callable[[Call], Awaitable[Any]]


def find_chat(call: Call, *, for_sending: bool) -> ChatState:
    """The chat named by ``chat_id``; raises the error Telegram gives for unreachable chats."""
    chat_id = call.params.chat_id()
    chat = call.bot.chats.get(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        if isinstance(chat_id, int) and chat_id in call.hub.users and for_sending:
            raise forbidden("bot can't initiate conversation with a user")
        raise bad_request("chat not found")
    if chat.type == "private":
        if not chat.started:
            if for_sending:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat.blocked and for_sending:
            raise forbidden("bot was blocked by the user")
    return chat


def find_chat_for_edit(call: Call) -> ChatState:
    if call.params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    return find_chat(call, for_sending=False)
