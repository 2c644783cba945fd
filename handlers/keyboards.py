"""Every keyboard the bot shows, in one place."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from handlers.callback_data import CallbackPrefix, MenuAction, build


def _menu_button(text: str, action: MenuAction) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=build(CallbackPrefix.MENU, action))


def _officer_rows(translator: Translator) -> list[list[InlineKeyboardButton]]:
    _ = translator.gettext
    return [
        [_menu_button(_("Enter figures"), MenuAction.ENTER_FIGURES)],
        [_menu_button(_("Report task progress"), MenuAction.REPORT_PROGRESS)],
        [
            _menu_button(_("My deadlines"), MenuAction.MY_DEADLINES),
            _menu_button(_("History"), MenuAction.HISTORY),
        ],
    ]


def officer_menu(translator: Translator) -> InlineKeyboardMarkup:
    _ = translator.gettext
    return InlineKeyboardMarkup([*_officer_rows(translator), [_menu_button(_("Help"), MenuAction.HELP)]])


def admin_menu(translator: Translator) -> InlineKeyboardMarkup:
    """The planning office also reports on its own tasks, so admins get the officer items too."""
    _ = translator.gettext
    return InlineKeyboardMarkup(
        [
            [_menu_button(_("Invite an officer"), MenuAction.INVITE)],
            [
                _menu_button(_("Registered officers"), MenuAction.OFFICERS),
                _menu_button(_("Lock a reporting year"), MenuAction.LOCK_YEAR),
            ],
            *_officer_rows(translator),
            [_menu_button(_("Help"), MenuAction.HELP)],
        ]
    )
