"""Invites: a single-use token that binds a Telegram user to a department."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.i18n import N_, Translator
from bot.plan.registry import DepartmentRegistry
from storage.repositories import departments, invites


class InviteProblem(StrEnum):
    UNKNOWN_DEPARTMENT = N_("There is no department with the code {code}.")
    DEPARTMENT_REPLACED = N_(
        "{code} ({name}) no longer exists on {date}: its work passed to {successors}. Invite for that department."
    )
    DEPARTMENT_DISSOLVED = N_("{code} ({name}) no longer exists on {date} and has no successor.")
    NOT_SYNCED = N_("The department {code} is not in the database yet. Start the bot once, then try again.")


class InviteError(Exception):
    """An invite that cannot be created; the caller translates it for the person who asked."""

    def __init__(self, problem: InviteProblem, **values: str) -> None:
        super().__init__(f"{problem.name}: {values}")
        self.problem = problem
        self.values = values

    def describe(self, translator: Translator) -> str:
        return translator.gettext(self.problem.value).format(**self.values)


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
        raise InviteError(InviteProblem.UNKNOWN_DEPARTMENT, code=code) from exc
    routed = registry.route(code, today)
    if routed != [code]:
        where = {"code": code, "name": department.name, "date": f"{today:%d/%m/%Y}"}
        if not routed:
            raise InviteError(InviteProblem.DEPARTMENT_DISSOLVED, **where)
        successors = ", ".join(f"{successor} ({registry.display_name(successor)})" for successor in routed)
        raise InviteError(InviteProblem.DEPARTMENT_REPLACED, successors=successors, **where)
    async with sessions.begin() as session:
        row = await departments.get_by_code(session, code)
        if row is None:
            raise InviteError(InviteProblem.NOT_SYNCED, code=code)
        invite = await invites.create_invite(
            session, department=row, ttl=ttl, created_by=created_by_officer_id, now=clock.now()
        )
        return CreatedInvite(invite.token, code, row.name, invite.expires_at)
