"""Registering a focal officer from an invite: check the link, check the name, then redeem.

Opening a link only *checks* it (nothing is consumed, so a person who changes their mind
leaves the link usable). Confirming redeems the invite and creates (or re-activates) the
officer in one transaction: the redemption is a conditional UPDATE, so of two people
racing for one link exactly one is registered and the other's officer row is rolled back.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, local_today
from bot.plan.registry import DepartmentRegistry, UnknownDepartmentError
from storage.models import Department, Invite, Officer
from storage.repositories import departments, invites, officers
from storage.repositories.invites import RedeemResult

log = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 64  # Telegram's limit for a /start payload
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 100
_NAME_PUNCTUATION = frozenset(".'-")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


class Outcome(StrEnum):
    """What opening or confirming an invite came to; the handler words each one."""

    VALID = "valid"  # check only: the link can be used
    REGISTERED = "registered"
    REACTIVATED = "reactivated"  # a former officer (same Telegram account) is back
    ALREADY_REGISTERED = "already_registered"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    DEPARTMENT_GONE = "department_gone"  # merged or dissolved since the link was made


_FROM_REDEEM = {
    RedeemResult.UNKNOWN: Outcome.UNKNOWN,
    RedeemResult.EXPIRED: Outcome.EXPIRED,
    RedeemResult.USED: Outcome.USED,
    RedeemResult.REVOKED: Outcome.REVOKED,
}


@dataclass(frozen=True, slots=True)
class InviteResult:
    """The outcome and, when known, the department concerned (the invite's, or the officer's own)."""

    outcome: Outcome
    department_code: str | None = None
    department_name: str | None = None
    officer_id: int | None = None


class NameProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    DIGITS = "digits"
    CHARACTERS = "characters"


class InvalidNameError(ValueError):
    def __init__(self, problem: NameProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def clean_full_name(text: str) -> str:
    """The name as it will be stored: NFC, single spaces; raises InvalidNameError when it is not a name.

    Letters of any script, spaces and . ' - only: no digits, emoji or control characters.
    """
    name = " ".join(unicodedata.normalize("NFC", text).translate(_APOSTROPHES).split())
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidNameError(NameProblem.TOO_LONG)
    if any(char.isdigit() for char in name):
        raise InvalidNameError(NameProblem.DIGITS)
    for char in name:
        if not (char.isalpha() or char == " " or char in _NAME_PUNCTUATION or unicodedata.category(char) == "Mn"):
            raise InvalidNameError(NameProblem.CHARACTERS)
    if len(name) < NAME_MIN_LENGTH or sum(char.isalpha() for char in name) < NAME_MIN_LENGTH:
        raise InvalidNameError(NameProblem.TOO_SHORT)
    return name


def is_plausible_token(token: str) -> bool:
    """A /start payload that could be one of our tokens (anything else is simply unknown)."""
    return bool(_TOKEN_PATTERN.fullmatch(token))


class _RedeemFailedError(Exception):
    """Raised inside the transaction so the officer row written before the redemption is rolled back."""

    def __init__(self, result: InviteResult) -> None:
        super().__init__(result.outcome.value)
        self.result = result


@dataclass(frozen=True)
class RegistrationService:
    sessions: async_sessionmaker[AsyncSession]
    registry: DepartmentRegistry
    clock: Clock
    tz: ZoneInfo

    async def _already_registered(self, session: AsyncSession, telegram_user_id: int) -> InviteResult | None:
        officer = await officers.get_active_by_telegram_id(session, telegram_user_id)
        if officer is None:
            return None
        department = await self._department(session, officer)
        return InviteResult(
            Outcome.ALREADY_REGISTERED,
            department.code if department else None,
            department.name if department else None,
            officer.id,
        )

    @staticmethod
    async def _department(session: AsyncSession, officer: Officer) -> Department | None:
        if officer.department_id is None:
            return None
        return await departments.get_by_id(session, officer.department_id)

    def _still_exists(self, code: str) -> bool:
        try:
            return self.registry.route(code, local_today(self.clock, self.tz)) == [code]
        except UnknownDepartmentError:
            return False

    async def _judge(self, session: AsyncSession, invite: Invite | None, status: RedeemResult) -> InviteResult:
        if invite is None or status is not RedeemResult.OK:
            return InviteResult(_FROM_REDEEM.get(status, Outcome.UNKNOWN))
        department = await departments.get_by_id(session, invite.department_id)
        if department is None or not self._still_exists(department.code):
            return InviteResult(Outcome.DEPARTMENT_GONE, *(_names(department)))
        return InviteResult(Outcome.VALID, department.code, department.name)

    async def check(self, token: str, telegram_user_id: int) -> InviteResult:
        """Can this person use this link now? Nothing is consumed or written."""
        async with self.sessions() as session:
            registered = await self._already_registered(session, telegram_user_id)
            if registered is not None:
                return registered
            if not is_plausible_token(token):
                return InviteResult(Outcome.UNKNOWN)
            status, invite = await invites.peek_invite(session, token, now=self.clock.now())
            return await self._judge(session, invite, status)

    async def register(self, token: str, telegram_user_id: int, full_name: str) -> InviteResult:
        """Redeem the invite and create or re-activate the officer, all or nothing."""
        name = clean_full_name(full_name)
        if not is_plausible_token(token):
            return InviteResult(Outcome.UNKNOWN)
        try:
            return await self._register(token, telegram_user_id, name)
        except _RedeemFailedError as failed:
            return failed.result
        except IntegrityError:
            # The same person confirmed twice at once: the other transaction created the officer.
            async with self.sessions() as session:
                registered = await self._already_registered(session, telegram_user_id)
            if registered is None:
                raise
            return registered

    async def _register(self, token: str, telegram_user_id: int, name: str) -> InviteResult:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            registered = await self._already_registered(session, telegram_user_id)
            if registered is not None:
                return registered
            status, invite = await invites.peek_invite(session, token, now=now)
            judged = await self._judge(session, invite, status)
            if judged.outcome is not Outcome.VALID or invite is None:
                return judged
            existing = await officers.get_by_telegram_id(session, telegram_user_id)
            if existing is not None:
                await officers.reactivate(
                    session,
                    existing,
                    department_id=invite.department_id,
                    full_name=name,
                    role=invite.role,
                    by_officer_id=invite.created_by_officer_id,
                    detail="invite",
                    now=now,
                )
                officer, outcome = existing, Outcome.REACTIVATED
            else:
                officer = await officers.create_officer(
                    session,
                    telegram_user_id=telegram_user_id,
                    full_name=name,
                    department_id=invite.department_id,
                    role=invite.role,
                    created_by_officer_id=invite.created_by_officer_id,
                    now=now,
                )
                outcome = Outcome.REGISTERED
            redeemed = await invites.redeem_invite(session, token, officer.id, now=now)
            if redeemed is not RedeemResult.OK:
                log.info("invite lost a race for user %s: %s", telegram_user_id, redeemed)
                raise _RedeemFailedError(InviteResult(_FROM_REDEEM[redeemed]))
            return InviteResult(outcome, judged.department_code, judged.department_name, officer.id)


def _names(department: Department | None) -> tuple[str | None, str | None]:
    return (department.code, department.name) if department is not None else (None, None)
