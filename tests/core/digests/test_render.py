"""Rendering digests: exact item text, escaping, and clean splits within Discord limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from core.common.cards import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, EMBEDS_PER_MESSAGE, TITLE_LIMIT
from core.digests.compose import Digest, DigestItem, Section
from core.digests.render import (
    digest_cards,
    item_text,
    pack_messages,
    preview_note,
    render_messages,
    settings_card,
)
from core.digests.schedule import DigestConfig, parse_clock
from core.digests.types import DigestPost

START = datetime(2031, 1, 6, 9, 0, tzinfo=UTC)
END = START + timedelta(days=1)


def item(n: int, section: Section = Section.NEW, **changes: object) -> DigestItem:
    values: dict[str, object] = {
        "section": section,
        "petition_id": 700_000 + n,
        "title": f"Petition number {n}",
        "url": f"https://petition.parliament.uk/petitions/{700_000 + n}",
        "signatures": 10_000 + n,
        "why": f"new: first seen 2031-01-0{n % 9 + 1}",
    }
    values.update(changes)
    return DigestItem(**values)  # type: ignore[arg-type]


def digest_of(items: list[DigestItem], omitted: tuple[tuple[Section, int], ...] = ()) -> Digest:
    return Digest(1, START, END, "Europe/London", tuple(items), omitted)


def config(**changes: object) -> DigestConfig:
    values: dict[str, object] = {
        "guild_id": 1,
        "channel_id": 42,
        "scheduled_through": START,
        "reported_through": START,
        "post_time": parse_clock("09:00"),
        "timezone": "Europe/London",
    }
    values.update(changes)
    return DigestConfig(**values)  # type: ignore[arg-type]


def test_item_text_is_exact() -> None:
    text = item_text(
        item(
            1,
            Section.RESPONSE,
            why="government responded 2024-01-04 (Department for Education)",
            detail="We will not do this.",
        )
    )
    assert text == (
        "**[Petition number 1](https://petition.parliament.uk/petitions/700001)** — "
        "10,001 signatures\n"
        "↳ government responded 2024-01-04 (Department for Education)\n"
        "> We will not do this."
    )


def test_document_text_cannot_format_link_or_ping() -> None:
    hostile = item(
        2,
        title="@everyone [click](https://evil.example) **now** <@123>",
        url="https://evil.example/x) [y](z",
        why="new: @here",
        detail="<@&999> # heading",
    )
    text = item_text(hostile)
    assert "@everyone" not in text and "@here" not in text
    assert "<@" not in text
    assert "\\[click\\]" in text and "\\*\\*now\\*\\*" in text
    # An odd stored URL is replaced by the canonical link built from the id.
    assert "(https://petition.parliament.uk/petitions/700002)" in text
    assert "evil.example/x" not in text


def test_nothing_to_say_means_no_post_unless_quiet() -> None:
    empty = digest_of([])
    assert render_messages(empty) == []
    [[note]] = render_messages(empty, quiet=True)
    assert note.title == "Petition digest · nothing new"
    assert note.description == (
        "No petition news between Mon 06 Jan 2031 09:00 and Tue 07 Jan 2031 09:00 (Europe/London)."
    )


def test_header_and_sections() -> None:
    items = [
        item(1),
        item(2, Section.THRESHOLD, why="crossed 100,000 (debate) on 2024-01-03"),
        item(3, Section.MOVER, why="+5 signatures (+0.1%) since the count of 2024-01-02"),
    ]
    cards = digest_cards(digest_of(items, omitted=((Section.NEW, 4),)))
    assert [c.title for c in cards] == [
        "Petition digest · 07 Jan 2031",
        "🆕 New petitions",
        "🎯 Thresholds crossed",
        "📈 Biggest movers",
    ]
    assert cards[0].description == (
        "What changed between Mon 06 Jan 2031 09:00 and Tue 07 Jan 2031 09:00 (Europe/London).\n"
        "New petitions: 5 · Thresholds crossed: 1 · Biggest movers: 1"
    )
    assert cards[1].description is not None
    assert cards[1].description.endswith("…and 4 more")
    assert "crossed 100,000 (debate) on 2024-01-03" in (cards[2].description or "")
    assert cards[-1].footer is not None


def test_long_digest_splits_cleanly_within_limits() -> None:
    sections = list(Section)
    items = [
        item(
            n,
            sections[n % len(sections)],
            title=f"A rather long petition title number {n} " + "about something important " * 6,
            why=f"reason {n}: " + "because " * 20,
            detail=("summary " * 60) if n % 3 == 0 else None,
        )
        for n in range(120)
    ]
    items.sort(key=lambda i: sections.index(i.section))
    messages = render_messages(digest_of(items))
    assert len(messages) > 2
    seen: list[int] = []
    bodies: list[str] = []
    for message in messages:
        assert 1 <= len(message) <= EMBEDS_PER_MESSAGE
        assert sum(card.total_length() for card in message) <= EMBED_TOTAL_LIMIT
        for card in message:
            assert len(card.description or "") <= DESCRIPTION_LIMIT
            assert len(card.title or "") <= TITLE_LIMIT
            seen += [int(m) for m in re.findall(r"/petitions/(\d+)\)", card.description or "")]
            bodies.append(card.description or "")
    # Every item exactly once, in order, whole (its reason and detail uncut).
    assert seen == [i.petition_id for i in items]
    text = "\n".join(bodies)
    assert all(f"↳ {i.why}" in text for i in items)
    assert text.count("> " + "summary " * 59 + "summary") == 40


def test_pack_messages_respects_the_embed_count() -> None:
    cards = digest_cards(digest_of([item(n) for n in range(1)]))
    many = cards * 25
    messages = pack_messages(many)
    assert [len(m) for m in messages] == [10, 10, 10, 10, 10]


def test_preview_note() -> None:
    now = START + timedelta(hours=3)
    cfg = config()
    assert preview_note(cfg, digest_of([]), now) == (
        "Next digest: Tue 07 Jan 2031 09:00 (Europe/London). "
        "So far it would be no post (nothing changed so far)."
    )
    assert preview_note(config(quiet=True), digest_of([]), now).endswith(
        "So far it would be a short “nothing new” note."
    )
    assert preview_note(config(status="paused"), digest_of([item(1)]), now) == (
        "Next digest: not scheduled while the digest is paused. So far it would contain 1 "
        "item(s), each with the reason it is included; anything ingested before then is added."
    )


def test_settings_card_shows_disabled_reason_and_period_history() -> None:
    cfg = config(
        status="disabled",
        disabled_reason="lost permission to post in channel 42 (Missing Permissions)",
        extra_thresholds=(50_000,),
        min_signatures=1_000,
    )
    posts = [
        DigestPost(1, "daily 2031-01-07", "failed", START, END, 42, END, None, (), None,
                   "lost permission to post in channel 42 (Missing Permissions)"),
        DigestPost(1, "daily 2031-01-06", "interrupted", START - timedelta(days=1), START, 42,
                   START, None, (), None, "the bot stopped"),
        DigestPost(1, "daily 2031-01-05", "posted", START - timedelta(days=2),
                   START - timedelta(days=1), 42, START - timedelta(days=1), START, (7, 8), 12,
                   None),
    ]  # fmt: skip
    card = settings_card(cfg, posts, END)
    fields = {f.name: f.value for f in card.fields}
    assert fields["Status"] == (
        "⛔ Disabled: lost permission to post in channel 42 (Missing Permissions)"
    )
    assert fields["Channel"] == "<#42>"
    assert fields["Schedule"] == "Daily at 09:00 (Europe/London)"
    assert fields["Next post"] == "— (use `/digest resume`)"
    assert fields["Filters"] == (
        "At least 1,000 signatures · extra thresholds: 50,000 · quiet note: off"
    )
    assert fields["Recent periods"].splitlines() == [
        "`daily 2031-01-07` · Tue 07 Jan 2031 09:00: not posted",
        "↳ lost permission to post in channel 42 (Missing Permissions)",
        "`daily 2031-01-06` · Mon 06 Jan 2031 09:00: interrupted by a restart (not reposted)",
        "↳ the bot stopped",
        "`daily 2031-01-05` · Sun 05 Jan 2031 09:00: posted 12 item(s) in 2 messages",
    ]
    weekly = settings_card(config(cadence="weekly", weekday=4), [], START)
    assert {f.name: f.value for f in weekly.fields}["Schedule"] == (
        "Weekly on Friday at 09:00 (Europe/London)"
    )
    assert {f.name: f.value for f in weekly.fields}["Next post"] == "Fri 10 Jan 2031 09:00"
