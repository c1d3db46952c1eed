"""The commands about the bot itself."""

from __future__ import annotations

from core.commands import REGISTRY
from core.common.cards import escape
from core.common.errors import NotFoundError
from core.common.results import Invocation
from core.common.shards import ShardStatus
from core.meta.results import About, HelpResult
from core.search.picking import Picking
from db import counts


class MetaCommands(Picking):
    """Commands about the bot itself: ``/about`` and ``/help``."""

    async def about(self) -> About:
        return About(
            invocation=Invocation.of("about"),
            freshness=await counts.freshness(self.db),
            shards=self.shard_status(),
        )

    def shard_status(self) -> ShardStatus | None:
        """The answering process's shards; only a running bot knows them (``Services``)."""
        return None

    async def help(self, command: str | None = None) -> HelpResult:
        """Every command with an example, or the commands matching ``command``."""
        wanted = " ".join((command or "").lower().lstrip("/").split())
        if not wanted:
            return HelpResult(invocation=Invocation.of("help"), commands=REGISTRY.slash_commands())
        found = REGISTRY.matching(wanted)
        if not found:
            names = ", ".join(c.name for c in REGISTRY.slash_commands())
            raise NotFoundError(f"No command '{escape(wanted)}'. Commands: {names}.")
        return HelpResult(
            invocation=Invocation.of("help", command=command), commands=found, command=wanted
        )
