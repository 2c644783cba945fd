"""Planning at national scale: the reminder schedule for 34 provinces x 30 departments x 3 officers x 20 deadlines.

Run: ``.venv/bin/python -m bench.planning`` (``--provinces`` / ``--days`` to shrink it while trying things,
``--experiments`` to add the labelled non-production variant).

Pure: no database, no Telegram. It builds synthetic ``DueItem`` and ``Recipient`` lists for 1,020 departments
(20 deadlines each in 2015, 3 officers each) and times, with the shipped holiday calendar:

(a) the whole year's schedule: ``occurrences`` for every (department, deadline), up to the day the department
    delivers, times its officers, plus one escalation per late deadline to each planning-office admin;
(b) one ``plan_round`` at a busy instant (16/12/2015 08:30 local: the day after the 15/12 deadlines, so the
    due-day and +1 reminders and the escalations of the yearly report are all due);
(c) ``plan_round`` at 08:30 local on every day of the year (365 calls: the daily round). The distinct send
    keys it plans should come close to (a): the send log would claim each of them once.

The delivery mix is deterministic (seeded): 70% of department-deadline pairs delivered up to two weeks
early, 20% up to 45 days late, 10% never in the year. A round sees ``delivered`` as of its own day, and
escalations already sent on earlier days, as ``ReminderService.prepare_round`` would load them.

Wall times come from a pass without tracemalloc (it slows this allocation-heavy code about 4x). Peak
memory: tracemalloc in a second pass ((c): the busiest day's call only, the sweep keeps no plan between
days), and the process's ru_maxrss high-water mark.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import functools
import gc
import json
import random
import resource
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final, TypeVar
from unittest import mock

import bot.services.reminder_plan
from bench.system import machine
from bot.plan.model import DeadlineKind
from bot.services.deadline_view import DueItem
from bot.services.reminder_plan import Recipient, RoundPlan, plan_round
from scheduler.reminder_schedule import (
    Purpose,
    ReminderPolicy,
    escalation_occurrence,
    latest_occurrence,
    occurrences,
)
from scheduler.work_calendar import load_work_calendar
from storage.enums import DepartmentRole, SubjectType
from storage.repositories.reminders import SendKey

PROVINCES: Final = 34
DEPARTMENTS_PER_PROVINCE: Final = 30
OFFICERS_PER_DEPARTMENT: Final = 3
ESCALATION_RECIPIENTS: Final = 3  # the planning office's admins who get the "who is late" message
YEAR: Final = 2015
#: Per department: 6 deadlines shared by the province + 10 tasks it leads + 4 tasks it coordinates = 20.
SHARED_DUE: Final = (
    ((12, 15), SubjectType.REGIME, DeadlineKind.ANNUAL_REPORT, None, "Báo cáo năm"),
    ((3, 31), SubjectType.INDICATOR, DeadlineKind.ONE_OFF, DepartmentRole.LEAD, "Số liệu quý I"),
    ((6, 30), SubjectType.INDICATOR, DeadlineKind.ONE_OFF, DepartmentRole.LEAD, "Số liệu quý II"),
    ((7, 31), SubjectType.REGIME, DeadlineKind.PLAN_SUBMISSION, None, "Kế hoạch năm sau"),
    ((9, 30), SubjectType.INDICATOR, DeadlineKind.ONE_OFF, DepartmentRole.LEAD, "Số liệu quý III"),
    ((12, 31), SubjectType.INDICATOR, DeadlineKind.ONE_OFF, DepartmentRole.LEAD, "Số liệu quý IV"),
)
LED_TASKS: Final = 10
COORDINATED_TASKS_PER_LEAD: Final = 2  # the first 2 tasks of each department name 2 coordinators each
COORDINATORS_PER_TASK: Final = 2
ON_TIME_SHARE: Final = 0.7
LATE_SHARE: Final = 0.2  # the rest never deliver in the year
EARLY_DAYS_MAX: Final = 14
LATE_DAYS_MAX: Final = 45
BUSY_INSTANT: Final = dt.datetime(2015, 12, 16, 8, 30)  # local
ROUND_TIME: Final = dt.time(8, 30)  # local: the daily round, just after REMINDER_TIME (08:00)
SEED: Final = 2015
MIB: Final = 2**20
PRODUCTION: Final = "production"
MEMOISED: Final = "memoised"  # EXPERIMENT label

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Assignment:
    """One (department, deadline) pair in both states, and the day the department delivers (None: never)."""

    pending: DueItem
    done: DueItem
    delivered_on: dt.date | None

    def as_of(self, day: dt.date) -> DueItem:
        return self.done if self.delivered_on is not None and self.delivered_on <= day else self.pending


@dataclass(frozen=True)
class Registry:
    """The synthetic national registry: what ``ReminderService.prepare_round`` would have loaded."""

    assignments: dict[str, list[Assignment]]
    recipients: dict[str, list[Recipient]]
    admins: list[Recipient]

    @property
    def pair_count(self) -> int:
        return sum(len(rows) for rows in self.assignments.values())

    @property
    def deadline_count(self) -> int:
        return len({row.pending.deadline_id for rows in self.assignments.values() for row in rows})

    def items_on(self, day: dt.date) -> dict[str, list[DueItem]]:
        return {code: [row.as_of(day) for row in rows] for code, rows in self.assignments.items()}


@dataclass(frozen=True)
class Escalations:
    """When each deadline's single escalation goes out, for the deadlines late on that day."""

    days: dict[int, dt.date] = field(default_factory=dict)

    @classmethod
    def of(cls, registry: Registry, policy: ReminderPolicy) -> Escalations:
        late: dict[int, dt.date] = {}
        for rows in registry.assignments.values():
            for row in rows:
                item = row.pending
                if item.role is DepartmentRole.COORDINATOR:
                    continue
                day = escalation_occurrence(item.due_on, policy).send_on
                if row.delivered_on is None or row.delivered_on > day:
                    late[item.deadline_id] = day
        return cls(late)

    def sent_before(self, day: dt.date) -> frozenset[int]:
        """``already_escalated`` for a round on ``day``: the send log holds the earlier days' escalations."""
        return frozenset(deadline for deadline, sent in self.days.items() if sent < day)


def _item(
    deadline_id: int,
    due: dt.date,
    subject: SubjectType,
    kind: DeadlineKind,
    role: DepartmentRole | None,
    title: str,
    task_key: str | None = None,
) -> DueItem:
    return DueItem(
        deadline_id=deadline_id,
        subject_type=subject,
        kind=kind,
        due_on=due,
        period_year=due.year,
        task_key=task_key,
        indicator_number=None,
        title=title,
        role=role,
        delivered=False,
        days_left=0,  # plan_round does not read it
    )


def _delivered_on(rng: random.Random, due: dt.date) -> dt.date | None:
    draw = rng.random()
    if draw < ON_TIME_SHARE:
        return due - dt.timedelta(days=rng.randint(0, EARLY_DAYS_MAX))
    if draw < ON_TIME_SHARE + LATE_SHARE:
        return due + dt.timedelta(days=rng.randint(1, LATE_DAYS_MAX))
    return None


def _task_due(rng: random.Random) -> dt.date:
    """Plan rows fall due mid-month or at a month's end."""
    month = rng.randint(1, 12)
    day = rng.choice((15, calendar.monthrange(YEAR, month)[1]))
    return dt.date(YEAR, month, day)


def build_registry(provinces: int) -> Registry:
    """Deterministic: the same seed gives the same dates and deliveries on every run."""
    rng = random.Random(SEED)
    assignments: defaultdict[str, list[Assignment]] = defaultdict(list)
    recipients: dict[str, list[Recipient]] = {}
    deadline_ids = iter(range(1, 10**9))
    officer_ids = iter(range(1, 10**9))

    def assign(code: str, item: DueItem) -> None:
        assignments[code].append(Assignment(item, replace(item, delivered=True), _delivered_on(rng, item.due_on)))

    for province in range(provinces):
        codes = [f"P{province:02d}D{department:02d}" for department in range(DEPARTMENTS_PER_PROVINCE)]
        for code in codes:
            recipients[code] = [
                Recipient(officer, 7_000_000 + officer, f"Cán bộ {officer}", "vi", code)
                for officer in (next(officer_ids) for _ in range(OFFICERS_PER_DEPARTMENT))
            ]
        for (month, day), subject, kind, role, title in SHARED_DUE:
            deadline_id = next(deadline_ids)  # one deadline per province, every department on it
            for code in codes:
                assign(code, _item(deadline_id, dt.date(YEAR, month, day), subject, kind, role, title))
        for index, code in enumerate(codes):
            for task in range(LED_TASKS):
                due, key, deadline_id = _task_due(rng), f"{code}.{task}", next(deadline_ids)
                assign(
                    code, _item(deadline_id, due, SubjectType.TASK, DeadlineKind.ONE_OFF, DepartmentRole.LEAD, key, key)
                )
                if task >= COORDINATED_TASKS_PER_LEAD:
                    continue
                for step in range(1, COORDINATORS_PER_TASK + 1):
                    other = codes[(index + step) % len(codes)]
                    coordinator = DepartmentRole.COORDINATOR
                    assign(
                        other, _item(deadline_id, due, SubjectType.TASK, DeadlineKind.ONE_OFF, coordinator, key, key)
                    )
    admins = [
        Recipient(-n, 8_000_000 + n, f"Phòng KH {n}", "vi", "P00D00") for n in range(1, ESCALATION_RECIPIENTS + 1)
    ]
    return Registry(dict(assignments), recipients, admins)


def shipped_policy() -> ReminderPolicy:
    """The Settings defaults with the shipped holiday calendar."""
    return ReminderPolicy(calendar=load_work_calendar())


# --- the three measurements ----------------------------------------------------------------


def year_schedule(registry: Registry, policy: ReminderPolicy) -> dict[str, int]:
    """(a) Every send of the year: occurrences in 2015 before the department delivers, times its officers."""
    first, until = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    counts = {"occurrences": 0, "action_sends": 0, "fyi_sends": 0}
    for code, rows in registry.assignments.items():
        people = len(registry.recipients[code])
        for row in rows:
            lead = row.pending.role is not DepartmentRole.COORDINATOR
            purpose = Purpose.ACTION if lead else Purpose.FYI
            found = sum(
                1
                for occurrence in occurrences(row.pending.due_on, policy, until, purpose=purpose)
                if occurrence.send_on >= first and (row.delivered_on is None or occurrence.send_on < row.delivered_on)
            )
            counts["occurrences"] += found
            counts["action_sends" if lead else "fyi_sends"] += found * people
    escalated = Escalations.of(registry, policy).days
    counts["escalation_sends"] = sum(1 for day in escalated.values() if day <= until) * len(registry.admins)
    counts["planned_sends"] = counts["action_sends"] + counts["fyi_sends"] + counts["escalation_sends"]
    return counts


def one_round(registry: Registry, policy: ReminderPolicy, escalations: Escalations, local: dt.datetime) -> RoundPlan:
    """The round at ``local`` (naive, the policy's zone) over the registry as of that day."""
    now = local.replace(tzinfo=policy.tz).astimezone(dt.UTC)
    day = local.date()
    return plan_round(
        registry.items_on(day),
        registry.recipients,
        registry.admins,
        policy=policy,
        now=now,
        already_escalated=escalations.sent_before(day),
    )


def _round_figures(plan: RoundPlan) -> dict[str, Any]:
    return {
        "reminders": len(plan.reminders),
        "escalations": len(plan.escalations),
        "folded": sum(1 for r in plan.reminders if r.folded),
        "officers": len({r.recipient.officer_id for r in plan.reminders}),
    }


def every_day(registry: Registry, policy: ReminderPolicy, escalations: Escalations, days: int) -> dict[str, Any]:
    """(c) The daily round from 1/1: per-call times (plan_round only) and the distinct keys the send log would get."""
    per_call: list[float] = []
    keys: set[SendKey] = set()
    planned = 0
    busiest = (0, dt.date(YEAR, 1, 1))
    for offset in range(days):
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=offset)
        items, already = registry.items_on(day), escalations.sent_before(day)
        now = dt.datetime.combine(day, ROUND_TIME, tzinfo=policy.tz).astimezone(dt.UTC)
        started = time.perf_counter()
        plan = plan_round(
            items, registry.recipients, registry.admins, policy=policy, now=now, already_escalated=already
        )
        per_call.append(time.perf_counter() - started)
        size = len(plan.reminders) + len(plan.escalations)
        planned += size
        busiest = max(busiest, (size, day))
        keys.update(plan.keys)
    return {
        "calls": days,
        "plan_round_total_s": round(sum(per_call), 2),
        "mean_call_s": round(sum(per_call) / len(per_call), 4),
        "max_call_s": round(max(per_call), 4),
        "planned_total": planned,
        "distinct_keys": len(keys),
        "busiest_day": busiest[1].isoformat(),
        "busiest_day_planned": busiest[0],
    }


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    variant: str
    wall_s: float
    peak_mib: float
    maxrss_mib: float
    figures: dict[str, Any]


def _maxrss_mib() -> float:
    """Peak resident set of this process so far (Linux reports KiB, macOS bytes)."""
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(usage / (MIB if sys.platform == "darwin" else 1024), 1)


@contextmanager
def _traced() -> Iterator[Callable[[], float]]:
    gc.collect()
    tracemalloc.start()
    try:
        yield lambda: round(tracemalloc.get_traced_memory()[1] / MIB, 2)
    finally:
        tracemalloc.stop()


def measure(
    name: str,
    variant: str,
    work: Callable[[], T],
    summary: Callable[[T], dict[str, Any]],
    traced_work: Callable[[T], object] | None = None,
) -> Phase:
    """Time ``work`` untraced, then run ``traced_work`` (default: ``work`` again) under tracemalloc for the peak."""
    gc.collect()
    started = time.perf_counter()
    result = work()
    wall = time.perf_counter() - started
    figures = summary(result)
    with _traced() as peak:
        traced_work(result) if traced_work else work()
        peak_mib = peak()
    return Phase(name, variant, round(wall, 3), peak_mib, _maxrss_mib(), figures)


@contextmanager
def memoised_occurrences() -> Iterator[None]:
    """EXPERIMENT, not production: plan_round computes each (due date, purpose) once instead of once per item.

    Patched into bot.services.reminder_plan only; the proposal is a per-round cache inside plan_round.
    """
    with (
        mock.patch.object(
            bot.services.reminder_plan, "latest_occurrence", functools.lru_cache(maxsize=4096)(latest_occurrence)
        ),
        mock.patch.object(
            bot.services.reminder_plan,
            "escalation_occurrence",
            functools.lru_cache(maxsize=4096)(escalation_occurrence),
        ),
    ):
        yield


def run_phases(registry: Registry, policy: ReminderPolicy, days: int, variant: str) -> list[Phase]:
    """(a), (b) and (c) for one variant of plan_round."""
    escalations = Escalations.of(registry, policy)
    sweep = measure(
        f"(c) plan_round x {days} days",
        variant,
        lambda: every_day(registry, policy, escalations, days),
        dict,
        traced_work=lambda found: one_round(
            registry, policy, escalations, dt.datetime.combine(dt.date.fromisoformat(found["busiest_day"]), ROUND_TIME)
        ),
    )
    schedule = [measure("(a) year schedule", variant, lambda: year_schedule(registry, policy), dict)]
    return [
        *(schedule if variant == PRODUCTION else ()),  # (a) does not call plan_round: nothing to compare
        measure(
            "(b) plan_round 16/12 08:30",
            variant,
            lambda: one_round(registry, policy, escalations, BUSY_INSTANT),
            _round_figures,
        ),
        sweep,
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--provinces", type=int, default=PROVINCES)
    parser.add_argument("--days", type=int, default=365, help="how many daily rounds in (c)")
    parser.add_argument("--experiments", action="store_true", help="also run the labelled non-production variant")
    args = parser.parse_args(argv)

    imports_mib = _maxrss_mib()  # the interpreter and the imported modules, before any data
    policy = shipped_policy()
    build = measure(
        "build registry", PRODUCTION, lambda: build_registry(args.provinces), lambda r: {"pairs": r.pair_count}
    )
    registry = build_registry(args.provinces)
    shape = {
        "departments": len(registry.assignments),
        "officers": sum(len(people) for people in registry.recipients.values()),
        "deadlines": registry.deadline_count,
        "department_deadline_pairs": registry.pair_count,
    }
    phases = [build, *run_phases(registry, policy, args.days, PRODUCTION)]
    if args.experiments:
        with memoised_occurrences():
            phases += run_phases(registry, policy, args.days, MEMOISED)
    print(f"registry: {shape}")
    print(f"machine: {machine()}; maxrss after imports {imports_mib} MiB")
    header = f"{'phase':<28} {'variant':<10} {'wall s':>8} {'peak MiB':>9} {'maxrss MiB':>11}  figures"
    print(header)
    print("-" * len(header))
    for phase in phases:
        sizes = f"{phase.wall_s:>8.3f} {phase.peak_mib:>9.2f} {phase.maxrss_mib:>11.1f}"
        print(f"{phase.name:<28} {phase.variant:<10} {sizes}  {phase.figures}")
    payload = {"bench": "planning", "registry": shape, "maxrss_imports_mib": imports_mib}
    print(json.dumps({**payload, "phases": [asdict(p) for p in phases]}))


if __name__ == "__main__":
    main()
