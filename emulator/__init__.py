"""A loopback Telegram Bot API emulator for the end-to-end tests and `greenbot demo` (see ``emulator.py``)."""

from emulator.emulator import BotApiEmulator
from emulator.models import ApiCall, Button, CallbackAnswer, Markup, SentMessage, Stats, StoredFile
from emulator.user import EmulatedGroup, EmulatedUser, UserUpdate, make_png

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
