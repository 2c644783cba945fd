"""/hannop: the caller's department's deadlines, late ones and the next 60 days, with what is delivered."""

from __future__ import annotations

from typing import Final

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import N_, Translator
from bot.plan.model import DeadlineKind
from bot.services.deadline_view import TITLE_LIMIT, DeadlineOverview, DeadlineViewService, DueItem
from bot.text import shorten
from handlers.common import Caller, reply, runtime_of
from handlers.history import NO_DEPARTMENT, ROLE_LABELS, SEPARATOR, send_blocks
from storage.enums import SubjectType

MISSING_SHOWN: Final = 6

#: What a deadline of each kind asks for, after the task or indicator it belongs to.
KIND_LABELS: Final[dict[DeadlineKind, str]] = {
    DeadlineKind.ANNUAL_REPORT: N_("yearly report {year}"),
    DeadlineKind.FINAL_EVALUATION: N_("evaluation {year}"),
    DeadlineKind.PLAN_SUBMISSION: N_("plan for {year}"),
    DeadlineKind.FIVE_YEAR_PLAN_SUBMISSION: N_("five-year plan from {next_year}"),
    DeadlineKind.ONE_OFF: N_("to be completed ({year})"),
    DeadlineKind.CONSOLIDATED_REPORT: N_("consolidated report {year}"),
}
#: The yearly reports of section IV.3 stand on their own.
REGIME_LABELS: Final[dict[DeadlineKind, str]] = {
    DeadlineKind.ANNUAL_REPORT: N_("Yearly report {year} (section IV.3)"),
    DeadlineKind.CONSOLIDATED_REPORT: N_("Consolidated report {year} for the province"),
}


def what_is_due(translator: Translator, item: DueItem, limit: int = TITLE_LIMIT) -> str:
    """ "I.2 title… (yearly report 2015)", "Indicator 1 name… (…)" or "Yearly report 2015 (…)"."""
    _ = translator.gettext
    values = {"year": item.period_year, "next_year": item.period_year + 1}
    if item.subject_type is SubjectType.REGIME:
        return _(REGIME_LABELS.get(item.kind, KIND_LABELS[item.kind])).format(**values)
    if item.task_key is not None:
        subject = shorten(f"{item.task_key} {item.title}", limit)
    else:
        subject = shorten(_("Indicator {number}").format(number=item.indicator_number) + f" {item.title}", limit)
    return f"{subject} ({_(KIND_LABELS[item.kind]).format(**values)})"


def days_phrase(translator: Translator, days_left: int) -> str:
    """ "due today", "3 days left" or "2 days late"."""
    if days_left == 0:
        return translator.gettext("due today")
    if days_left > 0:
        return translator.ngettext("{n} day left", "{n} days left", days_left).format(n=days_left)
    late = -days_left
    return translator.ngettext("{n} day late", "{n} days late", late).format(n=late)


def missing_phrase(translator: Translator, item: DueItem) -> str | None:
    """For an undelivered yearly report: the tasks and indicators it still lacks (the first few)."""
    _ = translator.gettext
    names = [*item.missing_tasks, *(_("indicator {number}").format(number=n) for n in item.missing_indicators)]
    if item.delivered or not names:
        return None
    shown = ", ".join(names[:MISSING_SHOWN]) + (", …" if len(names) > MISSING_SHOWN else "")
    return _("still missing: {items}").format(items=shown)


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
