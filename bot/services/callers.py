"""Who is writing, and where they are in a conversation: the two lookups a conversation update starts with.

Both are read in one transaction rather than two: on PostgreSQL each transaction costs a pool
ping, a BEGIN and a COMMIT round trip, and every button press and every typed answer needs both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.accounts import AccountService, Identity
from bot.services.conversations import Conversation, ConversationService, Flow


@dataclass(frozen=True)
class CallerLookup:
    sessions: async_sessionmaker[AsyncSession]
    accounts: AccountService
    conversations: ConversationService

    async def find(
        self, telegram_user_id: int, display_name: str, flow: Flow | None
    ) -> tuple[Identity, Conversation | None]:
        """The caller and their conversation of ``flow``, or (``flow`` None) the active one a message answers."""
        async with self.sessions.begin() as session:
            identity = await self.accounts.identify_in(session, telegram_user_id, display_name)
            if flow is None:
                conversation = await self.conversations.active_in(session, telegram_user_id)
            else:
                conversation = await self.conversations.get_in(session, telegram_user_id, flow)
        return identity, conversation
