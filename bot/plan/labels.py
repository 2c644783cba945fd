"""Human names for the plan's enum values (msgids: translate with a Translator at the edge).

Reports, reminders and summaries all show these; the plan file and the database keep the
stable English values.
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.plan.model import DeadlineKind, DepartmentKind

DEADLINE_KIND_LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.ONE_OFF: N_("completion"),
    DeadlineKind.ANNUAL_REPORT: N_("annual report"),
    DeadlineKind.FINAL_EVALUATION: N_("evaluation report"),
    DeadlineKind.PLAN_SUBMISSION: N_("annual plan"),
    DeadlineKind.FIVE_YEAR_PLAN_SUBMISSION: N_("five-year plan"),
    DeadlineKind.CONSOLIDATED_REPORT: N_("consolidated report"),
}

DEPARTMENT_KIND_LABELS: dict[DepartmentKind, str] = {
    DepartmentKind.DEPARTMENT: N_("department"),
    DepartmentKind.BOARD: N_("board"),
    DepartmentKind.MEDIA: N_("press"),
    DepartmentKind.LOCALITY: N_("district/city"),
    DepartmentKind.ORGANISATION: N_("organisation"),
    DepartmentKind.GROUP: N_("group"),
}


def deadline_kind_label(kind: DeadlineKind, translator: Translator) -> str:
    return translator.gettext(DEADLINE_KIND_LABELS[kind])


def department_kind_label(kind: DepartmentKind, translator: Translator) -> str:
    return translator.gettext(DEPARTMENT_KIND_LABELS[kind])
