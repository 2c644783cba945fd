"""Button data is parsed strictly and stays within Telegram's 64-byte limit."""

from __future__ import annotations

import pytest

from handlers.callback_data import (
    CallbackPrefix,
    InvalidCallbackDataError,
    MenuAction,
    build,
    menu_pattern,
    parse,
    parse_menu_action,
)


@pytest.mark.parametrize("action", list(MenuAction))
def test_every_menu_action_round_trips(action: MenuAction) -> None:
    data = build(CallbackPrefix.MENU, action)
    assert len(data.encode()) <= 64
    assert parse_menu_action(parse(data)) is action


@pytest.mark.parametrize(
    "forged",
    ["", None, "x:help", "m", "m:", "m:unknown", "m:help:extra", "m:hélp", "m:" + "a" * 70, "m:help\n"],
)
def test_forged_data_is_refused(forged: str | None) -> None:
    with pytest.raises(InvalidCallbackDataError):
        parse_menu_action(parse(forged))


def test_build_refuses_non_ascii_and_oversized() -> None:
    with pytest.raises(ValueError, match="callback data"):
        build(CallbackPrefix.MENU, "Sở")
    with pytest.raises(ValueError, match="callback data"):
        build(CallbackPrefix.MENU, "a" * 64)


def test_pattern_is_anchored() -> None:
    import re

    pattern = re.compile(menu_pattern())
    assert pattern.match("m:help")
    assert not pattern.match("xm:help")
    assert not pattern.match("m:help:1")
