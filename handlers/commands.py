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
    HELP = "trogiup"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    command: Command
    description: str  # an English msgid, translated when the menu is set
    admin_only: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(Command.START, N_("Start or return to the main menu")),
    CommandSpec(Command.HELP, N_("Show help")),
)


def officer_commands() -> list[CommandSpec]:
    return [spec for spec in COMMANDS if not spec.admin_only]


def admin_commands() -> list[CommandSpec]:
    return list(COMMANDS)
