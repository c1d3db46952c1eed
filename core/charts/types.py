"""The records the chart queries return: a petition's chart header,
seat and country counts, points in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DATA_SOURCE = "Data: petition.parliament.uk (OGL v3)"
"""The credit line under every chart."""


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
    deadline_at: datetime | None = None


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


@dataclass(frozen=True, slots=True)
class ChartResult:
    """A rendered chart: the PNG on disk and the text to show with it (unescaped)."""

    path: Path
    title: str
    description: str
    url: str | None = None
    footer: str = DATA_SOURCE
    cached: bool = False
