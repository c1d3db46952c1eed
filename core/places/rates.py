"""Per-electorate rates: signatures per 1,000 electors, and the index against the UK rate.

Raw counts favour big seats and big petitions; a rate answers "did this seat
care more than the country did?". The UK rate is computed over the same seats
the seat rates are: signatures *attributed to a seat with a known electorate*
divided by those seats' electorate. Signatures without a seat (the Unknown
row, overseas) are left out of both, so the electorate-weighted mean of the
seat indices is exactly 1 and "2.3× the UK rate" means what it says.

Arithmetic stays in integers up to one final division (Python's ``int / int``
is correctly rounded), so every value is the nearest float to the exact ratio,
and equal ratios give equal floats: ties in ranking are true ties, not
rounding accidents (distinct ratios of seat-sized numbers never collide).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

PER = 1_000
"""Rates are per this many electors."""


class SeatTally(Protocol):
    """Anything with a seat's code, name, signatures and electorate (e.g. ``SeatCount``)."""

    @property
    def ons_code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def signatures(self) -> int: ...
    @property
    def electorate(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Tally:
    """A plain :class:`SeatTally` (for callers and tests without database records)."""

    ons_code: str
    name: str
    signatures: int
    electorate: int | None


@dataclass(frozen=True, slots=True)
class NationalRate:
    """The petition's UK rate: seat-attributed signatures over the seats' electorate."""

    signatures: int
    electorate: int

    @property
    def per_thousand(self) -> float | None:
        """Signatures per 1,000 electors, or ``None`` without any electorate."""
        return per_thousand(self.signatures, self.electorate) if self.electorate else None


@dataclass(frozen=True, slots=True)
class SeatRate:
    """One seat's rate and index; ``None`` values when the electorate is unknown.

    ``index`` is the seat's rate divided by the UK rate (1.0 = typical); it is
    ``None`` when the UK rate is zero (nobody signed) or the electorate is
    unknown. ``rank`` is the competition rank by rate (equal rates share a
    rank; "1, 2, 2, 4"); seats without an electorate are unranked.
    """

    ons_code: str
    name: str
    signatures: int
    electorate: int | None
    per_thousand: float | None
    index: float | None
    rank: int | None


def per_thousand(signatures: int, electorate: int) -> float:
    """Signatures per 1,000 electors (``ValueError`` for a non-positive electorate)."""
    if electorate <= 0:
        raise ValueError(f"electorate must be positive, got {electorate}")
    return signatures * PER / electorate


def rate_index(signatures: int, electorate: int | None, national: NationalRate) -> float | None:
    """The seat's rate as a multiple of the UK rate (``None`` when undefined)."""
    if not electorate or not national.signatures or not national.electorate:
        return None
    return signatures * national.electorate / (electorate * national.signatures)


def national_rate(seats: Iterable[SeatTally]) -> NationalRate:
    """The UK rate over ``seats``: only seats with a known electorate count."""
    signatures = electorate = 0
    for seat in seats:
        if seat.electorate:
            signatures += seat.signatures
            electorate += seat.electorate
    return NationalRate(signatures, electorate)


def _rated(seat: SeatTally, rate: float, national: NationalRate, rank: int) -> SeatRate:
    return SeatRate(
        seat.ons_code,
        seat.name,
        seat.signatures,
        seat.electorate,
        rate,
        rate_index(seat.signatures, seat.electorate, national),
        rank,
    )


def _unrated(seat: SeatTally) -> SeatRate:
    """A seat without an electorate: listed last, with no rate and no rank."""
    return SeatRate(seat.ons_code, seat.name, seat.signatures, None, None, None, None)


def seat_rates(seats: Sequence[SeatTally], national: NationalRate | None = None) -> list[SeatRate]:
    """Every seat's rate, highest first (ties: more signatures, then name).

    Seats without an electorate come last, unranked. ``national`` defaults to
    the rate over ``seats`` themselves, which is right when ``seats`` is the
    whole boundary set.
    """
    national = national or national_rate(seats)
    rated = sorted(
        ((per_thousand(s.signatures, s.electorate), s) for s in seats if s.electorate),
        key=lambda pair: (-pair[0], -pair[1].signatures, pair[1].name),
    )
    out: list[SeatRate] = []
    previous: float | None = None
    rank = 0
    for position, (rate, seat) in enumerate(rated, start=1):
        if rate != previous:
            rank, previous = position, rate
        out.append(_rated(seat, rate, national, rank))
    for seat in sorted((s for s in seats if not s.electorate), key=lambda s: s.name):
        out.append(_unrated(seat))
    return out


# --------------------------------------------------------------------- wording
def fmt_per_thousand(value: float | None) -> str:
    """ "4.21", "12.5", "104" — about three significant figures; "-" when unknown."""
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_index(value: float | None) -> str:
    """ "2.3×", "0.05×", "0×" (the multiplication sign, not the letter x)."""
    if value is None:
        return "-"
    if value == 0:
        return "0×"
    if value < 0.1:
        return f"{value:.2f}×"
    return f"{value:,.1f}×"


def describe(rate: SeatRate) -> str:
    """One line for a seat: "4.21 per 1,000 electors · 2.3× the UK rate"."""
    if rate.per_thousand is None:
        return "no electorate figure for this seat"
    text = f"{fmt_per_thousand(rate.per_thousand)} per 1,000 electors"
    if rate.index is not None:
        text += f" · {fmt_index(rate.index)} the UK rate"
    return text


def describe_national(national: NationalRate) -> str:
    """ "UK rate: 1.05 per 1,000 electors"."""
    return f"UK rate: {fmt_per_thousand(national.per_thousand)} per 1,000 electors"


def seat_rate_of(
    seats: Sequence[SeatTally], ons_code: str, national: NationalRate | None = None
) -> SeatRate | None:
    """One seat's entry of :func:`seat_rates` (the same values and rank), without
    ordering every seat: its rank is one more than the seats with a higher rate."""
    seat = next((s for s in seats if s.ons_code == ons_code), None)
    if seat is None:
        return None
    if not seat.electorate:
        return _unrated(seat)
    national = national or national_rate(seats)
    rate = per_thousand(seat.signatures, seat.electorate)
    higher = sum(
        1 for s in seats if s.electorate and per_thousand(s.signatures, s.electorate) > rate
    )
    return _rated(seat, rate, national, higher + 1)
