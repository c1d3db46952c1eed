"""``/ask``: a question in plain English, answered by the command that knows.

A thin shell over :mod:`core.services`: the question and the asker (for "my
constituency") go to the service, the result to :func:`bot.views.answer`.
The name, description and option come from the registry (:mod:`core.ask.commands`).
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot import slash
from bot.client import PetitionBot
from bot.views import answer
from core.services import Services


class Ask(commands.Cog):
    """Questions in plain English."""

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot

    @property
    def services(self) -> Services:
        return self.bot.services

    @slash.command("ask")
    async def ask(
        self,
        interaction: discord.Interaction,
        question: discord.app_commands.Range[str, 1, 300],
    ) -> None:
        await answer(
            interaction, self.services, self.services.ask(question, user_id=interaction.user.id)
        )


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Ask(bot))
