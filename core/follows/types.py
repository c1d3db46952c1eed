"""Records of follows: what someone follows, where alerts go, and the events found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["petition", "keyword", "constituency", "mp"]
KINDS: tuple[Kind, ...] = ("petition", "keyword", "constituency", "mp")
FollowStatus = Literal["active", "paused"]
AlertStatus = Literal["baseline", "pending", "claimed", "sent", "failed"]

MAX_DM_FOLLOWS = 25
"""Follows one person may have delivered by DM."""
MAX_SERVER_FOLLOWS = 50
"""Channel follows one server may have."""
MAX_MILESTONES = 5
"""Extra signature milestones one petition follow may add."""


@dataclass(frozen=True, slots=True)
class Follow:
    """One follow. ``channel_id`` None: alerts go to ``user_id`` by DM."""

    id: int
    kind: Kind
    target: str
    """Petition id, folded keyword words, folded seat name, or MP id (as text)."""
    label: str
    user_id: int
    guild_id: int | None
    channel_id: int | None
    created_at: datetime
    milestones: tuple[int, ...] = ()
    status: FollowStatus = "active"
    paused_reason: str | None = None
    last_alert_at: datetime | None = None

    @property
    def by_dm(self) -> bool:
        return self.channel_id is None

    @property
    def destination(self) -> Destination:
        return Destination(self.channel_id, None if self.channel_id is not None else self.user_id)


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a message goes: a channel, or a user's DMs (exactly one is set)."""

    channel_id: int | None
    user_id: int | None

    def describe(self) -> str:
        return f"<#{self.channel_id}>" if self.channel_id is not None else "your DMs"


@dataclass(frozen=True, slots=True)
class PetitionState:
    """What the event rules need to know about one petition, as of now."""

    id: int
    title: str
    url: str
    state: str
    total_signatures: int
    has_response: bool = False
    debate_scheduled_for: str | None = None
    debated_on: str | None = None
    deadline: datetime | None = None
    """When it closes, if known (issue 15 stores it; None: no closing-soon events)."""
    closed_at: datetime | None = None
    first_seen_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """Something a follow should hear about, keyed so it is alerted at most once."""

    key: str
    petition_id: int
    what: str
    """What happened, already escaped: "crossed 100,000 signatures"."""


@dataclass(frozen=True, slots=True)
class Alert:
    """One event for one follow, as the ledger holds it."""

    follow_id: int
    event_key: str
    petition_id: int
    line: str
    status: AlertStatus = "pending"
    claimed_by: str | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class SeatCrossing:
    """A followed seat's count in one petition, before (last seen) and now."""

    seat_key: str
    seat_name: str
    petition_id: int
    before: int | None
    after: int
    rank: int


@dataclass(frozen=True, slots=True)
class FollowRow:
    """A follow as ``/follow list`` shows it."""

    follow: Follow
    alerts_sent: int = 0


@dataclass(frozen=True, slots=True)
class FollowStart:
    """The answer to ``/follow``: the follow made and where things stand now."""

    follow: Follow
    now: list[str] = field(default_factory=list)
    """Lines describing the current state, escaped."""
