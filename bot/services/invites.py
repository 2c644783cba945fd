"""Invites: a single-use token that binds a Telegram user to a department."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.plan.registry import DepartmentRegistry
from storage.repositories import departments, invites


class InviteError(Exception):
    """An invite that cannot be created; the message is shown to the person who asked."""


@dataclass(frozen=True, slots=True)
class CreatedInvite:
    token: str
    department_code: str
    department_name: str
    expires_at: dt.datetime

    def deep_link(self, bot_username: str | None) -> str | None:
        """`https://t.me/<bot>?start=<token>`, when the bot's username is known."""
        if not bot_username:
            return None
        return f"https://t.me/{bot_username.lstrip('@')}?start={self.token}"


async def create_department_invite(
    sessions: async_sessionmaker[AsyncSession],
    registry: DepartmentRegistry,
    department_code: str,
    ttl: dt.timedelta,
    clock: Clock,
    tz: ZoneInfo,
    created_by_officer_id: int | None = None,
) -> CreatedInvite:
    """Creates a stored invite for a department that exists today (not a merged-away one)."""
    code = department_code.strip().upper()
    today = local_today(clock, tz)
    try:
        department = registry.get(code)
    except KeyError as exc:
        raise InviteError(f"unknown department code {code!r}") from exc
    routed = registry.route(code, today)
    if routed != [code]:
        successors = ", ".join(routed) or "-"
        raise InviteError(f"{code} ({department.name}) no longer exists on {today:%d/%m/%Y}; invite for: {successors}")
    async with sessions.begin() as session:
        row = await departments.get_by_code(session, code)
        if row is None:
            raise InviteError(f"department {code!r} is not in the database yet: run the bot once or sync the plan")
        invite = await invites.create_invite(
            session, department=row, ttl=ttl, created_by=created_by_officer_id, now=clock.now()
        )
        return CreatedInvite(invite.token, code, row.name, invite.expires_at)
