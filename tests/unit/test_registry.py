"""Department registry: spelling-tolerant lookup, group expansion and routing across the 2025 mergers."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.plan.model import Plan, Succession
from bot.plan.registry import DepartmentRegistry, UnknownDepartmentError, normalize_name

BEFORE_MERGERS = dt.date(2024, 12, 31)
AFTER_DEPARTMENT_MERGERS = dt.date(2025, 6, 1)
AFTER_DISTRICTS_END = dt.date(2025, 7, 1)


def _task_leads(plan: Plan, task_id: str) -> list[str]:
    return next(task.lead for task in plan.tasks if task.id == task_id)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Sở KH&ĐT", "sở kh và đt"),
        ("Sở Thông tin truyền thông", "Sở Thông tin và Truyền thông"),
        ("Uỷ ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh"),
        ("Xanh hoá", "Xanh hóa"),
        ("UBND các huyện, thành phố", "Ủy ban nhân dân các huyện thành phố"),
        ("  Sở   Tài chính ", "SỞ TÀI CHÍNH"),
        ("Đài Phát thanh - Truyền hình tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
        ("Ia H’Drai", "Ia H'Drai"),
        ("Sở Xây dựng", "So\u031b\u0309 Xây dựng"),  # decomposed input
    ],
)
def test_normalize_name_treats_spellings_alike(left: str, right: str) -> None:
    assert normalize_name(left) == normalize_name(right)


def test_normalize_name_keeps_different_names_apart() -> None:
    merged, old = "Sở Nông nghiệp và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn"
    assert normalize_name(merged) != normalize_name(old)
    assert normalize_name("Các cơ quan liên quan") != normalize_name("Các cơ quan báo chí")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SKHDT", "SKHDT"),
        ("skhdt", "SKHDT"),
        ("Sở KH&ĐT", "SKHDT"),
        ("sở kế hoạch và đầu tư", "SKHDT"),
        ("Sở Công Thương", "SCT"),
        ("SỞ GIAO THÔNG VẬN TẢI", "SGTVT"),
        ("Sở Thông tin truyền thông", "STTTT"),
        ("UBND huyện Đăk Hà", "HDAKHA"),
        ("Uỷ ban nhân dân huyện Sa Thầy", "HSATHAY"),
        ("Ban quản lý khu kinh tế", "BQLKKT"),
        ("Sở Nông nghiệp và Môi trường", "SNNMT"),
    ],
)
def test_resolve(registry: DepartmentRegistry, query: str, code: str) -> None:
    assert registry.resolve(query).code == code


def test_resolve_unknown_name_is_a_clear_key_error(registry: DepartmentRegistry) -> None:
    with pytest.raises(KeyError) as caught:
        registry.resolve("Sở Du lịch")
    assert isinstance(caught.value, UnknownDepartmentError)
    assert str(caught.value) == "no department is called 'Sở Du lịch'"
    assert caught.value.query == "Sở Du lịch"


def test_get_unknown_code(registry: DepartmentRegistry) -> None:
    with pytest.raises(UnknownDepartmentError, match="unknown department code 'SXYZ'"):
        registry.get("SXYZ")
    assert "SXYZ" not in registry
    assert "SKHDT" in registry


def test_display_name(registry: DepartmentRegistry) -> None:
    assert registry.display_name("STC") == "Sở Tài chính"
    assert registry.display_name("LOCALITIES") == "UBND các huyện, thành phố"


def test_expand_plain_department_is_itself(registry: DepartmentRegistry) -> None:
    assert registry.expand("SXD") == ["SXD"]


def test_expand_groups_recursively_in_order_without_repeats(registry: DepartmentRegistry) -> None:
    assert registry.expand("PRESS") == ["DPTTH", "BKT"]
    everything = registry.expand("ALL_UNITS")
    assert everything[:3] == ["SKHDT", "STC", "STNMT"]
    assert everything[-1] == "HIAHDRAI"
    assert len(everything) == len(set(everything)) == 22
    assert all(registry.get(code).kind.value != "group" for code in everything)


def test_successor_on(registry: DepartmentRegistry) -> None:
    assert registry.successor_on("SKHDT", BEFORE_MERGERS) == "SKHDT"
    assert registry.successor_on("SKHDT", dt.date(2025, 3, 1)) == "STC"  # effective that day
    assert registry.successor_on("STC", AFTER_DEPARTMENT_MERGERS) == "STC"
    assert registry.successor_on("HSATHAY", dt.date(2025, 6, 30)) == "HSATHAY"
    assert registry.successor_on("HSATHAY", AFTER_DISTRICTS_END) is None
    assert registry.successor_on("SNNMT", BEFORE_MERGERS) is None  # not yet formed
    assert registry.successor_on("HIAHDRAI", dt.date(2015, 3, 10)) is None
    assert registry.successor_on("HIAHDRAI", dt.date(2015, 3, 11)) == "HIAHDRAI"


@pytest.mark.parametrize("task_id", ["I.1", "I.2", "I.3", "I.6"])
def test_tasks_led_by_the_planning_department_pass_to_finance(
    plan: Plan, registry: DepartmentRegistry, task_id: str
) -> None:
    leads = _task_leads(plan, task_id)
    assert leads == ["SKHDT"]
    assert registry.route_all(leads, BEFORE_MERGERS) == ["SKHDT"]
    assert registry.route_all(leads, AFTER_DEPARTMENT_MERGERS) == ["STC"]


@pytest.mark.parametrize(
    ("task_id", "before", "after"),
    [
        ("II.1", ["STNMT"], ["SNNMT"]),
        ("II.4", ["STNMT"], ["SNNMT"]),
        ("III.3", ["SNNPTNT"], ["SNNMT"]),
        ("III.2", ["SGTVT"], ["SXD"]),
        ("I.5", ["STTTT"], ["SKHCN"]),
        ("V.1", ["SKHDT", "STTTT"], ["STC", "SKHCN"]),
        ("I.7", ["STC"], ["STC"]),
        ("IV.1", ["SXD"], ["SXD"]),
    ],
)
def test_task_leads_follow_the_2025_mergers(
    plan: Plan, registry: DepartmentRegistry, task_id: str, before: list[str], after: list[str]
) -> None:
    leads = _task_leads(plan, task_id)
    assert registry.route_all(leads, BEFORE_MERGERS) == before
    assert registry.route_all(leads, AFTER_DEPARTMENT_MERGERS) == after


def test_merged_departments_appear_once(registry: DepartmentRegistry) -> None:
    routed = registry.route("RELEVANT_AGENCIES", AFTER_DEPARTMENT_MERGERS)
    assert routed == ["STC", "SNNMT", "SKHCN", "SCT", "SXD", "BQLKKT", "DPTTH", "BKT"]


def test_localities_route_to_nothing_after_the_district_level_ends(registry: DepartmentRegistry) -> None:
    assert len(registry.route("LOCALITIES", dt.date(2016, 1, 1))) == 10
    assert len(registry.route("LOCALITIES", dt.date(2014, 1, 1))) == 9  # before Ia H'Drai
    assert registry.route("LOCALITIES", dt.date(2025, 6, 30))
    assert registry.route("LOCALITIES", AFTER_DISTRICTS_END) == []
    assert registry.route("TPKONTUM", AFTER_DISTRICTS_END) == []


def test_route_of_a_task_row_after_the_district_level_ends(plan: Plan, registry: DepartmentRegistry) -> None:
    task = next(task for task in plan.tasks if task.id == "II.4")
    routed = registry.route_all(task.coordinators, AFTER_DISTRICTS_END)
    assert routed[0] == "BQLKKT"
    assert not any(registry.get(code).kind.value == "locality" for code in routed)


def test_planning_office(registry: DepartmentRegistry) -> None:
    assert registry.planning_office(dt.date(2013, 7, 16)) == "SKHDT"
    assert registry.planning_office(dt.date(2025, 2, 28)) == "SKHDT"
    assert registry.planning_office(dt.date(2025, 3, 1)) == "STC"
    assert registry.planning_office(dt.date(2026, 1, 1)) == "STC"


def test_reporters(registry: DepartmentRegistry) -> None:
    assert len(registry.reporters(dt.date(2020, 1, 1))) == 22
    after = registry.reporters(AFTER_DISTRICTS_END)
    assert after == ["STC", "SNNMT", "SKHCN", "SCT", "SXD", "BQLKKT", "DPTTH", "BKT"]


def test_province_succession(registry: DepartmentRegistry) -> None:
    assert registry.province_on(dt.date(2025, 6, 30)) == "Kon Tum"
    assert registry.province_on(dt.date(2025, 7, 1)) == "Quảng Ngãi"


def test_registry_guards_against_cycles_in_unchecked_plans(plan: Plan) -> None:
    """The loader rejects cycles; a registry built from a hand-made Plan must still not hang."""
    back_to_finance = Succession(successor="SKHDT", effective=dt.date(2025, 3, 1))
    departments = []
    for department in plan.departments:
        if department.code == "LOCALITIES":
            department = department.model_copy(update={"members": [*department.members, "ALL_UNITS"]})
        if department.code == "STC":
            department = department.model_copy(update={"replaced_by": back_to_finance})
        departments.append(department)
    looped = DepartmentRegistry(plan.model_copy(update={"departments": departments}))
    with pytest.raises(ValueError, match="group cycle: ALL_UNITS → LOCALITIES → ALL_UNITS"):
        looped.expand("ALL_UNITS")
    with pytest.raises(ValueError, match="succession cycle"):
        looped.successor_on("SKHDT", AFTER_DEPARTMENT_MERGERS)


def test_upstream_ministry_succession(registry: DepartmentRegistry) -> None:
    assert registry.upstream_on(dt.date(2025, 2, 28)) == "Bộ Kế hoạch và Đầu tư"
    assert registry.upstream_on(dt.date(2025, 3, 1)) == "Bộ Tài chính"


@pytest.mark.parametrize(
    ("code", "day", "exists"),
    [
        ("SNNMT", dt.date(2025, 2, 28), False),  # not formed yet
        ("SNNMT", dt.date(2025, 3, 1), True),
        ("SKHDT", dt.date(2025, 2, 28), True),
        ("SKHDT", dt.date(2025, 3, 1), False),  # merged into the Sở Tài chính
        ("HSATHAY", dt.date(2025, 7, 1), False),  # district level abolished
        ("HIAHDRAI", dt.date(2015, 3, 10), False),
    ],
)
def test_department_exists_on(registry: DepartmentRegistry, code: str, day: dt.date, exists: bool) -> None:
    """One rule, used by the registry's routing and by the database's `active` flag."""
    assert registry.get(code).exists_on(day) is exists
    assert (registry.successor_on(code, day) == code) is exists
