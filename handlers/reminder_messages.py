"""What a reminder says: one envelope of the round → the text (split at 4,096) and its buttons."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.plan.registry import DepartmentRegistry
from bot.reports.phrases import days_phrase, missing_phrase, what_is_due
from bot.services.deadline_view import DueItem
from bot.services.reminder_plan import PlannedEscalation, PlannedReminder
from bot.services.reminders import Envelope, EnvelopeKind
from bot.text import shorten, split_message
from handlers.callback_data import CallbackPrefix, MenuAction, build
from handlers.keyboards import menu_keyboard
from storage.enums import SendPurpose, SubjectType

PREFIX: Final = CallbackPrefix.REMINDER
LISTED: Final = 10  # deadlines listed in one bundle, catch-up or escalation message
SINGLE_TITLE_LIMIT: Final = 160


class ReminderAction(StrEnum):
    """d:<send id>:<action> on a reminder, d:run on /nhacnho."""

    ENTER = "go"
    ACKNOWLEDGE = "ack"
    SNOOZE = "snz"
    RUN_ROUND = "run"


@dataclass(frozen=True, slots=True)
class Rendered:
    texts: tuple[str, ...]
    markup: InlineKeyboardMarkup | None


def reminder_buttons(translator: Translator, send_id: int) -> InlineKeyboardMarkup:
    _ = translator.gettext

    def button(text: str, action: ReminderAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=build(PREFIX, str(send_id), action))

    return InlineKeyboardMarkup(
        [
            [button(_("Enter now"), ReminderAction.ENTER)],
            [button(_("Got it"), ReminderAction.ACKNOWLEDGE), button(_("Remind me later"), ReminderAction.SNOOZE)],
        ]
    )


def _due_line(translator: Translator, item: DueItem, today: dt.date) -> str:
    """ "due 15/12/2015 (7 days left)"."""
    days = days_phrase(translator, (item.due_on - today).days)
    return translator.gettext("due {date} ({days})").format(date=translator.date(item.due_on), days=days)


def _single(translator: Translator, reminder: PlannedReminder, send_id: int, today: dt.date) -> Rendered:
    _ = translator.gettext
    item = reminder.item
    if reminder.key.purpose is SendPurpose.FYI:
        heading = _("For your information: your department coordinates this work.")
        closing = _("The lead department reports it; please send your part to them, or report it with /tiendo.")
    elif reminder.key.purpose is SendPurpose.SNOOZE:
        heading = _("Reminder, as you asked: this is still to be submitted.")
        closing = _("Please submit it with /nhap or /tiendo, or press Enter now.")
    elif (item.due_on - today).days < 0:
        heading = _("Overdue: this has not been submitted yet.")
        closing = _("Please submit it as soon as possible with /nhap or /tiendo, or press Enter now.")
    else:
        heading = _("Reminder: a reporting deadline is coming.")
        closing = _("Please submit it with /nhap or /tiendo, or press Enter now.")
    lines = [f"⏰ {heading}", "", what_is_due(translator, item, SINGLE_TITLE_LIMIT), _due_line(translator, item, today)]
    if (missing := missing_phrase(translator, item)) is not None:
        lines.append(missing[:1].upper() + missing[1:])
    lines += ["", closing]
    return Rendered(("\n".join(lines),), reminder_buttons(translator, send_id))


def _listed(translator: Translator, reminders: Sequence[PlannedReminder], today: dt.date) -> list[str]:
    shown = [
        f"• {what_is_due(translator, r.item)}\n   {_due_line(translator, r.item, today)}" for r in reminders[:LISTED]
    ]
    if len(reminders) > LISTED:
        more = len(reminders) - LISTED
        shown.append(translator.ngettext("… and {n} more deadline", "… and {n} more deadlines", more).format(n=more))
    return shown


def _bundle(translator: Translator, reminders: Sequence[PlannedReminder], today: dt.date) -> Rendered:
    _ = translator.gettext
    heading = translator.ngettext(
        "⏰ You have {n} deadline to keep in mind:", "⏰ You have {n} deadlines to keep in mind:", len(reminders)
    ).format(n=len(reminders))
    blocks = [heading, *_listed(translator, reminders, today), _("Send /hannop for the details.")]
    markup = menu_keyboard(translator, MenuAction.ENTER_FIGURES, MenuAction.REPORT_PROGRESS, MenuAction.MY_DEADLINES)
    return Rendered(tuple(split_message(blocks)), markup)


def _catch_up(translator: Translator, reminders: Sequence[PlannedReminder], today: dt.date) -> Rendered:
    _ = translator.gettext
    heading = translator.ngettext(
        "While the bot was unable to write, {n} reminder for you was not sent. This is still not submitted:",
        "While the bot was unable to write, {n} reminders for you were not sent. These are still not submitted:",
        len(reminders),
    ).format(n=len(reminders))
    blocks = [heading, *_listed(translator, reminders, today), _("Send /hannop for the details.")]
    return Rendered(tuple(split_message(blocks)), menu_keyboard(translator, MenuAction.MY_DEADLINES))


def _escalation(
    translator: Translator, escalations: Sequence[PlannedEscalation], today: dt.date, registry: DepartmentRegistry
) -> Rendered:
    """Every deadline that just passed, with who is late; long-missed ones (catch-up) as counts per department."""
    _ = translator.gettext
    on_time = sorted(
        (e for e in escalations if not e.folded),
        key=lambda e: (e.item.due_on, e.item.subject_type is not SubjectType.REGIME, e.item.deadline_id),
    )
    missed = [e for e in escalations if e.folded]
    blocks: list[str] = []
    if on_time:
        blocks.append(
            translator.ngettext(
                "⚠️ {n} deadline has passed without every report:",
                "⚠️ {n} deadlines have passed without every report:",
                len(on_time),
            ).format(n=len(on_time))
        )
    for escalation in on_time:
        names = ", ".join(registry.display_name(code) for code in escalation.late_departments)
        late = _("Not submitted: {departments}").format(departments=names)
        item = escalation.item
        blocks.append(f"• {what_is_due(translator, item)}\n   {_due_line(translator, item, today)}\n   {late}")
    if missed:
        blocks += _missed_escalations(translator, missed, registry)
    blocks.append(_("The departments have been reminded; they keep getting reminders until they submit."))
    return Rendered(tuple(split_message(blocks)), None)


def _missed_escalations(
    translator: Translator, missed: Sequence[PlannedEscalation], registry: DepartmentRegistry
) -> list[str]:
    """Deadlines that passed while nobody was told (bot down, or a new plan loaded late): counts, not a flood."""
    per_department: Counter[str] = Counter(code for e in missed for code in e.late_departments)
    heading = translator.ngettext(
        "⚠️ {n} earlier deadline still lacks reports. Departments that have not submitted:",
        "⚠️ {n} earlier deadlines still lack reports. Departments that have not submitted:",
        len(missed),
    ).format(n=len(missed))
    lines = [
        "• "
        + translator.ngettext("{department}: {n} deadline", "{department}: {n} deadlines", count).format(
            department=registry.display_name(code), n=count
        )
        for code, count in sorted(per_department.items(), key=lambda pair: (-pair[1], pair[0]))
    ]
    return [heading, *lines]


def render_envelope(
    translator: Translator, envelope: Envelope, today: dt.date, registry: DepartmentRegistry
) -> Rendered:
    if envelope.kind is EnvelopeKind.SINGLE:
        [reminder] = envelope.reminders
        return _single(translator, reminder, envelope.send_ids[0], today)
    if envelope.kind is EnvelopeKind.BUNDLE:
        return _bundle(translator, envelope.reminders, today)
    if envelope.kind is EnvelopeKind.CATCH_UP:
        return _catch_up(translator, envelope.reminders, today)
    return _escalation(translator, envelope.escalations, today, registry)


def unreachable_notice(translator: Translator, full_name: str, department: str | None) -> str:
    """To the planning office, once: somebody no longer receives reminders."""
    return translator.gettext(
        "The bot can no longer write to {name} ({department}): they blocked the bot or deleted their Telegram "
        "account. Reminders to them are paused until they write to the bot again; please contact them directly."
    ).format(name=shorten(full_name, 80), department=department or "—")
