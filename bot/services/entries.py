"""What figures and progress reports share: the note, the evidence file, and the reasons to refuse.

Drafts live in the conversation's JSON data until the officer confirms, so everything
here converts to and from plain dicts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.i18n import N_, Translator
from storage.repositories.evidence import Evidence

NOTE_MAX_CHARS = 1000
#: Telegram lets a bot download files up to 20 MB; a larger file could never be read back.
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


class EntryProblem(StrEnum):
    """Why an entry is refused; the values are English msgids with placeholders."""

    LOCKED = N_(
        "The year {year} is locked: figures can no longer be entered or changed. "
        "If a correction is needed, please contact the planning office ({office})."
    )
    NOT_A_REPORTING_YEAR = N_("{year} is not a reporting year of the plan. Reporting years: {years}.")
    NOT_YOUR_INDICATOR = N_("Indicator {number} is not reported by your department ({department}).")
    UNKNOWN_INDICATOR = N_("There is no indicator number {number} in Annex II.")
    NOT_YOUR_TASK = N_("Task {task} is not assigned to your department ({department}).")
    NO_DEPARTMENT = N_("Your account is not attached to a department. Please contact the planning office.")
    NOTE_EMPTY = N_("The note is empty. Please write a few words, or press Skip.")
    NOTE_REQUIRED = N_("Please explain the difficulty in a few words: a note is required for this status.")
    NOTE_TOO_LONG = N_("The note is too long ({length} characters). Please keep it under {limit} characters.")
    NOTE_BAD_CHARACTERS = N_("The note contains characters that cannot be stored. Please write plain text.")
    EVIDENCE_TOO_LARGE = N_("The file is too large ({size}). Please send a file under 20 MB.")
    EVIDENCE_NOT_A_FILE = N_("Please send a document or a photo, or press Skip.")


class EntryRefusedError(Exception):
    """An entry or a button the officer may not use; ``describe`` says why, in their language."""

    def __init__(self, problem: EntryProblem, **values: Any) -> None:
        super().__init__(f"{problem.name}: {values}")
        self.problem = problem
        self.values = values

    def describe(self, translator: Translator) -> str:
        return translator.gettext(self.problem.value).format(**self.values)


def clean_note(text: str | None, *, required: bool = False) -> str:
    """The note as it will be stored: trimmed, at most 1,000 characters, no control characters."""
    note = (text or "").strip()
    if not note:
        raise EntryRefusedError(EntryProblem.NOTE_REQUIRED if required else EntryProblem.NOTE_EMPTY)
    if len(note) > NOTE_MAX_CHARS:
        raise EntryRefusedError(EntryProblem.NOTE_TOO_LONG, length=len(note), limit=NOTE_MAX_CHARS)
    if any(unicodedata.category(ch) in {"Cc", "Cs", "Co"} and ch not in "\n\t" for ch in note):
        raise EntryRefusedError(EntryProblem.NOTE_BAD_CHARACTERS)
    return note


@dataclass(frozen=True, slots=True)
class EvidenceDraft:
    """A file the officer sent as evidence: Telegram's reference to it, not the file itself."""

    file_id: str
    file_name: str | None
    file_size: int | None
    sender_telegram_id: int

    def checked(self) -> EvidenceDraft:
        if self.file_size is not None and self.file_size > EVIDENCE_MAX_BYTES:
            raise EntryRefusedError(EntryProblem.EVIDENCE_TOO_LARGE, size=f"{self.file_size / 1024 / 1024:.1f} MB")
        return self

    def as_data(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_name": self.file_name,
            "file_size": self.file_size,
            "sender": self.sender_telegram_id,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> EvidenceDraft | None:
        if not data:
            return None
        return cls(str(data["file_id"]), data.get("file_name"), data.get("file_size"), int(data["sender"]))

    def for_storage(self) -> Evidence:
        return Evidence(self.file_id, self.file_name, self.file_size, self.sender_telegram_id)
