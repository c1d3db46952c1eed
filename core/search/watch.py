"""Keep this process's search index in step with changes other processes make.

The index lives in memory, one per process. A change made *here* (``/admin
ingest``, reload, remove, live refresh) rebuilds it at once; a change made by
another bot process or by ``petitionbot ingest`` in a shell is only visible in
the database. :class:`IndexWatcher` waits on a :class:`~db.changes.ChangeFeed`
and calls ``on_change`` (the bot's ``data_changed``: rebuild the index off the
event loop, then let follows run a pass) each time the data's generation moves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from db.changes import ChangeFeed

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class IndexWatcher:
    """Runs ``on_change`` once per change of the feed's generation, until cancelled."""

    def __init__(self, feed: ChangeFeed, on_change: Callable[[], Awaitable[None]]) -> None:
        self.feed = feed
        self.on_change = on_change
        self.seen: str | None = None
        self.refreshes = 0

    async def run(self) -> None:
        """Loop forever (cancel the task to stop; the feed is closed then)."""
        try:
            while True:
                try:
                    await self.step()
                except asyncio.CancelledError:
                    raise
                except Exception:  # e.g. the database busy for long: try again shortly
                    log.warning("Index watcher failed; retrying", exc_info=True)
                    await asyncio.sleep(RETRY_SECONDS)
        finally:
            await self.feed.close()

    async def step(self) -> None:
        """Wait for the next change (the first call only records where the data stands)."""
        if self.seen is None:
            self.seen = await self.feed.generation()
            return
        token = await self.feed.wait_changed(self.seen)
        log.info("Petition data changed elsewhere (generation %s): refreshing the index", token)
        self.seen = token
        await self.on_change()
        self.refreshes += 1
