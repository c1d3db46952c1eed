"""PostgreSQL's change feed: ``NOTIFY petitionbot_ingest`` after an ingest, ``LISTEN`` for it.

Every bot process keeps its search index in memory; when any process (or the
CLI) commits an ingest, the others must rebuild theirs within seconds. On
PostgreSQL the writer calls :func:`notify_ingest` after its commit (a ``NOTIFY``
inside a transaction is delivered only when that transaction commits, so it can
be sent inside it too), and each process runs one :class:`IngestListener` on a
dedicated connection (a pooled one would lose its ``LISTEN`` when returned).

The listener exposes a *generation*: a number that grows on every notification
and on every reconnect (notifications sent while disconnected are lost, so a
reconnect must count as "something may have changed"). A consumer remembers the
generation it indexed at and calls :meth:`IngestListener.wait` with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from db.database import Database
from db.postgres import PgConnection

CHANNEL = "petitionbot_ingest"
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)
"""Waits between reconnect attempts (the last repeats)."""

log = logging.getLogger(__name__)


async def notify_ingest(target: Database | Any, payload: str = "") -> None:
    """Tell every listening process that petition data changed (``payload``: e.g. a batch id).

    ``target`` is a PostgreSQL :class:`Database` or a raw asyncpg connection (such as
    the one an ingest committed on). On SQLite there is nothing to send: its feed is
    ``PRAGMA data_version``, which sees every commit by itself.
    """
    if isinstance(target, Database):
        if not isinstance(target.conn, PgConnection):
            return
        await target.conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, payload))
        return
    await target.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)


class IngestListener:
    """``LISTEN petitionbot_ingest`` on its own connection, as a generation to wait on."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self.url = url
        self.channel = channel
        self.generation = 0
        self.payloads: list[str] = []  # the latest few, for logs and tests
        self._changed = asyncio.Condition()
        self._conn: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> IngestListener:
        """Connect and listen; returns once ``LISTEN`` is in place (no later NOTIFY is missed)."""
        await self._connect()
        self._task = asyncio.create_task(self._keep_connected(), name="pg-ingest-listener")
        return self

    async def __aenter__(self) -> IngestListener:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def wait(self, seen: int, within: float | None = None) -> int:
        """The generation once it is past ``seen`` (or the current one after ``within`` s)."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.generation > seen), within
                )
            return self.generation

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None

    # ---------------------------------------------------------------- internals
    async def _connect(self) -> None:
        conn = await asyncpg.connect(self.url)
        conn.add_termination_listener(lambda _conn: self._lost.set())
        await conn.add_listener(self.channel, self._on_notify)
        self._conn = conn
        self._lost.clear()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.payloads = [*self.payloads[-9:], payload]
        asyncio.get_running_loop().create_task(self._bump())

    async def _bump(self) -> None:
        async with self._changed:
            self.generation += 1
            self._changed.notify_all()

    async def _keep_connected(self) -> None:
        """Reconnect after a lost connection, then bump: what was sent meanwhile is unknown."""
        while True:
            await self._lost.wait()
            for attempt in range(1_000_000):
                delay = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                await asyncio.sleep(delay)
                try:
                    await self._connect()
                except (OSError, asyncpg.PostgresError) as exc:
                    log.warning("ingest listener: reconnect failed (%s); retrying", exc)
                    continue
                log.info("ingest listener: reconnected; treating it as a change")
                await self._bump()
                break
