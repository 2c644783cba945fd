"""The planning office's summaries as Telegram text: headline counts first, details after, split at sections.

Pure gettext and Babel formatting (no telegram import), so the bot, the shell command and the
benchmark render the same text. Each section (and each indicator, department list and task
group) is one block: ``bot.text.split_message`` moves whole blocks to the next message, so a
long compile is cut between sections, never inside a word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from bot.formatting import DISPLAY_TZ
from bot.i18n import Translator
from bot.reports.model import (
    DeadlineDayReport,
    DeadlineStatus,
    DeliveryState,
    DepartmentLine,
    IndicatorLine,
    TaskGroupLine,
    TaskLine,
    WeeklyDigest,
    YearSummary,
)
from bot.reports.phrases import days_phrase, what_is_due
from bot.services.progress import STATUS_LABELS
from bot.text import MESSAGE_LIMIT, shorten, split_message
from storage.enums import ProgressStatus

DISPLAY_ZONE: Final = ZoneInfo(DISPLAY_TZ)  # dates people read are Vietnamese calendar days
INDENT: Final = "   "
SEPARATOR: Final = " · "
NAME_LIMIT: Final = 110  # characters of an indicator's name
TASK_LIMIT: Final = 90  # characters of "I.2 task title"
NOTE_LIMIT: Final = 120
GROUP_LIMIT: Final = 90
NAMES_SHOWN: Final = 8  # departments named per line in the weekly digest before "(+N)"
MISSING_ITEMS_SHOWN: Final = 2

STATUS_MARKS: Final[dict[ProgressStatus, str]] = {
    ProgressStatus.DONE: "✅",
    ProgressStatus.IN_PROGRESS: "🔄",
    ProgressStatus.NOT_STARTED: "⬜",
    ProgressStatus.BLOCKED: "⚠️",
}
#: How bad a department's year looks, worst first: its verdict is its worst outcome.
_SEVERITY: Final = (DeliveryState.MISSING, DeliveryState.LATE, DeliveryState.PENDING, DeliveryState.ON_TIME)


def _signed(translator: Translator, value: Decimal) -> str:
    text = translator.decimal(abs(value), 1)
    return f"+{text}" if value > 0 else (f"-{text}" if value < 0 else text)


def _section(heading: str, blocks: Sequence[str]) -> list[str]:
    """A section's heading travels with its first block, so a message never ends on a heading."""
    if not blocks:
        return [heading]
    return [f"{heading}\n{blocks[0]}", *blocks[1:]]


def _names(names: Sequence[str], shown: int | None = None) -> str:
    if shown is None or len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" (+{len(names) - shown})"


# --- the yearly compile -----------------------------------------------------------------------


def render_summary(
    translator: Translator, summary: YearSummary, *, with_files: bool = False, limit: int = MESSAGE_LIMIT
) -> list[str]:
    """The compile as Telegram messages of at most ``limit`` characters."""
    return split_message(summary_blocks(translator, summary, with_files=with_files), limit)


def summary_blocks(translator: Translator, summary: YearSummary, *, with_files: bool = False) -> list[str]:
    _ = translator.gettext
    blocks = [_headline(translator, summary)]
    indicators = [_indicator_block(translator, line, summary.year) for line in summary.indicators] or [
        _("The plan has no indicator for {year}.").format(year=summary.year)
    ]
    blocks += _section("\n" + _("📈 INDICATORS (Annex II)"), indicators)
    blocks += _section(
        "\n" + _("🏢 REPORTS OF THE DEPARTMENTS ({year} deadlines)").format(year=summary.year),
        _department_blocks(translator, summary.departments),
    )
    blocks += _section(
        "\n" + _("📋 TASKS (Annex I)"), [_task_group_block(translator, group) for group in summary.task_groups]
    )
    if with_files:
        blocks.append(
            "\n" + _("Attached: the compiled table (XLSX), the chart (PNG) and a draft report (DOCX) to complete.")
        )
    return blocks


def _headline(translator: Translator, summary: YearSummary) -> str:
    _ = translator.gettext
    heading = summary.heading
    missing, late = len(summary.departments_missing), len(summary.departments_late)
    lines = [
        _("📊 Compile of {year}: green growth action plan ({decision})").format(
            year=summary.year, decision=heading.decision_number
        ),
        _("Data as of {moment}").format(moment=translator.datetime(summary.compiled_at)),
        "",
        "• "
        + _("{done}/{total} indicators have figures").format(
            done=summary.indicators_with_data, total=len(summary.indicators)
        ),
        "• "
        + _("{done}/{total} tasks have a progress report").format(
            done=summary.tasks_reported, total=len(summary.tasks)
        ),
        "• "
        + translator.ngettext(
            "{n} of {total} department has not submitted everything due",
            "{n} of {total} departments have not submitted everything due",
            missing,
        ).format(n=missing, total=len(summary.departments)),
        "• "
        + translator.ngettext("{n} department submitted late", "{n} departments submitted late", late).format(n=late),
    ]
    if summary.locked:
        lines.append("🔒 " + _("The year {year} is locked: figures can no longer change.").format(year=summary.year))
    return "\n".join(lines)


def _indicator_block(translator: Translator, line: IndicatorLine, year: int) -> str:
    _ = translator.gettext
    title = shorten(f"{line.number}. {line.name}", NAME_LIMIT)
    figure = line.figure(year)
    if figure is None:
        target = _target_phrase(translator, line)
        return f"{title}\n{INDENT}" + SEPARATOR.join([_("no figure yet"), *([target] if target else [])])
    details = [translator.percent(figure.value)]
    if (target := _target_phrase(translator, line)) is not None:
        details.append(target)
    if (progress := line.progress(year)) is not None:
        details.append(_("{progress} of the target").format(progress=translator.percent(progress)))
    if (change := line.change(year)) is not None:
        details.append(_("{change} points vs {year}").format(change=_signed(translator, change), year=year - 1))
    who = [figure.department, *([figure.officer] if figure.officer else []), translator.datetime(figure.at)]
    if figure.version > 1:
        who.append(_("corrected (version {version})").format(version=figure.version))
    return f"{title}\n{INDENT}{SEPARATOR.join(details)}\n{INDENT}{SEPARATOR.join(who)}"


def _target_phrase(translator: Translator, line: IndicatorLine) -> str | None:
    if line.target is None:
        return None
    value = translator.percent(line.target)
    if line.target_year is None:
        return translator.gettext("target {value}").format(value=value)
    return translator.gettext("target {value} by {year}").format(value=value, year=line.target_year)


def _verdict(line: DepartmentLine) -> DeliveryState:
    """The worst state among the department's outcomes (on time when all are)."""
    return next((state for state in _SEVERITY if line.count(state)), DeliveryState.ON_TIME)


def _department_blocks(translator: Translator, departments: Sequence[DepartmentLine]) -> list[str]:
    _ = translator.gettext
    if not departments:
        return [_("No department has a deadline in this year.")]
    grouped: dict[DeliveryState, list[DepartmentLine]] = {state: [] for state in _SEVERITY}
    for line in departments:
        grouped[_verdict(line)].append(line)
    blocks: list[str] = []
    if missing := grouped[DeliveryState.MISSING]:
        lines = [_("❌ Not submitted ({n}):").format(n=len(missing))]
        lines += [f"• {line.name}: {_missing_items(translator, line)}" for line in missing]
        blocks.append("\n".join(lines))
    if late := grouped[DeliveryState.LATE]:
        lines = [_("⏱ Submitted late ({n}):").format(n=len(late))]
        lines += [
            "• "
            + translator.ngettext(
                "{department}: {n} deadline late, up to {days}",
                "{department}: {n} deadlines late, up to {days}",
                line.count(DeliveryState.LATE),
            ).format(
                department=line.name,
                n=line.count(DeliveryState.LATE),
                days=translator.ngettext("{n} day", "{n} days", line.most_days_late).format(n=line.most_days_late),
            )
            for line in late
        ]
        blocks.append("\n".join(lines))
    if on_time := grouped[DeliveryState.ON_TIME]:
        blocks.append(
            _("✅ On time ({n}): {departments}").format(n=len(on_time), departments=_names([d.name for d in on_time]))
        )
    if pending := grouped[DeliveryState.PENDING]:
        blocks.append(
            _("⏳ Not yet due ({n}): {departments}").format(
                n=len(pending), departments=_names([d.name for d in pending])
            )
        )
    return blocks


def _missing_items(translator: Translator, line: DepartmentLine) -> str:
    """The first things the department still owes, with how late they are."""
    missing = [o for o in line.outcomes if o.state is DeliveryState.MISSING]
    shown = [
        f"{what_is_due(translator, o, TASK_LIMIT)} ({days_phrase(translator, -o.days_late)})"
        for o in missing[:MISSING_ITEMS_SHOWN]
    ]
    if len(missing) > MISSING_ITEMS_SHOWN:
        more = len(missing) - MISSING_ITEMS_SHOWN
        shown.append(translator.ngettext("{n} more", "{n} more", more).format(n=more))
    return "; ".join(shown)


def _task_group_block(translator: Translator, group: TaskGroupLine) -> str:
    lines = [shorten(f"{group.code}. {group.title}", GROUP_LIMIT)]
    for task in group.tasks:
        lines += _task_lines(translator, task)
    return "\n".join(lines)


def _task_lines(translator: Translator, task: TaskLine) -> list[str]:
    _ = translator.gettext
    title = shorten(f"{task.key} {task.title}", TASK_LIMIT)
    latest = task.latest
    if latest is None:
        nothing = _("no report yet")
        return [f"• {title}: {nothing}"]
    status = f"{STATUS_MARKS[latest.status]} {_(STATUS_LABELS[latest.status])}"
    lines = [f"• {title}: {status}"]
    for report in task.reports:
        said = f"{report.department}, {translator.date(report.at.astimezone(DISPLAY_ZONE).date())}"
        if len(task.reports) > 1:
            said += f" ({_(STATUS_LABELS[report.status])})"
        if report.note:
            said += f": {shorten(report.note, NOTE_LIMIT)}"
        lines.append(INDENT + said)
    return lines


# --- the weekly digest and the day after a deadline ------------------------------------------


def render_weekly(translator: Translator, digest: WeeklyDigest, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    _ = translator.gettext
    blocks = [
        "\n".join(
            [
                _("🗓 Weekly digest, {date}").format(date=translator.date(digest.today)),
                "• "
                + translator.ngettext(
                    "{n} deadline in the next {days} days",
                    "{n} deadlines in the next {days} days",
                    len(digest.upcoming),
                ).format(n=len(digest.upcoming), days=digest.window_days),
                "• "
                + translator.ngettext(
                    "{n} past deadline still lacks reports",
                    "{n} past deadlines still lack reports",
                    len(digest.overdue) + digest.overdue_more,
                ).format(n=len(digest.overdue) + digest.overdue_more),
            ]
        )
    ]
    if digest.upcoming:
        blocks += _section(
            "\n" + _("Coming up:"), [_status_block(translator, status, digest.today) for status in digest.upcoming]
        )
    if digest.overdue:
        blocks += _section(
            "\n" + _("Overdue:"), [_status_block(translator, status, digest.today) for status in digest.overdue]
        )
    if digest.overdue_more:
        blocks.append(
            translator.ngettext(
                "… and {n} more overdue deadline", "… and {n} more overdue deadlines", digest.overdue_more
            ).format(n=digest.overdue_more)
        )
    blocks.append("\n" + _("Send /tonghop for the full compile of the year."))
    return split_message(blocks, limit)


def _status_block(translator: Translator, status: DeadlineStatus, today: dt.date) -> str:
    _ = translator.gettext
    deadline = status.deadline
    days = (deadline.due_on - today).days
    head = f"• {what_is_due(translator, deadline, TASK_LIMIT)}"
    when = _("due {date} ({days})").format(date=translator.date(deadline.due_on), days=days_phrase(translator, days))
    counts = _("submitted {done}/{total}").format(done=status.delivered, total=len(status.departments))
    lines = [head, INDENT + SEPARATOR.join([when, counts])]
    not_in = status.named(DeliveryState.MISSING) + status.named(DeliveryState.PENDING)
    if not_in:
        lines.append(INDENT + _("Not submitted: {departments}").format(departments=_names(not_in, NAMES_SHOWN)))
    return "\n".join(lines)


def render_deadline_day(translator: Translator, report: DeadlineDayReport, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    _ = translator.gettext
    blocks = [
        _("📌 Deadline of {date}: who submitted").format(date=translator.date(report.due_on)),
    ]
    for status in report.deadlines:
        lines = [f"• {what_is_due(translator, status.deadline, TASK_LIMIT)}"]
        if on_time := status.named(DeliveryState.ON_TIME):
            lines.append(
                INDENT + _("✅ On time ({n}): {departments}").format(n=len(on_time), departments=_names(on_time))
            )
        if late := status.late():
            named = [
                f"{name} ({translator.ngettext('{n} day', '{n} days', days).format(n=days)})" for name, days in late
            ]
            lines.append(INDENT + _("⏱ Late ({n}): {departments}").format(n=len(late), departments=_names(named)))
        if missing := status.named(DeliveryState.MISSING) + status.named(DeliveryState.PENDING):
            lines.append(
                INDENT + _("❌ Not submitted ({n}): {departments}").format(n=len(missing), departments=_names(missing))
            )
        blocks.append("\n".join(lines))
    blocks.append("\n" + _("The departments that have not submitted keep getting reminders."))
    return split_message(blocks, limit)
