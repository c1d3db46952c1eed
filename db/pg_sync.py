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

**Round trips.** A document is ~20 statements; one round trip each made a
PostgreSQL ingest several times slower than SQLite's in-process calls. So
statements that return nothing are *queued* (their values written as SQL
literals, an ``executemany`` of an ``INSERT`` as one multi-row ``VALUES``) and
sent together as one simple-query message when something must see them: before
the next query that returns rows, at ``COMMIT`` (in the same message), or when
the writer calls :meth:`PgSyncConnection.flush` at the end of a document, so an
error still belongs to the document that caused it. ``ROLLBACK`` drops the queue.
Their ``rowcount`` is unknown (-1); a writer that needs a count says
``RETURNING``. Literals are only written with ``standard_conforming_strings`` on
(the default since PostgreSQL 9.1); otherwise every statement is sent at once.
"""

from __future__ import annotations

import asyncio
import math
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
_PARAM = re.compile(r"\$(\d+)")
_ONE_ROW_INSERT = re.compile(
    r"^(\s*INSERT\s.*?\bVALUES\s*)(\(\s*\$1\b[^)]*\))(.*)$", re.IGNORECASE | re.DOTALL
)
_UPSERT = re.compile(r"\bDO\s+UPDATE\b", re.IGNORECASE)

WRITER_LOCK = 0x5065_7477  # "Petw"
"""Advisory lock a petition-data writer holds for its transaction on PostgreSQL: what
SQLite's ``BEGIN IMMEDIATE`` gives for free (one writer at a time), so two ingests
never interleave their reads and writes of the same petition's seat listings."""

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


def literal(value: Any) -> str:
    """``value`` as a PostgreSQL literal (``standard_conforming_strings`` on).

    Only the types the ingest writes; anything else is refused rather than guessed.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"'{value!r}'::float8"
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text cannot hold a NUL character")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bytes | bytearray | memoryview):
        return "'\\x" + bytes(value).hex() + "'::bytea"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def inline(sql: str, params: Sequence[Any]) -> str:
    """``sql`` with its ``?`` placeholders replaced by the literals of ``params``."""
    text, args = translate(sql, params)
    return _PARAM.sub(lambda m: literal(args[int(m.group(1)) - 1]), text)


def inline_many(sql: str, rows: list[Sequence[Any]]) -> str:
    """An ``executemany`` as one statement: a plain ``INSERT … VALUES`` gets every row
    as one multi-row ``VALUES``; anything else (an upsert, which PostgreSQL refuses to
    apply twice to one row in a statement) one statement per row."""
    text = translate(sql, rows[0])[0]
    shape = _ONE_ROW_INSERT.match(text)
    if shape is None or _UPSERT.search(shape.group(3)):
        return ";\n".join(inline(sql, row) for row in rows)
    head, one, tail = shape.groups()
    values = ", ".join(
        _PARAM.sub(lambda m, row=row: literal(row[int(m.group(1)) - 1]), one) for row in rows
    )
    return f"{head}{values}{tail}"


class PgSyncConnection:
    """One asyncpg connection, used blockingly from one thread (see the module docstring)."""

    dialect: Dialect = "postgresql"

    def __init__(
        self, loop: asyncio.AbstractEventLoop, conn: asyncpg.Connection, *, queue: bool = True
    ) -> None:
        self._loop = loop
        self.raw = conn
        """The asyncpg connection, for what ``sqlite3``'s shape cannot say (``COPY``)."""
        self.queue_writes = queue
        self._queued: list[str] = []

    @classmethod
    def connect(cls, url: str) -> PgSyncConnection:
        """Connect from a thread with no running event loop (a worker thread, the CLI)."""
        loop = asyncio.new_event_loop()
        try:
            conn = loop.run_until_complete(asyncpg.connect(url))
            conforming = loop.run_until_complete(conn.fetchval("SHOW standard_conforming_strings"))
        except BaseException:
            loop.close()
            raise
        return cls(loop, conn, queue=conforming == "on")

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run one coroutine on this connection's loop (blocking)."""
        return self._loop.run_until_complete(coro)

    # ---------------------------------------------------------------- statements
    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgSyncCursor:
        control = _CONTROL.match(sql)
        if control:  # any BEGIN takes the writers' lock, as SQLite's BEGIN IMMEDIATE
            self._control(control.group(1).upper())
            return PgSyncCursor(rowcount=0)
        text, args = translate(sql, params)
        if _RETURNS_ROWS.search(text):
            self.flush()
            rows = self.run(self.raw.fetch(text, *args))
            return PgSyncCursor([tuple(row) for row in rows], len(rows))
        if self._queueing:
            self._queued.append(inline(sql, params))
            return PgSyncCursor()
        status = self.run(self.raw.execute(text, *args))
        match = _STATUS_COUNT.search(status or "")
        return PgSyncCursor(rowcount=int(match.group(1)) if match else -1)

    def executemany(self, sql: str, seq_of_params: Iterable[Sequence[Any]]) -> PgSyncCursor:
        """All parameter sets at once: queued as one statement, or asyncpg's pipelined
        ``executemany`` (one round trip either way)."""
        rows = list(seq_of_params)
        if not rows:
            return PgSyncCursor()
        if self._queueing:
            self._queued.append(inline_many(sql, rows))
            return PgSyncCursor()
        self.flush()
        self.run(self.raw.executemany(translate(sql, rows[0])[0], rows))
        return PgSyncCursor()

    @property
    def _queueing(self) -> bool:
        """Queue only inside a transaction: outside one, each statement is its own."""
        return self.queue_writes and self.raw.is_in_transaction()

    def flush(self) -> None:
        """Send the queued statements (one round trip); an error surfaces here."""
        if self._queued:
            script, self._queued = ";\n".join(self._queued), []
            self.run(self.raw.execute(script))

    def _control(self, word: str) -> None:
        if word == "ROLLBACK":
            self._queued.clear()
            self.run(self.raw.execute("ROLLBACK"))
            return
        if word in ("COMMIT", "END"):
            script, self._queued = ";\n".join([*self._queued, "COMMIT"]), []
            self.run(self.raw.execute(script))
            return
        self.flush()
        self.run(self.raw.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK})"))

    def copy_records(self, table: str, records: list[tuple[Any, ...]], columns: list[str]) -> None:
        """``COPY`` rows into ``table`` (binary; the bulk path where it clearly wins)."""
        if records:
            self.run(self.raw.copy_records_to_table(table, records=records, columns=columns))

    # ---------------------------------------------------------------- state
    @property
    def in_transaction(self) -> bool:
        return not self.raw.is_closed() and self.raw.is_in_transaction()

    def close(self) -> None:
        self._queued.clear()
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
