"""Per-connection caches of slow-changing rows, valid until another writer commits.

Seat names and codes (~1,300 rows read by every card) and the reference seats
change only when an ingest meets a new seat or the reference is (re)loaded, so
each process keeps them in memory and asks one cheap question per use: has the
data moved since I read it?

* SQLite: ``PRAGMA data_version``, which changes when *another* connection
  commits (the bot's own connection writes neither seats nor reference rows).
* PostgreSQL: the ``places`` row of ``data_versions`` (migration 0007), moved by
  triggers in the same transaction as the rows, so every process sees the new
  number exactly when it can see the new rows.

The token is read *before* the rows, so rows cached under a token are never
older than it: at worst a cache is read once more than needed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from db.database import Database

T = TypeVar("T")

_PG_TOKEN = "SELECT version FROM data_versions WHERE name = 'places'"


async def data_version(db: Database) -> int:
    """A number that changes whenever another connection or process changed seats or
    the reference (see the module docstring for what it is on each database)."""
    sql = _PG_TOKEN if db.is_postgres else "PRAGMA data_version"
    async with db.conn.execute(sql) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


class VersionedCache(Generic[T]):
    """One value per open connection, started afresh (``empty()``) when the data moved.

    Callers fill the value they get as they read (a dict of rows, say); what they
    put in stays until :func:`data_version` changes.
    """

    def __init__(self, empty: Callable[[], T]) -> None:
        self._empty = empty
        self._held: weakref.WeakKeyDictionary[Any, tuple[int, T]] = weakref.WeakKeyDictionary()

    async def current(self, db: Database) -> T:
        version = await data_version(db)
        held = self._held.get(db.conn)
        if held is None or held[0] != version:
            held = self._held[db.conn] = (version, self._empty())
        return held[1]
