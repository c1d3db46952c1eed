"""The digest service: scheduler ticks, post-now, preview and the admin actions.

It owns the exactly-once protocol around the pure parts (``core.digests.schedule``
decides what is due, ``core.digests.compose`` what to say, ``core.digests.render`` how
to split it) and talks to Discord only through a ``post`` callable, so tests
drive it without Discord:

1. which enabled servers are due (one query for all of them);
2. claim every due period in the database (``db.digests.claim_many``) —
   a period that was claimed before is skipped, never reposted;
3. fetch the changes once for the union of the due windows and compose each
   server's digest from them (in a worker thread: it is CPU work);
4. post each message; record ``posted`` with the message ids, ``empty`` when
   there was nothing to say, or ``failed`` with the error.

A missing permission or deleted channel (the ``post`` callable raises
:class:`ChannelUnavailable`) disables the digest with the reason stored and
an audit row, so a broken digest is visible rather than silently dropped.
One lock serialises ticks and ``/digest post-now`` so they never overlap.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time

from core.admin.audit import AuditLog
from core.admin.host import ChannelUnavailable
from core.admin.types import AuditEntry, Caller
from core.common.cards import Card
from core.common.errors import UserFacingError
from core.common.liveness import STALE_AFTER, reap_gone_processes
from core.common.numbers import parse_signature_counts
from core.digests.compose import Digest, compose_many
from core.digests.render import render_messages
from core.digests.schedule import (
    MAX_EXTRA_THRESHOLDS,
    Cadence,
    DigestConfig,
    Period,
    Status,
    due_period,
    manual_key,
    preview_period,
    valid_timezone,
)
from core.digests.types import RunOutcome
from db import digests as repo
from db.database import Database

log = logging.getLogger(__name__)

Poster = Callable[[int, list[Card]], Awaitable[int]]
"""Post one message (a list of cards) to a channel id; returns the message id."""
Clock = Callable[[], datetime]

MAX_THRESHOLD = 100_000_000
_ACTIONS: dict[str, Status] = {"pause": "paused", "resume": "enabled", "disable": "disabled"}
NOT_SET_UP = "No digest is set up in this server yet: use `/digest setup` first."


def _now() -> datetime:
    return datetime.now(UTC)


def parse_thresholds(text: str | None) -> tuple[int, ...]:
    """ "50000 250,000; 1000000" → (50000, 250000, 1000000): extra thresholds a server wants.

    Spaces and semicolons separate; a comma separates too unless it is a
    thousands separator ("250,000").
    """
    return parse_signature_counts(
        text, noun="threshold", maximum=MAX_THRESHOLD, most=MAX_EXTRA_THRESHOLDS
    )


class DigestRunner:
    """Scheduler tick, post-now and preview over one database and one ``post`` callable."""

    def __init__(
        self,
        db: Database,
        post: Poster,
        *,
        clock: Clock = _now,
        audit: AuditLog | None = None,
        instance_id: str | None = None,
        owns_guild: Callable[[int], bool] | None = None,
        liveness_clock: Clock = _now,
    ) -> None:
        self.db = db
        self.post = post
        self.clock = clock
        self.liveness_clock = liveness_clock
        """Wall time, to compare with heartbeats (``clock`` may run fast in tests)."""
        self.audit = audit or AuditLog(db)
        self.instance_id = instance_id or uuid.uuid4().hex
        """This process in the instance registry: its claims carry it."""
        self.owns_guild = owns_guild
        """Which servers' scheduled digests are this process's (its gateway shards); None:
        all of them."""
        self._lock = asyncio.Lock()

    # ------------------------------------------------------------ start-up
    async def recover(self) -> int:
        """Interrupt claims left by processes that are gone (start-up, and every tick).

        A claim of a process still beating its heartbeat is not touched, so a
        second bot process starting on the same database leaves the first one's
        digest in progress alone.
        """
        async with self._lock:
            return await self._recover()

    async def _recover(self) -> int:
        gone = await reap_gone_processes(self.db)
        if gone:
            log.info("Processes gone from this host (pid no longer exists): %s", ", ".join(gone))
        stale_before = self.liveness_clock() - STALE_AFTER
        count = await repo.interrupt_dead_claims(self.db, self.instance_id, stale_before)
        if count:
            log.warning(
                "%d digest period(s) claimed by a process that stopped were interrupted;"
                " not reposted, their news moves to the next digest",
                count,
            )
        return count

    # ------------------------------------------------------------ scheduler
    async def tick(self, now: datetime | None = None) -> list[RunOutcome]:
        """Post every due digest once. Safe to call at any rate."""
        async with self._lock:
            now = now or self.clock()
            await self._recover()
            due: list[tuple[DigestConfig, Period]] = []
            for config in await repo.enabled_configs(self.db):
                if self.owns_guild is not None and not self.owns_guild(config.guild_id):
                    continue  # another process's shard serves that server
                try:
                    period = due_period(config, now)
                except Exception:  # e.g. a time zone the system no longer knows
                    log.exception("Digest schedule failed for guild %s", config.guild_id)
                    continue
                if period is not None:
                    due.append((config, period))
            if not due:
                return []
            claimed = await repo.claim_many(self.db, due, now, self.instance_id)
            outcomes: list[RunOutcome] = []
            jobs: list[tuple[DigestConfig, Period]] = []
            for config, period in due:
                if (config.guild_id, period.key) in claimed:
                    jobs.append((config, period))
                else:
                    await repo.skip_claimed(self.db, config.guild_id, period)
                    outcomes.append(RunOutcome(config.guild_id, period.key, "skipped"))
            outcomes += await self._run(jobs, quiet_override=False)
            return outcomes

    async def _run(
        self, jobs: Sequence[tuple[DigestConfig, Period]], *, quiet_override: bool
    ) -> list[RunOutcome]:
        """Compose and deliver claimed periods; every claim ends posted, empty or failed."""
        if not jobs:
            return []
        try:
            digests = await self.compose(jobs)
        except Exception as exc:
            log.exception("Composing %d digest(s) failed", len(jobs))
            error = f"composing failed: {type(exc).__name__}"
            outcomes = []
            for config, period in jobs:
                await repo.finish(
                    self.db, config.guild_id, period.key, "failed", self.clock(), error=error
                )
                outcomes.append(RunOutcome(config.guild_id, period.key, "failed", error=error))
            return outcomes
        return [
            await self._deliver(config, period, digest, quiet=quiet_override or config.quiet)
            for (config, period), digest in zip(jobs, digests, strict=True)
        ]

    async def compose(self, jobs: Sequence[tuple[DigestConfig, Period]]) -> list[Digest]:
        """One fetch for the union of the windows, then every digest from it."""
        since = min(period.start for _, period in jobs)
        until = max(period.end for _, period in jobs)
        changes = await repo.fetch_changes(self.db, since, until)
        work = [(config, period.start, period.end) for config, period in jobs]
        return await asyncio.to_thread(compose_many, changes, work)

    async def _deliver(
        self, config: DigestConfig, period: Period, digest: Digest, *, quiet: bool
    ) -> RunOutcome:
        messages = render_messages(digest, quiet=quiet)
        gid, key = config.guild_id, period.key
        if not messages:
            await repo.finish(self.db, gid, key, "empty", self.clock(), items=0)
            return RunOutcome(gid, key, "empty")
        ids: list[int] = []
        try:
            for cards in messages:
                ids.append(await self.post(config.channel_id, cards))
        except ChannelUnavailable as exc:
            await repo.finish(
                self.db, gid, key, "failed", self.clock(), message_ids=ids, error=exc.reason
            )
            await self._bot_disables(config, exc.reason, key)
            return RunOutcome(gid, key, "failed", tuple(ids), error=exc.reason)
        except Exception as exc:
            log.exception("Posting digest %s for guild %s failed", key, gid)
            error = f"{type(exc).__name__}: {exc}"[:300]
            await repo.finish(
                self.db, gid, key, "failed", self.clock(), message_ids=ids, error=error
            )
            return RunOutcome(gid, key, "failed", tuple(ids), error=error)
        count = len(digest.items)
        await repo.finish(self.db, gid, key, "posted", self.clock(), message_ids=ids, items=count)
        return RunOutcome(gid, key, "posted", tuple(ids), count)

    async def _bot_disables(self, config: DigestConfig, reason: str, period_key: str) -> None:
        await repo.set_status(self.db, config.guild_id, "disabled", self.clock(), reason)
        await self._audit(
            AuditEntry(
                action="digest disabled",
                result=f"disabled by the bot: {reason}",
                scope="server",
                guild_id=config.guild_id,
                channel_id=config.channel_id,
                arguments={"channel": config.channel_id, "period": period_key},
            )
        )

    async def _audit(self, entry: AuditEntry) -> None:
        await self.audit.record(entry)

    # ------------------------------------------------------------ commands
    async def post_now(self, guild_id: int, actor: Caller | None = None) -> RunOutcome:
        """Post the digest of everything since the last one now (a note if nothing changed)."""
        async with self._lock:
            config = await self._config(guild_id)
            now = self.clock()
            period = Period(manual_key(now), min(config.reported_through, now), now)
            if not await repo.claim(
                self.db, guild_id, period, config.channel_id, now, self.instance_id
            ):
                raise UserFacingError("A digest was posted a moment ago; try again in a second.")
            [outcome] = await self._run([(config, period)], quiet_override=True)
        await self._audit(
            _who(actor, guild_id).entry(
                "digest post-now",
                outcome.status + (f": {outcome.error}" if outcome.error else ""),
                "server",
                {"period": period.key, "items": outcome.items},
            )
        )
        return outcome

    async def preview(
        self, guild_id: int, now: datetime | None = None
    ) -> tuple[DigestConfig, Digest]:
        """Exactly what the next post would contain if it were due now, with its reasons."""
        config = await self._config(guild_id)
        period = preview_period(config, now or self.clock())
        [digest] = await self.compose([(config, period)])
        return config, digest

    async def _config(self, guild_id: int) -> DigestConfig:
        config = await repo.get_config(self.db, guild_id)
        if config is None:
            raise UserFacingError(NOT_SET_UP)
        return config

    async def setup(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: time,
        timezone: str,
        cadence: Cadence,
        weekday: int,
        min_signatures: int,
        extra_thresholds: tuple[int, ...],
        quiet: bool,
        actor: Caller | None = None,
    ) -> tuple[DigestConfig, bool]:
        """Create or change the server's digest; returns it and whether it was new."""
        if not valid_timezone(timezone):
            raise UserFacingError(
                "Pick a time zone from the list, e.g. `Europe/London` or `America/New_York`."
            )
        if not 0 <= weekday <= 6:
            raise UserFacingError("The weekday must be Monday to Sunday.")
        if min_signatures < 0:
            raise UserFacingError("The minimum number of signatures cannot be negative.")
        async with self._lock:
            before = await repo.get_config(self.db, guild_id)
            now = self.clock()
            wanted = DigestConfig(
                guild_id=guild_id,
                channel_id=channel_id,
                scheduled_through=now,
                reported_through=now,
                post_time=post_time,
                timezone=timezone,
                cadence=cadence,
                weekday=weekday,
                min_signatures=min_signatures,
                extra_thresholds=extra_thresholds,
                quiet=quiet,
            )
            config = await repo.save_config(self.db, wanted, now)
        created = before is None
        await self._audit(
            _who(actor, guild_id).entry(
                "digest setup",
                "created" if created else "changed",
                "server",
                {
                    "channel": channel_id,
                    "time": post_time.strftime("%H:%M"),
                    "timezone": timezone,
                    "cadence": cadence,
                    "weekday": weekday,
                    "min_signatures": min_signatures,
                    "thresholds": list(extra_thresholds),
                    "quiet": quiet,
                },
            )
        )
        return config, created

    async def change_status(
        self, guild_id: int, action: str, actor: Caller | None = None
    ) -> DigestConfig:
        """``pause``, ``resume`` or ``disable`` the server's digest (audited)."""
        status = _ACTIONS[action]
        async with self._lock:
            before = await self._config(guild_id)
            reason = "disabled by a server manager" if status == "disabled" else None
            config = await repo.set_status(self.db, guild_id, status, self.clock(), reason)
        assert config is not None
        await self._audit(
            _who(actor, guild_id).entry(
                f"digest {action}",
                "ok" if before.status != status else f"unchanged: already {status}",
                "server",
                {"was": before.status},
            )
        )
        return config


def _who(actor: Caller | None, guild_id: int) -> Caller:
    """The person who acted (or the bot itself), in this server."""
    return replace(actor or Caller(), guild_id=guild_id)
