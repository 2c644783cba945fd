"""Data access, one module per aggregate.

Every function takes an ``AsyncSession`` first and never commits: the calling service
owns the transaction, so a change and its audit event are committed (or rolled back)
together.
"""
