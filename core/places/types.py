"""Records about seats and MPs: refs, a seat's standing, its holders,
reference seats with counts and rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.places.rates import NationalRate, SeatRate, national_rate, seat_rates


@dataclass(frozen=True, slots=True)
class SeatCount:
    """A reference seat with one petition's count: ``0`` when the table lacks the seat.

    ``listed`` tells the two zeros apart (absent vs printed "0"); ``mp`` is the
    MP as printed in this petition's table (``None`` when absent or vacant).
    ``rank`` is the competition rank by signatures among all seats of the set,
    so every absent seat shares the last rank.
    """

    ons_code: str
    name: str
    country: str
    region: str
    electorate: int | None
    hex_q: int | None
    hex_r: int | None
    signatures: int
    mp: str | None
    listed: bool
    rank: int


@dataclass(frozen=True, slots=True)
class PetitionSeats:
    """Every seat of a petition's boundary set with its count, most signatures first.

    ``unlinked_signatures`` counts signatures in seat rows that match no
    reference seat (0 for all bundled and sample data); they are left out of
    the seats and the rates.
    """

    petition_id: int
    boundary_set: str
    uk_signatures: int | None
    seats: tuple[SeatCount, ...]
    unlinked_signatures: int = 0

    def get(self, ons_code: str) -> SeatCount | None:
        return next((s for s in self.seats if s.ons_code == ons_code), None)

    @property
    def national(self) -> NationalRate:
        """The petition's UK rate over these seats (see :mod:`core.places.rates`)."""
        return national_rate(self.seats)

    def rates(self) -> list[SeatRate]:
        """Every seat's rate, highest first (about a millisecond for 650 seats)."""
        return seat_rates(self.seats, self.national)


@dataclass(frozen=True, slots=True)
class PetitionSeatRate:
    """One seat's count and rate in one petition, with the UK rate to compare."""

    petition_id: int
    boundary_set: str
    seat: SeatCount
    rate: SeatRate
    national: NationalRate
    seats_in_set: int


@dataclass(frozen=True, slots=True)
class RateTable:
    """The top seats of a petition by signatures per 1,000 electors."""

    petition_id: int
    boundary_set: str
    national: NationalRate
    rows: tuple[SeatRate, ...]
    seats_in_set: int


@dataclass(frozen=True, slots=True)
class RegionCount:
    """Signatures from one of the 12 UK regions and nations (English regions, Scotland,
    Wales, Northern Ireland), summed from the petition's seats."""

    region: str
    signatures: int


@dataclass(frozen=True, slots=True)
class UnlinkedSeat:
    """A petition seat row that matches no reference seat (a name to add as a variant)."""

    constituency_id: int
    boundary_set: str
    name: str
    ons_code: str | None


@dataclass(frozen=True, slots=True)
class SeatStanding:
    """How one seat did in one petition, including seats absent from the table.

    ``listed`` is False when the seat is not in the table: then ``signatures``
    is 0, ``percent`` None, ``mp_printed`` None (unknown, not vacant) and
    ``seat_rank`` is ``seats_listed + 1`` (joint last).
    """

    petition_id: int
    constituency_id: int
    listed: bool
    signatures: int
    percent: float | None
    seat_rank: int
    seats_listed: int
    seats_total: int
    mp_printed: str | None
    tied: bool = False
    """Another seat has the same count: the rank is shared ("=3rd")."""


@dataclass(frozen=True, slots=True)
class SeatPetitionRow:
    """A petition as signed in one seat (for "what did this seat sign most")."""

    petition_id: int
    title: str
    state: str
    total_signatures: int
    uk_signatures: int | None
    signatures: int
    percent: float


@dataclass(frozen=True, slots=True)
class SeatHolder:
    """An MP seen holding a seat, with the refresh times they were seen."""

    mp: MpRef
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class MpSeat:
    """A seat an MP was seen holding, with the refresh times they were seen."""

    seat: ConstituencyRef
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class ConstituencyRef:
    """A seat: a name within one boundary set ('2010' or '2024')."""

    id: int
    name: str
    boundary_set: str
    ons_code: str | None


@dataclass(frozen=True, slots=True)
class MpRef:
    """A person, named without honorifics ("Jonathan Lord")."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CurrentMp:
    """A 2024 seat's MP now (from the 2024 reference, not from petition documents)."""

    ons_code: str
    constituency: str
    name: str
    party: str
    member_id: int | None


@dataclass(frozen=True, slots=True)
class SeatLink:
    """A seat in another boundary set and how it was matched (said in the reply)."""

    name: str
    boundary_set: str
    ons_code: str
    how: str  # "same name" | "shares the name words …"
