"""Facts about a petition's life that the documents imply but do not print.

The Markdown report has no "state" and no boundary set; both follow from the
dates it does print. The JSON API states them outright, and then wins.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.ingest.models import Petition

RESPONSE_THRESHOLD = 10_000
"""Signatures at which the government responds."""
DEBATE_THRESHOLD = 100_000
"""Signatures at which Parliament considers a debate."""

PETITION_DURATION = timedelta(days=183)  # petitions run for six months
DISSOLUTION_2024 = datetime(2024, 5, 30, tzinfo=UTC)
"""Parliament dissolved: every open petition closed; later ones use 2024 seats."""

LONDON = ZoneInfo("Europe/London")
"""The petition site closes petitions at the end of the day, UK time."""
THRESHOLDS: tuple[int, ...] = (RESPONSE_THRESHOLD, DEBATE_THRESHOLD)

BOUNDARIES_2010 = "2010"
BOUNDARIES_2024 = "2024"


def infer_state(petition: Petition) -> str:
    """``open``/``closed`` from the dates, unless the source stated the state."""
    if petition.state:
        return petition.state
    opened = petition.event_time("Opened")
    if opened is None:
        return "unknown"
    closes = opened + PETITION_DURATION
    if opened < DISSOLUTION_2024 <= closes:
        closes = DISSOLUTION_2024
    return "closed" if petition.refreshed_at >= closes else "open"


def boundary_set(petition: Petition) -> str:
    """Which constituency boundaries the petition's seat table uses.

    Petitions of the 2019–2024 Parliament (all closed at dissolution) count
    signatures by the 2010 boundaries; later ones by the 2024 boundaries. An
    ONS code in the data (JSON) settles it: 2024 seats have new codes.
    """
    for seat in petition.constituencies:
        # Scottish S14 codes are reused across the two sets, so they settle nothing.
        if seat.ons_code and not seat.ons_code.startswith("S14"):
            return BOUNDARIES_2024 if _is_2024_code(seat.ons_code) else BOUNDARIES_2010
    started = petition.event_time("Created") or petition.event_time("Opened")
    when = started or petition.refreshed_at
    return BOUNDARIES_2010 if when < DISSOLUTION_2024 else BOUNDARIES_2024


def _is_2024_code(code: str) -> bool:
    # 2024 seats: England E14001063+, Wales W07000081+, Northern Ireland N05 (was N06).
    prefix, number = code[:3], code[3:]
    if not number.isdigit():
        return False
    value = int(number)
    return {"E14": value >= 1063, "W07": value >= 81, "N05": True}.get(prefix, False)


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months (31 Aug + 6 → 28/29 Feb), as the site counts."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline_after(opened: datetime) -> datetime:
    """When a petition opened at ``opened`` closes: six calendar months later, at the end
    of that day in London (as the site's own ``closed_at``: 23:59:59 local), or at the 2024
    dissolution if that came first.
    """
    local_day = opened.astimezone(LONDON).date()
    end = datetime.combine(add_months(local_day, 6), time(23, 59, 59), tzinfo=LONDON)
    closes = end.astimezone(UTC)
    if opened < DISSOLUTION_2024 <= closes:
        return DISSOLUTION_2024
    return closes


def deadline(petition: Petition) -> datetime | None:
    """The petition's closing time: the JSON's ``closed_at`` when it has one, else six
    months after opening (Markdown reports print no closing date). ``None`` when the
    petition never opened (rejected, or no dates at all).
    """
    closed = petition.event_time("Closed")
    if closed is not None:
        return closed
    opened = petition.event_time("Opened")
    if opened is None or (petition.state or "open") not in ("open", "closed"):
        return None
    return deadline_after(opened)


def state_now(state: str, deadline_at: datetime | None, now: datetime) -> str:
    """The state as of ``now``: a petition the data calls open whose deadline has passed
    is closed (the data simply predates its closing).
    """
    if state == "open" and deadline_at is not None and deadline_at <= now:
        return "closed"
    return state
