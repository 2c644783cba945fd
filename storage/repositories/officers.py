"""Officers: the Telegram users who report for a department, and the admins.

An officer is never deleted (reports and audit rows point at them); leaving is
``deactivate``, and a blocked bot is recorded as ``unreachable_at``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import OfficerRole
from storage.models import Department, Officer
from storage.repositories.audit import add_audited, record_event
from storage.types import utcnow

ENTITY = "officer"


def snapshot(officer: Officer) -> dict[str, Any]:
    """The fields an audit event records for an officer."""
    return {
        "telegram_user_id": officer.telegram_user_id,
        "department_id": officer.department_id,
        "full_name": officer.full_name,
        "role": officer.role,
        "active": officer.active,
        "admin_from_config": officer.admin_from_config,
    }


async def get_by_id(session: AsyncSession, officer_id: int) -> Officer | None:
    return await session.get(Officer, officer_id)


async def get_by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Officer | None:
    return await session.scalar(select(Officer).where(Officer.telegram_user_id == telegram_user_id))


async def get_active_by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Officer | None:
    return await session.scalar(
        select(Officer).where(Officer.telegram_user_id == telegram_user_id, Officer.active.is_(True))
    )


async def get_active_with_department(
    session: AsyncSession, telegram_user_id: int
) -> tuple[Officer, Department | None] | None:
    """The active officer and their department in one query: every update starts with this lookup."""
    row = (
        await session.execute(
            select(Officer, Department)
            .outerjoin(Department, Officer.department_id == Department.id)
            .where(Officer.telegram_user_id == telegram_user_id, Officer.active.is_(True))
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def create_officer(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    full_name: str,
    department_id: int | None,
    role: OfficerRole = OfficerRole.OFFICER,
    locale: str | None = None,
    admin_from_config: bool = False,
    created_by_officer_id: int | None = None,
    now: dt.datetime | None = None,
) -> Officer:
    """Insert a new officer (the Telegram id must not exist yet) and audit it."""
    now = now or utcnow()
    officer = Officer(
        telegram_user_id=telegram_user_id,
        full_name=full_name,
        department_id=department_id,
        role=role,
        active=True,
        joined_at=now,
        last_seen_at=now,
        locale=locale,
        admin_from_config=admin_from_config,
    )
    return await add_audited(
        session,
        officer,
        entity=ENTITY,
        action="create",
        actor_officer_id=created_by_officer_id,
        actor_telegram_id=telegram_user_id,
        summarize=snapshot,
        now=now,
    )


async def ensure_admin(
    session: AsyncSession,
    telegram_user_id: int,
    full_name: str,
    department_id: int | None = None,
    *,
    now: dt.datetime | None = None,
) -> Officer:
    """Make sure this Telegram user is an active admin (bootstrap from configuration).

    Creates the admin, or re-activates and promotes an existing officer; a configured
    department replaces the current one, ``None`` keeps it.
    """
    now = now or utcnow()
    officer = await get_by_telegram_id(session, telegram_user_id)
    if officer is None:
        return await create_officer(
            session,
            telegram_user_id=telegram_user_id,
            full_name=full_name,
            department_id=department_id,
            role=OfficerRole.ADMIN,
            admin_from_config=True,
            now=now,
        )
    changes: dict[str, Any] = {
        "role": OfficerRole.ADMIN,
        "admin_from_config": True,
        "active": True,
        "deactivated_at": None,
    }
    if department_id is not None:
        changes["department_id"] = department_id
    await _change(session, officer, changes, action="ensure_admin", actor_telegram_id=telegram_user_id, now=now)
    return officer


async def list_by_department(session: AsyncSession, department_id: int, *, active_only: bool = True) -> list[Officer]:
    query = select(Officer).where(Officer.department_id == department_id).order_by(Officer.id)
    if active_only:
        query = query.where(Officer.active.is_(True))
    return list((await session.scalars(query)).all())


async def list_admins(session: AsyncSession) -> list[Officer]:
    query = select(Officer).where(Officer.role == OfficerRole.ADMIN, Officer.active.is_(True))
    return list((await session.scalars(query.order_by(Officer.id))).all())


async def deactivate(
    session: AsyncSession,
    officer: Officer,
    *,
    by_officer_id: int | None,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Switch an officer off (left the department, lost the phone). False if already inactive."""
    if not officer.active:
        return False
    now = now or utcnow()
    changes = {"active": False, "deactivated_at": now}
    await _change(
        session, officer, changes, action="deactivate", actor_officer_id=by_officer_id, detail=reason, now=now
    )
    return True


async def revoke_config_admin(session: AsyncSession, officer: Officer, *, now: dt.datetime | None = None) -> None:
    """An admin whose id left ADMIN_IDS loses the role and must be invited again to report."""
    now = now or utcnow()
    changes = {"role": OfficerRole.OFFICER, "admin_from_config": False, "active": False, "deactivated_at": now}
    await _change(
        session,
        officer,
        changes,
        action="revoke_config_admin",
        actor_telegram_id=officer.telegram_user_id,
        detail="removed from ADMIN_IDS",
        now=now,
    )


async def _change(
    session: AsyncSession,
    officer: Officer,
    changes: dict[str, Any],
    *,
    action: str,
    now: dt.datetime,
    actor_officer_id: int | None = None,
    actor_telegram_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Apply field changes and audit them with before/after; nothing is audited if nothing changed."""
    before = snapshot(officer)
    for field, value in changes.items():
        setattr(officer, field, value)
    after = snapshot(officer)
    if after == before:
        return
    await record_event(
        session,
        entity=ENTITY,
        entity_id=officer.id,
        action=action,
        actor_officer_id=actor_officer_id,
        actor_telegram_id=actor_telegram_id,
        old_value=before,
        new_value=after,
        detail=detail,
        now=now,
    )


async def mark_unreachable(
    session: AsyncSession, officer: Officer, *, detail: str | None = None, now: dt.datetime | None = None
) -> None:
    """The bot may no longer write to this user (blocked bot, deleted account)."""
    now = now or utcnow()
    officer.unreachable_at = now
    await record_event(session, entity=ENTITY, entity_id=officer.id, action="unreachable", detail=detail, now=now)


async def touch_last_seen(session: AsyncSession, officer: Officer | int, now: dt.datetime | None = None) -> None:
    """Note activity; any message also proves the user is reachable again. Not audited (not a change)."""
    now = now or utcnow()
    if isinstance(officer, Officer):
        officer.last_seen_at = now
        officer.unreachable_at = None
        await session.flush()
        return
    await session.execute(
        update(Officer)
        .where(Officer.id == officer)
        .values(last_seen_at=now, unreachable_at=None)
        .execution_options(synchronize_session="fetch")
    )


async def set_locale(session: AsyncSession, officer: Officer, locale: str) -> None:
    """Remember the officer's interface language (a preference, not audited)."""
    officer.locale = locale
    await session.flush()


async def list_all(session: AsyncSession, *, include_inactive: bool = True) -> list[Officer]:
    """Every officer (the roster of the planning office), oldest first."""
    query = select(Officer).order_by(Officer.id)
    if not include_inactive:
        query = query.where(Officer.active.is_(True))
    return list((await session.scalars(query)).all())


async def reactivate(
    session: AsyncSession,
    officer: Officer,
    *,
    department_id: int,
    full_name: str,
    role: OfficerRole = OfficerRole.OFFICER,
    by_officer_id: int | None = None,
    detail: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Bring a deactivated officer back (a new invite), bound to ``department_id`` with ``role``.

    The Telegram id is unique, so someone who left and is invited again gets their old row back
    instead of a second one; a former admin rejoins with the invite's role, not their old one.
    """
    now = now or utcnow()
    changes: dict[str, Any] = {
        "active": True,
        "deactivated_at": None,
        "unreachable_at": None,
        "department_id": department_id,
        "full_name": full_name,
        "role": role,
        "admin_from_config": False,
        "joined_at": now,
    }
    await _change(
        session,
        officer,
        changes,
        action="reactivate",
        actor_officer_id=by_officer_id,
        actor_telegram_id=officer.telegram_user_id,
        detail=detail,
        now=now,
    )
    await session.flush()


async def set_role(
    session: AsyncSession,
    officer: Officer,
    role: OfficerRole,
    *,
    by_officer_id: int | None,
    now: dt.datetime | None = None,
) -> bool:
    """Promote to admin or demote to officer (audited as ``promote``/``demote``); False if unchanged."""
    if officer.role == role:
        return False
    now = now or utcnow()
    action = "promote" if role is OfficerRole.ADMIN else "demote"
    await _change(session, officer, {"role": role}, action=action, actor_officer_id=by_officer_id, now=now)
    await session.flush()
    return True


async def full_names(session: AsyncSession, officer_ids: Iterable[int]) -> dict[int, str]:
    """Names of the given officers (active or not: history shows who entered what, even after they left)."""
    wanted = sorted(set(officer_ids))
    if not wanted:
        return {}
    rows = await session.execute(select(Officer.id, Officer.full_name).where(Officer.id.in_(wanted)))
    return {officer_id: name for officer_id, name in rows.all()}
