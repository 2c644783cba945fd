"""Who is talking to the bot: a stranger, a registered focal officer or a planning-office admin.

Admins are bootstrapped from ADMIN_IDS: the first time such a user appears they get an
admin record attached to the department that holds the planning-office role today. An id
removed from ADMIN_IDS loses that role the next time its owner writes to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.plan.registry import DepartmentRegistry
from storage.models import Department, Officer, OfficerRole
from storage.repositories import departments, officers


class Role(StrEnum):
    STRANGER = "stranger"
    OFFICER = "officer"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Identity:
    role: Role
    telegram_user_id: int
    full_name: str
    department_code: str | None
    department_name: str | None
    locale: str | None
    officer_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True, slots=True)
class PlanningOffice:
    code: str
    name: str
    province: str


@dataclass(frozen=True)
class AccountService:
    sessions: async_sessionmaker[AsyncSession]
    admin_ids: frozenset[int]
    registry: DepartmentRegistry
    clock: Clock
    tz: ZoneInfo

    def planning_office_code(self) -> str:
        """The department that holds the planning-office role today (it moved in 2025)."""
        return self.registry.planning_office(local_today(self.clock, self.tz))

    def planning_office(self) -> PlanningOffice:
        """Today's planning office and province (both changed in 2025)."""
        today = local_today(self.clock, self.tz)
        code = self.registry.planning_office(today)
        return PlanningOffice(code, self.registry.display_name(code), self.registry.province_on(today))

    async def identify(self, telegram_user_id: int, display_name: str) -> Identity:
        """Look the user up, bootstrapping ADMIN_IDS, and record their last activity."""
        async with self.sessions.begin() as session:
            return await self.identify_in(session, telegram_user_id, display_name)

    async def identify_in(self, session: AsyncSession, telegram_user_id: int, display_name: str) -> Identity:
        """``identify`` inside the caller's transaction (``bot.services.callers`` adds the conversation to it)."""
        officer: Officer | None
        department: Department | None = None
        if telegram_user_id in self.admin_ids:
            office = await departments.get_by_code(session, self.planning_office_code())
            officer = await officers.ensure_admin(
                session,
                telegram_user_id=telegram_user_id,
                full_name=display_name,
                department_id=office.id if office else None,
                now=self.clock.now(),
            )
            if officer.department_id is not None:
                department = await departments.get_by_id(session, officer.department_id)
        else:
            found = await officers.get_active_with_department(session, telegram_user_id)
            officer, department = found if found is not None else (None, None)
            if officer is not None and officer.admin_from_config:
                await officers.revoke_config_admin(session, officer, now=self.clock.now())
                officer = None
        if officer is None:
            return Identity(Role.STRANGER, telegram_user_id, display_name, None, None, None)
        await officers.touch_last_seen(session, officer, self.clock.now())
        role = Role.ADMIN if officer.role is OfficerRole.ADMIN else Role.OFFICER
        return Identity(
            role=role,
            telegram_user_id=telegram_user_id,
            full_name=officer.full_name,
            department_code=department.code if department else None,
            department_name=department.name if department else None,
            locale=officer.locale,
            officer_id=officer.id,
        )
