"""The one audit path: every admin and digest action is recorded, server ones also shown.

Each action (refusals, cancellations and the bot's own, e.g. disabling a
digest whose channel vanished) is a row in ``audit_log``; an action that
concerns one server is also posted to that server's audit channel, when it
has one. A failed post is logged and never fails the action.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.admin.render import audit_notice
from core.admin.types import AuditEntry
from core.common.cards import Card
from db import audit
from db import guild_settings as guild_repo
from db.database import Database

log = logging.getLogger(__name__)

Poster = Callable[[int, list[Card]], Awaitable[int]]
"""Post one message (a list of cards) to a channel id; returns the message id."""


class AuditLog:
    """Record an action; mirror a server action to the server's audit channel."""

    def __init__(self, db: Database, post: Poster | None = None) -> None:
        self.db = db
        self.post = post

    async def record(self, entry: AuditEntry, *, also_to: int | None = None) -> None:
        """Record ``entry``; a server action is also shown in the audit channel and in
        ``also_to`` (the channel about to become it: a redirect is never silent)."""
        await audit.record(self.db, entry)
        if entry.scope == "server" and entry.guild_id is not None and self.post is not None:
            await self._mirror(entry.guild_id, entry, also_to)

    async def _mirror(self, guild_id: int, entry: AuditEntry, also_to: int | None) -> None:
        config = await guild_repo.get_config(self.db, guild_id)
        targets = dict.fromkeys(c for c in (config.audit_channel_id, also_to) if c is not None)
        assert self.post is not None
        for channel_id in targets:
            try:
                await self.post(channel_id, [audit_notice(entry)])
            except Exception:  # a failed mirror must never fail the action it reports
                log.warning("Could not post to audit channel %s", channel_id, exc_info=True)
