"""How a deadline is named in a message or a document: "I.2 title… (yearly report 2015)", "3 days late".

Pure gettext phrases (no telegram), shared by the handlers (/hannop, reminders) and the planning
office's summaries and files.
"""

from __future__ import annotations

from typing import Final, Protocol

from bot.i18n import N_, Translator
from bot.plan.model import DeadlineKind
from bot.text import shorten
from storage.enums import SubjectType

TITLE_LIMIT: Final = 80  # characters of "I.2 title" or "Indicator 1 name" shown per line


class DueLike(Protocol):
    """What naming a deadline reads (``DueItem`` and the summaries' outcomes fit)."""

    @property
    def subject_type(self) -> SubjectType: ...

    @property
    def kind(self) -> DeadlineKind: ...

    @property
    def period_year(self) -> int: ...

    @property
    def task_key(self) -> str | None: ...

    @property
    def indicator_number(self) -> int | None: ...

    @property
    def title(self) -> str: ...


class MissingLike(Protocol):
    @property
    def delivered(self) -> bool: ...

    @property
    def missing_tasks(self) -> tuple[str, ...]: ...

    @property
    def missing_indicators(self) -> tuple[int, ...]: ...


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


def what_is_due(translator: Translator, item: DueLike, limit: int = TITLE_LIMIT) -> str:
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


def missing_phrase(translator: Translator, item: MissingLike) -> str | None:
    """For an undelivered yearly report: the tasks and indicators it still lacks (the first few)."""
    _ = translator.gettext
    names = [*item.missing_tasks, *(_("indicator {number}").format(number=n) for n in item.missing_indicators)]
    if item.delivered or not names:
        return None
    shown = ", ".join(names[:MISSING_SHOWN]) + (", …" if len(names) > MISSING_SHOWN else "")
    return _("still missing: {items}").format(items=shown)
