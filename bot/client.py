"""The ``commands.Bot`` subclass: database, cogs, error handler, command sync.

It holds no feature logic. ``setup_hook`` opens (and migrates) the database,
ingests the bundled petitions on first run, loads every module in ``cogs/``
and syncs the command tree only when it changed since the last sync.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pkgutil
import time
from collections.abc import Awaitable, Callable

import discord
from discord.ext import commands

import cogs
from bot.errors import on_app_command_error
from bot.host import DiscordHost
from bot.settings import Settings
from bot.startup import open_database
from core.places.postcodes import PostcodeLookup
from core.search.resolver import Resolver
from core.services import Services
from db import petitions as petition_repo
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


class PetitionBot(commands.Bot):
    """petitionbot's Discord client."""

    db: Database
    services: Services

    def __init__(self, settings: Settings) -> None:
        intents = discord.Intents.default()
        intents.message_content = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.started_at = time.monotonic()
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
        )
        for extension in discover_extensions():
            await self.load_extension(extension)
            log.info("Loaded %s", extension)
        await self.sync_commands_if_changed()

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
        log.info("Ready as %s (%s) in %d servers", user, user.id if user else "?", len(self.guilds))

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_at
