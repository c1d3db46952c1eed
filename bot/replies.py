"""The one way to answer privately: first as the response, then as follow-ups.

Admin and digest answers, errors and control refusals all go through
:func:`send_private`, so whether the interaction was already answered (or
deferred) never decides which call is made in more than one place.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import discord

from bot.embeds import NO_MENTIONS, reply_kwargs, to_embed
from core.common.cards import Card, Reply
from core.common.results import Result
from core.places.render import render

EXTRA_PAGES = 4
"""A long private report sends at most this many further pages as extra messages."""


async def answer_private(interaction: discord.Interaction[Any], work: Awaitable[Result]) -> None:
    """The whole body of an admin or digest command: run the service, send its answer."""
    await send_private(interaction, render(await work))


async def send_private(
    interaction: discord.Interaction[Any],
    reply: Reply | str | None,
    *,
    embeds: list[Card] | None = None,
) -> None:
    """Send ``reply`` (or plain text and/or ``embeds``) privately, with no mentions."""
    if not isinstance(reply, Reply):
        kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if reply:
            kwargs["content"] = reply
        if embeds:
            kwargs["embeds"] = [to_embed(card) for card in embeds]
        pages: list[Card] = []
    else:
        kwargs = dict(reply_kwargs(reply))
        pages = reply.fitted().pages[1 : 1 + EXTRA_PAGES]
    kwargs["ephemeral"] = True
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
    for page in pages:  # further pages of a long report follow as extra private messages
        await interaction.followup.send(
            embed=to_embed(page), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
