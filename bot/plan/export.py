"""The loaded plan as plain JSON data: `greenbot plan show --json` prints this shape.

Keep the documented keys stable (plan, departments, tasks, indicators and their fields);
other keys may be added.
"""

from __future__ import annotations

from typing import Any

from bot.plan.loader import LoadedPlan
from scheduler.deadlines import Deadline


def _deadline(deadline: Deadline) -> dict[str, Any]:
    return {
        "date": deadline.due.isoformat(),
        "kind": deadline.kind.value,
        "period_year": deadline.period_year,
        "label": deadline.label,
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def plan_as_json(loaded: LoadedPlan) -> dict[str, Any]:
    plan = loaded.plan
    info = plan.plan
    return {
        "plan": {
            **info.model_dump(mode="json"),
            "source": str(loaded.source),
        },
        "reporting": {
            **plan.reporting.model_dump(mode="json"),
            "annual_report_due": str(plan.reporting.annual_report_due),
            "consolidated_report_due": str(plan.reporting.consolidated_report_due),
            "annual_plan_due": str(plan.reporting.annual_plan_due),
            "five_year_plan_due": str(plan.reporting.five_year_plan_due),
            "deadlines": [_deadline(d) for d in loaded.regime_deadlines],
        },
        "departments": [
            {
                "code": department.code,
                "name": department.name,
                "aliases": list(department.aliases),
                "kind": department.kind.value,
                "members": list(department.members),
                "replaced_by": department.replaced_by.model_dump(mode="json") if department.replaced_by else None,
                "dissolved": department.dissolved.isoformat() if department.dissolved else None,
            }
            for department in plan.departments
        ],
        "tasks": [
            {
                "id": task.id,
                "group": task.group,
                "title": task.title,
                "lead": list(task.lead),
                "coordinators": list(task.coordinators),
                "lead_text": task.lead_text,
                "coordinators_text": task.coordinators_text,
                "timeframe": task.timeframe,
                "deadlines": [_deadline(d) for d in loaded.task_deadlines[task.id]],
            }
            for task in plan.tasks
        ],
        "indicators": [
            {
                "id": indicator.id,
                "name": indicator.name,
                "unit": indicator.unit,
                "lead": list(indicator.lead),
                "coordinators": list(indicator.coordinators),
                "target": (
                    {"value": _number(indicator.target.value), "year": indicator.target.year}
                    if indicator.target
                    else None
                ),
                "period": {"start": indicator.period.start, "end": indicator.period.end},
                "deadlines": [_deadline(d) for d in loaded.indicator_deadlines[indicator.id]],
            }
            for indicator in plan.indicators
        ],
    }
