"""Every keyboard the bot shows, in one place."""

from __future__ import annotations

from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator
from handlers.callback_data import CallbackPrefix, MenuAction, build

#: One label per main-menu action: the menus and the buttons under reminder lists say the same thing.
MENU_LABELS: Final[dict[MenuAction, str]] = {
    MenuAction.ENTER_FIGURES: N_("Enter figures"),
    MenuAction.REPORT_PROGRESS: N_("Report task progress"),
    MenuAction.MY_DEADLINES: N_("My deadlines"),
    MenuAction.HISTORY: N_("History"),
    MenuAction.HELP: N_("Help"),
    MenuAction.INVITE: N_("Invite an officer"),
    MenuAction.OFFICERS: N_("Registered officers"),
    MenuAction.LOCK_YEAR: N_("Lock a reporting year"),
}


def menu_button(translator: Translator, action: MenuAction) -> InlineKeyboardButton:
    label = translator.gettext(MENU_LABELS[action])
    return InlineKeyboardButton(label, callback_data=build(CallbackPrefix.MENU, action))


def menu_keyboard(translator: Translator, *actions: MenuAction) -> InlineKeyboardMarkup:
    """The given menu actions, one button per row."""
    return InlineKeyboardMarkup([[menu_button(translator, action)] for action in actions])


def _officer_rows(translator: Translator) -> list[list[InlineKeyboardButton]]:
    return [
        [menu_button(translator, MenuAction.ENTER_FIGURES)],
        [menu_button(translator, MenuAction.REPORT_PROGRESS)],
        [menu_button(translator, MenuAction.MY_DEADLINES), menu_button(translator, MenuAction.HISTORY)],
    ]


def officer_menu(translator: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([*_officer_rows(translator), [menu_button(translator, MenuAction.HELP)]])


def admin_menu(translator: Translator) -> InlineKeyboardMarkup:
    """The planning office also reports on its own tasks, so admins get the officer items too."""
    return InlineKeyboardMarkup(
        [
            [menu_button(translator, MenuAction.INVITE)],
            [menu_button(translator, MenuAction.OFFICERS), menu_button(translator, MenuAction.LOCK_YEAR)],
            *_officer_rows(translator),
            [menu_button(translator, MenuAction.HELP)],
        ]
    )
