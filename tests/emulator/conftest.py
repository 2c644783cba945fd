"""Fixtures for the emulator's own tests; other folders import from ``emulator.fixtures``."""

from emulator.fixtures import emulator

__all__ = ["emulator"]
