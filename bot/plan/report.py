"""`greenbot plan check`: the plan as readable tables for the person who loads it."""

from __future__ import annotations

from bot.i18n import Translator
from bot.plan.loader import LoadedPlan
from bot.text_table import render_table
from scheduler.deadlines import Deadline


def _deadlines_text(deadlines: list[Deadline], translator: Translator) -> str:
    return "; ".join(f"{translator.date(d.due)} {d.kind.value}" for d in deadlines)


def render_plan_report(loaded: LoadedPlan, translator: Translator) -> str:
    """Departments, tasks with their derived deadlines, indicators with targets, the regime."""
    _ = translator.gettext
    plan = loaded.plan
    info = plan.plan
    sections = [
        f"{info.title}\n{info.decision_number} - {translator.date(info.decision_date)} - {info.issuing_body}\n"
        + _("File: {path}").format(path=loaded.source),
        _("Departments ({count})").format(count=len(plan.departments)),
        render_table(
            [_("Code"), _("Name"), _("Kind"), _("Successor")],
            [
                [
                    d.code,
                    d.name,
                    d.kind.value,
                    f"{d.replaced_by.successor} ({translator.date(d.replaced_by.effective)})" if d.replaced_by else "",
                ]
                for d in plan.departments
            ],
            [10, 48, 12, 22],
        ),
        _("Annex I tasks ({count})").format(count=len(plan.tasks)),
        render_table(
            [_("No."), _("Task"), _("Lead"), _("Coordinating"), _("Timeframe"), _("Deadlines")],
            [
                [
                    t.id,
                    t.title,
                    ", ".join(t.lead),
                    ", ".join(t.coordinators),
                    t.timeframe,
                    _deadlines_text(loaded.task_deadlines[t.id], translator),
                ]
                for t in plan.tasks
            ],
            [6, 40, 14, 16, 22, 30],
        ),
        _("Annex II indicators ({count})").format(count=len(plan.indicators)),
        render_table(
            [_("No."), _("Indicator"), _("Lead"), _("Coordinating"), _("Target")],
            [
                [
                    str(i.id),
                    i.name,
                    ", ".join(i.lead),
                    ", ".join(i.coordinators),
                    f"{translator.percent(i.target.value)} ({i.target.year})" if i.target else "-",
                ]
                for i in plan.indicators
            ],
            [4, 60, 10, 14, 14],
        ),
        _("Reporting regime: yearly reports to {recipient} through {office}, due {day}").format(
            recipient=plan.reporting.recipient,
            office=plan.reporting.planning_office,
            day=str(plan.reporting.annual_report_due),
        ),
        _deadlines_text(loaded.regime_deadlines, translator),
    ]
    return "\n\n".join(sections)
