"""What the planning office does with officers: the roster, deactivation, admin rights.

Every change re-reads both people inside its transaction and re-checks the rules there
(the actor is still an active admin; nobody switches themselves off; configured admins
are managed through ADMIN_IDS only), whatever the button that asked for it claimed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.plan.registry import DepartmentRegistry
from storage.enums import OfficerRole
from storage.models import Department, Officer
from storage.repositories import departments, officers

log = logging.getLogger(__name__)


class AdminOutcome(StrEnum):
    DONE = "done"
    NOT_ALLOWED = "not_allowed"  # the actor is no longer an active admin
    NOT_FOUND = "not_found"
    INACTIVE = "inactive"  # already deactivated
    SELF = "self"
    CONFIG_ADMIN = "config_admin"  # managed through ADMIN_IDS
    ALREADY = "already"  # already admin (promote) / already officer (demote)
    NOT_PLANNING_OFFICE = "not_planning_office"


@dataclass(frozen=True, slots=True)
class OfficerEntry:
    """One officer as the roster shows them, with what the viewing admin may do to them."""

    officer_id: int
    full_name: str
    department_code: str | None
    department_name: str | None
    is_admin: bool
    config_admin: bool
    active: bool
    joined_at: dt.datetime
    last_seen_at: dt.datetime | None
    deactivated_at: dt.datetime | None
    can_deactivate: bool
    can_promote: bool
    can_demote: bool


@dataclass(frozen=True, slots=True)
class DepartmentRoster:
    code: str | None
    name: str | None
    officers: tuple[OfficerEntry, ...]


@dataclass(frozen=True, slots=True)
class AdminResult:
    outcome: AdminOutcome
    officer: OfficerEntry | None = None


@dataclass(frozen=True)
class OfficerAdmin:
    sessions: async_sessionmaker[AsyncSession]
    registry: DepartmentRegistry
    clock: Clock
    tz: ZoneInfo
    admin_ids: frozenset[int]

    def planning_office_code(self) -> str:
        return self.registry.planning_office(local_today(self.clock, self.tz))

    def _is_config_admin(self, officer: Officer) -> bool:
        return officer.admin_from_config or officer.telegram_user_id in self.admin_ids

    def _entry(self, officer: Officer, department: Department | None, actor_id: int | None) -> OfficerEntry:
        is_admin = officer.role == OfficerRole.ADMIN
        config_admin = self._is_config_admin(officer)
        manageable = officer.active and officer.id != actor_id and not config_admin
        in_office = department is not None and department.code == self.planning_office_code()
        return OfficerEntry(
            officer_id=officer.id,
            full_name=officer.full_name,
            department_code=department.code if department else None,
            department_name=department.name if department else None,
            is_admin=is_admin,
            config_admin=config_admin,
            active=officer.active,
            joined_at=officer.joined_at,
            last_seen_at=officer.last_seen_at,
            deactivated_at=officer.deactivated_at,
            can_deactivate=manageable,
            can_promote=manageable and in_office and not is_admin,
            can_demote=manageable and is_admin,
        )

    def _order(self, code: str | None) -> tuple[int, int, str]:
        """Planning office first, then the plan's own order; officers without a department last."""
        if code is None:
            return (2, 0, "")
        if code == self.planning_office_code():
            return (0, 0, code)
        codes = [department.code for department in self.registry]
        return (1, codes.index(code) if code in codes else len(codes), code)

    async def roster(self, actor_officer_id: int | None) -> list[DepartmentRoster]:
        """Every officer (deactivated ones too), grouped by department; active ones first in each."""
        async with self.sessions() as session:
            rows = await officers.list_all(session)
            by_id: dict[int, Department | None] = {}
            for officer in rows:
                if officer.department_id is not None and officer.department_id not in by_id:
                    by_id[officer.department_id] = await departments.get_by_id(session, officer.department_id)
        groups: dict[str | None, list[OfficerEntry]] = {}
        for officer in rows:
            department = by_id.get(officer.department_id) if officer.department_id is not None else None
            entry = self._entry(officer, department, actor_officer_id)
            groups.setdefault(entry.department_code, []).append(entry)
        result = []
        for code in sorted(groups, key=self._order):
            entries = sorted(groups[code], key=lambda e: (not e.active, not e.is_admin, e.officer_id))
            result.append(DepartmentRoster(code, entries[0].department_name, tuple(entries)))
        return result

    async def describe(self, actor_officer_id: int | None, officer_id: int) -> OfficerEntry | None:
        async with self.sessions() as session:
            officer = await officers.get_by_id(session, officer_id)
            if officer is None:
                return None
            return self._entry(officer, await _department_of(session, officer), actor_officer_id)

    async def _act(
        self,
        actor_officer_id: int,
        officer_id: int,
        decide: Callable[[Officer, Department | None], AdminOutcome | None],
        apply: Callable[[AsyncSession, Officer], Awaitable[object]] | None,
        what: str,
    ) -> AdminResult:
        """Load both people in one transaction, check the common rules, then ``decide`` and ``apply``.

        Without ``apply`` nothing changes: DONE then means "would be done now".
        """
        async with self.sessions.begin() as session:
            actor = await officers.get_by_id(session, actor_officer_id)
            if actor is None or not actor.active or actor.role != OfficerRole.ADMIN:
                log.warning("refused %s of officer %s by %s: not an admin", what, officer_id, actor_officer_id)
                return AdminResult(AdminOutcome.NOT_ALLOWED)
            target = await officers.get_by_id(session, officer_id)
            if target is None:
                return AdminResult(AdminOutcome.NOT_FOUND)
            department = await _department_of(session, target)
            outcome = self._common_refusal(actor, target) or decide(target, department)
            if outcome is None:
                if apply is not None:
                    await apply(session, target)
                outcome = AdminOutcome.DONE
            else:
                log.info("%s of officer %s by %s refused: %s", what, officer_id, actor_officer_id, outcome)
            return AdminResult(outcome, self._entry(target, department, actor_officer_id))

    def _common_refusal(self, actor: Officer, target: Officer) -> AdminOutcome | None:
        if target.id == actor.id:
            return AdminOutcome.SELF
        if not target.active:
            return AdminOutcome.INACTIVE
        if self._is_config_admin(target):
            return AdminOutcome.CONFIG_ADMIN
        return None

    async def check_deactivation(self, actor_officer_id: int, officer_id: int) -> AdminResult:
        """Whether ``deactivate`` would go ahead now (before asking for confirmation); changes nothing."""
        return await self._act(actor_officer_id, officer_id, lambda target, department: None, None, "deactivation")

    async def deactivate(self, actor_officer_id: int, officer_id: int) -> AdminResult:
        """Switch an officer off (audited); they become a stranger until invited again."""

        async def apply(session: AsyncSession, target: Officer) -> object:
            return await officers.deactivate(
                session, target, by_officer_id=actor_officer_id, reason="admin", now=self.clock.now()
            )

        return await self._act(actor_officer_id, officer_id, lambda target, department: None, apply, "deactivation")

    async def promote(self, actor_officer_id: int, officer_id: int) -> AdminResult:
        """Give admin rights to a member of today's planning office (audited)."""

        def decide(target: Officer, department: Department | None) -> AdminOutcome | None:
            if target.role == OfficerRole.ADMIN:
                return AdminOutcome.ALREADY
            if department is None or department.code != self.planning_office_code():
                return AdminOutcome.NOT_PLANNING_OFFICE
            return None

        async def apply(session: AsyncSession, target: Officer) -> object:
            return await officers.set_role(
                session, target, OfficerRole.ADMIN, by_officer_id=actor_officer_id, now=self.clock.now()
            )

        return await self._act(actor_officer_id, officer_id, decide, apply, "promotion")

    async def demote(self, actor_officer_id: int, officer_id: int) -> AdminResult:
        """Take back admin rights given with ``promote`` (configured admins are refused, audited)."""

        def decide(target: Officer, department: Department | None) -> AdminOutcome | None:
            return AdminOutcome.ALREADY if target.role != OfficerRole.ADMIN else None

        async def apply(session: AsyncSession, target: Officer) -> object:
            return await officers.set_role(
                session, target, OfficerRole.OFFICER, by_officer_id=actor_officer_id, now=self.clock.now()
            )

        return await self._act(actor_officer_id, officer_id, decide, apply, "demotion")


async def _department_of(session: AsyncSession, officer: Officer) -> Department | None:
    if officer.department_id is None:
        return None
    return await departments.get_by_id(session, officer.department_id)
