"""Typed records the repositories return: the rest of the code never sees rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


def parse_time(value: str | None) -> datetime | None:
    """Stored ISO text back to an aware datetime."""
    return datetime.fromisoformat(value) if value else None


def required_time(value: str) -> datetime:
    """A time from a NOT NULL column (never empty, so never None)."""
    moment = parse_time(value)
    assert moment is not None, "NOT NULL time column was empty"
    return moment


@dataclass(frozen=True, slots=True)
class PetitionSummary:
    """The current state of a petition, without its tables."""

    id: int
    title: str
    url: str
    state: str
    total_signatures: int
    uk_signatures: int | None
    refreshed_at: datetime
    boundary_set: str


@dataclass(frozen=True, slots=True)
class IngestLogRecord:
    path: str
    result: str
    petition_id: int | None
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DatabaseStats:
    petitions: int
    snapshots: int
    constituencies: int
    mps: int
    constituency_rows: int
    newest_refresh: datetime | None
    last_ingest: IngestLogRecord | None
    size_bytes: int
