"""Reading and validating ``reply_markup`` the way Telegram does."""

from __future__ import annotations

from typing import Any

from emulator.errors import bad_request
from emulator.models import Button, Markup

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
_ACTION_FIELDS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "web_app",
)


def parse_markup(value: Any) -> Markup | None:
    """Validate a decoded reply_markup object; ``None`` when absent."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        return Markup("inline", _inline_rows(value["inline_keyboard"]), value)
    if "keyboard" in value:
        return Markup("reply", _reply_rows(value["keyboard"]), value)
    if value.get("remove_keyboard"):
        return Markup("remove", [], value)
    if value.get("force_reply"):
        return Markup("force_reply", [], value)
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_rows(rows: Any) -> list[list[Button]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    parsed: list[list[Button]] = []
    total = 0
    for row in rows:
        parsed_row: list[Button] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            actions = [name for name in _ACTION_FIELDS if name in button]
            if not actions:
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if "callback_data" in button:
                if not isinstance(data, str):
                    raise bad_request("BUTTON_DATA_INVALID")
                size = len(data.encode("utf-8"))
                if size == 0 or size > MAX_CALLBACK_DATA_BYTES:
                    raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if "url" in button and (
                not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://"))
            ):
                raise bad_request("BUTTON_URL_INVALID")
            parsed_row.append(Button(button["text"], data, url, button))
            total += 1
        parsed.append(parsed_row)
    if total > MAX_INLINE_BUTTONS:
        raise bad_request("BUTTONS_TOO_MUCH")
    return parsed


def _reply_rows(rows: Any) -> list[list[Button]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
    parsed: list[list[Button]] = []
    for row in rows:
        parsed_row: list[Button] = []
        for button in row:
            if isinstance(button, str):
                parsed_row.append(Button(button, raw={"text": button}))
            elif isinstance(button, dict) and isinstance(button.get("text"), str):
                parsed_row.append(Button(button["text"], raw=button))
            else:
                raise bad_request("can't parse keyboard button: Text must be non-empty")
        parsed.append(parsed_row)
    return parsed
