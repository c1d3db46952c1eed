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

The fingerprint's SQL is plain and runs unchanged on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

import aiosqlite

from db.connection import connect

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


async def open_change_feed(path: str | Path, interval: float = 2.0) -> ChangeFeed:
    """The feed for the configured store (SQLite here; PostgreSQL plugs in beside it)."""
    return await SqliteChangeFeed.open(path, interval)
