"""Departments and their alternative names.

The code is the stable identity; the name may change (renames, mergers). Every name a
department has ever had stays as an alias, so an officer typing the old name, or an
old document, still resolves to the right department.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.model import Department as PlanDepartment
from bot.plan.model import DepartmentKind
from bot.plan.registry import normalize_name
from storage.models import Department, DepartmentAlias
from storage.repositories.audit import record_event
from storage.sync_report import SyncCounts


class AliasConflictError(ValueError):
    """The alias already names another department."""


# The plan registry's matching key, so the database and the plan file agree on which
# spellings name the same department ("Sở KH&ĐT" = "Sở KH và ĐT", "Uỷ" = "Ủy").
normalize_alias = normalize_name


@dataclass
class DepartmentSync:
    counts: SyncCounts = field(default_factory=SyncCounts)
    alias_conflicts: list[str] = field(default_factory=list)


async def get_by_id(session: AsyncSession, department_id: int) -> Department | None:
    return await session.get(Department, department_id)


async def get_by_code(session: AsyncSession, code: str) -> Department | None:
    return await session.scalar(select(Department).where(Department.code == code))


async def find_by_alias(session: AsyncSession, text: str) -> Department | None:
    """The department whose current or former name (or code) matches ``text`` after normalization."""
    normalized = normalize_alias(text)
    if not normalized:
        return None
    found = await session.scalar(
        select(Department).join(DepartmentAlias).where(DepartmentAlias.normalized == normalized)
    )
    if found is not None:
        return found
    return await get_by_code(session, text.strip().upper())


async def list_active(session: AsyncSession, *, include_groups: bool = False) -> list[Department]:
    """Departments that exist today, by code; groups ("các sở, ngành") only on request."""
    query = select(Department).where(Department.active.is_(True)).order_by(Department.code)
    if not include_groups:
        query = query.where(Department.kind != DepartmentKind.GROUP)
    return list((await session.scalars(query)).all())


async def list_aliases(session: AsyncSession, department_id: int) -> list[str]:
    query = select(DepartmentAlias.alias).where(DepartmentAlias.department_id == department_id)
    return list((await session.scalars(query.order_by(DepartmentAlias.id))).all())


async def add_alias(session: AsyncSession, department: Department, alias: str) -> DepartmentAlias:
    """Add ``alias`` (idempotent); raise ``AliasConflictError`` if it names another department."""
    normalized = normalize_alias(alias)
    if not normalized:
        raise ValueError("empty alias")
    existing = await session.scalar(select(DepartmentAlias).where(DepartmentAlias.normalized == normalized))
    if existing is not None:
        if existing.department_id != department.id:
            raise AliasConflictError(f"{alias!r} already names department id {existing.department_id}")
        return existing
    row = DepartmentAlias(department_id=department.id, alias=" ".join(alias.split()), normalized=normalized)
    session.add(row)
    await session.flush()
    return row


async def rename(
    session: AsyncSession,
    code: str,
    new_name: str,
    *,
    actor_officer_id: int | None = None,
    now: dt.datetime | None = None,
) -> Department:
    """Give a department a new name; the old one stays findable as an alias."""
    department = await get_by_code(session, code)
    if department is None:
        raise LookupError(f"unknown department {code!r}")
    new_name = " ".join(new_name.split())
    old_name = department.name
    if new_name == old_name:
        return department
    await add_alias(session, department, old_name)
    await add_alias(session, department, new_name)
    department.name = new_name
    await record_event(
        session,
        entity="department",
        entity_id=code,
        action="rename",
        actor_officer_id=actor_officer_id,
        old_value={"name": old_name},
        new_value={"name": new_name},
        now=now,
    )
    return department


async def upsert_from_plan(
    session: AsyncSession, departments: Sequence[PlanDepartment], *, today: dt.date
) -> DepartmentSync:
    """Create or update departments from the plan file, adding every listed name as an alias.

    A plan name that is already one of the department's former names does not undo a
    rename made at run time (the file is older than the rename).
    """
    result = DepartmentSync()
    rows = {row.code: row for row in (await session.scalars(select(Department))).all()}
    owners = {a.normalized: a.department_id for a in (await session.scalars(select(DepartmentAlias))).all()}
    for planned in departments:
        values = {
            "kind": planned.kind,
            "replaced_by_code": planned.replaced_by.successor if planned.replaced_by else None,
            "replaced_on": planned.replaced_by.effective if planned.replaced_by else None,
            "established": planned.established,
            "dissolved_on": planned.dissolved,
            "active": planned.exists_on(today),
        }
        row = rows.get(planned.code)
        outcome = "unchanged"
        if row is None:
            row = Department(code=planned.code, name=planned.name, **values)
            session.add(row)
            await session.flush()
            outcome = "created"
        else:
            if row.name != planned.name and owners.get(normalize_alias(planned.name)) != row.id:
                row.name = planned.name
                outcome = "updated"
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
                    outcome = "updated"
        for alias in [row.name, planned.name, *planned.aliases]:
            normalized = normalize_alias(alias)
            owner = owners.get(normalized)
            if owner is None:
                session.add(DepartmentAlias(department_id=row.id, alias=alias, normalized=normalized))
                owners[normalized] = row.id
                outcome = "updated" if outcome == "unchanged" else outcome
            elif owner != row.id:
                result.alias_conflicts.append(f"{alias!r} of {planned.code} already names another department")
        result.counts.count(outcome)
    listed = {planned.code for planned in departments}
    result.counts.orphaned_keys = sorted(code for code in rows if code not in listed)
    result.counts.orphaned = len(result.counts.orphaned_keys)
    await session.flush()
    return result
