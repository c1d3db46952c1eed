"""``/follow …`` and ``/unfollow``: alerts for a petition, keyword, seat or MP, exactly once.

The cog only wires Discord to :class:`core.follows.service.FollowService`:
it registers a listener on ``PetitionBot.data_changed`` (every ingest, reload
and live refresh) that runs a pass at once, and a ``tasks.loop`` that beats
the instance's heartbeat and runs a pass every ``FOLLOW_TICK_SECONDS``
(time-driven events, recovery of claims a dead process left). It sends
through :meth:`Follows._send`, which turns a refused DM, a deleted channel or
a lost permission into ``DestinationUnavailable`` so the service pauses the
follow with the reason. A ``channel`` is checked at runtime: Manage Server or
the moderator role.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import discord
from discord.ext import commands, tasks

from bot import slash
from bot.checks import is_bot_owner, is_server_manager
from bot.client import PetitionBot
from bot.embeds import NO_MENTIONS, to_embed
from bot.host import missing_permissions, postable_channel
from core.admin import render as render_admin
from core.admin.types import AuditEntry
from core.common.cards import Card
from core.common.errors import UserFacingError
from core.follows.render import list_card, started_text
from core.follows.service import DestinationUnavailable, FollowService
from core.follows.types import MAX_DM_FOLLOWS, MAX_SERVER_FOLLOWS, Destination, Kind
from db import guild_settings as guild_repo
from db.database import Database

log = logging.getLogger(__name__)

CHANNEL_NEEDS = (
    "Alerts in a channel need Manage Server or this server's moderator role; "
    "leave out `channel` to get them by DM."
)
UNLOAD_GRACE_SECONDS = 20.0
INVALID_RECIPIENT = 50033


class Follows(commands.Cog):
    """Follow petitions, keywords, seats and MPs."""

    follow = slash.group("follow")

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        self.service = FollowService(
            bot.db,
            bot.services.resolver,
            send=self._send,
            on_audit=self._mirror_audit,
            instance_id=bot.instance_id,
            shards=bot.shard_plan,
        )
        # No wait for READY: the heartbeat must beat while the shards connect (several
        # shards take 5 s each to identify), or other processes would take this one for dead.
        # The passes themselves wait for READY (``_run_pass``).
        self.ticker = tasks.loop(seconds=bot.settings.follow_tick_seconds)(self._tick)
        self._pass_lock = asyncio.Lock()
        self._pending: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ the engine
    async def cog_load(self) -> None:
        # The engine writes (heartbeat, ledger) on a connection of its own: one blocked by an
        # ingest's write lock must not stall the commands' reads on the shared connection.
        self.service.engine = await Database.open(self.bot.db.target)
        await self.service.start()
        self.bot.data_listeners.append(self._data_changed)
        self.ticker.start()

    async def cog_unload(self) -> None:
        """Stop between passes, never inside one, then give up this instance's heartbeat."""
        if self._data_changed in self.bot.data_listeners:
            self.bot.data_listeners.remove(self._data_changed)
        try:
            await asyncio.wait_for(self._pass_lock.acquire(), timeout=UNLOAD_GRACE_SECONDS)
        except TimeoutError:
            log.warning("Follow pass still running after %s s; stopping", UNLOAD_GRACE_SECONDS)
            self.ticker.cancel()
            return
        try:
            self.ticker.cancel()
            await self.service.stop()
        finally:
            self._pass_lock.release()
            if self.service.engine is not self.bot.db:
                await self.service.engine.close()

    async def _tick(self) -> None:
        try:
            await self.service.beat()
        except sqlite3.OperationalError as exc:  # a long ingest holds the write lock
            log.warning("Follow heartbeat skipped: %s", exc)
        except Exception:
            log.exception("Follow heartbeat failed")
        await self._run_pass()

    async def _data_changed(self) -> None:
        """New data: run a pass now, without holding up the command that ingested it."""
        task = asyncio.create_task(self._run_pass())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _run_pass(self) -> None:
        if not self.bot.is_ready():
            return  # the ticker's first pass catches up once connected
        try:
            async with self._pass_lock:
                report = await self.service.run_pass()
            for delivery in report.deliveries:
                log.info(
                    "Follow alerts to %s: %d (%s)",
                    delivery.destination.describe(),
                    delivery.alerts,
                    delivery.error or f"message {delivery.message_id}",
                )
        except sqlite3.OperationalError as exc:  # busy: the next tick finds the same events
            log.warning("Follow pass postponed: %s", exc)
        except Exception:
            log.exception("Follow pass failed")

    async def _send(self, dest: Destination, card: Card, nonce: str) -> int:
        """One message to a channel or a DM; lost access becomes ``DestinationUnavailable``."""
        try:
            channel = await self._channel(dest)
            message = await channel.send(
                embed=to_embed(card), nonce=nonce, allowed_mentions=NO_MENTIONS
            )
        except discord.Forbidden as exc:
            detail = exc.text or "Forbidden"
            if dest.channel_id is None:
                raise DestinationUnavailable(f"Discord refused the DM ({detail})") from exc
            raise DestinationUnavailable(
                f"lost permission to post in channel {dest.channel_id} ({detail})"
            ) from exc
        except discord.NotFound as exc:
            if dest.channel_id is None:
                raise DestinationUnavailable("the user could not be found for a DM") from exc
            raise DestinationUnavailable(
                f"channel {dest.channel_id} was deleted or is no longer visible"
            ) from exc
        return message.id

    async def _channel(self, dest: Destination) -> discord.abc.Messageable:
        if dest.channel_id is None:
            assert dest.user_id is not None
            return await self._dm_channel(dest.user_id)
        return await postable_channel(self.bot, dest.channel_id, DestinationUnavailable)

    async def _dm_channel(self, user_id: int) -> discord.DMChannel:
        """The DM channel with a user (cached once opened).

        Opened with the user's id as a string, as Discord's spec has snowflakes:
        ``User.create_dm`` would send an integer, which the e2e contract refuses.
        """
        user = self.bot.get_user(user_id)
        if user is not None and user.dm_channel is not None:
            return user.dm_channel
        try:
            data = await self.bot.http.start_private_message(str(user_id))
        except discord.HTTPException as exc:
            if exc.code == INVALID_RECIPIENT:
                raise DestinationUnavailable("the user could not be found for a DM") from exc
            raise
        return self.bot._connection.add_dm_channel(data)

    async def _mirror_audit(self, entry: AuditEntry) -> None:
        """Also show a paused follow in the server's audit channel, when it has one."""
        if entry.guild_id is None:
            return
        config = await guild_repo.get_config(self.bot.db, entry.guild_id)
        if config.audit_channel_id is None:
            return
        channel = self.bot.get_channel(config.audit_channel_id)
        if isinstance(channel, discord.abc.Messageable):
            try:
                await channel.send(
                    embed=to_embed(render_admin.audit_notice(entry)), allowed_mentions=NO_MENTIONS
                )
            except discord.HTTPException:
                log.warning("Could not post to audit channel %s", config.audit_channel_id)

    # ------------------------------------------------------------ commands
    async def _say(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @staticmethod
    async def _is_moderator(interaction: discord.Interaction) -> bool:
        return await is_server_manager(interaction) or await is_bot_owner(interaction)

    async def _follow(
        self,
        interaction: discord.Interaction,
        kind: Kind,
        query: str,
        channel: discord.TextChannel | None,
        milestones: str | None = None,
    ) -> None:
        if channel is not None:
            if interaction.guild_id is None:
                raise UserFacingError(CHANNEL_NEEDS)
            if not await self._is_moderator(interaction):
                raise UserFacingError(CHANNEL_NEEDS)
            missing = missing_permissions(channel)
            if missing:
                raise UserFacingError(
                    f"I can't post alerts in {channel.mention}: I need "
                    + ", ".join(missing)
                    + " there."
                )
        start = await self.service.follow(
            kind,
            query,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=channel.id if channel is not None else None,
            milestones=milestones,
        )
        await self._say(interaction, started_text(start))

    @slash.command("follow petition", group=follow)
    async def follow_petition(
        self,
        interaction: discord.Interaction,
        petition: str,
        milestones: str | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        await self._follow(interaction, "petition", petition, channel, milestones)

    @slash.command("follow keyword", group=follow)
    async def follow_keyword(
        self,
        interaction: discord.Interaction,
        words: discord.app_commands.Range[str, None, 100],
        channel: discord.TextChannel | None = None,
    ) -> None:
        await self._follow(interaction, "keyword", words, channel)

    @slash.command("follow constituency", group=follow)
    async def follow_constituency(
        self,
        interaction: discord.Interaction,
        name: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        await self._follow(interaction, "constituency", name, channel)

    @slash.command("follow mp", group=follow)
    async def follow_mp(
        self,
        interaction: discord.Interaction,
        name: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        await self._follow(interaction, "mp", name, channel)

    @slash.command("follow list", group=follow)
    async def follow_list(self, interaction: discord.Interaction) -> None:
        rows = await self.service.list_follows(interaction.user.id, interaction.guild_id)
        card = list_card(rows, dm_limit=MAX_DM_FOLLOWS, server_limit=MAX_SERVER_FOLLOWS)
        await interaction.response.send_message(
            embed=to_embed(card), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @slash.command("unfollow")
    async def unfollow(
        self, interaction: discord.Interaction, id: discord.app_commands.Range[int, 1, None]
    ) -> None:
        moderator = interaction.guild_id is not None and await self._is_moderator(interaction)
        follow = await self.service.unfollow(
            int(id),
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            moderator=moderator,
        )
        await self._say(interaction, f"Stopped follow {follow.id}; no more alerts from it.")


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Follows(bot))
