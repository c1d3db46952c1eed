"""``/digest``: scheduled per-server petition news, posted on time, exactly once.

The cog only wires Discord to ``core.digests.service.DigestRunner``: a
``tasks.loop`` (interval = ``settings.digest_tick_seconds``) calls
``runner.tick()``, and the runner posts through :meth:`Digest._post`, which
turns "no permission" / "channel deleted" into ``ChannelUnavailable`` so the
runner can disable the digest with the reason. Every subcommand is checked at
runtime (Manage Server or the moderator role); ``default_permissions`` only
hides the group.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import slash
from bot.checks import POST_NOW_COOLDOWN, SETUP_COOLDOWN, describe_actor
from bot.client import PetitionBot
from bot.embeds import NO_MENTIONS, to_embed
from core.admin import render as render_admin
from core.admin.types import AuditEntry
from core.common.cards import Card, escape
from core.common.errors import UserFacingError
from core.digests.render import preview_note, render_messages, schedule_text, settings_card
from core.digests.schedule import next_slot, parse_clock
from core.digests.service import ChannelUnavailable, DigestRunner, RunOutcome, parse_thresholds
from db import digests as digest_repo
from db import guild_settings as guild_repo

log = logging.getLogger(__name__)

PREVIEW_MESSAGES = 5
NEEDED = ("view_channel", "send_messages", "embed_links")
UNLOAD_GRACE_SECONDS = 20.0
"""How long shutdown waits for a running digest pass to record what it posted."""


@slash.group_settings("digest")
class Digest(commands.GroupCog, **slash.group_cog("digest")):
    """Set up, inspect and run this server's digest."""

    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        self.runner = DigestRunner(bot.db, self._post, on_audit=self._mirror_audit)
        self.ticker = tasks.loop(seconds=bot.settings.digest_tick_seconds)(self._tick)
        self.ticker.before_loop(self._before_tick)
        self._pass_lock = asyncio.Lock()  # held while a scheduler pass runs
        super().__init__()

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

    async def _post(self, channel_id: int, cards: list[Card]) -> int:
        """Send one message of embeds; lost access becomes ``ChannelUnavailable``."""
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                raise ChannelUnavailable(f"channel {channel_id} is not a text channel")
            missing = _missing_permissions(channel)
            if missing:  # Discord may drop embeds silently instead of refusing: check first
                raise ChannelUnavailable(
                    f"lost permission to post in channel {channel_id} (missing "
                    + ", ".join(missing)
                    + ")"
                )
            message = await channel.send(
                embeds=[to_embed(card) for card in cards], allowed_mentions=NO_MENTIONS
            )
        except discord.Forbidden as exc:
            detail = exc.text or "Forbidden"
            raise ChannelUnavailable(
                f"lost permission to post in channel {channel_id} ({detail})"
            ) from exc
        except discord.NotFound as exc:
            raise ChannelUnavailable(
                f"channel {channel_id} was deleted or is no longer visible"
            ) from exc
        return message.id

    async def _mirror_audit(self, entry: AuditEntry) -> None:
        """Also show digest actions in the server's audit channel, when it has one."""
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

    # ------------------------------------------------------------ helpers
    async def _say(self, interaction: discord.Interaction, text: str) -> None:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=NO_MENTIONS
            )

    @staticmethod
    def _guild(interaction: discord.Interaction) -> int:
        if interaction.guild_id is None:  # guild_only; kept for type checkers
            raise app_commands.NoPrivateMessage()
        return interaction.guild_id

    @staticmethod
    def _check_channel(channel: discord.TextChannel) -> None:
        """Refuse a channel the bot cannot post embeds in (better now than at 09:00)."""
        missing = _missing_permissions(channel)
        if missing:
            raise UserFacingError(
                f"I can't post the digest in {channel.mention}: I need "
                + ", ".join(missing)
                + " there."
            )

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
        guild_id = self._guild(interaction)
        try:
            post_time = parse_clock(time)
        except ValueError as exc:
            raise UserFacingError(f"{escape(str(exc))}.") from None
        extra = parse_thresholds(thresholds)
        self._check_channel(channel)
        config, created = await self.runner.setup(
            guild_id,
            channel_id=channel.id,
            post_time=post_time,
            timezone=timezone.strip(),
            cadence=cadence,
            weekday=weekday or 0,
            min_signatures=int(min_signatures),
            extra_thresholds=extra,
            quiet=quiet,
            actor=describe_actor(interaction),
        )
        first = next_slot(config, self.runner.clock())
        verb = "set up" if created else "updated"
        await self._say(
            interaction,
            f"Digest {verb}: {schedule_text(config)} in {channel.mention}. "
            f"Next post <t:{int(first.timestamp())}:F>, covering changes from "
            f"<t:{int(config.reported_through.timestamp())}:f> on. "
            "`/digest preview` shows what it would contain so far.",
        )

    @slash.command("digest show")
    async def show(self, interaction: discord.Interaction) -> None:
        guild_id = self._guild(interaction)
        config = await digest_repo.get_config(self.bot.db, guild_id)
        if config is None:
            raise UserFacingError("No digest is set up here yet: use `/digest setup`.")
        posts = await digest_repo.recent_posts(self.bot.db, guild_id)
        card = settings_card(config, posts, self.runner.clock())
        await interaction.response.send_message(
            embed=to_embed(card), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @slash.command("digest preview")
    async def preview(self, interaction: discord.Interaction) -> None:
        guild_id = self._guild(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        config, digest = await self.runner.preview(guild_id)
        note = "**Preview** (only you can see this). " + preview_note(
            config, digest, self.runner.clock()
        )
        messages = render_messages(digest, quiet=config.quiet)
        if not messages:
            await interaction.followup.send(note, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        for index, cards in enumerate(messages[:PREVIEW_MESSAGES]):
            await interaction.followup.send(
                content=note if index == 0 else discord.utils.MISSING,
                embeds=[to_embed(c) for c in cards],
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
        if len(messages) > PREVIEW_MESSAGES:
            await self._say(
                interaction,
                f"…and {len(messages) - PREVIEW_MESSAGES} more message(s) in the real post.",
            )

    @slash.command("digest post-now", guild_cooldown=POST_NOW_COOLDOWN)
    async def post_now(self, interaction: discord.Interaction) -> None:
        guild_id = self._guild(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.runner.post_now(guild_id, describe_actor(interaction))
        await self._say(interaction, _outcome_text(outcome, await self._channel_of(guild_id)))

    async def _channel_of(self, guild_id: int) -> int:
        config = await digest_repo.get_config(self.bot.db, guild_id)
        return config.channel_id if config else 0

    @slash.command("digest pause")
    async def pause(self, interaction: discord.Interaction) -> None:
        await self.runner.change_status(
            self._guild(interaction), "pause", describe_actor(interaction)
        )
        await self._say(interaction, "Digest paused. `/digest resume` starts it again from then.")

    @slash.command("digest resume")
    async def resume(self, interaction: discord.Interaction) -> None:
        config = await self.runner.change_status(
            self._guild(interaction), "resume", describe_actor(interaction)
        )
        first = next_slot(config, self.runner.clock())
        await self._say(
            interaction,
            f"Digest resumed: {schedule_text(config)} in <#{config.channel_id}>, next post "
            f"<t:{int(first.timestamp())}:F>. News from before now is not posted.",
        )

    @slash.command("digest disable")
    async def disable(self, interaction: discord.Interaction) -> None:
        await self.runner.change_status(
            self._guild(interaction), "disable", describe_actor(interaction)
        )
        await self._say(
            interaction, "Digest disabled. `/digest resume` or `/digest setup` turns it back on."
        )


def _missing_permissions(channel: object) -> list[str]:
    """Names of the permissions the bot lacks in a server channel (none known: [])."""
    guild = getattr(channel, "guild", None)
    me = getattr(guild, "me", None)
    permissions_for = getattr(channel, "permissions_for", None)
    if me is None or permissions_for is None:
        return []
    perms = permissions_for(me)
    return [p.replace("_", " ").title() for p in NEEDED if not getattr(perms, p)]


def _outcome_text(outcome: RunOutcome, channel_id: int) -> str:
    """The private answer to ``/digest post-now``."""
    where = f"<#{channel_id}>"
    if outcome.status == "posted":
        if outcome.items == 0:
            return f"Nothing new since the last digest: posted a short note in {where}."
        messages = len(outcome.message_ids)
        return f"Posted {outcome.items} item(s) in {where} ({messages} message(s))."
    reason = escape(outcome.error or "unknown error")
    return (
        f"Couldn't post in {where}: {reason}. If the bot lost access there, the digest is now "
        "disabled: fix the channel's permissions, then `/digest resume`."
    )


async def setup(bot: PetitionBot) -> None:
    await bot.add_cog(Digest(bot))
