"""Steps shared by the end-to-end tests: an admin invites, a person registers over the emulator."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from emulator.models import SentMessage
from emulator.user import EmulatedUser
from storage.models import Department, Invite, Officer
from storage.repositories import departments, invites, officers

LINK = re.compile(r"https://t\.me/greenbot_test_bot\?start=([A-Za-z0-9_-]{32,64})")


def token_in(message: SentMessage) -> str:
    match = LINK.search(message.text or "")
    assert match is not None, message.text
    return match.group(1)


async def invite_token(admin: EmulatedUser, code: str = "SXD") -> str:
    """The admin sends `/moi <code>` and gets the deep link; returns its token."""
    await admin.send(f"/moi {code}")
    return token_in(await admin.wait_for_reply())


async def register(user: EmulatedUser, token: str) -> SentMessage:
    """Open the link and accept the proposed name; returns the welcome message."""
    await user.send(f"/start {token}")
    prompt = await user.wait_for_reply()
    await user.press(prompt, text="Đúng")
    await user.wait_for_callback_answer()
    return await user.wait_for_reply()


async def officer_row(sessions: async_sessionmaker[AsyncSession], telegram_user_id: int) -> Officer | None:
    async with sessions() as session:
        return await officers.get_by_telegram_id(session, telegram_user_id)


async def department_of(sessions: async_sessionmaker[AsyncSession], officer: Officer) -> Department | None:
    async with sessions() as session:
        return await departments.get_by_id(session, officer.department_id or 0)


async def invite_row(sessions: async_sessionmaker[AsyncSession], token: str) -> Invite | None:
    async with sessions() as session:
        return await invites.get_by_token(session, token)
