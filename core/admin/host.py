"""What the services need from whoever runs them: the Discord bot or the offline console.

Posting to a channel, checking the bot may post there and facts only the
running process knows are Discord's business in the bot and a printout in the
console; the services see only this protocol, so they stay free of Discord.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from core.admin.types import RuntimeFacts
from core.common.cards import Card


class ChannelUnavailable(Exception):
    """The channel is gone or the bot may not post there."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Host(Protocol):
    """The bot (``bot.host.DiscordHost``) or the console (``bot.console.LocalHost``)."""

    data_dir: Path
    max_upload_bytes: int

    async def post(self, channel_id: int, cards: list[Card]) -> int:
        """Send one message of cards; its id. Raises :class:`ChannelUnavailable`."""
        ...

    def missing_permissions(self, channel_id: int) -> list[str]:
        """The permissions the bot lacks to post embeds in a channel (none known: [])."""
        ...

    def runtime(self) -> RuntimeFacts:
        """Uptime, latency, servers and versions, for ``/admin stats``."""
        ...

    async def data_changed(self) -> None:
        """Petition data changed and the search index is rebuilt: tell the rest of the
        process (the bot's post-ingest hook delivers follow alerts from here)."""
        ...
