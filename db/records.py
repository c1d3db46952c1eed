"""Typed records the repositories return: the rest of the code never sees rows."""

from __future__ import annotations

from datetime import datetime


def parse_time(value: str | None) -> datetime | None:
    """Stored ISO text back to an aware datetime."""
    return datetime.fromisoformat(value) if value else None


def required_time(value: str) -> datetime:
    """A time from a NOT NULL column (never empty, so never None)."""
    moment = parse_time(value)
    assert moment is not None, "NOT NULL time column was empty"
    return moment






