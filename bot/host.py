"""The services' :class:`~core.admin.host.Host` in Discord: post, check permissions, facts.

Posting turns "no permission" and "channel deleted" into
:class:`~core.admin.host.ChannelUnavailable`, so the digest runner can disable
a digest with the reason and the audit log can skip a vanished audit channel.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import discord

import bot as bot_package
from bot.embeds import NO_MENTIONS, to_embed
from core.admin.host import ChannelUnavailable
from core.admin.types import RuntimeFacts
from core.common.cards import Card
from core.common.shards import ShardStatus

if TYPE_CHECKING:
    from bot.client import PetitionBot

NEEDED = ("view_channel", "send_messages", "embed_links")
"""What the bot needs in a channel to post a digest or an audit notice."""


async def postable_channel(
    client: discord.Client, channel_id: int, unavailable: type[Exception]
) -> discord.abc.Messageable:
    """The channel, if the bot can post embeds there; else ``unavailable`` saying why.

    Discord may drop embeds silently instead of refusing them, so the
    permissions are checked before sending, not inferred from an error.
    """
    channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        raise unavailable(f"channel {channel_id} is not a text channel")
    missing = missing_permissions(channel)
    if missing:
        raise unavailable(
            f"lost permission to post in channel {channel_id} (missing {', '.join(missing)})"
        )
    return channel


class DiscordHost:
    """The running bot, as the services see it."""

    def __init__(self, client: PetitionBot) -> None:
        self.client = client
        self.data_dir: Path = client.settings.data_dir
        self.max_upload_bytes: int = client.settings.max_upload_bytes

    async def post(self, channel_id: int, cards: list[Card]) -> int:
        """Send one message of embeds; lost access becomes ``ChannelUnavailable``."""
        try:
            channel = await postable_channel(self.client, channel_id, ChannelUnavailable)
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

    async def data_changed(self) -> None:
        """The index is already rebuilt: run the bot's data-change listeners (follows)."""
        await self.client.notify_data_listeners()

    def missing_permissions(self, channel_id: int) -> list[str]:
        return missing_permissions(self.client.get_channel(channel_id))

    def runtime(self) -> RuntimeFacts:
        return RuntimeFacts(
            uptime_seconds=self.client.uptime_seconds,
            latency_ms=_ms(self.client.latency),
            guilds=len(self.client.guilds),
            discord_version=discord.__version__,
            bot_version=bot_package.__version__,
            shards=self.shard_status(),
        )

    def shard_status(self) -> ShardStatus:
        """This process's shards with each one's heartbeat latency (None before its first ACK)."""
        plan = self.client.shard_plan
        latencies = dict(self.client.latencies)
        return ShardStatus(
            plan.shard_ids,
            plan.shard_count,
            tuple((shard, _ms(latencies.get(shard))) for shard in plan.shard_ids),
        )


def _ms(latency: float | None) -> float | None:
    """Seconds to milliseconds; None for "not measured yet" (discord.py's nan or inf)."""
    if latency is None or latency != latency or latency == float("inf"):
        return None
    return latency * 1000


def missing_permissions(channel: object) -> list[str]:
    """Names of the permissions the bot lacks in a server channel (none known: [])."""
    guild = getattr(channel, "guild", None)
    me = getattr(guild, "me", None)
    permissions_for = getattr(channel, "permissions_for", None)
    if me is None or permissions_for is None:
        return []
    perms = permissions_for(me)
    return [p.replace("_", " ").title() for p in NEEDED if not getattr(perms, p)]
