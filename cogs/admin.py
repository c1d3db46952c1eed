"""``/admin``: owner-only petition data commands and server-manager settings.

Thin: each command reads the interaction, calls :class:`core.admin.service.AdminCommands`
and sends what the renderer returns, privately. Every command is checked at
runtime (``bot.slash`` applies the check the registry declares);
``default_permissions`` only hides the group in the client. Every action,
refused ones included, is audited by the service.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import slash
from bot.checks import caller_of, moderator_role_problem
from bot.client import PetitionBot
from bot.confirm import ConfirmView
from bot.embeds import NO_MENTIONS
from bot.replies import answer_private, send_private
from core.admin.results import RemovalPrompt
from core.admin.service import AdminCommands
from core.admin.types import Ref, Upload
from core.common.errors import UserFacingError
from core.common.results import Notice


@slash.group_settings("admin")
class Admin(commands.GroupCog, **slash.group_cog("admin")):
    """Owner and moderator commands."""

    modrole = slash.group("admin modrole")
    auditlog = slash.group("admin auditlog")

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def admin(self) -> AdminCommands:
        admin = self.bot.services.admin
        assert admin is not None  # the bot's services always have a host
        return admin

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Refusals are admin actions too: audit them (the tree handler replies)."""
        if isinstance(error, app_commands.CheckFailure) and interaction.command is not None:
            await self.admin.record(
                caller_of(interaction),
                interaction.command.qualified_name,
                f"refused: {error}" if str(error) else "refused",
                "server" if interaction.guild_id else "global",
                dict(interaction.namespace.__dict__),
            )

    # ------------------------------------------------------------ global data (owners)
    @slash.command("admin ingest", cooldown=15.0)
    async def ingest(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        self.admin.check_upload(file.filename, file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            raise UserFacingError(f"Couldn't download `{file.filename}` ({exc.status}).") from None
        upload = Upload(file.filename, data)
        await answer_private(interaction, self.admin.ingest(caller_of(interaction), upload))

    @slash.command("admin reload", cooldown=30.0)
    async def reload(self, interaction: discord.Interaction) -> None:
        self.admin.check_data_dir()
        await interaction.response.defer(ephemeral=True, thinking=True)
        await answer_private(interaction, self.admin.reload(caller_of(interaction)))

    @slash.command("admin remove")
    async def remove(self, interaction: discord.Interaction, petition: str) -> None:
        caller = caller_of(interaction)
        prompt = await self.admin.remove(caller, petition)
        assert isinstance(prompt, RemovalPrompt)
        view = ConfirmView(interaction.user.id)
        await interaction.response.send_message(
            prompt.question, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        view.message = await interaction.original_response()
        await view.wait()
        if view.result is None:
            arguments = {"id": prompt.petition_id}
            await self.admin.record(caller, "admin remove", "timed out", "global", arguments)
            return
        done = await self.admin.remove(caller, str(prompt.petition_id), confirm=view.result)
        if view.result:  # Cancel already said so on the prompt itself
            assert isinstance(done, Notice)
            await interaction.edit_original_response(content=done.text, view=None)

    @slash.command("admin sync", cooldown=60.0)
    async def sync(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.sync_commands_if_changed(force=True)
        await self.admin.record(caller_of(interaction), "admin sync", "ok", "global")
        await send_private(interaction, "Command tree synced.")

    # ------------------------------------------------------------ server (managers)
    @slash.command("admin stats", cooldown=5.0)
    async def stats(self, interaction: discord.Interaction) -> None:
        await answer_private(interaction, self.admin.stats(caller_of(interaction)))

    @slash.command("admin modrole set", group=modrole)
    async def modrole_set(self, interaction: discord.Interaction, role: discord.Role) -> None:
        assert interaction.guild_id is not None  # guild-only
        problem = moderator_role_problem(role, interaction.guild_id)
        if problem is not None:  # @everyone or a managed role: refused before anything changes
            raise UserFacingError(problem)
        work = self.admin.modrole_set(caller_of(interaction), Ref(role.id, role.name))
        await answer_private(interaction, work)

    @slash.command("admin modrole clear", group=modrole)
    async def modrole_clear(self, interaction: discord.Interaction) -> None:
        await answer_private(interaction, self.admin.modrole_clear(caller_of(interaction)))

    @slash.command("admin auditlog channel", group=auditlog)
    async def auditlog_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        where = Ref(channel.id, channel.name)
        work = self.admin.auditlog_channel(caller_of(interaction), where)
        await answer_private(interaction, work)

    @slash.command("admin auditlog off", group=auditlog)
    async def auditlog_off(self, interaction: discord.Interaction) -> None:
        await answer_private(interaction, self.admin.auditlog_off(caller_of(interaction)))


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Admin(bot))
