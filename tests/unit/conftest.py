"""The Kon Tum plan as shipped, read once per module, and its department registry."""

from __future__ import annotations

import pytest

from bot.plan.loader import read_plan
from bot.plan.model import Plan
from bot.plan.registry import DepartmentRegistry


@pytest.fixture(scope="module")
def plan() -> Plan:
    return read_plan()


@pytest.fixture(scope="module")
def registry(plan: Plan) -> DepartmentRegistry:
    return DepartmentRegistry(plan)
