"""A Telegram file attached as evidence to a figure or progress report (the reference, not the file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    file_id: str
    file_name: str | None = None
    file_size: int | None = None
    sender_telegram_id: int | None = None

    def columns(self) -> dict[str, Any]:
        """The ``evidence_*`` column values of a report row."""
        return {
            "evidence_file_id": self.file_id,
            "evidence_file_name": self.file_name,
            "evidence_file_size": self.file_size,
            "evidence_sender_telegram_id": self.sender_telegram_id,
        }


NO_EVIDENCE: dict[str, Any] = {
    "evidence_file_id": None,
    "evidence_file_name": None,
    "evidence_file_size": None,
    "evidence_sender_telegram_id": None,
}


def evidence_columns(evidence: Evidence | None) -> dict[str, Any]:
    return evidence.columns() if evidence is not None else dict(NO_EVIDENCE)
