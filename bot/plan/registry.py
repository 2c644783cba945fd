"""Who is who in a plan: look departments up by code or by any spelling, and route by date.

The plan text names agencies as they were in 2013; many have since merged or been
abolished. Rows keep the plan's codes, and this registry answers "who does this
work on that date" from the `replaced_by` / `dissolved` data. Pure, no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator

from bot.plan.model import Department, DepartmentKind, Plan, Succession

# Old ("hoá", "thuỷ") and new ("hóa", "thủy") tone-mark placement are both in
# everyday use; map both to one form so either spelling matches.
_TONE_PLACEMENT = {
    "oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oé": "óe", "oè": "òe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
_TONE_PATTERN = re.compile("|".join(_TONE_PLACEMENT))
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_SEPARATORS = re.compile(r"[&,;:.()\"/\-–—]+")
_EXPANSIONS = {"ubnd": "ủy ban nhân dân", "tp": "thành phố"}
_DROPPED_WORDS = frozenset({"và"})


def normalize_name(text: str) -> str:
    """A matching key: NFC, casefold, one tone placement, "&"/"và"/punctuation ignored, "UBND" spelt out.

    "Sở KH&ĐT" and "Sở KH và ĐT", "Sở Thông tin truyền thông" and "Sở Thông tin và
    Truyền thông", "Ủy ban" and "Uỷ ban" all give the same key.
    """
    key = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHES)
    key = _TONE_PATTERN.sub(lambda match: _TONE_PLACEMENT[match.group(0)], key)
    key = _SEPARATORS.sub(" ", key)
    words = (_EXPANSIONS.get(word, word) for word in key.split() if word not in _DROPPED_WORDS)
    return " ".join(words)


class UnknownDepartmentError(KeyError):
    """A code or name that the plan does not define; a KeyError so dict-style callers can catch it."""

    def __init__(self, query: str, message: str) -> None:
        super().__init__(message)
        self.query = query

    def __str__(self) -> str:
        # KeyError.__str__ would show the repr of the message, quotes and all.
        return str(self.args[0])


#: Routing answers kept per (code, date); cleared when full, so a bot running for years stays small.
ROUTE_CACHE_LIMIT = 50_000
#: Answers kept per date (predecessors); a running bot asks about a handful of dates a day.
PER_DATE_CACHE_LIMIT = 64


class DepartmentRegistry:
    """Read-only view of a plan's departments: lookup, group expansion and succession by date."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._by_code: dict[str, Department] = {}
        self._by_name: dict[str, str] = {}
        # The registry never changes after construction, so routing answers are kept: a reminder
        # round asks the same (code, date) questions thousands of times.
        self._routes: dict[tuple[str, dt.date], tuple[str, ...]] = {}
        self._taken_over: dict[dt.date, dict[str, tuple[str, ...]]] = {}
        for department in plan.departments:
            self._by_code.setdefault(department.code, department)
            for name in (department.name, *department.aliases):
                self._by_name.setdefault(normalize_name(name), department.code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Department]:
        return iter(self._by_code.values())

    def get(self, code: str) -> Department:
        """The department with this exact code."""
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownDepartmentError(code, f"unknown department code {code!r}") from None

    def resolve(self, name_or_alias: str) -> Department:
        """The department a user or a document means, by code, name or alias, however spelt."""
        stripped = name_or_alias.strip()
        if stripped.upper() in self._by_code:
            return self._by_code[stripped.upper()]
        code = self._by_name.get(normalize_name(stripped))
        if code is None:
            raise UnknownDepartmentError(name_or_alias, f"no department is called {name_or_alias!r}")
        return self._by_code[code]

    def display_name(self, code: str) -> str:
        """The full Vietnamese name, for messages."""
        return self.get(code).name

    def expand(self, code: str) -> list[str]:
        """The non-group codes a code stands for: groups recursively, document order, no repeats."""
        result: list[str] = []
        self._expand_into(code, result, ())
        return result

    def _expand_into(self, code: str, result: list[str], path: tuple[str, ...]) -> None:
        if code in path:
            raise ValueError(f"group cycle: {' → '.join((*path, code))}")
        department = self.get(code)
        if department.kind is not DepartmentKind.GROUP:
            if code not in result:
                result.append(code)
            return
        for member in department.members:
            self._expand_into(member, result, (*path, code))

    def successor_on(self, code: str, on: dt.date) -> str | None:
        """Who does this department's work on `on`: itself, a successor, or None (gone or not yet formed)."""
        current = code
        seen: set[str] = set()
        while True:
            if current in seen:
                raise ValueError(f"succession cycle through {current!r}")
            seen.add(current)
            department = self.get(current)
            if department.exists_on(on):
                return current
            if department.replaced_by is not None and department.replaced_by.effective <= on:
                current = department.replaced_by.successor
                continue
            return None  # not formed yet, or dissolved with no successor

    def predecessors(self, code: str, on: dt.date) -> tuple[str, ...]:
        """Departments whose work ``code`` has taken over by ``on`` (mergers), not counting itself.

        Worked out for every department at once per date and kept: a summary asks it of each of
        hundreds of departments.
        """
        taken_over = self._taken_over.get(on)
        if taken_over is None:
            found: dict[str, list[str]] = {}
            for department in self._by_code.values():
                if department.kind is DepartmentKind.GROUP:
                    continue
                successor = self.successor_on(department.code, on)
                if successor is not None and successor != department.code:
                    found.setdefault(successor, []).append(department.code)
            if len(self._taken_over) >= PER_DATE_CACHE_LIMIT:
                self._taken_over.clear()
            taken_over = self._taken_over[on] = {code: tuple(codes) for code, codes in found.items()}
        return taken_over.get(code, ())

    def route(self, code: str, on: dt.date) -> list[str]:
        """Who answers on `on` for what the plan gave to `code`: groups expanded, successions followed."""
        cached = self._routes.get((code, on))
        if cached is None:
            result: list[str] = []
            for member in self.expand(code):
                current = self.successor_on(member, on)
                if current is not None and current not in result:
                    result.append(current)
            if len(self._routes) >= ROUTE_CACHE_LIMIT:
                self._routes.clear()
            cached = self._routes[(code, on)] = tuple(result)
        return list(cached)

    def route_all(self, codes: list[str], on: dt.date) -> list[str]:
        """`route` over several codes (a task's lead or coordinators), in order, without repeats."""
        result: dict[str, None] = {}
        for code in codes:
            result.update(dict.fromkeys(self.route(code, on)))
        return list(result)

    def planning_office(self, on: dt.date) -> str:
        """The office that receives and consolidates the reports on `on` (IV.3), after any merger."""
        routed = self.route(self._plan.reporting.planning_office, on)
        if not routed:
            raise LookupError(f"no body holds the planning-office role on {on.isoformat()}")
        return routed[0]

    def reporters(self, on: dt.date) -> list[str]:
        """The units that must report on `on` (IV.3), after mergers and abolitions."""
        return self.route_all(self._plan.reporting.reporters, on)

    def upstream_on(self, on: dt.date) -> str:
        """The ministry the province reports to on `on` (Bộ Tài chính from 2025-03-01)."""
        regime = self._plan.reporting
        return _named_on(regime.upstream, regime.upstream_succession, on)

    def province_on(self, on: dt.date) -> str:
        """The province the plan belongs to on `on` (Kon Tum, then Quảng Ngãi from 2025-07-01)."""
        info = self._plan.plan
        return _named_on(info.province, info.province_succession, on)


def _named_on(original: str, succession: Succession | None, on: dt.date) -> str:
    """A body known only by name (province, ministry): its successor's name once in effect."""
    if succession is not None and succession.effective <= on:
        return succession.successor
    return original
