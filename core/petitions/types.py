"""Petition records as the repositories return them: refs, summaries, details, tables, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

StateFilter = Literal["open", "closed", "rejected", "all"]
"""What a user may filter by: a state, or all of them."""
STATES: tuple[str, ...] = get_args(StateFilter)

TableKind = Literal["constituencies", "countries", "rate"]
"""How ``/petition top`` ranks a petition's signatures."""
TABLES: tuple[str, ...] = get_args(TableKind)


@dataclass(frozen=True, slots=True)
class PetitionDetail:
    """The current state of a petition with the dates its card shows."""

    id: int
    title: str
    url: str
    state: str
    total_signatures: int
    uk_signatures: int | None
    unknown_signatures: int | None
    unknown_rank: int | None
    refreshed_at: datetime
    boundary_set: str
    opened_at: datetime | None
    closed_at: datetime | None
    response_threshold_at: datetime | None
    debate_threshold_at: datetime | None
    government_response_at: datetime | None
    departments: tuple[str, ...]

    @property
    def uk_base(self) -> int:
        """Denominator for seat shares: UK signatures, or the total when unknown."""
        return self.uk_signatures or self.total_signatures


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """The government's response to a petition."""

    summary: str
    details: str
    department: str | None
    responded_at: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    event: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    """The count at one refresh we ingested."""

    refreshed_at: datetime
    total_signatures: int
    uk_signatures: int | None


@dataclass(frozen=True, slots=True)
class SeatRow:
    """One row of a petition's constituency table.

    ``rank`` is the source rank (the Unknown row counted); ``seat_rank`` is the
    rank among real seats. ``mp_printed`` is the MP as printed at that refresh,
    ``None`` for a vacant seat.
    """

    constituency_id: int
    name: str
    name_key: str
    rank: int
    seat_rank: int
    signatures: int
    percent: float
    mp_printed: str | None


@dataclass(frozen=True, slots=True)
class CountryRow:
    name: str
    rank: int
    signatures: int
    percent: float


@dataclass(frozen=True, slots=True)
class Freshness:
    """What /about reports: how much data there is and how recent it is."""

    petitions: int
    newest_refresh: datetime | None
    oldest_refresh: datetime | None
    last_ingest_at: datetime | None
    by_state: dict[str, int]


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
class PetitionRef:
    """Just enough of a petition to name it in a reply or a "Did you mean…" list."""

    id: int
    title: str
    total_signatures: int
    state: str
    refreshed_at: datetime
