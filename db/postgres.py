"""PostgreSQL behind the connection shape the repositories already use (asyncpg).

The repository modules were written against aiosqlite: ``conn.execute(sql, params)``
with ``?`` (or ``:name``) placeholders, used either awaited or as ``async with …
as cursor``; ``cursor.fetchone()/fetchall()``, ``async for row in cursor``,
``cursor.rowcount``; ``conn.executemany``; explicit ``BEGIN``/``COMMIT``/``ROLLBACK``
statements. :class:`PgConnection` offers exactly that shape over an asyncpg pool,
so one repository function serves both databases and only SQL that must differ
is written twice (see :mod:`db.dialect`).

- Placeholders are translated once per statement text (``?`` → ``$1…``, ``:me`` →
  the same ``$n`` each time it appears), skipping string literals, quoted names,
  comments and ``::`` casts.
- Rows are asyncpg ``Record``\\ s: ``row["col"]``, ``row[0]``, unpacking and
  ``tuple(row)`` work as with ``aiosqlite.Row``.
- asyncpg is autocommit. A ``BEGIN`` (``IMMEDIATE``/``DEFERRED``/``EXCLUSIVE`` are
  accepted and mean the same) reserves one pooled connection for the task that
  issued it until its ``COMMIT``/``ROLLBACK``; every other task keeps using the pool,
  so — unlike the one shared SQLite connection — nothing another task runs can
  land inside that transaction. :meth:`PgConnection.transaction` is the same as an
  ``async with``.
- ``rowcount`` is the count PostgreSQL reports (``UPDATE 3``), or the number of rows
  returned by a query or a ``RETURNING`` statement. There is no ``lastrowid``:
  inserts that need their id say ``RETURNING id`` (which SQLite ≥ 3.35 runs too).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Generator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import asyncpg

Params = Sequence[Any] | Mapping[str, Any]

POOL_MAX = 10
"""Connections the bot keeps open: reads run concurrently, one per awaiting task."""

_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|END|ROLLBACK)(?:\s+(?:IMMEDIATE|DEFERRED|EXCLUSIVE|TRANSACTION))?\s*;?\s*$",
    re.IGNORECASE,
)
_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW|TABLE)\b|\bRETURNING\b", re.IGNORECASE)
_STATUS_COUNT = re.compile(r"(\d+)\s*$")


def is_postgres_url(target: object) -> bool:
    """Whether a database setting names PostgreSQL rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


# ------------------------------------------------------------------ placeholders
@dataclass(frozen=True, slots=True)
class _Translated:
    sql: str
    names: tuple[str, ...]  # the ``:name`` of each $n in order; empty for ``?`` style
    positional: int  # how many ``?`` were numbered


@lru_cache(maxsize=1024)
def _translate(sql: str) -> _Translated:
    out: list[str] = []
    names: list[str] = []
    positional = 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":  # a literal or a quoted name: copied as it is ('' and "" escape)
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            positional += 1
            out.append(f"${positional}")
            i += 1
        elif ch == ":" and sql.startswith("::", i):
            out.append("::")
            i += 2
        elif ch == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            end = i + 1
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            name = sql[i + 1 : end]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = end
        else:
            out.append(ch)
            i += 1
    if names and positional:
        raise ValueError("a statement mixes ? and :name placeholders")
    return _Translated("".join(out), tuple(names), positional)


def to_postgres(sql: str) -> str:
    """SQLite-style ``sql`` with asyncpg's ``$n`` placeholders (for a raw asyncpg call)."""
    return _translate(sql).sql


def translate(sql: str, params: Params | None = None) -> tuple[str, list[Any]]:
    """SQLite-style ``sql`` and ``params`` as asyncpg wants them (``$n`` and a list)."""
    done = _translate(sql)
    if done.names:
        if not isinstance(params, Mapping):
            raise TypeError("named placeholders need a mapping of parameters")
        return done.sql, [params[name] for name in done.names]
    args = list(params or ())
    if isinstance(params, Mapping):
        raise TypeError("a mapping of parameters needs :name placeholders")
    if len(args) != done.positional:
        raise ValueError(f"{done.positional} placeholders but {len(args)} parameters")
    return done.sql, args


def _count(status: str | None) -> int:
    match = _STATUS_COUNT.search(status or "")
    return int(match.group(1)) if match else -1


# ------------------------------------------------------------------ cursor
@dataclass(slots=True)
class PgCursor:
    """The finished result of one statement, read like an aiosqlite cursor."""

    rows: list[asyncpg.Record] = field(default_factory=list)
    rowcount: int = -1
    lastrowid: None = None
    _next: int = 0

    async def fetchone(self) -> asyncpg.Record | None:
        if self._next >= len(self.rows):
            return None
        self._next += 1
        return self.rows[self._next - 1]

    async def fetchall(self) -> list[asyncpg.Record]:
        rest, self._next = self.rows[self._next :], len(self.rows)
        return rest

    async def fetchmany(self, size: int = 1) -> list[asyncpg.Record]:
        chunk = self.rows[self._next : self._next + size]
        self._next += len(chunk)
        return chunk

    def __aiter__(self) -> AsyncIterator[asyncpg.Record]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[asyncpg.Record]:
        while (row := await self.fetchone()) is not None:
            yield row

    async def close(self) -> None:
        self.rows = []


class _Pending:
    """What ``execute`` returns: awaitable, or usable as ``async with … as cursor``."""

    __slots__ = ("_coro", "_cursor")

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._cursor: PgCursor | None = None

    def __await__(self) -> Generator[Any, None, PgCursor]:
        return self._coro.__await__()

    async def __aenter__(self) -> PgCursor:
        self._cursor = await self._coro
        return self._cursor

    async def __aexit__(self, *exc: object) -> None:
        if self._cursor is not None:
            await self._cursor.close()


# ------------------------------------------------------------------ connection
class PgConnection:
    """An asyncpg pool with aiosqlite's connection API (see the module docstring)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._held: dict[asyncio.Task[Any], tuple[asyncpg.Connection, Any]] = {}

    @classmethod
    async def open(cls, url: str, *, max_size: int = POOL_MAX) -> PgConnection:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=max_size)
        return cls(pool)

    # -- statements
    def execute(self, sql: str, params: Params | None = None) -> _Pending:
        return _Pending(self._execute(sql, params))

    def executemany(self, sql: str, seq_of_params: Iterable[Params]) -> _Pending:
        return _Pending(self._executemany(sql, list(seq_of_params)))

    async def _execute(self, sql: str, params: Params | None) -> PgCursor:
        control = _CONTROL.match(sql)
        if control:
            await self._control(control.group(1).upper())
            return PgCursor(rowcount=0)
        text, args = translate(sql, params)
        async with self.acquire() as conn:
            if _RETURNS_ROWS.search(text):
                rows = await conn.fetch(text, *args)
                return PgCursor(rows, len(rows))
            return PgCursor(rowcount=_count(await conn.execute(text, *args)))

    async def _executemany(self, sql: str, seq: list[Params]) -> PgCursor:
        """Each parameter set in turn on one connection, counting rows changed.

        (asyncpg's own ``executemany`` is faster but reports no count; this serves
        the small batches of the repositories, which return how many rows they changed.
        Bulk loads should use ``copy_records_to_table``.)
        """
        if not seq:
            return PgCursor(rowcount=0)
        text = translate(sql, seq[0])[0]
        total = 0
        async with self.acquire() as conn:
            statement = await conn.prepare(text)
            for params in seq:
                await statement.fetch(*translate(sql, params)[1])
                total += max(0, _count(statement.get_statusmsg()))
        return PgCursor(rowcount=total)

    # -- transactions
    @property
    def in_transaction(self) -> bool:
        """Whether the calling task has an open transaction (as ``sqlite3``'s attribute)."""
        return self._task() in self._held

    @staticmethod
    def _task() -> asyncio.Task[Any]:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("PostgreSQL statements run inside an asyncio task")
        return task

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        """The raw asyncpg connection for the task: its transaction's, else a pooled one.

        For what the cursor shape cannot say: ``copy_records_to_table``, a pipelined
        ``executemany`` of a bulk load, ``add_listener``.
        """
        held = self._held.get(self._task())
        if held is not None:
            yield held[0]
            return
        async with self.pool.acquire() as conn:
            yield conn

    async def _control(self, word: str) -> None:
        task = self._task()
        if word == "BEGIN":
            if task in self._held:
                raise asyncpg.exceptions.ActiveSQLTransactionError(
                    "cannot start a transaction within a transaction"
                )
            conn = await self.pool.acquire()
            try:
                transaction = conn.transaction()
                await transaction.start()
            except BaseException:
                await self.pool.release(conn)
                raise
            self._held[task] = (conn, transaction)
            return
        held = self._held.pop(task, None)
        if held is None:
            if word == "ROLLBACK":
                return  # as SQLite: nothing to roll back is not worth an error here
            raise asyncpg.exceptions.NoActiveSQLTransactionError(
                "cannot commit - no transaction is active"
            )
        conn, transaction = held
        try:
            if word == "ROLLBACK":
                await transaction.rollback()
            else:
                await transaction.commit()
        finally:
            await self.pool.release(conn)

    async def commit(self) -> None:
        """Commit the task's open transaction, if any (else a no-op: autocommit)."""
        if self.in_transaction:
            await self._control("COMMIT")

    async def rollback(self) -> None:
        if self.in_transaction:
            await self._control("ROLLBACK")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgConnection]:
        """``BEGIN`` … ``COMMIT`` (``ROLLBACK`` on any error) for the calling task."""
        await self._control("BEGIN")
        try:
            yield self
        except BaseException:
            await self._control("ROLLBACK")
            raise
        await self._control("COMMIT")

    async def close(self) -> None:
        for conn, transaction in list(self._held.values()):
            await transaction.rollback()
            await self.pool.release(conn)
        self._held.clear()
        await self.pool.close()
