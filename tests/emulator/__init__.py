"""A loopback Telegram Bot API emulator for end-to-end tests (see ``emulator.py``)."""

from tests.emulator.emulator import BotApiEmulator
from tests.emulator.models import ApiCall, Button, CallbackAnswer, Markup, SentMessage, Stats, StoredFile
from tests.emulator.user import EmulatedGroup, EmulatedUser, UserUpdate, make_png

__all__ = [
    "ApiCall",
    "BotApiEmulator",
    "Button",
    "CallbackAnswer",
    "EmulatedGroup",
    "EmulatedUser",
    "Markup",
    "SentMessage",
    "Stats",
    "StoredFile",
    "UserUpdate",
    "make_png",
]
