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


def message_text(message: discord.Message) -> str:
    """What a message says, for finding petitions in it: its text and its link previews."""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.url or "", embed.title or "", embed.description or ""]
    return "\n".join(p for p in parts if p)


@slash.group_settings("petition")
class Petitions(commands.GroupCog, **slash.group_cog("petition")):
    """Find, show, rank and compare petitions; "Show petition" on a message."""

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        super().__init__()
        self.show_in_message = slash.message_command("Show petition", self.show_petition)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.show_in_message)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.show_in_message.name, type=self.show_in_message.type)

    async def show_petition(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """The message's petitions, privately, with a button to post the card here."""
        work = self.services.petitions_in_message(
            message_text(message), user_id=interaction.user.id
        )
        await answer(interaction, self.services, work, private=True)

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
        work = self.services.petition_show(petition, user_id=interaction.user.id)
        await answer(interaction, self.services, work)

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
