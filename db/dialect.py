"""The few SQL spellings that differ between SQLite and PostgreSQL.

Everything else is written once: ``?`` placeholders (translated for asyncpg),
``ON CONFLICT … DO NOTHING/UPDATE`` with a conflict target, ``RETURNING``, and
ISO-8601 text times, which compare alike on both. Repositories call these with
``db.dialect`` where a spelling must differ, so the difference stays visible in
the query that needs it.
"""

from __future__ import annotations

from typing import Literal

Dialect = Literal["sqlite", "postgresql"]


def greatest(dialect: Dialect, *expressions: str) -> str:
    """The larger of values: SQLite's scalar ``max(a, b)``, PostgreSQL's ``GREATEST``."""
    function = "GREATEST" if dialect == "postgresql" else "max"
    return f"{function}({', '.join(expressions)})"


def string_agg(dialect: Dialect, expression: str, separator_code: int) -> str:
    """Values of a group joined by the character ``separator_code`` (order unspecified)."""
    if dialect == "postgresql":
        return f"string_agg({expression}, chr({separator_code}))"
    return f"group_concat({expression}, char({separator_code}))"


def not_same_as(dialect: Dialect, left: str, right: str) -> str:
    """Null-safe inequality (SQLite ``IS NOT``; PostgreSQL ``IS DISTINCT FROM``)."""
    if dialect == "postgresql":
        return f"{left} IS DISTINCT FROM {right}"
    return f"{left} IS NOT {right}"


def no_limit(dialect: Dialect) -> int | None:
    """The ``LIMIT ?`` parameter meaning "all rows": SQLite's -1 (PostgreSQL refuses
    a negative limit), PostgreSQL's NULL (which SQLite refuses)."""
    return None if dialect == "postgresql" else -1


def database_size(dialect: Dialect) -> str:
    """A query for the database's size in bytes."""
    if dialect == "postgresql":
        return "SELECT pg_database_size(current_database())"
    return "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"


def same_as(dialect: Dialect, left: str, right: str) -> str:
    """Null-safe equality (SQLite ``IS``; PostgreSQL ``IS NOT DISTINCT FROM``)."""
    if dialect == "postgresql":
        return f"{left} IS NOT DISTINCT FROM {right}"
    return f"{left} IS {right}"


def least(dialect: Dialect, *expressions: str) -> str:
    """The smaller of values: SQLite's scalar ``min(a, b)``, PostgreSQL's ``LEAST``."""
    function = "LEAST" if dialect == "postgresql" else "min"
    return f"{function}({', '.join(expressions)})"
