"""The answers of the petition commands, as plain data for the renderers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.charts.types import ChartResult
from core.common.results import Result
from core.petitions.momentum import Momentum
from core.petitions.types import (
    CountryRow,
    HistoryRecord,
    PetitionDetail,
    PetitionRef,
    PetitionSummary,
    ResponseRecord,
    SeatRow,
    SnapshotRecord,
)
from core.places.rates import NationalRate
from core.places.types import ConstituencyRef, SeatStanding


@dataclass(frozen=True, slots=True)
class SearchHit:
    petition: PetitionRef
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResult(Result):
    query: str
    state: str | None
    hits: tuple[SearchHit, ...]
    hidden: int = 0
    """Matches the state filter left out (said in the reply, never silently)."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """A signature threshold the petition crossed, and when (None: date unknown)."""

    signatures: int
    label: str
    reached_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PetitionCard(Result):
    now: datetime
    """When the card was made: "closes in 12 days" and "open" are as of this time."""
    petition: PetitionDetail
    response: ResponseRecord | None
    thresholds: tuple[Threshold, ...]
    top_seats: tuple[SeatRow, ...]
    top_countries: tuple[CountryRow, ...]
    momentum: Momentum | None = None
    home_seat: ConstituencyRef | None = None
    """The asker's home seat under the petition's boundaries (``/me seat set``)."""
    home_standing: SeatStanding | None = None

    def shared(self) -> PetitionCard:
        return replace(self, home_seat=None, home_standing=None)


@dataclass(frozen=True, slots=True, kw_only=True)
class PetitionsInMessage(Result):
    """The petitions a chat message names ("Show petition" on a message): pick one.

    ``missing`` are ids the message names that the archive does not hold.
    """

    petitions: tuple[PetitionRef, ...]
    missing: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class TableRow:
    """One line of a ranked table.

    ``rank`` is the seat rank (Unknown row not counted) or the country rank;
    it is None for the Unknown row, which is listed where the source puts it
    but is not a seat. ``percent`` is the source's percentage of all signatures.
    """

    rank: int | None
    name: str
    signatures: int
    percent: float
    mp: str | None = None
    unknown: bool = False
    per_thousand: float | None = None
    """Signatures per 1,000 electors (``by="rate"`` only)."""
    index: float | None = None
    """The seat's rate as a multiple of the UK rate (``by="rate"`` only)."""
    tied: bool = False
    """Another row shares ``rank`` (equal counts or rates): shown "=3"."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TopTable(Result):
    petition: PetitionDetail
    by: str
    rows: tuple[TableRow, ...]
    listed: int
    """How many seats/countries the petition's table has (before ``count``)."""
    national: NationalRate | None = None
    """The UK rate the ``by="rate"`` index is measured against."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartCard(Result):
    """A rendered chart PNG for ``/petition chart``."""

    petition: PetitionDetail
    chart: ChartResult


@dataclass(frozen=True, slots=True)
class SeatDifference:
    """A seat's share of each petition's UK signatures (percent), for compare."""

    name: str
    first_signatures: int
    second_signatures: int
    first_share: float
    second_share: float

    @property
    def difference(self) -> float:
        return self.first_share - self.second_share


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison(Result):
    first: PetitionDetail
    second: PetitionDetail
    first_top: tuple[SeatRow, ...]
    second_top: tuple[SeatRow, ...]
    differences: tuple[SeatDifference, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseText(Result):
    petition: PetitionDetail
    response: ResponseRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryResult(Result):
    petition: PetitionDetail
    events: tuple[HistoryRecord, ...]
    snapshots: tuple[SnapshotRecord, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Leaderboard(Result):
    state: str | None
    rows: tuple[PetitionSummary, ...]
    total: int
