"""Counters returned by the plan synchronisation (kept apart so repositories can share them)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SyncCounts:
    """What one sync did to one kind of row. ``orphaned`` rows exist in the database but no longer in
    the plan file; they are reported and deactivated, never deleted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    orphaned: int = 0
    deactivated: int = 0  # orphans switched off by this sync (a subset of ``orphaned``)
    orphaned_keys: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        text = f"+{self.created} ~{self.updated} ={self.unchanged}"
        return f"{text} orphaned {self.orphaned}" if self.orphaned else text
