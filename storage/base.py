"""Declarative base, constraint naming convention and the enum column helper."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, ClassVar

from sqlalchemy import JSON, MetaData
from sqlalchemy import Enum as SAEnum
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase

from storage.types import UTCDateTime

# Deterministic constraint names: Alembic can then drop/alter them by name on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _values(enum_cls: type[Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


def str_enum(enum_cls: type[Enum], name: str, *, checked: bool = True) -> SAEnum:
    """A VARCHAR holding the enum's values; ``checked`` adds a CHECK constraint.

    Plan-derived sets (department kind, deadline kind, direction) are left unchecked
    so that a richer plan model does not need a schema migration.
    """
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=checked,
        length=32,
        values_callable=_values,
        validate_strings=True,
    )


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}
