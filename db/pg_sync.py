"""A blocking PostgreSQL connection shaped like ``sqlite3.Connection``, for the ingest writer.

The ingest writer (:class:`db.store.PetitionStore`, driven by
:class:`core.ingest.loader.Loader`) is blocking code that runs in a worker thread
with a connection of its own. Rather than keep a second, async copy of its rules
for PostgreSQL, this module gives it the few ``sqlite3`` calls it makes —
``execute``/``executemany`` with ``?`` placeholders, cursors with
``fetchone``/``fetchall``/iteration/``rowcount``, ``BEGIN``/``COMMIT``/``ROLLBACK``
as statements and ``in_transaction`` — over one asyncpg connection driven by a
private event loop in the calling thread. The store and loader stay one piece of
logic; SQL that must differ asks :attr:`PgSyncConnection.dialect`.

Rows come back as plain tuples (as ``sqlite3`` gives them), so comparisons and
``dict(rows)`` behave the same on both databases.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Coroutine, Iterable, Iterator, Sequence
from typing import Any, TypeAlias, TypeVar

import asyncpg

from db.dialect import Dialect
from db.postgres import translate

T = TypeVar("T")

_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|END|ROLLBACK)(?:\s+(?:IMMEDIATE|DEFERRED|EXCLUSIVE|TRANSACTION))?\s*;?\s*$",
    re.IGNORECASE,
)
_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW|TABLE)\b|\bRETURNING\b", re.IGNORECASE)
_STATUS_COUNT = re.compile(r"(\d+)\s*$")

STORAGE_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)
"""What either database raises when storage itself refuses or fails."""


class PgSyncCursor:
    """The finished result of one statement, read like a ``sqlite3.Cursor``."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[tuple[Any, ...]] | None = None, rowcount: int = -1) -> None:
        self._rows = iter(rows or ())
        self.rowcount = rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        return next(self._rows, None)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self._rows


class PgSyncConnection:
    """One asyncpg connection, used blockingly from one thread (see the module docstring)."""

    dialect: Dialect = "postgresql"

    def __init__(self, loop: asyncio.AbstractEventLoop, conn: asyncpg.Connection) -> None:
        self._loop = loop
        self.raw = conn
        """The asyncpg connection, for what ``sqlite3``'s shape cannot say (``COPY``)."""

    @classmethod
    def connect(cls, url: str) -> PgSyncConnection:
        """Connect from a thread with no running event loop (a worker thread, the CLI)."""
        loop = asyncio.new_event_loop()
        try:
            conn = loop.run_until_complete(asyncpg.connect(url))
        except BaseException:
            loop.close()
            raise
        return cls(loop, conn)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run one coroutine on this connection's loop (blocking)."""
        return self._loop.run_until_complete(coro)

    # ---------------------------------------------------------------- statements
    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgSyncCursor:
        control = _CONTROL.match(sql)
        if control:
            word = control.group(1).upper()
            self.run(self.raw.execute("COMMIT" if word == "END" else word))
            return PgSyncCursor(rowcount=0)
        text, args = translate(sql, params)
        if _RETURNS_ROWS.search(text):
            rows = self.run(self.raw.fetch(text, *args))
            return PgSyncCursor([tuple(row) for row in rows], len(rows))
        status = self.run(self.raw.execute(text, *args))
        match = _STATUS_COUNT.search(status or "")
        return PgSyncCursor(rowcount=int(match.group(1)) if match else -1)

    def executemany(self, sql: str, seq_of_params: Iterable[Sequence[Any]]) -> PgSyncCursor:
        """All parameter sets in one pipelined round trip (asyncpg's ``executemany``)."""
        rows = list(seq_of_params)
        if rows:
            text = translate(sql, rows[0])[0]
            self.run(self.raw.executemany(text, rows))
        return PgSyncCursor()

    def copy_records(self, table: str, records: list[tuple[Any, ...]], columns: list[str]) -> None:
        """``COPY`` rows into ``table`` (binary; the bulk path where it clearly wins)."""
        if records:
            self.run(self.raw.copy_records_to_table(table, records=records, columns=columns))

    # ---------------------------------------------------------------- state
    @property
    def in_transaction(self) -> bool:
        return not self.raw.is_closed() and self.raw.is_in_transaction()

    def close(self) -> None:
        try:
            if not self.raw.is_closed():
                self.run(self.raw.close())
        finally:
            self._loop.close()


SyncConnection: TypeAlias = sqlite3.Connection | PgSyncConnection
"""What the blocking writer runs on: a ``sqlite3`` connection or its PostgreSQL twin."""


def dialect_of(conn: SyncConnection) -> Dialect:
    """Which SQL spelling ``conn`` needs."""
    return "postgresql" if isinstance(conn, PgSyncConnection) else "sqlite"
