"""The bot's database handle: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) by URL.

Opening runs the migrations first so every part of the bot sees the current
schema. On SQLite that happens in a worker thread with a plain sqlite3
connection; heavy writes (ingest) use their own connection in a thread and this
handle serves reads and small writes on the event loop without blocking it.

On PostgreSQL (``Database.open("postgresql://…")``) ``conn`` is a
:class:`db.postgres.PgConnection`: the same ``execute``/``executemany``/cursor
shape over an asyncpg pool, so repository functions run unchanged on both. SQL
that must differ asks :attr:`Database.dialect` (see :mod:`db.dialect`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeAlias

import aiosqlite
import asyncpg

from db.connection import connect, connect_sync
from db.dialect import Dialect
from db.migrate import migrate, migrate_postgres
from db.postgres import PgConnection, is_postgres_url

Row: TypeAlias = aiosqlite.Row | asyncpg.Record
"""A result row of either database: ``row["col"]``, ``row[0]``, unpacking, ``tuple(row)``."""


class NotSqliteError(RuntimeError):
    """SQLite-file work (a thread on its own connection to the file) asked of PostgreSQL."""


def migrate_file(path: str | Path, durations: dict[str, float] | None = None) -> list[str]:
    """Apply pending migrations to the database at ``path`` (blocking)."""
    conn = connect_sync(path)
    try:
        return migrate(conn, durations=durations)
    finally:
        conn.close()


async def migrate_url(url: str) -> list[str]:
    """Apply pending PostgreSQL migrations to the database at ``url``."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await migrate_postgres(conn)
    finally:
        await conn.close()


def migrate_target(target: str | Path, durations: dict[str, float] | None = None) -> list[str]:
    """Apply pending migrations to a SQLite file or a ``postgresql://`` URL (blocking).

    ``durations`` receives each applied SQLite migration's seconds.
    """
    if is_postgres_url(target):
        return asyncio.run(migrate_url(str(target)))
    return migrate_file(target, durations)


def describe(target: str | Path) -> str:
    """How to name a database to the user: the file, or the URL without its password."""
    if not is_postgres_url(target):
        return str(target)
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(str(target))
    if not parts.password:
        return str(target)
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class Database:
    """One open database: ``conn`` (aiosqlite or its PostgreSQL twin) and its dialect."""

    __slots__ = ("_path", "conn", "dialect", "url")

    def __init__(
        self,
        path: Path | None,
        conn: aiosqlite.Connection | PgConnection,
        dialect: Dialect = "sqlite",
        url: str | None = None,
    ) -> None:
        self._path = path
        self.conn = conn
        self.dialect: Dialect = dialect
        self.url = url

    @classmethod
    async def open(cls, target: str | Path) -> Database:
        """Open (and migrate) a SQLite file, or PostgreSQL when ``target`` is its URL."""
        if is_postgres_url(target):
            return await cls.open_postgres(str(target))
        await asyncio.to_thread(migrate_file, target)
        return cls(Path(target), await connect(target))

    @classmethod
    async def open_postgres(cls, url: str) -> Database:
        conn = await PgConnection.open(url)
        try:
            async with conn.pool.acquire() as raw:
                await migrate_postgres(raw)
        except BaseException:
            await conn.close()
            raise
        return cls(None, conn, "postgresql", url)

    @property
    def target(self) -> str | Path:
        """What :meth:`open` was given: to open a second handle on the same database."""
        if self.url is not None:
            return self.url
        assert self._path is not None
        return self._path

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @property
    def path(self) -> Path:
        """The SQLite file, for work done on its own connection in a thread (ingest)."""
        if self._path is None:
            raise NotSqliteError(
                "this is SQLite-file work (its own connection to the file in a thread); "
                "the database is PostgreSQL, which has its own path through the pool"
            )
        return self._path

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One transaction for the calling task, on either database.

        SQLite: ``BEGIN IMMEDIATE`` on the shared connection (statements other tasks
        run meanwhile land in it, as they always did). PostgreSQL: a connection held
        for this task only.
        """
        if isinstance(self.conn, PgConnection):
            async with self.conn.transaction():
                yield
            return
        await self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            await self.conn.execute("ROLLBACK")
            raise
        await self.conn.execute("COMMIT")

    async def close(self) -> None:
        await self.conn.close()
