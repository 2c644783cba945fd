"""Bot API methods about the bot itself: identity, updates, webhook, commands, chats, files."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from emulator.call import Call, Handler, find_chat
from emulator.errors import ApiError, bad_request
from emulator.webhook import LOOPBACK_HOSTS, start_delivery

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SUPERSEDED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


async def get_me(call: Call) -> Any:
    return call.bot.me()


async def get_updates(call: Call) -> Any:
    """Long polling: confirm below ``offset``, then wait up to ``timeout`` for something to deliver."""
    p, bot, hub = call.params, call.bot, call.hub
    if bot.webhook.get("url"):
        raise ApiError(409, _WEBHOOK_ACTIVE)
    offset = p.opt_int("offset")
    if offset:
        bot.confirm(offset)
        hub.changed.bump()
    limit = max(1, min(100, p.opt_int("limit") or 100))
    timeout = max(0.0, p.opt_float("timeout") or 0.0)
    if call.long_poll_cap is not None:
        timeout = min(timeout, call.long_poll_cap)
    allowed = p.json_value("allowed_updates")
    if isinstance(allowed, list):
        bot.allowed_updates = [str(kind) for kind in allowed]
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.updates_signal.bump()  # an older poll still waiting is now superseded

    def ready() -> bool:
        return bool(bot.updates) or hub.closing or bot.poll_generation != generation

    if timeout > 0 and not ready():
        bot.waiting_polls += 1
        hub.changed.bump()
        try:
            await bot.updates_signal.wait_for(ready, timeout)
        finally:
            bot.waiting_polls -= 1
            hub.changed.bump()
    if bot.poll_generation != generation and not hub.closing:
        raise ApiError(409, _SUPERSEDED)
    return bot.updates[:limit]


async def delete_webhook(call: Call) -> Any:
    call.bot.webhook = {}
    call.bot.updates_signal.bump()  # the delivery task sees the webhook gone and ends
    if call.params.flag("drop_pending_updates"):
        call.bot.confirm(call.bot.next_update_id)
        call.hub.changed.bump()
    return True


async def set_webhook(call: Call) -> Any:
    p = call.params
    url = p.opt_str("url") or ""
    if not url:
        return await delete_webhook(call)
    parts = urlsplit(url)
    loopback_http = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if parts.scheme != "https" and not loopback_http:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.opt_str("secret_token")
    if secret is not None and not _SECRET_TOKEN.match(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = p.json_value("allowed_updates")
    call.bot.webhook = {
        "url": url,
        "max_connections": p.opt_int("max_connections", 40),
        "allowed_updates": allowed,
        "secret_token": secret,
    }
    if isinstance(allowed, list):
        call.bot.allowed_updates = [str(kind) for kind in allowed]
    if p.flag("drop_pending_updates"):
        call.bot.confirm(call.bot.next_update_id)
    start_delivery(call.hub, call.bot)
    return True


async def get_webhook_info(call: Call) -> Any:
    hook = call.bot.webhook
    info: dict[str, Any] = {
        "url": hook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(call.bot.updates),
    }
    if hook.get("url"):
        info["max_connections"] = hook.get("max_connections", 40)
        if hook.get("allowed_updates"):
            info["allowed_updates"] = hook["allowed_updates"]
        if hook.get("last_error_message"):
            info["last_error_date"] = hook["last_error_date"]
            info["last_error_message"] = hook["last_error_message"]
    return info


async def ok_true(call: Call) -> Any:
    return True


def scope_key(scope: Any) -> str:
    """Canonical text of a BotCommandScope (default scope when absent)."""
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True, ensure_ascii=False)


def _command_slot(call: Call) -> tuple[str, str]:
    return scope_key(call.params.json_value("scope")), call.params.opt_str("language_code") or ""


async def set_my_commands(call: Call) -> Any:
    commands = call.params.json_value("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands")
    cleaned: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).removeprefix("/")
        description = str(command.get("description", ""))
        if not _COMMAND_NAME.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("command description must be non-empty")
        cleaned.append({"command": name, "description": description})
    slot = _command_slot(call)
    if cleaned:
        call.bot.commands[slot] = cleaned
    else:
        call.bot.commands.pop(slot, None)
    return True


async def get_my_commands(call: Call) -> Any:
    return call.bot.commands.get(_command_slot(call), [])


async def delete_my_commands(call: Call) -> Any:
    call.bot.commands.pop(_command_slot(call), None)
    return True


async def set_chat_menu_button(call: Call) -> Any:
    chat_id = call.params.opt_int("chat_id")
    button = call.params.json_value("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    call.bot.menu_buttons[chat_id] = button
    return True


async def get_chat_menu_button(call: Call) -> Any:
    chat_id = call.params.opt_int("chat_id")
    buttons = call.bot.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}


def _text_setting(name: str, limit: int) -> tuple[Handler, Handler]:
    async def setter(call: Call) -> Any:
        value = call.params.opt_str(name) or ""
        if len(value) > limit:
            raise bad_request(f"{name} is too long")
        key = (name, call.params.opt_str("language_code") or "")
        if value:
            call.bot.texts[key] = value
        else:
            call.bot.texts.pop(key, None)
        return True

    async def getter(call: Call) -> Any:
        lang = call.params.opt_str("language_code") or ""
        value = call.bot.texts.get((name, lang))
        if value is None and name == "name":
            value = call.bot.profile.first_name
        return {name: value or ""}

    return setter, getter


async def get_chat(call: Call) -> Any:
    chat = find_chat(call, for_sending=False)
    return {
        **chat.as_chat(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


async def get_file(call: Call) -> Any:
    file_id = call.params.req_str("file_id", "file_id is empty")
    stored = call.hub.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > 20 * 1024 * 1024:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


_set_description, _get_description = _text_setting("description", 512)
_set_short, _get_short = _text_setting("short_description", 120)
_set_name, _get_name = _text_setting("name", 64)

BOT_METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "deleteWebhook": delete_webhook,
    "setWebhook": set_webhook,
    "getWebhookInfo": get_webhook_info,
    "close": ok_true,
    "logOut": ok_true,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "setMyDescription": _set_description,
    "getMyDescription": _get_description,
    "setMyShortDescription": _set_short,
    "getMyShortDescription": _get_short,
    "setMyName": _set_name,
    "getMyName": _get_name,
    "getChat": get_chat,
    "getFile": get_file,
}
