"""`greenbot plan check`: the plan as readable tables for the person who loads it."""

from __future__ import annotations

from bot.i18n import Translator
from bot.plan.labels import deadline_kind_label, department_kind_label
from bot.plan.loader import LoadedPlan
from bot.plan.registry import DepartmentRegistry
from bot.text_table import render_table
from scheduler.deadlines import Deadline


def _deadlines_text(deadlines: list[Deadline], translator: Translator) -> str:
    return "; ".join(f"{translator.date(d.due)} {deadline_kind_label(d.kind, translator)}" for d in deadlines)


def _regime_text(loaded: LoadedPlan, translator: Translator) -> str:
    _ = translator.gettext
    regime = loaded.plan.reporting
    registry = DepartmentRegistry(loaded.plan)
    office = registry.display_name(regime.planning_office)
    due = regime.annual_report_due
    consolidated = regime.consolidated_report_due
    return _(
        "Reporting regime ({first}-{last}): every year by {day}, the units report to {recipient} through {office}; "
        "{office} consolidates and reports to {upstream} by {consolidated_day}."
    ).format(
        first=regime.years.start,
        last=regime.years.end,
        day=translator.day_month(due.month, due.day),
        recipient=regime.recipient,
        office=office,
        upstream=regime.upstream,
        consolidated_day=translator.day_month(consolidated.month, consolidated.day),
    )


def render_plan_report(loaded: LoadedPlan, translator: Translator) -> str:
    """Departments, tasks and indicators with their derived deadlines, and the reporting regime."""
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
                    department_kind_label(d.kind, translator),
                    f"{d.replaced_by.successor} ({translator.date(d.replaced_by.effective)})" if d.replaced_by else "",
                ]
                for d in plan.departments
            ],
            [18, 46, 14, 22],
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
            [6, 40, 14, 18, 22, 32],
        ),
        _("Annex II indicators ({count})").format(count=len(plan.indicators)),
        render_table(
            [_("No."), _("Indicator"), _("Lead"), _("Coordinating"), _("Target"), _("Deadlines")],
            [
                [
                    str(i.id),
                    i.name,
                    ", ".join(i.lead),
                    ", ".join(i.coordinators),
                    f"{translator.percent(i.target.value)} ({i.target.year})" if i.target else "-",
                    _deadlines_text(loaded.indicator_deadlines[i.id], translator),
                ]
                for i in plan.indicators
            ],
            [4, 44, 8, 10, 12, 32],
        ),
        _regime_text(loaded, translator),
        _deadlines_text(loaded.regime_deadlines, translator),
    ]
    return "\n\n".join(sections)
