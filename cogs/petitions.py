"""``/petition search | show | top | chart | compare``: thin shells over :mod:`core.services`.

Each command only reads its options, calls one service and hands the result
to :func:`bot.views.answer` (render, send, wire up the controls). Names,
descriptions, choices and autocompletion come from the command registry
(:mod:`core.petitions.commands`) through :mod:`bot.slash`.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import slash
from bot.client import PetitionBot
from bot.views import answer
from core.services import Services


class Petitions(commands.GroupCog, **slash.group_cog("petition")):
    """Find, show, rank and compare petitions."""

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def services(self) -> Services:
        return self.bot.services

    @slash.command("petition search")
    async def search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 200],
        state: str = "all",
    ) -> None:
        await answer(interaction, self.services, self.services.petition_search(query, state))

    @slash.command("petition show")
    async def show(self, interaction: discord.Interaction, petition: str) -> None:
        await answer(interaction, self.services, self.services.petition_show(petition))

    @slash.command("petition top")
    async def top(
        self,
        interaction: discord.Interaction,
        petition: str,
        by: str = "constituencies",
        count: app_commands.Range[int, 1, 700] | None = None,
    ) -> None:
        await answer(interaction, self.services, self.services.petition_top(petition, by, count))

    @slash.command("petition chart")
    async def chart(
        self,
        interaction: discord.Interaction,
        petition: str,
        kind: str = "top",
        metric: str = "count",
        by: str = "constituencies",
    ) -> None:
        await answer(
            interaction, self.services, self.services.petition_chart(petition, kind, metric, by)
        )

    @slash.command("petition compare")
    async def compare(self, interaction: discord.Interaction, first: str, second: str) -> None:
        await answer(interaction, self.services, self.services.petition_compare(first, second))


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Petitions(bot))
