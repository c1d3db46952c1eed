"""How follows and their alerts look: one message per destination, never a flood.

Every alert line links its petition and says why it was sent; a pass with many
events for one destination becomes one message with the first
:data:`MAX_LINES` lines and "…and N more".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.common.cards import DESCRIPTION_LIMIT, Card, escape, truncate
from core.follows.types import Event, Follow, FollowRow, FollowStart, PetitionState

TITLE_CHARS = 200
"""A petition title is cut to this in an alert, so ten alerts fit one message."""
MAX_LINES = 10
"""Alert lines shown in one message; the rest are counted in "…and N more"."""
COLOUR = 0x2B6CB0
FOOTER = "/follow list shows your follows · /unfollow id stops one"


def why(follow: Follow) -> str:
    """Why an alert was sent to this destination, in words."""
    label = escape(follow.label)
    if follow.kind == "petition":
        return f"you follow this petition (follow {follow.id})"
    if follow.kind == "keyword":
        return f"matches the keyword “{label}” (follow {follow.id})"
    return f"you follow {label} (follow {follow.id})"


def alert_line(follow: Follow, petition: PetitionState, event: Event) -> str:
    """One alert: the petition linked, what happened, and why it came here."""
    title = truncate(escape(petition.title), TITLE_CHARS)
    return f"**[{title}]({petition.url})** — {event.what}\n↳ {why(follow)}"


def alert_card(lines: Sequence[str], *, max_lines: int = MAX_LINES) -> Card:
    """One message for a destination's alerts of one pass (a burst is summarised)."""
    shown: list[str] = []
    size = 0
    for line in lines[:max_lines]:
        if size + len(line) + 2 > DESCRIPTION_LIMIT - 40:
            break
        shown.append(line)
        size += len(line) + 2
    more = len(lines) - len(shown)
    text = "\n\n".join(shown)
    if more:
        text += f"\n\n…and {more:,} more"
    title = "Follow alert" if len(lines) == 1 else f"{len(lines):,} follow alerts"
    return Card(title=title, description=text, footer=FOOTER, colour=COLOUR)


def describe_follow(follow: Follow) -> str:
    label = escape(follow.label)
    if follow.kind == "petition":
        extra = ""
        if follow.milestones:
            extra = " (+ " + ", ".join(f"{m:,}" for m in follow.milestones) + ")"
        return f"petition {label}{extra}"
    if follow.kind == "keyword":
        return f"keyword “{label}”"
    return f"{follow.kind} {label}"


def where(follow: Follow) -> str:
    return f"<#{follow.channel_id}>" if follow.channel_id is not None else "DM"


def started_text(start: FollowStart) -> str:
    """The answer to ``/follow``: what is followed, where alerts go, and the state now."""
    follow = start.follow
    dest = "by DM" if follow.by_dm else f"in <#{follow.channel_id}>"
    lines = [f"Following {describe_follow(follow)} (id {follow.id}): alerts {dest}, from now on."]
    lines += start.now
    return "\n".join(lines)


def _stamp(moment: datetime | None) -> str:
    return f"<t:{int(moment.timestamp())}:R>" if moment is not None else "never"


def list_card(rows: Sequence[FollowRow], *, dm_limit: int, server_limit: int) -> Card:
    """``/follow list``: id, what, where, last alert and why a follow is paused."""
    if not rows:
        text = "You follow nothing yet. Try `/follow petition` or `/follow keyword`."
        return Card(title="Follows", description=text, colour=COLOUR)
    lines = []
    for row in rows:
        f = row.follow
        last = _stamp(f.last_alert_at)
        line = f"**{f.id}** · {describe_follow(f)} · {where(f)} · last alert {last}"
        if f.status == "paused":
            line += f"\n↳ ⏸️ paused: {escape(f.paused_reason or 'no reason given')}"
        lines.append(line)
    card = Card(title="Follows", description="\n".join(lines), colour=COLOUR)
    card.footer = (
        f"Limits: {dm_limit} DM follows per person, {server_limit} channel follows per server"
    )
    return card
