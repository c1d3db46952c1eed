"""``/digest``: scheduled per-server petition news, posted on time, exactly once.

The cog wires Discord to :class:`core.digests.manage.DigestCommands`: a
``tasks.loop`` (interval = ``settings.digest_tick_seconds``) calls the
runner's ``tick()``, which posts through the bot's host
(:class:`bot.host.DiscordHost`); each subcommand reads the interaction, calls
the service and sends its answer privately. Every subcommand is checked at
runtime (Manage Server or the moderator role, from the registry);
``default_permissions`` only hides the group.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import slash
from bot.checks import POST_NOW_COOLDOWN, SETUP_COOLDOWN, caller_of
from bot.client import PetitionBot
from bot.replies import answer_private, send_private
from core.admin.types import Ref
from core.digests.manage import DigestCommands
from core.digests.render import preview_messages
from core.digests.service import DigestRunner

log = logging.getLogger(__name__)

UNLOAD_GRACE_SECONDS = 20.0
"""How long shutdown waits for a running digest pass to record what it posted."""


@slash.group_settings("digest")
class Digest(commands.GroupCog, **slash.group_cog("digest")):
    """Set up, inspect and run this server's digest."""

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        digests = bot.services.digests
        assert digests is not None  # the bot's services always have a host
        self.digests: DigestCommands = digests
        self.ticker = tasks.loop(seconds=bot.settings.digest_tick_seconds)(self._tick)
        self.ticker.before_loop(self._before_tick)
        self._pass_lock = asyncio.Lock()  # held while a scheduler pass runs
        super().__init__()

    @property
    def runner(self) -> DigestRunner:
        return self.digests.runner

    # ------------------------------------------------------------ the scheduler
    async def cog_load(self) -> None:
        await self.runner.recover()
        self.ticker.start()

    async def cog_unload(self) -> None:
        """Stop between passes, never inside one.

        A pass cut between posting and recording the post would leave the period
        "interrupted" and its news reported again, so shutdown first waits (a
        bounded time) for a running pass to finish, then cancels the loop.
        """
        try:
            await asyncio.wait_for(self._pass_lock.acquire(), timeout=UNLOAD_GRACE_SECONDS)
        except TimeoutError:
            log.warning("Digest pass still running after %s s; stopping it", UNLOAD_GRACE_SECONDS)
            self.ticker.cancel()
            return
        try:
            self.ticker.cancel()
        finally:
            self._pass_lock.release()

    async def _before_tick(self) -> None:
        await self.bot.wait_until_ready()

    async def _tick(self) -> None:
        """One scheduler pass; an error is logged and the loop keeps running."""
        try:
            async with self._pass_lock:
                outcomes = await self.runner.tick()
            for outcome in outcomes:
                log.info(
                    "Digest %s for guild %s: %s",
                    outcome.period_key,
                    outcome.guild_id,
                    outcome.status,
                )
        except Exception:
            log.exception("Digest tick failed")

    # ------------------------------------------------------------ commands
    @slash.command("digest setup", guild_cooldown=SETUP_COOLDOWN)
    async def setup(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: str,
        timezone: str,
        cadence: str = "daily",
        weekday: int | None = None,
        min_signatures: app_commands.Range[int, 0, 100_000_000] = 0,
        thresholds: str | None = None,
        quiet: bool = False,
    ) -> None:
        work = self.digests.setup(
            caller_of(interaction),
            Ref(channel.id, channel.name),
            time,
            timezone,
            cadence,
            weekday,
            min_signatures,
            thresholds,
            quiet,
        )
        await answer_private(interaction, work)

    @slash.command("digest show")
    async def show(self, interaction: discord.Interaction) -> None:
        await answer_private(interaction, self.digests.show(caller_of(interaction)))

    @slash.command("digest preview")
    async def preview(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.digests.preview(caller_of(interaction))
        note, messages, rest = preview_messages(result)
        if not messages:
            await send_private(interaction, note)
        for index, cards in enumerate(messages):
            await send_private(interaction, note if index == 0 else None, embeds=cards)
        if rest is not None:
            await send_private(interaction, rest)

    @slash.command("digest post-now", guild_cooldown=POST_NOW_COOLDOWN)
    async def post_now(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await answer_private(interaction, self.digests.post_now(caller_of(interaction)))

    @slash.command("digest pause")
    async def pause(self, interaction: discord.Interaction) -> None:
        await answer_private(interaction, self.digests.pause(caller_of(interaction)))

    @slash.command("digest resume")
    async def resume(self, interaction: discord.Interaction) -> None:
        await answer_private(interaction, self.digests.resume(caller_of(interaction)))

    @slash.command("digest disable")
    async def disable(self, interaction: discord.Interaction) -> None:
        await answer_private(interaction, self.digests.disable(caller_of(interaction)))


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Digest(bot))
