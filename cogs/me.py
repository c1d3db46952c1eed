"""``/me seat set|show`` and ``/me forget``: thin shells over :mod:`core.me.service`.

Every reply is private (it is about the person asking). Names, descriptions and
autocompletion come from the command registry (:mod:`core.me.commands`).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import slash
from bot.client import PetitionBot
from bot.views import answer
from core.services import Services


@slash.group_settings("me")
class Me(commands.GroupCog, **slash.group_cog("me")):
    """The asker's own settings: their home seat."""

    seat = slash.group("me seat")

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def services(self) -> Services:
        return self.bot.services

    @slash.command("me seat set", group=seat)
    async def seat_set(
        self, interaction: discord.Interaction, seat: app_commands.Range[str, 2, 100]
    ) -> None:
        work = self.services.me_seat_set(seat, user_id=interaction.user.id)
        await answer(interaction, self.services, work, private=True, shareable=False)

    @slash.command("me seat show", group=seat)
    async def seat_show(self, interaction: discord.Interaction) -> None:
        work = self.services.me_seat_show(user_id=interaction.user.id)
        await answer(interaction, self.services, work, private=True, shareable=False)

    @slash.command("me forget")
    async def forget(self, interaction: discord.Interaction) -> None:
        work = self.services.me_forget(user_id=interaction.user.id)
        await answer(interaction, self.services, work, private=True, shareable=False)


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Me(bot))
