"""The neutral reply model every renderer produces, with Discord's limits built in.

Renderers (``core/render_*.py``) turn service results into :class:`Card` and
:class:`Reply` objects; ``bot/embeds.py`` turns those into ``discord.Embed``
and the offline console prints them as text. Because the limits and escaping
are enforced here, the Discord and console outputs cannot disagree and a
renderer test needs no Discord objects.

Limits (Discord): title 256, description 4096, field name 256, field value
1024, 25 fields, footer 2048, 6000 characters per embed in total, 10 embeds
and 2000 characters of content per message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
ELLIPSIS = "…"

_MARKDOWN = re.compile(r"([\\*_`~|\[\]])")
_MENTION = re.compile(r"@(everyone|here|[!&]?\d+|\S)")
_LINE_START_MARKDOWN = re.compile(r"(?m)^(\s*)([#>\-+])")
_LINE_START_NUMBER = re.compile(r"(?m)^(\s*)(\d+)\.")


def escape(text: str) -> str:
    """Make document or user text inert: no markdown, no mentions, no masked links.

    A zero-width space after ``@`` stops ``@everyone``/``@here`` and user/role
    mentions from rendering even where ``allowed_mentions`` would not apply
    (e.g. text copied by a reader); backslashes neutralise markdown.
    """
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START_MARKDOWN.sub(r"\1\\\2", text)  # headings, quotes, lists
    text = _LINE_START_NUMBER.sub(r"\1\2\\.", text)  # numbered lists
    text = text.replace("<", "<\u200b")  # <@123>, <#chan>, <t:...> never parse
    return _MENTION.sub(lambda m: "@\u200b" + m.group(1), text)


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    # Never leave a dangling escape backslash at the cut.
    while cut.endswith("\\"):
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """Split long text into pieces ≤ ``limit``, preferring paragraph, then line breaks."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit * 0.5:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        while rest[:cut].endswith("\\"):
            cut -= 1
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces or [""]


def fmt_int(value: int | None) -> str:
    """Thousands separators, as the source prints them: 13,698."""
    return "—" if value is None else f"{value:,}"


def ordinal(value: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 1,001st."""
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{fmt_int(value)}{suffix}"


def fmt_percent(value: float | None) -> str:
    """Two decimals, as the source prints percentages."""
    return "—" if value is None else f"{value:.2f}%"


@dataclass(slots=True)
class CardField:
    name: str
    value: str
    inline: bool = False


@dataclass(slots=True)
class Card:
    """One embed's worth of content. Text must already be escaped by the renderer."""

    title: str | None = None
    url: str | None = None
    description: str | None = None
    fields: list[CardField] = field(default_factory=list)
    footer: str | None = None
    colour: int | None = None
    image_file: str | None = None  # path of a PNG to attach and show in the card

    def add_field(self, name: str, value: str, inline: bool = False) -> Card:
        self.fields.append(CardField(name, value, inline))
        return self

    def fitted(self) -> Card:
        """A copy that satisfies every Discord embed limit (cut cleanly)."""
        title = truncate(self.title, TITLE_LIMIT) if self.title else None
        description = truncate(self.description, DESCRIPTION_LIMIT) if self.description else None
        footer = truncate(self.footer, FOOTER_LIMIT) if self.footer else None
        fields = [
            CardField(
                truncate(f.name, FIELD_NAME_LIMIT) or "\u200b",
                truncate(f.value, FIELD_VALUE_LIMIT) or "\u200b",
                f.inline,
            )
            for f in self.fields[:FIELD_COUNT_LIMIT]
        ]
        card = Card(title, self.url, description, fields, footer, self.colour, self.image_file)
        # Stay under the 6000 total: drop trailing fields, then shorten the description.
        while card.total_length() > EMBED_TOTAL_LIMIT and card.fields:
            card.fields.pop()
        if card.total_length() > EMBED_TOTAL_LIMIT and card.description:
            spare = EMBED_TOTAL_LIMIT - (card.total_length() - len(card.description))
            card.description = truncate(card.description, max(spare, 1))
        return card

    def total_length(self) -> int:
        return (
            len(self.title or "")
            + len(self.description or "")
            + len(self.footer or "")
            + sum(len(f.name) + len(f.value) for f in self.fields)
        )


@dataclass(slots=True)
class Choice:
    """An option for a "Did you mean…" select menu or an autocomplete list."""

    label: str
    value: str
    description: str | None = None


@dataclass(slots=True)
class Reply:
    """Everything one command answers with.

    ``pages`` are alternative cards the user can page through (buttons);
    ``choices`` feed a select menu (e.g. "Did you mean…" or "open one");
    ``actions`` name extra buttons (e.g. "Constituencies") the cog wires up.
    """

    content: str | None = None
    cards: list[Card] = field(default_factory=list)
    pages: list[Card] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    choices_placeholder: str = "Did you mean…"
    actions: list[Choice] = field(default_factory=list)
    ephemeral: bool = False

    def fitted(self) -> Reply:
        content = truncate(self.content, CONTENT_LIMIT) if self.content else None
        return Reply(
            content,
            [c.fitted() for c in self.cards[:EMBEDS_PER_MESSAGE]],
            [p.fitted() for p in self.pages],
            self.choices[:25],
            self.choices_placeholder,
            self.actions[:5],
            self.ephemeral,
        )


def paginate_lines(
    lines: Sequence[str], *, per_page: int, limit: int = DESCRIPTION_LIMIT
) -> list[str]:
    """Group lines into page bodies of at most ``per_page`` lines and ``limit`` characters."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, limit)
        if current and (len(current) >= per_page or size + len(line) + 1 > limit):
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        pages.append("\n".join(current))
    return pages


def card_to_text(card: Card) -> str:
    """Plain-text form of a card for the offline console."""
    parts: list[str] = []
    if card.title:
        parts.append(card.title + (f"  <{card.url}>" if card.url else ""))
        parts.append("=" * min(len(card.title), 78))
    if card.description:
        parts.append(card.description)
    for f in card.fields:
        parts.append(f"\n[{f.name}]\n{f.value}")
    if card.image_file:
        parts.append(f"\n(image written to {card.image_file})")
    if card.footer:
        parts.append(f"\n— {card.footer}")
    return unescape("\n".join(parts))


def unescape(text: str) -> str:
    """Undo :func:`escape` for terminal display."""
    return re.sub(r"\\([\\*_`~|>#\[\]()+.-])", r"\1", text).replace("\u200b", "")


def reply_to_text(reply: Reply) -> str:
    """Plain-text form of a whole reply (console)."""
    parts: list[str] = []
    if reply.content:
        parts.append(unescape(reply.content))
    parts.extend(card_to_text(c) for c in reply.cards)
    if reply.pages:
        parts.append(f"(page 1 of {len(reply.pages)})\n" + card_to_text(reply.pages[0]))
    if reply.choices:
        parts.append(reply.choices_placeholder)
        parts.extend(f"  • {unescape(c.label)}" for c in reply.choices)
    return "\n\n".join(parts)
