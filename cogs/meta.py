"""``/leaderboard``, ``/help`` and ``/about``: thin shells over :mod:`core.services`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import PetitionBot
from bot.views import answer
from core.meta.results import COMMANDS
from core.petitions.types import StateFilter
from core.services import Services


class Meta(commands.Cog):
    """The leaderboard, help and where the data comes from."""

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot

    @property
    def services(self) -> Services:
        return self.bot.services

    @app_commands.command(name="leaderboard", description="Petitions ranked by signatures")
    @app_commands.describe(state="Only petitions in this state (default: all)")
    async def leaderboard(
        self, interaction: discord.Interaction, state: StateFilter = "all"
    ) -> None:
        await answer(interaction, self.services, self.services.leaderboard(state))

    @app_commands.command(name="help", description="Every command, with an example")
    @app_commands.describe(command="One command to explain (e.g. 'petition show')")
    async def help(self, interaction: discord.Interaction, command: str | None = None) -> None:
        await answer(interaction, self.services, self.services.help(command))

    @help.autocomplete("command")
    async def command_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = current.lower().lstrip("/")
        return [
            app_commands.Choice(name=f"/{c.name}", value=c.name)
            for c in COMMANDS
            if wanted in c.name
        ][:25]

    @app_commands.command(name="about", description="Where the data comes from and how fresh it is")
    async def about(self, interaction: discord.Interaction) -> None:
        await answer(interaction, self.services, self.services.about())


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Meta(bot))
