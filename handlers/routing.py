"""Which handler answers which update, in which group: the order is the behaviour."""
from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, TypeHandler

from handlers import start
from handlers.callback_data import menu_pattern
from handlers.commands import Command
from handlers.errors import on_error
from handlers.guards import private_chats_only

GUARD_GROUP = -1
MAIN_GROUP = 0


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """Handler order matters: guards first (group -1), then commands and buttons."""
    application.add_handler(TypeHandler(Update, private_chats_only), group=GUARD_GROUP)
    application.add_handler(CommandHandler(Command.START, start.start), group=MAIN_GROUP)
    application.add_handler(CommandHandler(Command.HELP, start.help_command), group=MAIN_GROUP)
    application.add_handler(CallbackQueryHandler(start.menu_pressed, pattern=menu_pattern()), group=MAIN_GROUP)
    # Last in the group: a press nobody else claimed still gets an answer, so no spinner hangs.
    application.add_handler(CallbackQueryHandler(start.expired_button), group=MAIN_GROUP)
    application.add_error_handler(on_error)
