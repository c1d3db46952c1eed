"""``/admin``: owner-only petition data commands and server-manager settings.

Every command is checked at runtime (``bot.checks``); ``default_permissions``
only hides the group in the client. Every action, refused ones included, is
written to the audit table; server actions are also posted to the server's
audit channel when one is set.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

import bot as bot_package
from bot import slash
from bot.checks import moderator_role_problem
from bot.client import PetitionBot
from bot.confirm import ConfirmView
from bot.embeds import NO_MENTIONS, reply_kwargs, to_embed
from core.admin import ingest as admin_ingest
from core.admin import render as render_admin
from core.admin.types import AuditEntry
from core.common.cards import TITLE_LIMIT, Reply, escape, truncate
from core.common.errors import UserFacingError
from core.ingest import uploads
from db import audit
from db import guild_settings as guild_repo
from db import petitions as petition_repo

log = logging.getLogger(__name__)

_PETITION_ID = re.compile(r"(?:petitions/)?(\d{1,9})\b")


@slash.group_settings("admin")
class Admin(commands.GroupCog, **slash.group_cog("admin")):
    """Owner and moderator commands."""

    modrole = slash.group("admin modrole")
    auditlog = slash.group("admin auditlog")

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        super().__init__()

    # ------------------------------------------------------------ helpers
    async def _audit(
        self,
        interaction: discord.Interaction,
        action: str,
        result: str,
        *,
        scope: audit.Scope,
        arguments: dict[str, Any] | None = None,
        also_to: int | None = None,
    ) -> None:
        """Record ``action``; a server action is also posted to the audit channel (and to
        ``also_to``, the channel it is about to become)."""
        entry = AuditEntry(
            action=action,
            result=result,
            scope=scope,
            user_id=interaction.user.id,
            user_name=str(interaction.user),
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            arguments=arguments or {},
        )
        await audit.record(self.bot.db, entry)
        if scope == "server" and interaction.guild_id is not None:
            await self._post_to_audit_channel(interaction.guild_id, entry, also_to)

    @staticmethod
    def _entry(
        interaction: discord.Interaction, action: str, arguments: dict[str, Any]
    ) -> AuditEntry:
        """A global audit row for ``action`` (its result is filled in by the service)."""
        return AuditEntry(
            action=action,
            result="",
            scope="global",
            user_id=interaction.user.id,
            user_name=str(interaction.user),
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            arguments=arguments,
        )

    async def _post_to_audit_channel(
        self, guild_id: int, entry: AuditEntry, also_to: int | None = None
    ) -> None:
        config = await guild_repo.get_config(self.bot.db, guild_id)
        targets = dict.fromkeys(c for c in (config.audit_channel_id, also_to) if c is not None)
        for channel_id in targets:
            channel = self.bot.get_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                continue
            try:
                await channel.send(
                    embed=to_embed(render_admin.audit_notice(entry)), allowed_mentions=NO_MENTIONS
                )
            except discord.HTTPException:
                log.warning("Could not post to audit channel %s", channel_id)

    async def _send(self, interaction: discord.Interaction, reply: Reply) -> None:
        kwargs = reply_kwargs(reply)
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs)  # type: ignore[arg-type]
        else:
            await interaction.response.send_message(**kwargs)  # type: ignore[arg-type]
        # Further pages of a long report follow as extra private messages.
        for page in reply.fitted().pages[1:5]:
            await interaction.followup.send(
                embed=to_embed(page), ephemeral=True, allowed_mentions=NO_MENTIONS
            )

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Refusals are admin actions too: audit them (the tree handler replies)."""
        if isinstance(error, app_commands.CheckFailure) and interaction.command is not None:
            await self._audit(
                interaction,
                interaction.command.qualified_name,
                f"refused: {error}" if str(error) else "refused",
                scope="server" if interaction.guild_id else "global",
                arguments=dict(interaction.namespace.__dict__),
            )

    # ------------------------------------------------------------ global data (owners)
    @slash.command("admin ingest", cooldown=15.0)
    async def ingest(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        uploads.check_upload(file.filename, file.size, self.bot.settings.max_upload_bytes)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            raise UserFacingError(f"Couldn't download `{file.filename}` ({exc.status}).") from None
        entry = self._entry(
            interaction, "admin ingest", {"file": file.filename, "bytes": file.size}
        )
        try:
            report = await admin_ingest.ingest_upload(
                self.bot.db,
                file.filename,
                data,
                max_bytes=self.bot.settings.max_upload_bytes,
                entry=entry,
            )
        finally:
            await self.bot.data_changed()
        await self._send(interaction, render_admin.ingest_report(report))

    @slash.command("admin reload", cooldown=30.0)
    async def reload(self, interaction: discord.Interaction) -> None:
        folder = self.bot.settings.data_dir
        if not folder.is_dir():
            raise UserFacingError("The data directory does not exist on the bot's machine.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            report = await admin_ingest.reload_folder(
                self.bot.db, folder, entry=self._entry(interaction, "admin reload", {})
            )
        finally:
            await self.bot.data_changed()
        await self._send(interaction, render_admin.ingest_report(report, title="Reload report"))

    @slash.command("admin remove")
    async def remove(self, interaction: discord.Interaction, petition: str) -> None:
        match = _PETITION_ID.search(petition)
        summary = (
            await petition_repo.get_summary(self.bot.db, int(match.group(1))) if match else None
        )
        if summary is None:
            raise UserFacingError(f"No stored petition has the id or URL `{escape(petition)}`.")
        view = ConfirmView(interaction.user.id)
        # A title can run to thousands of characters; the prompt must stay under Discord's
        # 2,000-character content limit or the owner sees nothing to confirm.
        title = truncate(escape(summary.title), TITLE_LIMIT)
        await interaction.response.send_message(
            f"Remove petition **{summary.id}** “{title}” and all its counts? "
            "Every server loses it.",
            view=view,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        view.message = await interaction.original_response()
        await view.wait()
        if view.result is not True:
            result = "cancelled" if view.result is False else "timed out"
            await self._audit(
                interaction, "admin remove", result, scope="global", arguments={"id": summary.id}
            )
            return
        removed = await petition_repo.delete_petition(self.bot.db, summary.id)
        await self.bot.data_changed()
        result = "removed" if removed else "already gone"
        await self._audit(
            interaction, "admin remove", result, scope="global", arguments={"id": summary.id}
        )
        await interaction.edit_original_response(
            content=f"Petition {summary.id} {result}.", view=None
        )

    @slash.command("admin sync", cooldown=60.0)
    async def sync(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.sync_commands_if_changed(force=True)
        await self._audit(interaction, "admin sync", "ok", scope="global")
        await interaction.followup.send(
            "Command tree synced.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    # ------------------------------------------------------------ server (managers)
    @slash.command("admin stats", cooldown=5.0)
    async def stats(self, interaction: discord.Interaction) -> None:
        db_stats = await petition_repo.stats(self.bot.db)
        latency = self.bot.latency
        runtime = render_admin.RuntimeFacts(
            uptime_seconds=self.bot.uptime_seconds,
            latency_ms=latency * 1000 if latency == latency and latency != float("inf") else None,
            guilds=len(self.bot.guilds),
            discord_version=discord.__version__,
            bot_version=bot_package.__version__,
        )
        await self._send(interaction, render_admin.stats(db_stats, runtime))

    @slash.command("admin modrole set", group=modrole)
    async def modrole_set(self, interaction: discord.Interaction, role: discord.Role) -> None:
        assert interaction.guild_id is not None  # guild_only
        problem = moderator_role_problem(role, interaction.guild_id)
        if problem is not None:
            raise UserFacingError(problem)
        await guild_repo.update_config(self.bot.db, interaction.guild_id, moderator_role_id=role.id)
        await self._audit(
            interaction, "modrole set", "ok", scope="server", arguments={"role": role.id}
        )
        await self._reply(interaction, f"Moderator role set to **{escape(role.name)}**.")

    @slash.command("admin modrole clear", group=modrole)
    async def modrole_clear(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await guild_repo.update_config(self.bot.db, interaction.guild_id, moderator_role_id=None)
        await self._audit(interaction, "modrole clear", "ok", scope="server")
        await self._reply(interaction, "Moderator role cleared.")

    @slash.command("admin auditlog channel", group=auditlog)
    async def auditlog_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        assert interaction.guild_id is not None
        # Announced in the old channel and the new one before the change: a redirect
        # must never be silent to those watching the old channel.
        await self._audit(
            interaction,
            "auditlog channel",
            "ok",
            scope="server",
            arguments={"channel": channel.id},
            also_to=channel.id,
        )
        await guild_repo.update_config(
            self.bot.db, interaction.guild_id, audit_channel_id=channel.id
        )
        await self._reply(interaction, f"Admin actions will be posted in #{escape(channel.name)}.")

    @slash.command("admin auditlog off", group=auditlog)
    async def auditlog_off(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self._audit(interaction, "auditlog off", "ok", scope="server")
        await guild_repo.update_config(self.bot.db, interaction.guild_id, audit_channel_id=None)
        await self._reply(interaction, "Audit channel turned off.")

    async def _reply(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Admin(bot))
