"""Load and validate a plan file. INTERFACE STUB - to be implemented."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.plan.model import Plan
from scheduler.deadlines import Deadline

DEFAULT_PLAN_PATH = Path(__file__).parent / "data" / "kon-tum-514-2013.yaml"


class PlanError(Exception):
    """A plan file that cannot be used; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class LoadedPlan:
    source: Path
    plan: Plan
    task_deadlines: dict[str, list[Deadline]]
    indicator_deadlines: dict[int, list[Deadline]]
    regime_deadlines: list[Deadline]


def load_plan(path: Path | None = None) -> LoadedPlan:
    raise NotImplementedError
