"""Load a plan file: YAML, then pydantic, then cross-references, then dated deadlines.

A province maintains its plan as a YAML file, so every mistake in it must come back
as one PlanError whose lines name the file, the entry and the field, in the form
`<file>: tasks[3] (id "I.4"), field "lead": unknown department code "SXYZ"`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.plan.checks import Problem, find_problems
from bot.plan.model import Plan, Task
from scheduler import deadlines as rules
from scheduler.deadlines import Deadline, TimeframeError

DEFAULT_PLAN_PATH = Path(__file__).parent / "data" / "kon-tum-514-2013.yaml"

_IDENTITY_KEYS = ("id", "code")


class PlanError(Exception):
    """A plan file that cannot be used; the message names the file, the entry and the field."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class LoadedPlan:
    source: Path
    plan: Plan
    task_deadlines: dict[str, list[Deadline]]
    indicator_deadlines: dict[int, list[Deadline]]
    regime_deadlines: list[Deadline]


def load_plan(path: Path | None = None) -> LoadedPlan:
    """Read, validate and date the plan at `path` (the shipped Kon Tum plan by default)."""
    source = DEFAULT_PLAN_PATH if path is None else path
    return load_plan_text(_read_text(source), source)


def load_plan_text(text: str, source: Path) -> LoadedPlan:
    """Like `load_plan` for text already in memory; `source` is only used in messages."""
    plan = parse_plan(text, source)
    return _with_deadlines(plan, source)


def read_plan(path: Path | None = None) -> Plan:
    """The validated plan without deadlines, for tools that only need names and rows."""
    source = DEFAULT_PLAN_PATH if path is None else path
    return parse_plan(_read_text(source), source)


def parse_plan(text: str, source: Path) -> Plan:
    """YAML text to a checked Plan: syntax, then field types, then cross-references."""
    data = _parse_yaml(text, source)
    if data is None:
        raise PlanError(f"{source}: the plan file is empty")
    if not isinstance(data, dict):
        raise PlanError(f"{source}: the top level must be a mapping with plan, reporting, departments, ...")
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError([_pydantic_problem(error, data).describe(source) for error in exc.errors()]) from None
    problems = find_problems(plan)
    if problems:
        raise PlanError([problem.describe(source) for problem in problems])
    return plan


def _read_text(source: Path) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(f"{source}: plan file not found") from None
    except UnicodeDecodeError as exc:
        raise PlanError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise PlanError(f"{source}: cannot read the plan file: {exc.strerror or exc}") from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load, except that a key given twice is an error instead of silently winning."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue  # the base class reports unhashable keys itself
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _parse_yaml(text: str, source: Path) -> object:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        raise PlanError(f"{source}: {_describe_yaml_error(exc)}") from None
    except yaml.YAMLError as exc:
        raise PlanError(f"{source}: YAML syntax error: {exc}") from None


def _describe_yaml_error(exc: yaml.MarkedYAMLError) -> str:
    """`line 8, column 1: YAML syntax error: <problem> (<context> on line 6)`; lines count from 1."""
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    message = f"{where}YAML syntax error: {exc.problem or exc.context or 'unreadable YAML'}"
    if exc.problem and exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        message += f" ({exc.context} on line {exc.context_mark.line + 1})"
    return message


def _pydantic_problem(error: ErrorDetails, data: dict[str, Any]) -> Problem:
    """Turn a pydantic location such as ("tasks", 3, "lead", 0) into entry and field."""
    loc = list(error["loc"])
    message = _pydantic_message(error)
    if len(loc) <= 1:
        return Problem(message, field=str(loc[0]) if loc else None)
    section = str(loc[0])
    index: int | None = None
    ident: tuple[str, str | int] | None = None
    rest = loc[1:]
    if isinstance(rest[0], int):
        index, rest = rest[0], rest[1:]
        ident = _identity(data.get(section), index)
    return Problem(message, section, index, ident, _field_path(rest) if rest else None)


def _pydantic_message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown key (not part of the plan format)"
    message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = error.get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        message += f" (got {value!r})"
    return message


def _identity(entries: object, index: int) -> tuple[str, str | int] | None:
    """The id or code of a list entry in the raw data, so messages can name it."""
    if not isinstance(entries, list) or not 0 <= index < len(entries):
        return None
    entry = entries[index]
    if not isinstance(entry, dict):
        return None
    for key in _IDENTITY_KEYS:
        value = entry.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return key, value
    return None


def _field_path(parts: Sequence[int | str]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _with_deadlines(plan: Plan, source: Path) -> LoadedPlan:
    """Date every task, indicator and the regime; a timeframe no rule understands is a PlanError."""
    task_deadlines: dict[str, list[Deadline]] = {}
    problems: list[str] = []
    for index, task in enumerate(plan.tasks):
        try:
            task_deadlines[task.id] = _task_deadlines(task, plan)
        except TimeframeError as exc:
            problem = Problem(str(exc), "tasks", index, ("id", task.id), "timeframe")
            problems.append(problem.describe(source))
    if problems:
        raise PlanError(problems)
    return LoadedPlan(
        source=source,
        plan=plan,
        task_deadlines=task_deadlines,
        indicator_deadlines={
            item.id: rules.indicator_deadlines(item, plan.reporting) for item in plan.indicators
        },
        regime_deadlines=rules.regime_deadlines(plan.reporting),
    )


def _task_deadlines(task: Task, plan: Plan) -> list[Deadline]:
    """Dates written in the file win over what the timeframe phrase would give."""
    if task.deadlines is None:
        return rules.derive_deadlines(task.timeframe, plan.reporting)
    return [
        Deadline(
            due=explicit.date,
            kind=explicit.kind,
            period_year=explicit.period_year if explicit.period_year is not None else explicit.date.year,
            label=explicit.label,
        )
        for explicit in task.deadlines
    ]
