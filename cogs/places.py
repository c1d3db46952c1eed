"""``/constituency show`` and ``/mp show``: a seat (or an MP's seat) in a petition.

Thin shells over :mod:`core.services`: read the options, call the service,
hand the result to :func:`bot.views.answer`. Names autocomplete through the
shared resolver (seats, MPs and petitions).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import PetitionBot
from bot.views import answer, app_choices
from core.services import Services


class Places(commands.Cog):
    """Constituencies and their MPs."""

    constituency = app_commands.Group(name="constituency", description="Westminster constituencies")
    mp = app_commands.Group(name="mp", description="Members of Parliament")

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot

    @property
    def services(self) -> Services:
        return self.bot.services

    @constituency.command(name="show", description="A seat's signatures, rank and MP in a petition")
    @app_commands.describe(
        name="Constituency name (spelling, accents and punctuation are forgiven)",
        petition="A petition (title words, id or URL); leave out to see what the seat signed most",
    )
    async def constituency_show(
        self, interaction: discord.Interaction, name: str, petition: str | None = None
    ) -> None:
        await answer(interaction, self.services, self.services.constituency_show(name, petition))

    @mp.command(name="show", description="An MP's constituency and its signatures in a petition")
    @app_commands.describe(
        name="The MP's name, with or without titles (typos are forgiven)",
        petition="A petition (title words, id or URL); leave out to see what the seat signed most",
    )
    async def mp_show(
        self, interaction: discord.Interaction, name: str, petition: str | None = None
    ) -> None:
        await answer(interaction, self.services, self.services.mp_show(name, petition))

    @constituency_show.autocomplete("name")
    async def constituency_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return app_choices(await self.services.resolver.complete_constituency(current))

    @mp_show.autocomplete("name")
    async def mp_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return app_choices(await self.services.resolver.complete_mp(current))

    @constituency_show.autocomplete("petition")
    @mp_show.autocomplete("petition")
    async def petition_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return app_choices(await self.services.resolver.complete_petition(current))


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Places(bot))
