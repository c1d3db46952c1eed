"""The records the chart queries return: a petition's chart header,
seat and country counts, points in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ChartPetition:
    """The facts about a petition that a chart and its cache key need."""

    id: int
    title: str
    url: str
    total_signatures: int
    uk_signatures: int | None
    refreshed_at: datetime
    boundary_set: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class ChartSeat:
    """Signatures from one constituency of the petition's boundary set."""

    name: str
    name_key: str
    ons_code: str | None
    signatures: int


@dataclass(frozen=True, slots=True)
class ChartCountry:
    """Signatures from one country."""

    name: str
    signatures: int


@dataclass(frozen=True, slots=True)
class CountPoint:
    """A known count at a moment (a snapshot, or a threshold crossing)."""

    at: datetime
    signatures: int
