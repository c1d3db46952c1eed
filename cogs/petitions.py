"""``/petition search | show | top | compare``: thin shells over :mod:`core.services`.

Each command only reads its options, calls one service and hands the result
to :func:`bot.views.answer` (render, send, wire up the controls). Every
argument that names a petition autocompletes through the shared resolver.
"""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import PetitionBot
from bot.views import answer, app_choices
from core.petitions.types import StateFilter, TableKind
from core.services import Services

ChartKind = Literal["top", "history", "map"]
ChartMetric = Literal["count", "rate"]
ChartBy = Literal["constituencies", "countries"]


class Petitions(
    commands.GroupCog, group_name="petition", group_description="UK Parliament petitions"
):
    """Find, show, rank and compare petitions."""

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def services(self) -> Services:
        return self.bot.services

    @app_commands.command(name="search", description="Find petitions by title words, id or URL")
    @app_commands.describe(
        query="Words from the title (typos are fine), an id or a petition URL",
        state="Only petitions in this state (default: all)",
    )
    async def search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 200],
        state: StateFilter = "all",
    ) -> None:
        await answer(interaction, self.services, self.services.petition_search(query, state))

    @app_commands.command(
        name="show", description="A petition's signatures, response and top seats"
    )
    @app_commands.describe(petition="Title words, id or URL")
    async def show(self, interaction: discord.Interaction, petition: str) -> None:
        await answer(interaction, self.services, self.services.petition_show(petition))

    @app_commands.command(
        name="top", description="A petition's signatures ranked by seat or country"
    )
    @app_commands.describe(
        petition="Title words, id or URL",
        by="Rank constituencies (default), countries, or seats per 1,000 electors (rate)",
        count="Only the first N rows",
    )
    async def top(
        self,
        interaction: discord.Interaction,
        petition: str,
        by: TableKind = "constituencies",
        count: app_commands.Range[int, 1, 700] | None = None,
    ) -> None:
        await answer(interaction, self.services, self.services.petition_top(petition, by, count))

    @app_commands.command(name="chart", description="A bar chart, history or UK hex map")
    @app_commands.describe(
        petition="Title words, id or URL",
        kind="top: bar chart · history: signatures over time · map: all 650 seats",
        metric="Signatures (count) or signatures per 1,000 electors (rate)",
        by="For kind:top, rank constituencies (default) or countries",
    )
    async def chart(
        self,
        interaction: discord.Interaction,
        petition: str,
        kind: ChartKind = "top",
        metric: ChartMetric = "count",
        by: ChartBy = "constituencies",
    ) -> None:
        await answer(
            interaction, self.services, self.services.petition_chart(petition, kind, metric, by)
        )

    @app_commands.command(name="compare", description="Two petitions side by side")
    @app_commands.describe(first="The first petition", second="The second petition")
    async def compare(self, interaction: discord.Interaction, first: str, second: str) -> None:
        await answer(interaction, self.services, self.services.petition_compare(first, second))

    @show.autocomplete("petition")
    @top.autocomplete("petition")
    @chart.autocomplete("petition")
    @compare.autocomplete("first")
    @compare.autocomplete("second")
    async def petition_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return app_choices(await self.services.resolver.complete_petition(current))


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Petitions(bot))
