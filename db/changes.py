"""Change feeds: how a running process learns that *another* one changed the petition data.

Each bot process keeps its search index in memory. When another process, or
``petitionbot ingest`` from a shell, changes the petitions, every process must
rebuild its index within seconds. This module is the seam for that:

* :class:`ChangeFeed` — the interface. ``generation()`` is an opaque token of
  the petition data as it is now; ``wait_changed(seen)`` returns as soon as the
  token differs from ``seen``. A PostgreSQL feed implements it with
  ``LISTEN``/``NOTIFY``; a caller never knows which one it has.
* :class:`SqliteChangeFeed` — SQLite has no notifications, so it polls, and
  cheaply: ``PRAGMA data_version`` (it changes only when *another* connection
  commits, and reading it touches no table) gates a small fingerprint query
  (newest ingest-log row, petition count, newest petition update). Heartbeats
  and digest claims also move ``data_version``; the fingerprint tells those
  apart from data changes, so the index is rebuilt only when petitions changed.
* :class:`PgChangeFeed` — PostgreSQL notifies: every ingest commit sends
  ``NOTIFY petitionbot_ingest`` (:mod:`db.store`), and the feed waits on an
  :class:`~db.pg_changes.IngestListener` instead of polling, then reads the same
  fingerprint (so a notification that changed nothing, or a duplicate, rebuilds
  nothing). A slow fallback poll covers a notification lost some other way.

:func:`open_change_feed` picks the feed from the database target, in one place.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

import aiosqlite

from db.connection import connect
from db.pg_changes import IngestListener
from db.postgres import PgConnection, is_postgres_url

FINGERPRINT = (
    "SELECT (SELECT max(id) FROM ingest_log), (SELECT count(*) FROM petitions),"
    " (SELECT max(updated_at) FROM petitions)"
)
"""Every ingest (CLI, bot, live refresh) logs a row; a removal changes the count."""


class ChangeFeed(Protocol):
    """Tells a process that the petition data changed, wherever the change came from."""

    async def generation(self) -> str:
        """An opaque token of the data as it is now (equal tokens: nothing changed)."""
        ...

    async def wait_changed(self, seen: str) -> str:
        """Wait until the data's token differs from ``seen``; returns the new token."""
        ...

    async def close(self) -> None: ...


class SqliteChangeFeed:
    """Polls one SQLite file every ``interval`` seconds on a connection of its own."""

    def __init__(self, conn: aiosqlite.Connection, interval: float) -> None:
        self.conn = conn
        self.interval = interval
        self._seen_version: int | None = None
        self.checks = 0
        """How many fingerprint queries ran (``data_version`` changed); for tests."""

    @classmethod
    async def open(cls, path: str | Path, interval: float = 2.0) -> SqliteChangeFeed:
        return cls(await connect(path), interval)

    async def _data_version(self) -> int:
        async with self.conn.execute("PRAGMA data_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def generation(self) -> str:
        self.checks += 1
        self._seen_version = await self._data_version()
        async with self.conn.execute(FINGERPRINT) as cursor:
            row = await cursor.fetchone()
        return "/".join("" if value is None else str(value) for value in (row or ()))

    async def wait_changed(self, seen: str) -> str:
        while True:
            await asyncio.sleep(self.interval)
            if await self._data_version() == self._seen_version:
                continue  # no other connection committed anything since the last look
            token = await self.generation()
            if token != seen:
                return token

    async def close(self) -> None:
        await self.conn.close()


class PgChangeFeed:
    """Waits for ``NOTIFY petitionbot_ingest``, then compares the data's fingerprint."""

    FALLBACK_SECONDS = 60.0
    """Longest wait without a notification before the fingerprint is read anyway."""

    def __init__(self, conn: PgConnection, listener: IngestListener) -> None:
        self.conn = conn
        self.listener = listener
        self._heard = 0  # the listener's generation when the fingerprint was last read
        self.checks = 0
        """How many fingerprint queries ran; for tests."""

    @classmethod
    async def open(cls, url: str) -> PgChangeFeed:
        listener = await IngestListener(url).start()  # LISTEN before the first fingerprint
        try:
            conn = await PgConnection.open(url, max_size=1)
        except BaseException:
            await listener.close()
            raise
        return cls(conn, listener)

    async def generation(self) -> str:
        self.checks += 1
        self._heard = self.listener.generation
        async with self.conn.execute(FINGERPRINT) as cursor:
            row = await cursor.fetchone()
        return "/".join("" if value is None else str(value) for value in (row or ()))

    async def wait_changed(self, seen: str) -> str:
        while True:
            await self.listener.wait(self._heard, within=self.FALLBACK_SECONDS)
            token = await self.generation()
            if token != seen:
                return token

    async def close(self) -> None:
        await self.listener.close()
        await self.conn.close()


async def open_change_feed(target: str | Path, interval: float = 2.0) -> ChangeFeed:
    """The feed for the database at ``target``: a ``postgresql://`` URL or a SQLite file.

    ``interval`` is SQLite's poll period; PostgreSQL is told, and needs none.
    """
    if is_postgres_url(target):
        return await PgChangeFeed.open(str(target))
    return await SqliteChangeFeed.open(target, interval)
