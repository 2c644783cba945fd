"""Departments: upsert from the plan, alias lookup, renames that keep the old name findable."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import audit, departments
from tests.storage.factories import TODAY, Seed, make_plan


def test_normalize_alias() -> None:
    decomposed = unicodedata.normalize("NFD", "Sở  Công   Thương ")
    assert departments.normalize_alias(decomposed) == "sở công thương"
    assert departments.normalize_alias("SỞ CÔNG THƯƠNG") == "sở công thương"
    assert departments.normalize_alias("  ") == ""


async def test_upsert_creates_departments_with_aliases(db_session: AsyncSession) -> None:
    result = await departments.upsert_from_plan(db_session, make_plan().departments, today=TODAY)
    assert result.counts.created == 6
    assert result.alias_conflicts == []
    stnmt = await departments.get_by_code(db_session, "STNMT")
    assert stnmt is not None
    assert stnmt.name == "Sở Tài nguyên và Môi trường"
    assert set(await departments.list_aliases(db_session, stnmt.id)) == {"Sở Tài nguyên và Môi trường", "TN&MT"}

    again = await departments.upsert_from_plan(db_session, make_plan().departments, today=TODAY)
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (0, 0, 6)


async def test_find_by_alias_name_and_code(db_session: AsyncSession, seeded: Seed) -> None:
    for text in ["tn&mt", "  SỞ TÀI NGUYÊN  VÀ MÔI TRƯỜNG", unicodedata.normalize("NFD", "TN&MT"), "stnmt"]:
        found = await departments.find_by_alias(db_session, text)
        assert found is not None, text
        assert found.code == "STNMT"
    assert await departments.find_by_alias(db_session, "Sở Du lịch") is None
    assert await departments.find_by_alias(db_session, "   ") is None


async def test_successions_and_groups_are_not_listed_active(db_session: AsyncSession, seeded: Seed) -> None:
    active = [d.code for d in await departments.list_active(db_session)]
    assert active == ["SCT", "SKHDT", "SNNMT", "STNMT"]  # SNNPTNT replaced on TODAY, group hidden
    with_groups = [d.code for d in await departments.list_active(db_session, include_groups=True)]
    assert "CAC_SO" in with_groups
    old = await departments.get_by_code(db_session, "SNNPTNT")
    assert old is not None
    assert (old.replaced_by_code, old.replaced_on, old.active) == ("SNNMT", TODAY, False)


async def test_rename_keeps_old_name_as_alias(db_session: AsyncSession, seeded: Seed) -> None:
    officer_id = seeded.officers["SCT"]
    renamed = await departments.rename(db_session, "SCT", "Sở Công Thương và Du lịch", actor_officer_id=officer_id)
    await db_session.commit()
    assert renamed.name == "Sở Công Thương và Du lịch"
    for text in ["Sở Công Thương", "sở công thương và du lịch"]:
        found = await departments.find_by_alias(db_session, text)
        assert found is not None
        assert found.code == "SCT"
    [event] = await audit.list_events(db_session, entity="department", entity_id="SCT")
    assert event.old_value == {"name": "Sở Công Thương"}
    assert event.new_value == {"name": "Sở Công Thương và Du lịch"}
    assert event.actor_officer_id == officer_id

    # Re-syncing the (older) plan file does not undo the rename ...
    result = await departments.upsert_from_plan(db_session, make_plan().departments, today=TODAY)
    assert result.counts.updated == 0
    department = await departments.get_by_code(db_session, "SCT")
    assert department is not None
    assert department.name == "Sở Công Thương và Du lịch"

    with pytest.raises(LookupError):
        await departments.rename(db_session, "NOPE", "X")


async def test_plan_rename_applies_and_keeps_old_name(db_session: AsyncSession, seeded: Seed) -> None:
    data = make_plan().model_dump(mode="json")
    data["departments"][2]["name"] = "Sở Công Thương (mới)"
    result = await departments.upsert_from_plan(db_session, make_plan(**data).departments, today=TODAY)
    assert result.counts.updated == 1
    found = await departments.find_by_alias(db_session, "Sở Công Thương")
    assert found is not None
    assert found.name == "Sở Công Thương (mới)"


async def test_add_alias_is_idempotent_and_refuses_conflicts(db_session: AsyncSession, seeded: Seed) -> None:
    sct = await departments.get_by_code(db_session, "SCT")
    stnmt = await departments.get_by_code(db_session, "STNMT")
    assert sct is not None
    assert stnmt is not None
    first = await departments.add_alias(db_session, sct, "Sở CT")
    second = await departments.add_alias(db_session, sct, "sở  ct")
    assert first.id == second.id
    with pytest.raises(departments.AliasConflictError):
        await departments.add_alias(db_session, stnmt, "SỞ CT")
    with pytest.raises(ValueError, match="empty"):
        await departments.add_alias(db_session, stnmt, " ")


async def test_conflicting_plan_alias_is_reported_not_fatal(db_session: AsyncSession) -> None:
    data = make_plan().model_dump(mode="json")
    data["departments"][2]["aliases"] = ["TN&MT"]  # already STNMT's alias
    result = await departments.upsert_from_plan(db_session, make_plan(**data).departments, today=TODAY)
    assert len(result.alias_conflicts) == 1
    assert "SCT" in result.alias_conflicts[0]
