"""Digest → cards, packed into messages within Discord's limits.

One header card, then one or more cards per section. Items are never split
across cards; cards are packed greedily into messages of at most 10 embeds
whose *combined* text stays under 6,000 characters (Discord counts the total
over all embeds of a message, not per embed). Every piece of document text is
escaped, so nothing in a petition title can format, link or ping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.common.cards import (
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    Card,
    Reply,
    escape,
    fmt_int,
    paginate_lines,
    truncate,
)
from core.digests.compose import Digest, DigestItem, Section
from core.digests.results import DigestPreview, DigestSettings
from core.digests.schedule import WEEKDAYS, DigestConfig, next_slot
from core.digests.types import DigestPost, RunOutcome

DIGEST_COLOUR = 0x4B7BEC
QUIET_COLOUR = 0x95A5A6
ITEMS_PER_CARD = 10
CARD_TEXT_LIMIT = 3_000
"""Section card bodies stay well under the 4,096 description limit so two share a message."""
TITLE_SHOWN = 180
PETITION_BASE = "https://petition.parliament.uk/petitions/"

SECTION_TITLES: dict[Section, str] = {
    Section.NEW: "New petitions",
    Section.THRESHOLD: "Thresholds crossed",
    Section.RESPONSE: "New government responses",
    Section.DEBATE: "Debates",
    Section.MOVER: "Biggest movers",
    Section.RISER: "Fastest risers",
    Section.CLOSED: "Closed",
}
SECTION_ICONS: dict[Section, str] = {
    Section.NEW: "🆕",
    Section.THRESHOLD: "🎯",
    Section.RESPONSE: "🏛️",
    Section.DEBATE: "🗣️",
    Section.MOVER: "📈",
    Section.RISER: "🚀",
    Section.CLOSED: "🔒",
}
_SAFE_URL = re.compile(r"^https://[A-Za-z0-9.\-]+(/[A-Za-z0-9._~\-/]*)?$")


def petition_link(item: DigestItem) -> str:
    """The stored URL when it is a plain https URL, else the canonical one from the id."""
    return item.url if _SAFE_URL.match(item.url) else f"{PETITION_BASE}{item.petition_id}"


@lru_cache(maxsize=8192)
def item_text(item: DigestItem) -> str:
    """Two or three lines: linked title and count, why it is here, optional detail."""
    title = escape(truncate(item.title, TITLE_SHOWN))
    lines = [
        f"**[{title}]({petition_link(item)})** — {fmt_int(item.signatures)} signatures",
        f"↳ {escape(item.why)}",
    ]
    if item.detail:
        lines.append(f"> {escape(item.detail)}")
    return "\n".join(lines)


def _local(moment: datetime, zone_name: str) -> str:
    return moment.astimezone(ZoneInfo(zone_name)).strftime("%a %d %b %Y %H:%M")


def header_card(digest: Digest) -> Card:
    counts = [
        f"{SECTION_TITLES[s]}: {fmt_int(len(digest.section(s)) + digest.omitted_in(s))}"
        for s in Section
        if digest.section(s)
    ]
    return Card(
        title=f"Petition digest · {digest.end.astimezone(ZoneInfo(digest.timezone)):%d %b %Y}",
        description=(
            f"What changed between {_local(digest.start, digest.timezone)} and "
            f"{_local(digest.end, digest.timezone)} ({escape(digest.timezone)}).\n"
            + " · ".join(counts)
        ),
        colour=DIGEST_COLOUR,
    )


def section_cards(digest: Digest) -> list[Card]:
    """Cards for every non-empty section, each card holding whole items."""
    cards: list[Card] = []
    for section in Section:
        items = digest.section(section)
        if not items:
            continue
        lines = [item_text(item) for item in items]
        more = digest.omitted_in(section)
        if more:
            lines.append(f"…and {fmt_int(more)} more")
        bodies = paginate_lines(lines, per_page=ITEMS_PER_CARD, limit=CARD_TEXT_LIMIT)
        for index, body in enumerate(bodies):
            title = f"{SECTION_ICONS[section]} {SECTION_TITLES[section]}"
            cards.append(
                Card(
                    title=title if index == 0 else f"{title} (continued)",
                    description=body,
                    colour=DIGEST_COLOUR,
                )
            )
    return cards


def quiet_card(digest: Digest) -> Card:
    """The note a server asked for when nothing changed."""
    return Card(
        title="Petition digest · nothing new",
        description=(
            f"No petition news between {_local(digest.start, digest.timezone)} and "
            f"{_local(digest.end, digest.timezone)} ({escape(digest.timezone)})."
        ),
        colour=QUIET_COLOUR,
    )


def digest_cards(digest: Digest, *, quiet: bool = False) -> list[Card]:
    """Every card of the post; empty when there is nothing to post."""
    if digest.empty:
        return [quiet_card(digest)] if quiet else []
    cards = [header_card(digest), *section_cards(digest)]
    cards[-1].footer = "Each item says why it is here. Counts are the latest the bot has."
    return cards


def pack_messages(cards: Sequence[Card]) -> list[list[Card]]:
    """Group cards into messages: ≤ 10 embeds and ≤ 6,000 characters in total each."""
    messages: list[list[Card]] = []
    current: list[Card] = []
    size = 0
    for card in cards:
        fitted = card.fitted()
        length = fitted.total_length()
        if current and (len(current) >= EMBEDS_PER_MESSAGE or size + length > EMBED_TOTAL_LIMIT):
            messages.append(current)
            current, size = [], 0
        current.append(fitted)
        size += length
    if current:
        messages.append(current)
    return messages


def render_messages(digest: Digest, *, quiet: bool = False) -> list[list[Card]]:
    """The digest as Discord messages (lists of cards); [] means "do not post"."""
    return pack_messages(digest_cards(digest, quiet=quiet))


def preview_note(config: DigestConfig, digest: Digest, now: datetime) -> str:
    """The line above a preview: when the post is due and what decides its content."""
    due = next_slot(config, now)
    when = f"{_local(due, config.timezone)} ({escape(config.timezone)})"
    if config.status != "enabled":
        when = f"not scheduled while the digest is {config.status}"
    if digest.empty:
        outcome = (
            "a short “nothing new” note" if config.quiet else "no post (nothing changed so far)"
        )
        return f"Next digest: {when}. So far it would be {outcome}."
    return (
        f"Next digest: {when}. So far it would contain {len(digest.items)} item(s), "
        "each with the reason it is included; anything ingested before then is added."
    )


STATUS_TEXT = {
    "posted": "posted",
    "empty": "nothing to report (no post)",
    "failed": "not posted",
    "interrupted": "interrupted by a restart (not reposted)",
    "claimed": "posting now",
}


def schedule_text(config: DigestConfig) -> str:
    """ "Daily at 09:00 (Europe/London)" or "Weekly on Monday at 09:00 (…)"."""
    at = f"{config.post_time:%H:%M} ({escape(config.timezone)})"
    if config.cadence == "weekly":
        return f"Weekly on {WEEKDAYS[config.weekday]} at {at}"
    return f"Daily at {at}"


def post_line(post: DigestPost, zone_name: str) -> str:
    """One line of ``/digest show``'s recent periods."""
    what = STATUS_TEXT.get(post.status, post.status)
    if post.status == "posted":
        noun = "message" if len(post.message_ids) == 1 else "messages"
        what = f"posted {fmt_int(post.items or 0)} item(s) in {len(post.message_ids)} {noun}"
    line = f"`{escape(post.period_key)}` · {_local(post.claimed_at, zone_name)}: {what}"
    if post.error and post.status in ("failed", "interrupted"):
        line += f"\n↳ {escape(truncate(post.error, 300))}"
    return line


def settings_card(config: DigestConfig, posts: Sequence[DigestPost], now: datetime) -> Card:
    """``/digest show``: the settings, what happens next, and how recent periods went."""
    status = {"enabled": "✅ Enabled", "paused": "⏸️ Paused", "disabled": "⛔ Disabled"}[
        config.status
    ]
    if config.status == "disabled" and config.disabled_reason:
        status += f": {escape(config.disabled_reason)}"
    card = Card(title="Petition digest", colour=DIGEST_COLOUR)
    card.add_field("Status", status)
    card.add_field("Channel", f"<#{config.channel_id}>", inline=True)
    card.add_field("Schedule", schedule_text(config), inline=True)
    nxt = (
        f"{_local(next_slot(config, now), config.timezone)}"
        if config.status == "enabled"
        else "— (use `/digest resume`)"
    )
    card.add_field("Next post", nxt, inline=True)
    thresholds = ", ".join(fmt_int(t) for t in config.extra_thresholds) or "none"
    card.add_field(
        "Filters",
        f"At least {fmt_int(config.min_signatures)} signatures · extra thresholds: {thresholds}"
        f" · quiet note: {'on' if config.quiet else 'off'}",
    )
    card.add_field("Reports news since", _local(config.reported_through, config.timezone))
    lines = [post_line(p, config.timezone) for p in posts]
    card.add_field("Recent periods", "\n".join(lines) if lines else "none yet")
    card.footer = "Each period is posted at most once; missed periods are caught up in one post."
    return card


# ---------------------------------------------------------------- command answers
PREVIEW_MESSAGES = 5
"""A preview shows at most this many of the real post's messages."""


def settings_reply(result: DigestSettings) -> Reply:
    """``/digest show``, privately."""
    return Reply(
        cards=[settings_card(result.config, list(result.posts), result.now)], ephemeral=True
    )


def preview_messages(result: DigestPreview) -> tuple[str, list[list[Card]], str | None]:
    """``/digest preview``: the note, the first messages, and a line for any left out."""
    note = "**Preview** (only you can see this). " + preview_note(
        result.config, result.digest, result.now
    )
    messages = render_messages(result.digest, quiet=result.config.quiet)
    more = len(messages) - PREVIEW_MESSAGES
    rest = f"…and {more} more message(s) in the real post." if more > 0 else None
    return note, messages[:PREVIEW_MESSAGES], rest


def preview_reply(result: DigestPreview) -> Reply:
    """The preview as one reply (the console; the bot sends each message on its own)."""
    note, messages, rest = preview_messages(result)
    content = "\n".join(line for line in (note, rest) if line)
    return Reply(content=content, cards=[c for cards in messages for c in cards], ephemeral=True)


def when(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp: each reader sees it in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def setup_text(config: DigestConfig, created: bool, first: datetime) -> str:
    verb = "set up" if created else "updated"
    return (
        f"Digest {verb}: {schedule_text(config)} in <#{config.channel_id}>. "
        f"Next post {when(first)}, covering changes from "
        f"{when(config.reported_through, 'f')} on. "
        "`/digest preview` shows what it would contain so far."
    )


def resume_text(config: DigestConfig, first: datetime) -> str:
    return (
        f"Digest resumed: {schedule_text(config)} in <#{config.channel_id}>, next post "
        f"{when(first)}. News from before now is not posted."
    )


def outcome_text(outcome: RunOutcome, channel_id: int) -> str:
    """The private answer to ``/digest post-now``."""
    where = f"<#{channel_id}>"
    if outcome.status == "posted":
        if outcome.items == 0:
            return f"Nothing new since the last digest: posted a short note in {where}."
        messages = len(outcome.message_ids)
        return f"Posted {outcome.items} item(s) in {where} ({messages} message(s))."
    reason = escape(outcome.error or "unknown error")
    return (
        f"Couldn't post in {where}: {reason}. If the bot lost access there, the digest is now "
        "disabled: fix the channel's permissions, then `/digest resume`."
    )
