"""``/constituency show`` and ``/mp show``: a seat (or an MP's seat) in a petition.

Thin shells over :mod:`core.services`: read the options, call the service,
hand the result to :func:`bot.views.answer`. Names, descriptions and
autocompletion (seats, MPs and petitions) come from the command registry
(:mod:`core.places.commands`) through :mod:`bot.slash`.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from bot import slash
from bot.client import PetitionBot
from bot.views import answer
from core.services import Services


class Places(commands.Cog):
    """Constituencies and their MPs."""

    constituency = slash.group("constituency")
    mp = slash.group("mp")

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot

    @property
    def services(self) -> Services:
        return self.bot.services

    @slash.command("constituency show", group=constituency)
    async def constituency_show(
        self,
        interaction: discord.Interaction,
        name: str | None = None,
        petition: str | None = None,
    ) -> None:
        work = self.services.constituency_show(name, petition, user_id=interaction.user.id)
        await answer(interaction, self.services, work)

    @slash.command("mp show", group=mp)
    async def mp_show(
        self, interaction: discord.Interaction, name: str, petition: str | None = None
    ) -> None:
        await answer(interaction, self.services, self.services.mp_show(name, petition))


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Places(bot))
