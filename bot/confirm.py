"""A confirmation prompt only the invoker can answer, which expires."""

from __future__ import annotations

import contextlib

import discord

from bot.embeds import NO_MENTIONS


class ConfirmView(discord.ui.View):
    """Confirm / Cancel buttons. ``result`` is True, False, or None on timeout."""

    def __init__(self, invoker_id: int, *, timeout: float = 60.0) -> None:
        super().__init__(timeout=timeout)
        self.invoker_id = invoker_id
        self.result: bool | None = None
        self.message: discord.InteractionMessage | discord.Message | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.invoker_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran this command can answer this.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        return False

    def _disable(self) -> None:
        for child in self.children:
            if isinstance(child, discord.ui.Button):
                child.disabled = True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.result = True
        self._disable()
        await interaction.response.edit_message(view=self)
        self.stop()

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.result = False
        self._disable()
        await interaction.response.edit_message(content="Cancelled; nothing changed.", view=self)
        self.stop()

    async def on_timeout(self) -> None:
        self._disable()
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(content="Timed out; nothing changed.", view=self)
