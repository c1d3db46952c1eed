"""The test doubles are held to discord.py's real classes: a misspelling fails loudly."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.client import PetitionBot
from db.database import Database
from tests import helpers as h


@pytest.fixture
async def bot(db: Database) -> Any:
    return await h.mock_bot(db)


async def test_a_misspelt_attribute_fails(bot: Any) -> None:
    interaction = h.mock_interaction(bot, h.mock_member(1))
    with pytest.raises(AttributeError):
        _ = interaction.respnse  # not an attribute of discord.Interaction
    with pytest.raises(AttributeError):
        await interaction.response.send_mesage("hi")  # nor of InteractionResponse
    with pytest.raises(AttributeError):
        interaction.followup.sned  # noqa: B018  (nor of discord.Webhook)
    with pytest.raises(AttributeError):
        interaction.guild_idd = 5  # setting one fails too
    with pytest.raises(AttributeError):
        h.mock_channel(5).sned  # noqa: B018
    with pytest.raises(AttributeError):
        bot.servics  # noqa: B018  (not a PetitionBot attribute)


async def test_the_mocks_are_their_discord_classes(bot: Any) -> None:
    interaction = h.mock_interaction(bot, h.mock_member(1))
    assert isinstance(interaction, discord.Interaction)
    assert isinstance(interaction.user, discord.Member)
    assert isinstance(h.mock_channel(5), discord.abc.Messageable)
    assert isinstance(bot, PetitionBot)


async def test_an_interaction_is_answered_once(bot: Any) -> None:
    interaction = h.mock_interaction(bot, h.mock_member(1))
    assert interaction.response.is_done() is False
    await interaction.response.defer(ephemeral=True)
    assert interaction.response.is_done() is True
    with pytest.raises(discord.InteractionResponded):
        await interaction.response.send_message("too late")
    assert h.responses(interaction)[0] == ("defer", {"ephemeral": True})
