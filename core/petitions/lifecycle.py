"""Facts about a petition's life that the documents imply but do not print.

The Markdown report has no "state" and no boundary set; both follow from the
dates it does print. The JSON API states them outright, and then wins.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.ingest.models import Petition

RESPONSE_THRESHOLD = 10_000
"""Signatures at which the government responds."""
DEBATE_THRESHOLD = 100_000
"""Signatures at which Parliament considers a debate."""

PETITION_DURATION = timedelta(days=183)  # petitions run for six months
DISSOLUTION_2024 = datetime(2024, 5, 30, tzinfo=UTC)
"""Parliament dissolved: every open petition closed; later ones use 2024 seats."""

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
