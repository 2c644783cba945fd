"""Fixtures for the emulator's own tests; other folders import from ``tests.emulator.fixtures``."""

from tests.emulator.fixtures import emulator

__all__ = ["emulator"]
