"""Loader: a good file loads with deadlines; every bad file fails naming the file, the entry and the field."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.plan.loader import DEFAULT_PLAN_PATH, PlanError, load_plan, load_plan_text, parse_plan, read_plan
from bot.plan.model import DeadlineKind
from scheduler.deadlines import Deadline

PLANS = Path(__file__).parent / "plans"
MINIMAL = PLANS / "minimal.yaml"

Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def minimal_data() -> dict[str, Any]:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _write(tmp_path: Path, data: dict[str, Any], name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _load_mutated(tmp_path: Path, data: dict[str, Any], mutate: Mutation) -> PlanError:
    """Write a mutated copy of `data`, load it, and return the PlanError it must raise."""
    mutated = copy.deepcopy(data)
    mutate(mutated)
    path = _write(tmp_path, mutated)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return caught.value


def _move_second_task_to_a_new_group(data: dict[str, Any]) -> None:
    data["task_groups"].append({"code": "II", "title": "Khác"})
    data["tasks"][1]["group"] = "II"


def _nest_groups_in_a_loop(data: dict[str, Any]) -> None:
    data["departments"].append({"code": "OTHERS", "name": "Nhóm khác", "kind": "group", "members": ["ALL"]})
    data["departments"][3]["members"].append("OTHERS")


def _assert_reported(error: PlanError, path: Path, expected: str) -> None:
    """Some line of the error is exactly `<path>: <expected>...`."""
    assert any(line.startswith(f"{path}: {expected}") for line in error.problems), str(error)


# --- good files ------------------------------------------------------------------------------


def test_minimal_plan_loads_with_deadlines() -> None:
    loaded = load_plan(MINIMAL)
    assert loaded.source == MINIMAL
    assert [task.id for task in loaded.plan.tasks] == ["I.1", "I.2"]
    assert loaded.task_deadlines["I.1"] == [
        Deadline(dt.date(2013, 6, 30), DeadlineKind.ONE_OFF, 2013, "Quý II/2013"),
    ]
    assert [d.period_year for d in loaded.task_deadlines["I.2"]] == [2013, 2014, 2015]
    assert set(loaded.indicator_deadlines) == {1}
    assert loaded.indicator_deadlines[1]
    kinds = {deadline.kind for deadline in loaded.regime_deadlines}
    assert kinds == {DeadlineKind.ANNUAL_REPORT, DeadlineKind.CONSOLIDATED_REPORT}


def test_explicit_deadlines_override_the_timeframe(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    data = copy.deepcopy(minimal_data)
    data["tasks"][1]["deadlines"] = [
        {"date": dt.date(2014, 3, 31), "kind": "one_off", "label": "Phương án ngân sách"},
        {"date": dt.date(2016, 1, 15), "kind": "consolidated_report", "period_year": 2015},
    ]
    loaded = load_plan(_write(tmp_path, data))
    assert loaded.task_deadlines["I.2"] == [
        Deadline(dt.date(2014, 3, 31), DeadlineKind.ONE_OFF, 2014, "Phương án ngân sách"),
        Deadline(dt.date(2016, 1, 15), DeadlineKind.CONSOLIDATED_REPORT, 2015, None),
    ]
    assert loaded.task_deadlines["I.1"][0].due == dt.date(2013, 6, 30)  # untouched rows still derive


def test_explicit_deadlines_skip_the_timeframe_rules(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    data = copy.deepcopy(minimal_data)
    data["tasks"][0]["timeframe"] = "Khi có điều kiện"
    data["tasks"][0]["deadlines"] = [{"date": dt.date(2014, 6, 30), "kind": "one_off"}]
    assert load_plan(_write(tmp_path, data)).task_deadlines["I.1"][0].due == dt.date(2014, 6, 30)


def test_load_plan_text_and_read_plan() -> None:
    text = DEFAULT_PLAN_PATH.read_text(encoding="utf-8")
    loaded = load_plan_text(text, Path("memory.yaml"))
    assert loaded.source == Path("memory.yaml")
    assert read_plan() == loaded.plan
    assert len(read_plan(MINIMAL).tasks) == 2


# --- bad files: each message is "<file>: <entry>, field "<field>": <problem>" ---------------


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda d: d["tasks"][0]["lead"].__setitem__(0, "SXYZ"),
            'tasks[0] (id "I.1"), field "lead": unknown department code "SXYZ"',
            id="unknown-lead",
        ),
        pytest.param(
            lambda d: d["tasks"][1].__setitem__("coordinators", ["STC", "NOPE"]),
            'tasks[1] (id "I.2"), field "coordinators": unknown department code "NOPE"',
            id="unknown-coordinator",
        ),
        pytest.param(
            lambda d: d["indicators"][0].__setitem__("coordinators", ["SXD"]),
            'indicators[0] (id 1), field "coordinators": unknown department code "SXD"',
            id="unknown-indicator-code",
        ),
        pytest.param(
            lambda d: d["departments"][3]["members"].append("HUYEN2"),
            'departments[3] (code "ALL"), field "members": unknown department code "HUYEN2"',
            id="unknown-member",
        ),
        pytest.param(
            lambda d: d["departments"][0]["replaced_by"].__setitem__("successor", "SNNMT"),
            'departments[0] (code "SKHDT"), field "replaced_by.successor": unknown department code "SNNMT"',
            id="unknown-successor",
        ),
        pytest.param(
            lambda d: d["reporting"].__setitem__("planning_office", "SKHXT"),
            'reporting, field "planning_office": unknown department code "SKHXT"',
            id="unknown-planning-office",
        ),
        pytest.param(
            lambda d: d["reporting"].__setitem__("reporters", ["ALL", "SOMEONE"]),
            'reporting, field "reporters": unknown department code "SOMEONE"',
            id="unknown-reporter",
        ),
        pytest.param(
            lambda d: d["tasks"][1].__setitem__("id", "I.1"),
            'tasks[1] (id "I.1"), field "id": duplicate id "I.1" (first used by tasks[0])',
            id="duplicate-task-id",
        ),
        pytest.param(
            lambda d: d["departments"].append(dict(d["departments"][1], aliases=[])),
            'departments[4] (code "STC"), field "code": duplicate code "STC" (first used by departments[1])',
            id="duplicate-department-code",
        ),
        pytest.param(
            lambda d: d["indicators"].append(dict(d["indicators"][0])),
            'indicators[1] (id 1), field "id": duplicate id 1 (first used by indicators[0])',
            id="duplicate-indicator-id",
        ),
        pytest.param(
            lambda d: d["departments"][1].__setitem__("aliases", ["Sở KH và ĐT"]),
            'departments[1] (code "STC"), field "aliases[0]": "Sở KH và ĐT" already names departments[0] '
            '(code "SKHDT")',
            id="alias-shared-across-departments",
        ),
        pytest.param(
            lambda d: d["tasks"][1].__setitem__("group", "II"),
            'tasks[1] (id "I.2"), field "group": unknown task group "II"',
            id="unknown-task-group",
        ),
        pytest.param(
            _move_second_task_to_a_new_group,
            'tasks[1] (id "I.2"), field "id": id "I.2" does not start with its group "II"',
            id="id-outside-its-group",
        ),
        pytest.param(
            lambda d: d["departments"][1].update(replaced_by={"successor": "ALL", "effective": "2025-03-01"}),
            'departments[1] (code "STC"), field "replaced_by.successor": successor "ALL" is a group',
            id="successor-is-a-group",
        ),
        pytest.param(
            lambda d: d["departments"][1].__setitem__("established", "2025-06-01"),
            'departments[0] (code "SKHDT"), field "replaced_by.effective": '
            'successor "STC" is established only on 2025-06-01, after 2025-03-01',
            id="successor-formed-too-late",
        ),
        pytest.param(
            _nest_groups_in_a_loop,
            'departments[3] (code "ALL"), field "members": group cycle ALL → OTHERS → ALL',
            id="group-cycle",
        ),
    ],
)
def test_cross_reference_errors(
    tmp_path: Path, minimal_data: dict[str, Any], mutate: Mutation, expected: str
) -> None:
    error = _load_mutated(tmp_path, minimal_data, mutate)
    _assert_reported(error, tmp_path / "plan.yaml", expected)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(
            lambda d: d["tasks"][0].pop("title"),
            'tasks[0] (id "I.1"), field "title": required field is missing',
            id="missing-field",
        ),
        pytest.param(
            lambda d: d.pop("reporting"),
            'field "reporting": required field is missing',
            id="missing-section",
        ),
        pytest.param(
            lambda d: d["tasks"][0].__setitem__("leed", ["SKHDT"]),
            'tasks[0] (id "I.1"), field "leed": unknown key (not part of the plan format)',
            id="unknown-key",
        ),
        pytest.param(
            lambda d: d["plan"].__setitem__("decison_date", "2013-07-16"),
            'plan, field "decison_date": unknown key',
            id="unknown-key-in-mapping",
        ),
        pytest.param(
            lambda d: d["tasks"][0].__setitem__("lead", "SKHDT"),
            'tasks[0] (id "I.1"), field "lead": Input should be a valid list (got \'SKHDT\')',
            id="wrong-type-list",
        ),
        pytest.param(
            lambda d: d["indicators"][0]["target"].__setitem__("value", "một trăm"),
            'indicators[0] (id 1), field "target.value": Input should be a valid number',
            id="wrong-type-number",
        ),
        pytest.param(
            lambda d: d["tasks"][1]["lead"].__setitem__(0, "stc"),
            'tasks[1] (id "I.2"), field "lead[0]": String should match pattern',
            id="lowercase-code",
        ),
        pytest.param(
            lambda d: d["reporting"].__setitem__("annual_report_due", "15/12"),
            "reporting, field \"annual_report_due\": expected MM-DD such as 12-15, got '15/12'",
            id="bad-month-day",
        ),
        pytest.param(
            lambda d: d["departments"][3].__setitem__("members", []),
            'departments[3] (code "ALL"): a group needs at least one member',
            id="entry-level-error",
        ),
        pytest.param(
            lambda d: d["departments"][0]["replaced_by"].__setitem__("effective", "sau này"),
            'departments[0] (code "SKHDT"), field "replaced_by.effective": Input should be a valid date',
            id="nested-field",
        ),
        pytest.param(
            lambda d: d.__setitem__("tasks", []),
            'field "tasks": List should have at least 1 item',
            id="empty-section",
        ),
    ],
)
def test_field_errors(tmp_path: Path, minimal_data: dict[str, Any], mutate: Mutation, expected: str) -> None:
    error = _load_mutated(tmp_path, minimal_data, mutate)
    _assert_reported(error, tmp_path / "plan.yaml", expected)


def test_unknown_timeframe_phrase_names_the_row(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    phrase = "Khi có điều kiện"
    error = _load_mutated(tmp_path, minimal_data, lambda d: d["tasks"][1].update(timeframe=phrase))
    assert len(error.problems) == 1
    _assert_reported(error, tmp_path / "plan.yaml", 'tasks[1] (id "I.2"), field "timeframe": ')
    assert "Khi có điều kiện" in error.problems[0]


def test_every_problem_is_reported_at_once(tmp_path: Path, minimal_data: dict[str, Any]) -> None:
    def break_twice(data: dict[str, Any]) -> None:
        data["tasks"][0]["lead"] = ["SXYZ"]
        data["tasks"][1]["coordinators"] = ["SABC"]

    error = _load_mutated(tmp_path, minimal_data, break_twice)
    assert len(error.problems) == 2
    assert str(error) == "\n".join(error.problems)


def test_successor_cycle_is_an_error() -> None:
    path = PLANS / "successor-cycle.yaml"
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value) == (
        f'{path}: departments[0] (code "SKHDT"), field "replaced_by": succession cycle SKHDT → STC → SKHDT'
    )


def test_yaml_syntax_error_names_file_and_line() -> None:
    path = PLANS / "syntax-error.yaml"
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: line 8, column 1: YAML syntax error: ")
    assert "on line 6" in message  # where the unclosed quote opens


def test_yaml_duplicate_key_is_an_error() -> None:
    text = "plan:\n  code: a\n  code: b\n"
    expected = r"^dup\.yaml: line 3, column 3: YAML syntax error: duplicate key 'code'"
    with pytest.raises(PlanError, match=expected):
        parse_plan(text, Path("dup.yaml"))


def test_empty_file() -> None:
    with pytest.raises(PlanError, match=r"^empty\.yaml: the plan file is empty$"):
        parse_plan("# nothing yet\n", Path("empty.yaml"))


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    with pytest.raises(PlanError, match=r"^odd\.yaml: the top level must be a mapping"):
        parse_plan(text, Path("odd.yaml"))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value) == f"{path}: plan file not found"


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"plan: S\xf5\n")  # "Sở" in a legacy single-byte encoding
    with pytest.raises(PlanError, match="not UTF-8"):
        load_plan(path)
