"""Cross-reference checks that pydantic cannot do entry by entry.

A plan that validates field by field can still point at a department that does not
exist or loop in its successions. These checks are pure: they return every problem
found, each naming the entry and the field, and the loader adds the file name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.plan.model import Department, DepartmentKind, Plan
from bot.plan.registry import normalize_name


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a plan, located as `<section>[<index>] (<key> <value>), field "<field>"`."""

    message: str
    section: str | None = None
    index: int | None = None
    ident: tuple[str, str | int] | None = None
    field: str | None = None

    def where(self) -> str:
        """The entry and field, e.g. `tasks[3] (id "I.4"), field "lead"`; empty for the whole file."""
        parts: list[str] = []
        if self.section is not None:
            entry = self.section if self.index is None else f"{self.section}[{self.index}]"
            if self.ident is not None:
                key, value = self.ident
                entry += f' ({key} "{value}")' if isinstance(value, str) else f" ({key} {value})"
            parts.append(entry)
        if self.field is not None:
            parts.append(f'field "{self.field}"')
        return ", ".join(parts)

    def describe(self, source: object) -> str:
        """The full message line: `<file>: <where>: <message>`."""
        where = self.where()
        return f"{source}: {where}: {self.message}" if where else f"{source}: {self.message}"


def find_problems(plan: Plan) -> list[Problem]:
    """Every cross-reference problem in the plan, in file order; empty when the plan is consistent."""
    checks: Sequence[Callable[[Plan], Iterable[Problem]]] = (
        _unique_keys,
        _unique_names,
        _known_codes,
        _successions,
        _group_cycles,
        _task_groups,
    )
    return [problem for check in checks for problem in check(plan)]


def _department(index: int, department: Department, field: str | None, message: str) -> Problem:
    return Problem(message, "departments", index, ("code", department.code), field)


def _unique_keys(plan: Plan) -> Iterable[Problem]:
    sections: tuple[tuple[str, str, Sequence[str | int]], ...] = (
        ("departments", "code", [department.code for department in plan.departments]),
        ("task_groups", "code", [group.code for group in plan.task_groups]),
        ("tasks", "id", [task.id for task in plan.tasks]),
        ("indicators", "id", [indicator.id for indicator in plan.indicators]),
    )
    for section, key, values in sections:
        first_index: dict[str | int, int] = {}
        for index, value in enumerate(values):
            if value in first_index:
                shown = f'"{value}"' if isinstance(value, str) else str(value)
                message = f"duplicate {key} {shown} (first used by {section}[{first_index[value]}])"
                yield Problem(message, section, index, (key, value), key)
            else:
                first_index[value] = index


def _unique_names(plan: Plan) -> Iterable[Problem]:
    """Names and aliases must not be shared across departments, or `resolve` would guess."""
    owner: dict[str, tuple[int, str]] = {}
    for index, department in enumerate(plan.departments):
        spellings = [("name", department.name)]
        spellings += [(f"aliases[{n}]", alias) for n, alias in enumerate(department.aliases)]
        for field, spelling in spellings:
            key = normalize_name(spelling)
            other = owner.setdefault(key, (index, department.code))
            if other[1] != department.code:
                message = f'"{spelling}" already names departments[{other[0]}] (code "{other[1]}")'
                yield _department(index, department, field, message)


def _known_codes(plan: Plan) -> Iterable[Problem]:
    known = {department.code for department in plan.departments}

    def unknown(codes: Iterable[str]) -> Iterable[str]:
        return (f'unknown department code "{code}"' for code in codes if code not in known)

    for field, codes in (
        ("planning_office", [plan.reporting.planning_office]),
        ("reporters", plan.reporting.reporters),
    ):
        yield from (Problem(message, "reporting", None, None, field) for message in unknown(codes))
    for index, department in enumerate(plan.departments):
        for message in unknown(department.members):
            yield _department(index, department, "members", message)
        if department.replaced_by is not None:
            for message in unknown([department.replaced_by.successor]):
                yield _department(index, department, "replaced_by.successor", message)
    for index, task in enumerate(plan.tasks):
        for field in ("lead", "coordinators"):
            for message in unknown(getattr(task, field)):
                yield Problem(message, "tasks", index, ("id", task.id), field)
    for index, indicator in enumerate(plan.indicators):
        for field in ("lead", "coordinators"):
            for message in unknown(getattr(indicator, field)):
                yield Problem(message, "indicators", index, ("id", indicator.id), field)


def _successions(plan: Plan) -> Iterable[Problem]:
    """A successor must be a real body formed in time, and chains must end."""
    by_code = {department.code: department for department in plan.departments}
    index_of = {department.code: index for index, department in reversed(list(enumerate(plan.departments)))}
    reported: set[frozenset[str]] = set()
    for index, department in enumerate(plan.departments):
        succession = department.replaced_by
        if succession is None or succession.successor not in by_code:
            continue
        successor = by_code[succession.successor]
        if successor.kind is DepartmentKind.GROUP:
            message = f'successor "{successor.code}" is a group, not a body that can take over'
            yield _department(index, department, "replaced_by.successor", message)
        if successor.established is not None and successor.established > succession.effective:
            message = (
                f'successor "{successor.code}" is established only on '
                f"{successor.established.isoformat()}, after {succession.effective.isoformat()}"
            )
            yield _department(index, department, "replaced_by.effective", message)
        path = [department.code]
        current = by_code.get(succession.successor)
        while current is not None and current.code not in path:
            path.append(current.code)
            nxt = current.replaced_by.successor if current.replaced_by is not None else None
            current = by_code.get(nxt) if nxt is not None else None
        if current is None:
            continue
        cycle = path[path.index(current.code) :]
        if frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        first = min(cycle, key=index_of.__getitem__)
        start = cycle.index(first)
        ordered = [*cycle[start:], *cycle[:start], first]
        message = f"succession cycle {' → '.join(ordered)}"
        yield _department(index_of[first], by_code[first], "replaced_by", message)


def _group_cycles(plan: Plan) -> Iterable[Problem]:
    groups = {d.code: d for d in plan.departments if d.kind is DepartmentKind.GROUP}
    index_of = {department.code: index for index, department in reversed(list(enumerate(plan.departments)))}
    finished: set[str] = set()

    def visit(code: str, path: list[str]) -> list[str] | None:
        if code in path:
            return [*path[path.index(code) :], code]
        if code in finished or code not in groups:
            return None
        for member in groups[code].members:
            cycle = visit(member, [*path, code])
            if cycle is not None:
                return cycle
        finished.add(code)
        return None

    for code in groups:
        cycle = visit(code, [])
        if cycle is not None:
            finished.update(cycle)
            message = f"group cycle {' → '.join(cycle)}"
            yield _department(index_of[cycle[0]], groups[cycle[0]], "members", message)


def _task_groups(plan: Plan) -> Iterable[Problem]:
    known = {group.code for group in plan.task_groups}
    for index, task in enumerate(plan.tasks):
        if task.group not in known:
            yield Problem(f'unknown task group "{task.group}"', "tasks", index, ("id", task.id), "group")
        elif task.id.split(".")[0] != task.group:
            message = f'id "{task.id}" does not start with its group "{task.group}"'
            yield Problem(message, "tasks", index, ("id", task.id), "id")
