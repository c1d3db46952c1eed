"""The event rules: which events a petition's state (or a change to it) produces. Pure.

Every rule takes the state it needs and, where time matters, ``now`` as an
argument, so tests drive them with an injected clock. Each event has a key
that is stable across runs: the alert ledger stores (follow, key) once, which
is what makes an alert exactly-once and "following starts from now" (the
events already true when a follow is made are stored as its baseline).

Extension points: an event type needs a field on
:class:`~core.follows.types.PetitionState` (filled by ``db.follows``) and a
clause in :func:`petition_events`; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from core.common.names import fold, stem
from core.follows.types import Event, PetitionState, SeatCrossing

SIGNATURE_MILESTONES = (10_000, 100_000)
"""Every petition follow hears of these; ``milestones`` adds more."""
SEAT_THRESHOLDS = (100, 1_000, 10_000)
"""A followed seat's count in a petition crossing one of these is an event."""
TOP_SEATS = 10
"""A new petition where the followed seat ranks this high is an event."""
CLOSING_WINDOWS = (
    (timedelta(days=7), "7d", "closes within 7 days"),
    (timedelta(hours=24), "24h", "closes within 24 hours"),
)


def _day(value: str) -> str:
    """A stored date or time as its date part ("2024-03-04T00:00:00Z" → "2024-03-04")."""
    return value[:10]


def petition_events(
    petition: PetitionState, milestones: Iterable[int], now: datetime
) -> list[Event]:
    """Every event that is true of ``petition`` at ``now`` (the ledger filters the old ones)."""
    pid = petition.id
    events = [
        Event(f"signatures:{m}", pid, f"crossed {m:,} signatures")
        for m in sorted({*SIGNATURE_MILESTONES, *milestones})
        if petition.total_signatures >= m
    ]
    if petition.has_response:
        events.append(Event("response", pid, "got a government response"))
    if petition.debate_scheduled_for:
        when = _day(petition.debate_scheduled_for)
        events.append(Event("debate-scheduled", pid, f"has a debate scheduled for {when}"))
    if petition.debated_on:
        when = _day(petition.debated_on)
        events.append(Event("debated", pid, f"was debated in Parliament on {when}"))
    events += closing_events(petition, now)
    if is_closed(petition, now):
        events.append(Event("closed", pid, f"closed with {petition.total_signatures:,} signatures"))
    return events


def is_closed(petition: PetitionState, now: datetime) -> bool:
    """Closed by its state, or an open petition whose known deadline has passed (as of now)."""
    if petition.state == "closed":
        return True
    deadline = petition.deadline
    return petition.state == "open" and deadline is not None and deadline <= now


def closing_events(petition: PetitionState, now: datetime) -> list[Event]:
    """ "Closing in 7 days / 24 hours" for an open petition whose deadline is known."""
    deadline = petition.deadline
    if petition.state != "open" or deadline is None or deadline <= now:
        return []
    left = deadline - now
    return [
        Event(f"closing:{key}", petition.id, f"{text} ({deadline:%Y-%m-%d %H:%M} UTC)")
        for window, key, text in CLOSING_WINDOWS
        if left <= window
    ]


def keyword_terms(words: str) -> tuple[str, ...]:
    """A keyword follow's terms: the folded, stemmed words (as search folds and stems)."""
    return tuple(sorted({stem(word) for word in fold(words).split()}))


def text_terms(*texts: str | None) -> frozenset[str]:
    """The stemmed words of a petition's title and text."""
    return frozenset(stem(word) for text in texts if text for word in fold(text).split())


def keyword_matches(terms: Iterable[str], petition_terms: frozenset[str]) -> bool:
    """A match: every word of the keyword appears (in some form) in the title or text."""
    wanted = tuple(terms)
    return bool(wanted) and all(term in petition_terms for term in wanted)


def is_new_for(first_seen_at: datetime | None, follow_created_at: datetime) -> bool:
    """A petition is new to a follow when it was first seen after the follow was made."""
    return first_seen_at is not None and first_seen_at > follow_created_at


def new_petition_event(petition_id: int, why: str) -> Event:
    return Event(f"new:{petition_id}", petition_id, why)


def seat_events(crossing: SeatCrossing, *, is_new: bool) -> list[Event]:
    """Thresholds the seat's count crossed since last seen, and top-10 in a new petition.

    A petition never seen in the seat has no "before", so nothing is crossed: a
    new petition is news only when the seat is in its top 10 (otherwise a bulk
    ingest would "cross 100" in hundreds of seats at once).
    """
    before = crossing.before
    pid, name = crossing.petition_id, crossing.seat_name
    events = (
        [
            Event(
                f"seat:{pid}:{t}", pid, f"{name} passed {t:,} signatures ({crossing.after:,} now)"
            )
            for t in SEAT_THRESHOLDS
            if before < t <= crossing.after
        ]
        if before is not None
        else []
    )
    if is_new and crossing.rank <= TOP_SEATS:
        events.append(
            Event(
                f"top:{pid}",
                pid,
                f"new petition with {name} in its top {TOP_SEATS} "
                f"(#{crossing.rank}, {crossing.after:,} signatures)",
            )
        )
    return events
