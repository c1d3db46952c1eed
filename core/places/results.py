"""The answers of ``/constituency show`` and ``/mp show``."""

from __future__ import annotations

from dataclasses import dataclass

from core.common.results import Result
from core.petitions.types import PetitionDetail
from core.places.types import (
    ConstituencyRef,
    CurrentMp,
    MpRef,
    MpSeat,
    PetitionSeatRate,
    SeatHolder,
    SeatPetitionRow,
    SeatStanding,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatInPetition(Result):
    """A seat in one petition (``/constituency show name petition``, ``/mp show``).

    ``holder`` is only set when the seat is absent from the table (so the
    table cannot say who held it): the MP last seen holding it up to then.
    """

    seat: ConstituencyRef
    petition: PetitionDetail
    standing: SeatStanding
    holder: SeatHolder | None = None
    mp: MpRef | None = None
    mp_seats: tuple[MpSeat, ...] = ()
    rate: PetitionSeatRate | None = None
    """Signatures per 1,000 electors and the index against the UK rate, when known."""
    current: CurrentMp | None = None
    """The MP of this seat (or its 2024 namesake) now, from the 2024 reference."""
    current_how: str | None = None
    note: str | None = None
    """Why this seat answers the question (e.g. a 2024 seat asked of 2010 data)."""

    @property
    def uk_share(self) -> float:
        """The seat's share of the petition's UK signatures, in percent."""
        return 100.0 * self.standing.signatures / self.petition.uk_base


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatOverview(Result):
    """A seat without a petition: what its residents signed most."""

    seat: ConstituencyRef
    petitions: tuple[SeatPetitionRow, ...]
    holders: tuple[SeatHolder, ...]
    mp: MpRef | None = None
    mp_seats: tuple[MpSeat, ...] = ()
    current: CurrentMp | None = None
    current_how: str | None = None
    note: str | None = None
