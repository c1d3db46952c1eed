"""When is a server's digest due? Pure functions of its settings and the time.

A digest is posted at a local wall-clock time ("09:00 Europe/London"), every
day or on one weekday. Each local date has exactly one *slot*: the local time
on that date, turned into a UTC instant with zoneinfo, so the post stays at
09:00 local across daylight-saving changes (08:00 UTC in summer, 09:00 in
winter). A local time that does not exist on the spring-forward date (01:30 in
London) is read with the offset in force before the change (02:30 summer
time); one that happens twice on the fall-back date is the first of the two.

Two watermarks make the schedule restart-safe and flood-free:

- ``scheduled_through``: no slot at or before it is ever due again. Enabling
  sets it to "now", so a new digest never posts about the past; claiming a
  period (see ``db/digests.py``) moves it to that period's slot.
- ``reported_through``: the next digest reports what changed after it.

Only the *latest* slot is ever due: after downtime the bot posts one catch-up
digest covering everything since the last report, never one per missed slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

Cadence = Literal["daily", "weekly"]
CADENCES: tuple[Cadence, ...] = get_args(Cadence)
Status = Literal["enabled", "paused", "disabled"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

DEFAULT_TIME = time(9, 0)
DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_CADENCE: Cadence = "daily"
DEFAULT_WEEKDAY = 0  # Monday
MAX_EXTRA_THRESHOLDS = 5
MANUAL_PREFIX = "manual "
"""Period keys of ``/digest post-now`` posts: never confused with scheduled slots."""


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """One server's digest settings (declared defaults, as in core/guild_config.py)."""

    guild_id: int
    channel_id: int
    scheduled_through: datetime  # aware UTC
    reported_through: datetime  # aware UTC
    post_time: time = DEFAULT_TIME
    timezone: str = DEFAULT_TIMEZONE
    cadence: Cadence = DEFAULT_CADENCE
    weekday: int = DEFAULT_WEEKDAY
    min_signatures: int = 0
    extra_thresholds: tuple[int, ...] = ()
    quiet: bool = False
    status: Status = "enabled"
    disabled_reason: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)


@dataclass(frozen=True, slots=True)
class Period:
    """One digest: report the changes in ``(start, end]``; ``key`` is unique per server."""

    key: str
    start: datetime
    end: datetime


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """A cached ZoneInfo (1,000 servers share a handful of zones)."""
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """Every IANA name zoneinfo knows, sorted (for autocomplete)."""
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=1)
def _timezone_set() -> frozenset[str]:
    return frozenset(timezone_names())


COMMON_TIMEZONES = (
    "Europe/London",
    "UTC",
    "Europe/Dublin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def timezone_matches(typed: str, limit: int = 25) -> list[str]:
    """Autocomplete: names starting with what was typed (whole name or city), then containing it.

    Case and spaces are forgiven ("new york" finds America/New_York).
    """
    needle = typed.strip().lower().replace(" ", "_")
    if not needle:
        return [name for name in COMMON_TIMEZONES if name in _timezone_set()][:limit]
    starts: list[str] = []
    contains: list[str] = []
    for name in timezone_names():
        folded = name.lower()
        city = folded.rsplit("/", 1)[-1]
        if folded.startswith(needle) or city.startswith(needle):
            starts.append(name)
        elif needle in folded:
            contains.append(name)
    return (starts + contains)[:limit]


def valid_timezone(name: str) -> bool:
    """True for an IANA zone name zoneinfo can load."""
    if name not in _timezone_set():
        return False
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_clock(text: str) -> time:
    """``"9:00"``/``"09:00"``/``"21:30"`` → time; ValueError with a readable message."""
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[1]) != 2:
        raise ValueError(f"{text!r} is not a time like 09:00 or 18:30")
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"{text!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


def slot_on(config: DigestConfig, day: date) -> datetime:
    """The UTC instant of the post on local date ``day`` (fold=0: see module docs)."""
    local = datetime.combine(day, config.post_time, tzinfo=config.zone)
    return local.astimezone(UTC)


def _posts_on(config: DigestConfig, day: date) -> bool:
    return config.cadence == "daily" or day.weekday() == config.weekday


def latest_slot(config: DigestConfig, now: datetime) -> datetime:
    """The most recent slot at or before ``now``."""
    day = now.astimezone(config.zone).date() + timedelta(days=1)
    for _ in range(16):  # a week and a bit always contains a weekly slot
        if _posts_on(config, day):
            slot = slot_on(config, day)
            if slot <= now:
                return slot
        day -= timedelta(days=1)
    raise AssertionError("unreachable: no slot in 16 days")


def next_slot(config: DigestConfig, now: datetime) -> datetime:
    """The first slot strictly after ``now`` (for ``/digest show``)."""
    day = now.astimezone(config.zone).date() - timedelta(days=1)
    for _ in range(16):
        if _posts_on(config, day):
            slot = slot_on(config, day)
            if slot > now:
                return slot
        day += timedelta(days=1)
    raise AssertionError("unreachable: no slot in 16 days")


def period_key(config: DigestConfig, slot: datetime) -> str:
    """ "daily 2024-03-31" or "weekly 2024-W13": one key per local day or ISO week.

    Keys name the period, not the time of day, so moving the post time after
    today's digest went out does not produce a second digest today.
    """
    local = slot.astimezone(config.zone).date()
    if config.cadence == "daily":
        return f"daily {local.isoformat()}"
    year, week, _ = local.isocalendar()
    return f"weekly {year}-W{week:02d}"


def manual_key(now: datetime) -> str:
    """Key of a ``/digest post-now`` post (unique per second)."""
    return MANUAL_PREFIX + now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def due_period(config: DigestConfig, now: datetime) -> Period | None:
    """The period to post now, or None.

    Due when the digest is enabled and the latest slot is after
    ``scheduled_through``. After downtime that is still just the latest slot,
    and its window starts at ``reported_through``, so one post covers the gap.
    """
    if config.status != "enabled":
        return None
    slot = latest_slot(config, now)
    if slot <= config.scheduled_through:
        return None
    start = min(config.reported_through, slot)
    return Period(period_key(config, slot), start, slot)


def preview_period(config: DigestConfig, now: datetime) -> Period:
    """What the next post would report if nothing else changed before it: ``(reported, now]``."""
    start = min(config.reported_through, now)
    return Period(period_key(config, next_slot(config, now)), start, now)
