"""Petition records as the repositories return them: refs, summaries, details, tables, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

StateFilter = Literal["open", "closed", "rejected", "all"]
"""What a user may filter by: a state, or all of them."""
STATES: tuple[str, ...] = get_args(StateFilter)

TableKind = Literal["constituencies", "countries", "rate", "region"]
"""How ``/petition top`` ranks a petition's signatures."""
TABLES: tuple[str, ...] = get_args(TableKind)

PARLIAMENT_DOMAINS: tuple[str, ...] = (
    "parliament.uk",  # hansard., commonslibrary., committees., publications., petition. ...
    "parliamentlive.tv",
)
"""Debate links are shown only on these domains (and their subdomains), over https."""


def parliament_link(url: object) -> str | None:
    """``url`` if it is an https link on a parliament domain, else ``None`` (dropped).

    Links come from the document; a link elsewhere (or a ``javascript:``/``http:``
    one) would be the bot vouching for an address it cannot check.
    """
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.username or parts.password or parts.port:
        return None
    if any(host == d or host.endswith("." + d) for d in PARLIAMENT_DOMAINS):
        return url
    return None


def _day(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class DebateInfo:
    """A petition's debate: when it is scheduled, when it happened, and the links.

    Links are kept only when https and on a parliament domain (see
    :func:`parliament_link`); the JSON's YouTube video link, for one, is dropped.
    """

    scheduled_on: date | None
    debated_on: date | None
    transcript_url: str | None
    video_url: str | None
    debate_pack_url: str | None

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> DebateInfo | None:
        """From the stored debate object (the JSON's ``debate`` plus its scheduled date)."""
        if not stored:
            return None
        info = cls(
            scheduled_on=_day(stored.get("scheduled_debate_date")),
            debated_on=_day(stored.get("debated_on")),
            transcript_url=parliament_link(stored.get("transcript_url")),
            video_url=parliament_link(stored.get("video_url")),
            debate_pack_url=parliament_link(stored.get("debate_pack_url")),
        )
        return info if info.scheduled_on or info.debated_on or info.links else None

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """(label, url) of the links that survived the domain check."""
        found = (
            ("Transcript", self.transcript_url),
            ("Video", self.video_url),
            ("Debate pack", self.debate_pack_url),
        )
        return tuple((label, url) for label, url in found if url)


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
    deadline_at: datetime | None = None
    debate: DebateInfo | None = None

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
    competition rank among real seats (equal counts share it: ``tied``).
    ``mp_printed`` is the MP as printed in the document, ``None`` for a vacant seat.
    """

    constituency_id: int
    name: str
    name_key: str
    rank: int
    seat_rank: int
    signatures: int
    percent: float
    mp_printed: str | None
    tied: bool = False
    """Another seat has the same count (and so the same ``seat_rank``: "=3")."""


@dataclass(frozen=True, slots=True)
class CountryRow:
    """A country row; ``rank`` is the competition rank, ``tied`` when it is shared."""

    name: str
    rank: int
    signatures: int
    percent: float
    tied: bool = False


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
    deadline_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PetitionRef:
    """Just enough of a petition to name it in a reply or a "Did you mean…" list."""

    id: int
    title: str
    total_signatures: int
    state: str
    refreshed_at: datetime
    deadline_at: datetime | None = None
