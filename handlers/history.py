"""/lichsu [năm]: every version the caller's department filed for a year, and buttons to pick another year.

Only the caller's own department is shown (``HistoryService`` reads nothing else); a year
button is re-checked like a typed year, so forged data can at most show the caller's own
entries for a real reporting year.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n import N_
from bot.services.accounts import Role
from bot.services.history import DepartmentHistory, FigureVersion, Filed, HistoryService, ProgressVersion
from bot.services.progress import STATUS_LABELS
from bot.text import shorten, split_message
from handlers.callback_data import CallbackPrefix, InvalidCallbackDataError, build, parse
from handlers.common import Caller, identify_caller, not_registered_text, reply, runtime_of
from storage.enums import DepartmentRole, ValueSource

log = logging.getLogger(__name__)

PREFIX: Final = CallbackPrefix.HISTORY
YEARS_PER_ROW: Final = 4
NAME_CHARS: Final = 80
SEPARATOR: Final = " · "
INDENT: Final = "   "

SOURCE_LABELS: Final[dict[ValueSource, str]] = {
    ValueSource.QUICK: N_("quick entry"),
    ValueSource.IMPORT: N_("imported from a file"),
    ValueSource.ADMIN: N_("entered by the planning office"),
}
ROLE_LABELS: Final[dict[DepartmentRole, str]] = {
    DepartmentRole.LEAD: N_("lead"),
    DepartmentRole.COORDINATOR: N_("coordinating"),
}
NO_DEPARTMENT: Final = N_("Your account is not attached to a department. Please contact the planning office.")


async def send_blocks(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    blocks: Sequence[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send the blocks in as few messages as fit; the keyboard goes on the last one."""
    messages = split_message(blocks)
    for index, text in enumerate(messages):
        await reply(update, context, text, markup if index == len(messages) - 1 else None)


def year_keyboard(statuses: Sequence[tuple[int, bool]]) -> InlineKeyboardMarkup:
    """One button per reporting year, a lock on the locked ones."""
    buttons = [
        InlineKeyboardButton(f"{year} 🔒" if locked else str(year), callback_data=build(PREFIX, str(year)))
        for year, locked in statuses
    ]
    return InlineKeyboardMarkup([buttons[i : i + YEARS_PER_ROW] for i in range(0, len(buttons), YEARS_PER_ROW)])


def _filed_parts(caller: Caller, filed: Filed, tz: ZoneInfo) -> tuple[list[str], list[str]]:
    """Who and when (after the figure or status), then the marks and attachments that follow."""
    _ = caller._
    who = [filed.officer_name or _("(unknown)"), caller.translator.datetime(filed.at, tz)]
    extra: list[str] = []
    if filed.is_correction:
        extra.append(_("correction"))
    if filed.taken_over_from:
        extra.append(_("filed by {department}").format(department=filed.taken_over_from))
    if filed.note:
        extra.append(_("note: “{note}”").format(note=filed.note))
    if filed.evidence_file_name:
        extra.append(_("file: {name}").format(name=filed.evidence_file_name))
    return who, extra


def _figure_line(caller: Caller, version: FigureVersion, tz: ZoneInfo) -> str:
    figure = caller.translator.percent(version.value, 2)
    if version.numerator is not None and version.denominator is not None:
        ratio = f"{caller.translator.decimal(version.numerator)}/{caller.translator.decimal(version.denominator)}"
        figure = f"{figure} ({ratio})"
    who, extra = _filed_parts(caller, version.filed, tz)
    if version.source in SOURCE_LABELS:
        extra.insert(0, caller._(SOURCE_LABELS[version.source]))
    return INDENT + SEPARATOR.join([f"v{version.filed.version}", figure, *who, *extra])


def _progress_line(caller: Caller, version: ProgressVersion, tz: ZoneInfo) -> str:
    who, extra = _filed_parts(caller, version.filed, tz)
    status = caller._(STATUS_LABELS[version.status])
    return INDENT + SEPARATOR.join([f"v{version.filed.version}", status, *who, *extra])


def history_blocks(caller: Caller, history: DepartmentHistory, department_name: str, tz: ZoneInfo) -> list[str]:
    """The reply as blocks: a heading, then one block per indicator and per task."""
    _ = caller._
    heading = _("Entries of {department} for {year}").format(department=department_name, year=history.year)
    if history.locked:
        heading += "\n" + _("This year is locked: nothing can be changed any more.")
    blocks = [heading]
    if history.is_empty:
        blocks.append(
            _(
                "Your department has not entered any figure or progress report for {year} yet. "
                "Use /nhap to enter figures and /tiendo to report task progress."
            ).format(year=history.year)
        )
    if history.indicators:
        blocks.append("\n" + _("Indicators (Annex II):"))
    for indicator in history.indicators:
        title = shorten(_("Indicator {number}").format(number=indicator.number) + f". {indicator.name}", NAME_CHARS)
        lines = [title, *(_figure_line(caller, version, tz) for version in indicator.versions)]
        blocks.append("\n".join(lines))
    if history.not_entered:
        numbers = ", ".join(str(number) for number in history.not_entered)
        blocks.append(_("Not entered yet by your department: indicator {numbers}.").format(numbers=numbers))
    if history.tasks:
        blocks.append("\n" + _("Task progress (Annex I):"))
    for task in history.tasks:
        title = shorten(f"{task.task_key} {task.title}", NAME_CHARS)
        if task.role is not None:
            title += f" ({_(ROLE_LABELS[task.role])})"
        lines = [title, *(_progress_line(caller, version, tz) for version in task.versions)]
        blocks.append("\n".join(lines))
    return blocks


def _years_text(years: Sequence[int]) -> str:
    return ", ".join(str(year) for year in years)


async def _show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, year: int, *, with_buttons: bool
) -> None:
    runtime = runtime_of(context)
    service = HistoryService.from_runtime(runtime)
    code = caller.identity.department_code
    if code is None:
        await reply(update, context, caller._(NO_DEPARTMENT))
        return
    history = await service.history(code, year)
    name = caller.identity.department_name or runtime.registry.display_name(code)
    blocks = history_blocks(caller, history, name, runtime.settings.tz)
    markup = None
    if with_buttons:
        blocks.append("\n" + caller._("Choose another year:"))
        markup = year_keyboard(await service.year_statuses())
    await send_blocks(update, context, blocks, markup)


async def show_history(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """/lichsu [năm]: the open year by default, with year buttons; a typed year must be a reporting year."""
    runtime = runtime_of(context)
    service = HistoryService.from_runtime(runtime)
    years = service.reporting_years()
    if not years:
        await reply(update, context, caller._("No reporting year has started yet."))
        return
    if args:
        year = service.parse_year(args[0])
        if year is None:
            text = caller._(
                "“{text}” is not a reporting year. Reporting years: {years}. Example: /lichsu {example}"
            ).format(text=shorten(args[0], 20), years=_years_text(years), example=years[-1])
            await reply(update, context, text, year_keyboard(await service.year_statuses()))
            return
        await _show(update, context, caller, year, with_buttons=False)
        return
    default = await service.default_year()
    await _show(update, context, caller, default if default is not None else years[-1], with_buttons=True)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A year button ``h:<year>``: re-identify the caller and re-check the year before showing anything."""
    query = update.callback_query
    if query is None:
        return
    runtime = runtime_of(context)
    caller = await identify_caller(update, context)
    if caller.identity.role is Role.STRANGER:
        await query.answer()
        await reply(update, context, not_registered_text(caller, runtime))
        return
    service = HistoryService.from_runtime(runtime)
    year: int | None = None
    try:
        data = parse(query.data)
        if data.prefix is PREFIX and len(data.args) == 1:
            year = service.parse_year(data.args[0])
    except InvalidCallbackDataError:
        year = None
    if year is None:
        log.warning("refused history button %r from user %s", query.data, query.from_user.id)
        await query.answer(caller._("This button is no longer valid. Please send /lichsu again."), show_alert=True)
        return
    await query.answer()
    await _show(update, context, caller, year, with_buttons=True)
