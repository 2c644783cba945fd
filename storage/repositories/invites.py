"""One-time invitation links that bind a Telegram user to a department.

Redemption is a single conditional UPDATE, so two people (or two taps) racing for
the same token cannot both succeed, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import OfficerRole
from storage.models import Department, Invite
from storage.repositories.audit import add_audited, record_event
from storage.types import ensure_aware, utcnow

ENTITY = "invite"
TOKEN_BYTES = 24  # 192 bits -> 32 URL-safe characters (Telegram deep links allow 64)


class RedeemResult(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _summary(invite: Invite) -> dict[str, Any]:
    # The token itself stays out of the audit trail: the trail is readable by admins.
    return {"department_id": invite.department_id, "role": invite.role, "expires_at": invite.expires_at}


async def create_invite(
    session: AsyncSession,
    department: Department | int,
    ttl: dt.timedelta,
    created_by: int | None,
    *,
    role: OfficerRole = OfficerRole.OFFICER,
    now: dt.datetime | None = None,
) -> Invite:
    """A new open invite for ``department`` (a row or its id), valid for ``ttl``."""
    if ttl <= dt.timedelta(0):
        raise ValueError("an invite needs a positive lifetime")
    department_id = department.id if isinstance(department, Department) else department
    now = ensure_aware(now) if now is not None else utcnow()
    invite = Invite(
        token=new_token(),
        department_id=department_id,
        role=role,
        created_by_officer_id=created_by,
        created_at=now,
        expires_at=now + ttl,
    )
    return await add_audited(
        session, invite, entity=ENTITY, action="create", actor_officer_id=created_by, summarize=_summary, now=now
    )


async def get_by_token(session: AsyncSession, token: str) -> Invite | None:
    return await session.scalar(select(Invite).where(Invite.token == token))


async def list_open(session: AsyncSession, department_id: int | None = None, *, now: dt.datetime) -> list[Invite]:
    """Invites that can still be redeemed."""
    query = select(Invite).where(Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now)
    if department_id is not None:
        query = query.where(Invite.department_id == department_id)
    return list((await session.scalars(query.order_by(Invite.created_at))).all())


async def redeem_invite(
    session: AsyncSession, token: str, officer_id: int, *, now: dt.datetime | None = None
) -> RedeemResult:
    """Mark the invite used by ``officer_id`` if it is still open; otherwise say why not."""
    now = ensure_aware(now) if now is not None else utcnow()
    claimed = await session.execute(
        update(Invite)
        .where(
            Invite.token == token,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .values(used_at=now, used_by_officer_id=officer_id)
        .returning(Invite.id)
        .execution_options(synchronize_session=False)
    )
    invite_id = claimed.scalar_one_or_none()
    if invite_id is not None:
        await record_event(
            session,
            entity=ENTITY,
            entity_id=invite_id,
            action="redeem",
            actor_officer_id=officer_id,
            new_value={"used_by_officer_id": officer_id, "used_at": now},
            now=now,
        )
        return RedeemResult.OK
    invite = await session.scalar(select(Invite).where(Invite.token == token).execution_options(populate_existing=True))
    if invite is None:
        return RedeemResult.UNKNOWN
    if invite.used_at is not None:
        return RedeemResult.USED
    if invite.revoked_at is not None:
        return RedeemResult.REVOKED
    return RedeemResult.EXPIRED


async def revoke_invite(
    session: AsyncSession, invite_id: int, *, by_officer_id: int | None, now: dt.datetime | None = None
) -> bool:
    """Withdraw an unused invite; False if it was already used or revoked."""
    now = now or utcnow()
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(Invite.id)
        .execution_options(synchronize_session=False)
    )
    if result.scalar_one_or_none() is None:
        return False
    await record_event(
        session,
        entity=ENTITY,
        entity_id=invite_id,
        action="revoke",
        actor_officer_id=by_officer_id,
        new_value={"revoked_at": now},
        now=now,
    )
    return True


def status_of(invite: Invite | None, *, now: dt.datetime) -> RedeemResult:
    """What redeeming ``invite`` at ``now`` would give, without redeeming it (OK: still open)."""
    if invite is None:
        return RedeemResult.UNKNOWN
    if invite.used_at is not None:
        return RedeemResult.USED
    if invite.revoked_at is not None:
        return RedeemResult.REVOKED
    if invite.expires_at <= ensure_aware(now):
        return RedeemResult.EXPIRED
    return RedeemResult.OK


async def peek_invite(session: AsyncSession, token: str, *, now: dt.datetime) -> tuple[RedeemResult, Invite | None]:
    """The invite behind ``token`` and whether it could be redeemed now; nothing is consumed.

    Used to answer someone opening a link before they confirm; only ``redeem_invite``
    decides, since the answer may change before they do.
    """
    invite = await session.scalar(select(Invite).where(Invite.token == token).execution_options(populate_existing=True))
    return status_of(invite, now=now), invite
