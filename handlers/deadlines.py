"""/hannop: the caller's department's deadlines, late ones and the next 60 days, with what is delivered."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.reports.phrases import days_phrase, missing_phrase, what_is_due
from bot.services.deadline_view import DeadlineOverview, DeadlineViewService, DueItem
from handlers.common import Caller, reply, runtime_of
from handlers.history import NO_DEPARTMENT, ROLE_LABELS, SEPARATOR, send_blocks


def item_block(caller: Caller, item: DueItem) -> str:
    """Two lines: what is due, then the date, days left or late, status and role."""
    _ = caller._
    status = _("submitted") if item.delivered else _("not submitted")
    details = [
        _("due {date}").format(date=caller.translator.date(item.due_on)),
        days_phrase(caller.translator, item.days_left),
        status,
    ]
    if item.role is not None:
        details.append(_(ROLE_LABELS[item.role]))
    if (missing := missing_phrase(caller.translator, item)) is not None:
        details.append(missing)
    return f"• {what_is_due(caller.translator, item)}\n   {SEPARATOR.join(details)}"


def overview_blocks(caller: Caller, overview: DeadlineOverview, department_name: str) -> list[str]:
    _ = caller._
    blocks = [
        _("Deadlines of {department} (today {date})").format(
            department=department_name, date=caller.translator.date(overview.today)
        )
    ]
    overdue_total = len(overview.overdue) + overview.overdue_more
    blocks.append("\n" + _("Overdue ({count}):").format(count=overdue_total))
    if not overview.overdue:
        blocks.append(_("Nothing is overdue."))
    blocks += [item_block(caller, item) for item in overview.overdue]
    if overview.overdue_more:
        blocks.append(_more(caller, overview.overdue_more))
    blocks.append("\n" + _("Upcoming (next {days} days):").format(days=overview.window_days))
    if not overview.upcoming:
        blocks.append(_("There is no deadline in the next {days} days.").format(days=overview.window_days))
    blocks += [item_block(caller, item) for item in overview.upcoming]
    if overview.upcoming_more:
        blocks.append(_more(caller, overview.upcoming_more))
    blocks.append("\n" + _("The bot sends reminders automatically before each deadline."))
    return blocks


def _more(caller: Caller, count: int) -> str:
    return caller.translator.ngettext("… and {n} more deadline", "… and {n} more deadlines", count).format(n=count)


async def my_deadlines(update: Update, context: ContextTypes.DEFAULT_TYPE, caller: Caller, args: list[str]) -> None:
    """/hannop: answers for the caller's own department only; arguments are ignored."""
    runtime = runtime_of(context)
    code = caller.identity.department_code
    if code is None:
        await reply(update, context, caller._(NO_DEPARTMENT))
        return
    overview = await DeadlineViewService.from_runtime(runtime).overview(code)
    name = caller.identity.department_name or runtime.registry.display_name(code)
    await send_blocks(update, context, overview_blocks(caller, overview, name))
