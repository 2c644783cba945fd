"""Persistence: SQLAlchemy models, Alembic migrations, repositories and the plan sync.

Entry points: ``storage.db`` (engines, sessions), ``storage.migrate`` (schema upgrades),
``storage.plan_sync.sync_plan`` (plan file -> tables) and ``storage.repositories.*``
(one module per aggregate; functions take an ``AsyncSession`` and never commit).
"""
