"""Card → ``discord.Embed`` (and files): the only place Discord objects are drawn.

Renderers already escaped the text and :meth:`Card.fitted` enforces the embed
limits, so this is a mechanical conversion, plus a final guard that no reply
can ping anyone.
"""

from __future__ import annotations

from pathlib import Path

import discord

from core.common.cards import Card, Reply

NO_MENTIONS = discord.AllowedMentions.none()
DEFAULT_COLOUR = 0x4B7BEC


def to_embed(card: Card) -> discord.Embed:
    card = card.fitted()
    embed = discord.Embed(
        title=card.title,
        url=card.url,
        description=card.description,
        colour=card.colour if card.colour is not None else DEFAULT_COLOUR,
    )
    for f in card.fields:
        embed.add_field(name=f.name, value=f.value, inline=f.inline)
    if card.footer:
        embed.set_footer(text=card.footer)
    if card.image_file:
        embed.set_image(url=f"attachment://{Path(card.image_file).name}")
    return embed


def to_files(cards: list[Card]) -> list[discord.File]:
    """Attachments the cards refer to (e.g. chart PNGs)."""
    return [
        discord.File(card.image_file, filename=Path(card.image_file).name)
        for card in cards
        if card.image_file
    ]


def reply_kwargs(reply: Reply) -> dict[str, object]:
    """Keyword arguments for ``send_message``/``followup.send`` (views added by cogs)."""
    fitted = reply.fitted()
    cards = fitted.cards or fitted.pages[:1]
    kwargs: dict[str, object] = {
        "content": fitted.content,
        "embeds": [to_embed(c) for c in cards],
        "allowed_mentions": NO_MENTIONS,
        "ephemeral": fitted.ephemeral,
    }
    files = to_files(cards)
    if files:
        kwargs["files"] = files
    return kwargs
