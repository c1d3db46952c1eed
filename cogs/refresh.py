"""Optional live refresh: walk the petitions site's open petitions on a schedule.

Off unless ``LIVE_REFRESH=true``. The cog only wires a ``tasks.loop`` to
:class:`core.ingest.live_refresh.Refresher`, which does the polite HTTP (rate limit,
conditional requests, backoff) and ingests through the normal loader rules.
"""

from __future__ import annotations

import logging

from discord.ext import commands, tasks

from bot.client import PetitionBot
from core.ingest.live_refresh import RefreshConfig, Refresher
from core.ingest.types import Outcome

log = logging.getLogger(__name__)


class LiveRefresh(commands.Cog):
    def __init__(self, bot: PetitionBot) -> None:
        self.bot = bot
        settings = bot.settings
        self.refresher = Refresher(RefreshConfig(base_url=settings.petitions_api_base))
        self.loop = tasks.loop(minutes=settings.live_refresh_minutes)(self._tick)

    async def cog_load(self) -> None:
        self.loop.start()

    async def cog_unload(self) -> None:
        self.loop.cancel()
        await self.refresher.aclose()

    async def _tick(self) -> None:
        try:
            report = await self.refresher.run(self.bot.db)
        except Exception:  # a failed pass must not kill the schedule
            log.exception("Live refresh pass failed")
            return
        log.info("Live refresh: %s", report.summary())
        if report.outcomes[Outcome.ADDED] or report.outcomes[Outcome.UPDATED]:
            await self.bot.data_changed()


async def setup(bot: PetitionBot) -> None:
    if bot.settings.live_refresh:
        await bot.add_cog(LiveRefresh(bot))
