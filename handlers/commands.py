"""The command table: names are part of the interface, descriptions are translated.

One table feeds both the CommandHandlers and setMyCommands, so the menu Telegram shows
never lists a command the bot does not answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_


class Command(StrEnum):
    START = "start"
    ENTER_FIGURES = "nhap"
    REPORT_PROGRESS = "tiendo"
    MY_DEADLINES = "hannop"
    HISTORY = "lichsu"
    CANCEL = "huy"
    HELP = "trogiup"
    INVITE = "moi"
    OFFICERS = "canbo"
    LOCK_YEAR = "khoa"
    UNLOCK_YEAR = "mokhoa"
    REMINDERS = "nhacnho"
    COMPILE = "tonghop"
    RECEIVE_SUMMARIES = "nhantonghop"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    command: Command
    description: str  # an English msgid, translated when the menu is set
    admin_only: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(Command.START, N_("Start or return to the main menu")),
    CommandSpec(Command.ENTER_FIGURES, N_("Enter indicator figures")),
    CommandSpec(Command.REPORT_PROGRESS, N_("Report task progress")),
    CommandSpec(Command.MY_DEADLINES, N_("My deadlines")),
    CommandSpec(Command.HISTORY, N_("History of my department's entries")),
    CommandSpec(Command.CANCEL, N_("Cancel the current step")),
    CommandSpec(Command.HELP, N_("Show help")),
    CommandSpec(Command.INVITE, N_("Invite an officer of a department"), admin_only=True),
    CommandSpec(Command.OFFICERS, N_("Registered officers"), admin_only=True),
    CommandSpec(Command.LOCK_YEAR, N_("Lock a reporting year"), admin_only=True),
    CommandSpec(Command.UNLOCK_YEAR, N_("Unlock a reporting year"), admin_only=True),
    CommandSpec(Command.REMINDERS, N_("Next reminders and delivery problems"), admin_only=True),
    CommandSpec(Command.COMPILE, N_("Compile a year's results with the files"), admin_only=True),
    CommandSpec(Command.RECEIVE_SUMMARIES, N_("Send the summaries to this group"), admin_only=True),
)

#: The only commands the bot answers in group chats (the planning office's group).
GROUP_COMMANDS: frozenset[Command] = frozenset({Command.COMPILE, Command.RECEIVE_SUMMARIES})

SPECS: dict[Command, CommandSpec] = {spec.command: spec for spec in COMMANDS}


def officer_commands() -> list[CommandSpec]:
    return [spec for spec in COMMANDS if not spec.admin_only]


def admin_commands() -> list[CommandSpec]:
    return list(COMMANDS)
