"""Which handler answers which update, in which group: the order is the behaviour."""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from handlers import admin, deadlines, dialog, history, intake, onboarding, progress, reminders, start, summaries
from handlers.callback_data import CallbackPrefix, menu_pattern, prefix_pattern
from handlers.commands import Command
from handlers.entry import EntryPoint, command_callback, menu_callback
from handlers.errors import on_error
from handlers.guards import private_chats_only

GUARD_GROUP = -1
MAIN_GROUP = 0

ENTRY_POINTS: Mapping[Command, EntryPoint] = {
    Command.START: start.start,
    Command.ENTER_FIGURES: intake.enter_figures,
    Command.REPORT_PROGRESS: progress.report_progress,
    Command.MY_DEADLINES: deadlines.my_deadlines,
    Command.HISTORY: history.show_history,
    Command.CANCEL: dialog.cancel,
    Command.HELP: start.help_command,
    Command.INVITE: admin.invite,
    Command.OFFICERS: admin.list_officers,
    Command.LOCK_YEAR: admin.lock_year,
    Command.UNLOCK_YEAR: admin.unlock_year,
    Command.REMINDERS: reminders.reminders_overview,
    Command.COMPILE: summaries.compile_summary,
    Command.RECEIVE_SUMMARIES: summaries.receive_summaries,
}

BUTTON_HANDLERS = {
    CallbackPrefix.REGISTER: onboarding.on_button,
    CallbackPrefix.ADMIN: admin.on_button,
    CallbackPrefix.INTAKE: intake.on_button,
    CallbackPrefix.PROGRESS: progress.on_button,
    CallbackPrefix.HISTORY: history.on_button,
    CallbackPrefix.REMINDER: reminders.on_button,
}


def register_handlers(application: Application) -> None:  # type: ignore[type-arg]
    """Handler order matters: guards first (group -1), then commands, buttons and free input."""
    application.add_handler(TypeHandler(Update, private_chats_only), group=GUARD_GROUP)
    for command, entry in ENTRY_POINTS.items():
        application.add_handler(CommandHandler(command, command_callback(command, entry)), group=MAIN_GROUP)
    # A command we do not know must not be taken as an answer to the current question.
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, dialog.unknown_command), group=MAIN_GROUP
    )
    application.add_handler(CallbackQueryHandler(menu_callback(ENTRY_POINTS), pattern=menu_pattern()), group=MAIN_GROUP)
    for prefix, callback in BUTTON_HANDLERS.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=prefix_pattern(prefix)), group=MAIN_GROUP)
    # Last in the group: a press nobody else claimed still gets an answer, so no spinner hangs.
    application.add_handler(CallbackQueryHandler(start.expired_button), group=MAIN_GROUP)
    # Text, files, stickers...: the answer to the current step, if there is one.
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, dialog.on_message), group=MAIN_GROUP
    )
    application.add_error_handler(on_error)
