"""The ``commands.AutoShardedBot`` subclass: shards, database, cogs, errors, command sync.

It holds no feature logic. ``setup_hook`` opens (and migrates) the database,
ingests the bundled petitions on first run, loads every module in ``cogs/``,
starts watching for petition data other processes change, and — in the
process holding shard 0 only — syncs the command tree when it changed since
the last sync.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pkgutil
import time
import uuid
from collections.abc import Awaitable, Callable

import discord
from discord.ext import commands

import cogs
from bot.errors import on_app_command_error
from bot.host import DiscordHost
from bot.settings import Settings
from bot.startup import open_database
from core.charts.draw import preload as preload_charts
from core.places.postcodes import PostcodeLookup
from core.search.resolver import Resolver
from core.search.watch import IndexWatcher
from core.services import Services
from db import petitions as petition_repo
from db.changes import open_change_feed
from db.database import Database

log = logging.getLogger(__name__)

TREE_HASH_KEY = "command_tree_hash"


def discover_extensions() -> list[str]:
    """Every module in ``cogs/`` (python-discord style auto-discovery)."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


class PetitionBot(commands.AutoShardedBot):
    """petitionbot's Discord client: the gateway shards of ``settings.shard_plan``.

    Always an ``AutoShardedBot`` with an explicit plan, so one process (shard 0
    of 1, the default) and one of many (say shards 4-7 of 8) run the same code;
    the plan also says which servers' digests and alerts are this process's.
    """

    db: Database
    services: Services

    def __init__(self, settings: Settings) -> None:
        intents = discord.Intents.default()
        intents.message_content = False
        self.shard_plan = settings.shard_plan
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            shard_ids=list(self.shard_plan.shard_ids),
            shard_count=self.shard_plan.shard_count,
        )
        self.settings = settings
        self.instance_id = uuid.uuid4().hex
        """This process in the instance registry: its claims are safe while it beats."""
        self.started_at = time.monotonic()
        self._watch_task: asyncio.Task[None] | None = None
        self._charts_warm: asyncio.Task[None] | None = None
        self.data_listeners: list[Callable[[], Awaitable[None]]] = []
        """Called after every data change (follows deliver their alerts from here)."""
        self.tree.on_error = on_app_command_error  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        self.db, report = await open_database(self.settings)
        if report is not None:
            log.info("Loaded bundled petitions: %s", report.summary())
        self.services = Services(
            self.db,
            await Resolver.load(self.db),
            DiscordHost(self),
            PostcodeLookup(self.db, self.settings.postcodes_api_base),
            instance_id=self.instance_id,
            shards=self.shard_plan,
        )
        for extension in discover_extensions():
            await self.load_extension(extension)
            log.info("Loaded %s", extension)
        await self._watch_other_ingests()
        if self.shard_plan.syncs_commands:
            await self.sync_commands_if_changed()
        else:
            log.info(
                "Shards %s: command sync is left to the process with shard 0",
                self.shard_plan.describe(),
            )

    async def _watch_other_ingests(self) -> None:
        """Rebuild the search index when another process or the CLI changed the data."""
        feed = await open_change_feed(self.db.target, self.settings.index_poll_seconds)
        watcher = IndexWatcher(feed, self.data_changed)
        self._watch_task = asyncio.create_task(watcher.run(), name="index-watcher")

    async def is_owner(self, user: discord.abc.User, /) -> bool:
        """Application owner/team members, plus the extra owners in ``OWNER_IDS``.

        ``commands.Bot(owner_ids=...)`` would *replace* the application owner;
        the setting is documented as extra owners, so it is checked first here.
        """
        if user.id in self.settings.owner_ids:
            return True
        return await super().is_owner(user)

    async def data_changed(self) -> None:
        """Petition data changed (ingest, reload, remove, refresh): rebuild the search index,
        then tell the listeners (follow alerts go out from here, within seconds)."""
        await self.services.resolver.refresh()
        await self.notify_data_listeners()

    async def notify_data_listeners(self) -> None:
        """Tell the listeners that data changed (the search index is already rebuilt)."""
        for listener in self.data_listeners:
            try:
                await listener()
            except Exception:
                log.exception("Data-change listener %r failed", listener)

    async def close(self) -> None:
        if self._watch_task is not None:
            self._watch_task.cancel()
        await super().close()
        if hasattr(self, "db"):
            await self.db.close()

    def tree_payload(self) -> list[dict[str, object]]:
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        commands_ = self.tree.get_commands(guild=guild)
        return sorted((c.to_dict(self.tree) for c in commands_), key=lambda c: str(c["name"]))

    async def sync_commands_if_changed(self, *, force: bool = False) -> bool:
        """Sync only when the tree differs from the last synced one (rate limits)."""
        payload = self.tree_payload()
        target = f"guild:{self.settings.dev_guild_id}" if self.settings.dev_guild_id else "global"
        digest = hashlib.sha256(
            json.dumps([target, payload], sort_keys=True, default=str).encode()
        ).hexdigest()
        if not force and await petition_repo.get_meta(self.db, TREE_HASH_KEY) == digest:
            log.info("Command tree unchanged; not syncing")
            return False
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        synced = await self.tree.sync(guild=guild)
        await petition_repo.set_meta(self.db, TREE_HASH_KEY, digest)
        log.info("Synced %d commands (%s)", len(synced), target)
        return True

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "Ready as %s (%s) in %d servers; shards %s",
            user,
            user.id if user else "?",
            len(self.guilds),
            self.shard_plan.describe(),
        )
        if self._charts_warm is None:  # matplotlib is left out of start-up; load it now
            self._charts_warm = asyncio.create_task(
                asyncio.to_thread(preload_charts), name="charts-warm-up"
            )

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_at
