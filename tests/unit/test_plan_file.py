"""The shipped Kon Tum plan file: complete, verbatim, and consistent with the source document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.plan.loader import DEFAULT_PLAN_PATH, LoadedPlan, load_plan
from bot.plan.model import DepartmentKind, Plan
from bot.plan.registry import DepartmentRegistry

# The decision's text ships with the project (docs/source/) so these checks run on every machine.
SOURCE = Path(__file__).resolve().parents[2] / "docs/source/ke-hoach-514-QD-UBND-2013-kon-tum.txt"

# Splits an annex cell such as "UBND các huyện, thành phố; Ban quản lý khu kinh tế và
# các cơ quan có liên quan" into the agencies it names.
_CELL_SEPARATORS = re.compile(r"; |, và | và (?=các )| phối hợp với |, (?=các )")


@pytest.fixture(scope="module")
def loaded() -> LoadedPlan:
    return load_plan()


@pytest.fixture(scope="module")
def plan(loaded: LoadedPlan) -> Plan:
    return loaded.plan


@pytest.fixture(scope="module")
def document() -> str:
    return SOURCE.read_text(encoding="utf-8")


def _cell(text: str) -> str:
    """How a table cell sits in the text export: tab before, newline after."""
    return f"\t{text}\n"


def test_the_default_path_is_the_shipped_file(loaded: LoadedPlan) -> None:
    assert loaded.source == DEFAULT_PLAN_PATH
    assert DEFAULT_PLAN_PATH.is_file()


def test_plan_metadata(plan: Plan) -> None:
    info = plan.plan
    assert info.code == "kon-tum-514-2013"
    assert info.decision_number == "514/QĐ-UBND"
    assert info.decision_date.isoformat() == "2013-07-16"
    assert info.issuing_body == "Ủy ban nhân dân tỉnh Kon Tum"
    assert (info.period.start, info.period.end, info.vision_year) == (2011, 2020, 2050)
    assert info.province_succession is not None
    assert info.province_succession.successor == "Quảng Ngãi"
    assert info.province_succession.effective.isoformat() == "2025-07-01"


def test_metadata_is_verbatim(plan: Plan, document: str) -> None:
    flat = " ".join(document.split())
    assert plan.plan.title.upper() in flat  # the heading is printed in capitals
    assert "Quyết định số 514/QĐ-UBND, ngày 16 tháng 7 năm 2013 của Ủy ban nhân dân tỉnh Kon Tum" in flat
    assert "Quyết định số 1393/QĐ-TTg, ngày 25 tháng 9 năm 2012" in flat
    assert plan.reporting.basis is not None
    quoted = plan.reporting.basis.split('"')[1]
    assert quoted in flat


def test_reporting_regime(plan: Plan) -> None:
    regime = plan.reporting
    assert regime.planning_office == "SKHDT"
    assert regime.reporters == ["ALL_UNITS"]
    assert (regime.recipient, regime.upstream) == ("Ủy ban nhân dân tỉnh", "Bộ Kế hoạch và Đầu tư")
    assert (regime.years.start, regime.years.end) == (2013, 2020)
    assert str(regime.annual_report_due) == "12-15"


def test_task_counts_per_group(plan: Plan) -> None:
    assert len(plan.tasks) == 19
    counts = {group.code: sum(task.group == group.code for task in plan.tasks) for group in plan.task_groups}
    assert counts == {"I": 9, "II": 4, "III": 4, "IV": 1, "V": 1}
    expected_ids = [f"I.{n}" for n in range(1, 10)] + [f"II.{n}" for n in range(1, 5)]
    expected_ids += [f"III.{n}" for n in range(1, 5)] + ["IV.1", "V.1"]
    assert [task.id for task in plan.tasks] == expected_ids


def test_task_groups_are_verbatim(plan: Plan, document: str) -> None:
    for group in plan.task_groups:
        assert f"\t{group.code}\n\t{group.title}\n" in document, group.code


def test_task_cells_are_verbatim_and_in_document_order(plan: Plan, document: str) -> None:
    annex = document[document.index("PHỤ LỤC I\n") : document.index("PHỤ LỤC II\n")]
    last = -1
    for task in plan.tasks:
        row = "".join(
            _cell(text) for text in (task.title, task.lead_text, task.coordinators_text, task.timeframe)
        ).replace("\n\t\n", "\n\t\xa0\n")  # I.4: its blank cell holds a no-break space
        position = annex.find("\t-\n" + row)
        assert position > last, f"row {task.id} is not verbatim or out of order"
        last = position


def test_special_rows(plan: Plan) -> None:
    tasks = {task.id: task for task in plan.tasks}
    assert tasks["I.4"].lead == ["ALL_UNITS"]
    assert tasks["I.4"].coordinators == []
    assert tasks["V.1"].lead == ["SKHDT", "STTTT"]
    assert tasks["II.2"].coordinators == ["SCT", "RELEVANT_AGENCIES"]
    assert tasks["II.4"].coordinators == ["LOCALITIES", "BQLKKT", "RELEVANT_AGENCIES"]
    assert tasks["I.5"].coordinators == ["PRESS", "MASS_ORGS", "RELEVANT_AGENCIES"]
    assert tasks["I.4"].title.endswith("địa phương.")
    assert tasks["II.2"].title.endswith("sản xuất sạch hơn.")


def test_task_codes_match_the_cells(plan: Plan, registry: DepartmentRegistry) -> None:
    """Each agency a cell names resolves, in order, to the codes written for that row."""
    for task in plan.tasks:
        for codes, text in ((task.lead, task.lead_text), (task.coordinators, task.coordinators_text)):
            names = [part for part in _CELL_SEPARATORS.split(text) if part]
            assert [registry.resolve(name).code for name in names] == codes, task.id


def test_indicators(plan: Plan) -> None:
    assert [indicator.id for indicator in plan.indicators] == [1, 2, 3, 4, 5, 6]
    targets = [None if i.target is None else i.target.value for i in plan.indicators]
    assert targets == [100, 60, 40, 100, 90, None]
    sources = [None if i.target is None else i.target.source for i in plan.indicators]
    assert sources == ["III.7", "III.7", "III.7", "III.7", "III.6", None]
    for indicator in plan.indicators:
        assert indicator.unit == "%"
        assert (indicator.period.start, indicator.period.end) == (2013, 2020)
        assert indicator.timeframe_text == "2013 - 2020"
        assert not indicator.name.endswith("%")
        assert indicator.numerator_question
        assert indicator.numerator_question.endswith("?")
        assert indicator.denominator_question
        assert indicator.denominator_question.endswith("?")
        assert indicator.target is None or indicator.target.year == 2020


def test_indicator_cells_are_verbatim(plan: Plan, document: str) -> None:
    for indicator in plan.indicators:
        marker = "(%)" if indicator.id == 6 else "%"
        responsible = indicator.responsible_text
        if responsible.startswith("Chủ trì:"):
            responsible = "- " + responsible.replace("; ", "\n\n- ")
        row = (
            f"\t{indicator.id}\n\t{indicator.name} {marker}\n\t{responsible}\n\t{indicator.timeframe_text}\n"
        )
        assert row in document, indicator.id


def test_indicator_codes_match_the_cells(plan: Plan, registry: DepartmentRegistry) -> None:
    for indicator in plan.indicators:
        parts = dict(part.split(": ") for part in indicator.responsible_text.split("; ") if ": " in part)
        lead = parts.get("Chủ trì", indicator.responsible_text)
        assert [registry.resolve(lead).code] == indicator.lead
        coordinators = [registry.resolve(parts["Phối hợp"]).code] if "Phối hợp" in parts else []
        assert coordinators == indicator.coordinators


def test_targets_are_stated_in_the_body(plan: Plan, document: str) -> None:
    section_36 = document[document.index("6. Đổi mới công nghệ") : document.index("7. Đô thị hóa bền vững")]
    section_37 = document[document.index("7. Đô thị hóa bền vững") : document.index("8. Xây dựng nông thôn")]
    body = {"III.6": section_36, "III.7": section_37}
    for indicator in plan.indicators:
        if indicator.target is not None:
            assert indicator.target.source is not None
            assert f"đạt {indicator.target.value:g}%" in body[indicator.target.source], indicator.id


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("Sở Kế hoạch và Đầu tư", "SKHDT"),
        ("Sở Tài chính", "STC"),
        ("Sở Tài nguyên và Môi trường", "STNMT"),
        ("Sở Tài nguyên và môi trường", "STNMT"),
        ("Sở Thông tin và Truyền thông", "STTTT"),
        ("Sở Thông tin truyền thông", "STTTT"),
        ("Sở Khoa học và Công nghệ", "SKHCN"),
        ("Sở Công thương", "SCT"),
        ("Sở Giao thông Vận tải", "SGTVT"),
        ("Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT"),
        ("Sở Xây dựng", "SXD"),
        ("Ban quản lý khu kinh tế", "BQLKKT"),
        ("Đài Phát thanh và Truyền hình tỉnh", "DPTTH"),
        ("Báo Kon Tum", "BKT"),
        ("Các sở, ban, ngành, huyện, thành phố", "ALL_UNITS"),
        ("Các sở, ban, ngành, Ủy ban nhân dân các huyện, thành phố", "ALL_UNITS"),
        ("Các cơ quan có liên quan", "RELEVANT_AGENCIES"),
        ("Các Cơ quan có liên quan", "RELEVANT_AGENCIES"),
        ("Các cơ quan liên quan", "RELEVANT_AGENCIES"),
        ("các đơn vị liên quan", "RELEVANT_AGENCIES"),
        ("các đơn vị có liên quan", "RELEVANT_AGENCIES"),
        ("Các cơ quan báo chí", "PRESS"),
        ("các tổ chức đoàn thể", "MASS_ORGS"),
        ("UBND các huyện, thành phố", "LOCALITIES"),
        ("Ủy ban nhân dân các huyện, thành phố", "LOCALITIES"),
    ],
)
def test_every_agency_the_document_names_resolves(
    registry: DepartmentRegistry, phrase: str, code: str
) -> None:
    assert registry.resolve(phrase).code == code


def test_every_name_and_alias_resolves_to_its_own_department(registry: DepartmentRegistry) -> None:
    for department in registry:
        for spelling in (department.name, *department.aliases):
            assert registry.resolve(spelling).code == department.code, spelling


def test_department_list(registry: DepartmentRegistry) -> None:
    by_kind: dict[DepartmentKind, set[str]] = {}
    for department in registry:
        by_kind.setdefault(department.kind, set()).add(department.code)
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", department.code)
    assert by_kind[DepartmentKind.DEPARTMENT] == {
        "SKHDT", "STC", "STNMT", "STTTT", "SKHCN", "SCT", "SGTVT", "SNNPTNT", "SXD", "SNNMT",
    }  # fmt: skip
    assert by_kind[DepartmentKind.BOARD] == {"BQLKKT"}
    assert by_kind[DepartmentKind.MEDIA] == {"DPTTH", "BKT"}
    assert len(by_kind[DepartmentKind.LOCALITY]) == 10
    assert len(by_kind[DepartmentKind.ORGANISATION]) == 6
    groups = {"ALL_UNITS", "RELEVANT_AGENCIES", "PRESS", "MASS_ORGS", "LOCALITIES"}
    assert by_kind[DepartmentKind.GROUP] == groups


def test_localities_as_they_existed(registry: DepartmentRegistry) -> None:
    localities = registry.expand("LOCALITIES")
    assert len(localities) == 10
    names = [registry.display_name(code) for code in localities]
    for place in ("thành phố Kon Tum", "Đắk Glei", "Ngọc Hồi", "Đắk Tô", "Kon Plông", "Kon Rẫy", "Đắk Hà",
                  "Sa Thầy", "Tu Mơ Rông", "Ia H'Drai"):  # fmt: skip
        assert any(name.endswith(place) for name in names), place
    ia_hdrai = registry.resolve("huyện Ia H'Drai")
    assert ia_hdrai.established is not None
    assert ia_hdrai.established.isoformat() == "2015-03-11"
    for code in localities:
        dissolved = registry.get(code).dissolved
        assert dissolved is not None
        assert dissolved.isoformat() == "2025-07-01"


def test_all_units_cover_departments_boards_media_and_localities(registry: DepartmentRegistry) -> None:
    members = set(registry.expand("ALL_UNITS"))
    kinds = {registry.get(code).kind for code in members}
    assert DepartmentKind.LOCALITY in kinds
    kinds.discard(DepartmentKind.LOCALITY)
    assert kinds == {DepartmentKind.DEPARTMENT, DepartmentKind.BOARD, DepartmentKind.MEDIA}
    assert "SNNMT" not in members  # formed in 2025; reached only through succession


def test_every_task_and_indicator_has_deadlines(loaded: LoadedPlan) -> None:
    assert set(loaded.task_deadlines) == {task.id for task in loaded.plan.tasks}
    assert all(loaded.task_deadlines.values())
    assert set(loaded.indicator_deadlines) == {1, 2, 3, 4, 5, 6}
    assert loaded.regime_deadlines
