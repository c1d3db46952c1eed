"""How fast a petition is gaining signatures, and what that pace would reach by its deadline.

Only stored counts are used: a gain "in the last 24 hours" needs a count from about
24 hours before the latest one. Refreshes are irregular, so each figure names the
span it actually covers, and when no stored count fits the window the answer says
so instead of inventing one. The pace for the forecast is the gain between the two
latest counts, or, with a single count, the average since opening (and says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.petitions.lifecycle import THRESHOLDS
from core.petitions.types import SnapshotRecord

WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("24 hours", timedelta(hours=24)),
    ("7 days", timedelta(days=7)),
)
SLACK = 2.0
"""A baseline may be up to twice the window old (a 24 h figure spanning 30 h is still
close to a day); older than that it would not describe the window at all."""


@dataclass(frozen=True, slots=True)
class Gain:
    """Signatures gained in about ``window``: between ``since`` and the latest count."""

    window: str
    signatures: int | None  # None: no stored count from about then
    since: datetime | None


@dataclass(frozen=True, slots=True)
class Forecast:
    """At ``per_day``, when the next threshold is reached, or that it is not in time."""

    per_day: float
    basis: str  # "between the last two counts" | "average since opening"
    threshold: int | None  # the next threshold (None: every threshold passed)
    reached_at: datetime | None  # None when it would not be reached before closing
    closes_at: datetime | None


@dataclass(frozen=True, slots=True)
class Momentum:
    latest: datetime | None
    gains: tuple[Gain, ...]
    forecast: Forecast | None
    open_now: bool


def _gain(snaps: Sequence[SnapshotRecord], window: str, span: timedelta) -> Gain:
    latest = snaps[-1]
    cutoff = latest.refreshed_at - span
    oldest_allowed = latest.refreshed_at - span * SLACK
    before = [s for s in snaps[:-1] if oldest_allowed <= s.refreshed_at <= cutoff]
    if not before:
        return Gain(window, None, None)
    base = before[-1]
    return Gain(window, latest.total_signatures - base.total_signatures, base.refreshed_at)


def _pace(snaps: Sequence[SnapshotRecord], opened_at: datetime | None) -> tuple[float, str] | None:
    latest = snaps[-1]
    if len(snaps) >= 2:
        previous = snaps[-2]
        days = (latest.refreshed_at - previous.refreshed_at).total_seconds() / 86_400
        if days > 0:
            gained = latest.total_signatures - previous.total_signatures
            return max(gained, 0) / days, "between the last two stored counts"
    if opened_at is not None and latest.refreshed_at > opened_at:
        days = (latest.refreshed_at - opened_at).total_seconds() / 86_400
        return latest.total_signatures / days, "average since opening (one stored count)"
    return None


def momentum(
    snaps: Sequence[SnapshotRecord],
    *,
    opened_at: datetime | None,
    deadline_at: datetime | None,
    open_now: bool,
) -> Momentum:
    """Gains over the last 24 h / 7 days and, while open, the forecast to the next threshold."""
    if not snaps:
        return Momentum(None, (), None, open_now)
    snaps = sorted(snaps, key=lambda s: s.refreshed_at)
    gains = tuple(_gain(snaps, window, span) for window, span in WINDOWS)
    latest = snaps[-1]
    forecast = None
    pace = _pace(snaps, opened_at)
    if open_now and pace is not None:
        per_day, basis = pace
        target = next((t for t in THRESHOLDS if t > latest.total_signatures), None)
        reached = None
        if target is not None and per_day > 0:
            eta = latest.refreshed_at + timedelta(days=(target - latest.total_signatures) / per_day)
            if deadline_at is None or eta <= deadline_at:
                reached = eta
        forecast = Forecast(per_day, basis, target, reached, deadline_at)
    return Momentum(latest.refreshed_at, gains, forecast, open_now)
