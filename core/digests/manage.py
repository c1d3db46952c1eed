"""The ``/digest`` commands a server's moderators run: set up, show, preview, post, pause.

Each takes the :class:`~core.admin.types.Caller` (its server and who acts, for
the audit row), calls the :class:`~core.digests.service.DigestRunner` that owns
the exactly-once protocol, and returns what to show. The bot and the console
run the same code; only the ``Host`` behind the runner's ``post`` differs.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from core.admin.host import Host
from core.admin.types import Caller, Ref
from core.common.cards import escape
from core.common.errors import UserFacingError
from core.common.results import Invocation, Notice
from core.digests import render
from core.digests.results import DigestPreview, DigestSettings
from core.digests.schedule import CADENCES, Cadence, next_slot, parse_clock
from core.digests.service import DigestRunner, parse_thresholds
from db import digests as repo


class DigestCommands:
    """``/digest …`` over one runner (which holds the database and the poster)."""

    def __init__(self, runner: DigestRunner, host: Host) -> None:
        self.runner = runner
        self.host = host
        self.db = runner.db

    def _now(self) -> datetime:
        return self.runner.clock()

    async def setup(
        self,
        caller: Caller,
        channel: Ref,
        time: str,
        timezone: str,
        cadence: str = "daily",
        weekday: int | None = None,
        min_signatures: int = 0,
        thresholds: str | None = None,
        quiet: bool = False,
    ) -> Notice:
        """Create or change the digest (the bot must be able to post in ``channel``)."""
        try:
            post_time = parse_clock(time)
        except ValueError as exc:
            raise UserFacingError(f"{escape(str(exc))}.") from None
        extra = parse_thresholds(thresholds)
        if cadence not in CADENCES:
            raise UserFacingError("The cadence is daily or weekly.")
        missing = self.host.missing_permissions(channel.id)
        if missing:  # better now than at 09:00
            raise UserFacingError(
                f"I can't post the digest in <#{channel.id}>: I need "
                + ", ".join(missing)
                + " there."
            )
        config, created = await self.runner.setup(
            caller.guild,
            channel_id=channel.id,
            post_time=post_time,
            timezone=timezone.strip(),
            cadence=cast(Cadence, cadence),
            weekday=weekday or 0,
            min_signatures=int(min_signatures),
            extra_thresholds=extra,
            quiet=quiet,
            actor=caller,
        )
        first = next_slot(config, self._now())
        return Notice.of("digest setup", render.setup_text(config, created, first))

    async def show(self, caller: Caller) -> DigestSettings:
        config = await repo.get_config(self.db, caller.guild)
        if config is None:
            raise UserFacingError("No digest is set up here yet: use `/digest setup`.")
        posts = await repo.recent_posts(self.db, caller.guild)
        return DigestSettings(
            invocation=Invocation.of("digest show"),
            config=config,
            posts=tuple(posts),
            now=self._now(),
        )

    async def preview(self, caller: Caller) -> DigestPreview:
        config, digest = await self.runner.preview(caller.guild)
        return DigestPreview(
            invocation=Invocation.of("digest preview"),
            config=config,
            digest=digest,
            now=self._now(),
        )

    async def post_now(self, caller: Caller) -> Notice:
        outcome = await self.runner.post_now(caller.guild, caller)
        config = await repo.get_config(self.db, caller.guild)
        channel_id = config.channel_id if config else 0
        return Notice.of("digest post-now", render.outcome_text(outcome, channel_id))

    async def pause(self, caller: Caller) -> Notice:
        await self.runner.change_status(caller.guild, "pause", caller)
        return Notice.of(
            "digest pause", "Digest paused. `/digest resume` starts it again from then."
        )

    async def resume(self, caller: Caller) -> Notice:
        config = await self.runner.change_status(caller.guild, "resume", caller)
        first = next_slot(config, self._now())
        return Notice.of("digest resume", render.resume_text(config, first))

    async def disable(self, caller: Caller) -> Notice:
        await self.runner.change_status(caller.guild, "disable", caller)
        return Notice.of(
            "digest disable",
            "Digest disabled. `/digest resume` or `/digest setup` turns it back on.",
        )
