"""The demo's transcript: the chats as the people would read them on their phones, in the order things happened.

Every line carries the local time of the simulated clock: "[20/11/2015 09:01] Cường → Bot: 45,5" for what a
person did, "[20/11/2015 09:01] Bot → Cường: ..." for what the bot sent, its buttons as "[Xác nhận] [Sửa]" and
its files as "📎 tong-hop-2015.xlsx". The demo tells the transcript what each person does; what the bot sent is
read from the emulator's chats, each message once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.clock import Clock
from emulator.models import Markup, SentMessage, StoredFile
from emulator.user import EmulatedUser

BOT = "Bot"
ARROW = "→"
INDENT = "    "


@dataclass(frozen=True)
class Person:
    """One person of the demo: their Telegram handle and the name the transcript shows."""

    user: EmulatedUser
    name: str

    @property
    def id(self) -> int:
        return self.user.id


def buttons_line(markup: Markup | None) -> list[str]:
    """One line per keyboard row: "[Xác nhận] [Sửa] [Hủy]"."""
    if markup is None or markup.kind not in ("inline", "reply"):
        return []
    return [" ".join(f"[{button.text}]" for button in row) for row in markup.rows if row]


def attachment(stored: StoredFile | None) -> str | None:
    if stored is None:
        return None
    return f"📎 {stored.filename or 'photo.png'}"


@dataclass
class Transcript:
    clock: Clock
    tz: ZoneInfo
    lines: list[str] = field(default_factory=list)
    _read: dict[int, int] = field(default_factory=dict)  # per chat: how many bot messages are in the transcript

    def _stamp(self, moment: dt.datetime) -> str:
        return moment.astimezone(self.tz).strftime("[%d/%m/%Y %H:%M]")

    def _add(self, moment: dt.datetime, who: str, text: str) -> None:
        first, *rest = text.split("\n") if text else [""]
        self.lines.append(f"{self._stamp(moment)} {who}: {first}".rstrip())
        self.lines.extend(f"{INDENT}{line}".rstrip() for line in rest)

    def heading(self, text: str) -> None:
        """A line of the narrator between scenes, so a reader knows what the next part shows."""
        if self.lines:
            self.lines.append("")
        self.lines.append(f"=== {text} ===")

    def said(self, person: Person, text: str) -> None:
        self._add(self.clock.now(), f"{person.name} {ARROW} {BOT}", text)

    def pressed(self, person: Person, label: str) -> None:
        self._add(self.clock.now(), f"{person.name} {ARROW} {BOT}", f"[{label}]")

    def sent_file(self, person: Person, filename: str) -> None:
        self._add(self.clock.now(), f"{person.name} {ARROW} {BOT}", f"📎 {filename}")

    def unread(self, person: Person) -> list[SentMessage]:
        """What the bot sent this person since the transcript last looked (not yet written down)."""
        return person.user.messages[self._read.get(person.id, 0) :]

    def collect(self, people: list[Person]) -> list[SentMessage]:
        """Write down, per person, every message the bot sent since the last look; returns them."""
        found: list[SentMessage] = []
        for person in people:
            new = self.unread(person)
            self._read[person.id] = self._read.get(person.id, 0) + len(new)
            for message in new:
                self._bot_message(person, message)
            found += new
        return found

    def _bot_message(self, person: Person, message: SentMessage) -> None:
        parts = [part for part in (attachment(message.document), attachment(message.photo)) if part]
        if message.content:
            parts.append(message.content)
        parts += buttons_line(message.reply_markup)
        moment = dt.datetime.fromtimestamp(message.date, dt.UTC)
        self._add(moment, f"{BOT} {ARROW} {person.name}", "\n".join(parts))

    def render(self) -> str:
        return "\n".join(self.lines) + "\n"
