"""``/leaderboard``, ``/help`` and ``/about``: thin shells over :mod:`core.services`.

Names, descriptions and choices come from the command registry
(:mod:`core.meta.commands`) through :mod:`bot.slash`.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot import slash
from bot.client import PetitionBot
from bot.views import answer
from core.services import Services


class Meta(commands.Cog):
    """The leaderboard, help and where the data comes from."""

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot

    @property
    def services(self) -> Services:
        return self.bot.services

    @slash.command("leaderboard")
    async def leaderboard(self, interaction: discord.Interaction, state: str = "all") -> None:
        await answer(interaction, self.services, self.services.leaderboard(state))

    @slash.command("help")
    async def help(self, interaction: discord.Interaction, command: str | None = None) -> None:
        await answer(interaction, self.services, self.services.help(command))

    @slash.command("about")
    async def about(self, interaction: discord.Interaction) -> None:
        await answer(interaction, self.services, self.services.about())


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Meta(bot))
