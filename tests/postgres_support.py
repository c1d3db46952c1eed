"""A real PostgreSQL for the tests: pgserver starts PostgreSQL 16 in a temp directory.

One server per test session; each test that asks for it gets its own database,
cloned (``CREATE DATABASE … TEMPLATE``) from a template that is migrated and
holds the same rows as the SQLite seeded template, so the same assertions can
run on both backends. Nothing is mocked and no outside service is used; when
PostgreSQL cannot start, the tests that need it fail with the reason.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import sqlite3
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import asyncpg

from db.migrate import migrate_postgres

T = TypeVar("T")

_names = itertools.count(1)


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from sync code, even inside a running event loop.

    (Session fixtures are sync; the async test that first needs one already runs
    in a loop, where ``asyncio.run`` is refused: a short-lived thread has none.)
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class PgServer:
    """The session's PostgreSQL: URLs for its databases, and database cloning."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.admin_url: str = server.get_uri()

    def url(self, database: str) -> str:
        return str(self.server.get_uri(database=quote(database)))

    async def create(self, template: str | None = None) -> str:
        """A new empty (or ``template``-cloned) database; returns its name."""
        name = f"test_{next(_names)}"
        conn = await asyncpg.connect(self.admin_url)
        try:
            clone = f" TEMPLATE {template}" if template else ""
            await conn.execute(f"CREATE DATABASE {name}{clone}")
        finally:
            await conn.close()
        return name

    async def drop(self, name: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await conn.close()

    def stop(self) -> None:
        self.server.cleanup()


def start_server(directory: Path) -> PgServer:
    import pgserver

    return PgServer(pgserver.get_server(directory, cleanup_mode="stop"))


async def build_seeded_template(server: PgServer, sqlite_path: Path) -> str:
    """A migrated database holding ``sqlite_path``'s rows; returns its name."""
    name = await server.create()
    conn = await asyncpg.connect(server.url(name))
    try:
        await migrate_postgres(conn)
        await copy_from_sqlite(sqlite_path, conn)
    finally:
        await conn.close()
    return name


async def copy_from_sqlite(sqlite_path: Path, conn: asyncpg.Connection) -> dict[str, int]:
    """Copy every table the two schemas share, column for column; returns rows per table.

    Triggers and foreign-key checks are off while copying (``session_replication_role``),
    so rows arrive exactly as SQLite holds them (``ref_code`` links included).
    Tables only SQLite has (``constituency_counts``, replaced by issue 22's seat tables
    on PostgreSQL) are left out.
    """
    source = sqlite3.connect(sqlite_path)
    copied: dict[str, int] = {}
    try:
        pg_tables = [
            row[0]
            for row in await conn.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_name <> 'schema_migrations'"
            )
        ]
        sqlite_tables = {
            row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        await conn.execute("SET session_replication_role = replica")
        for table in pg_tables:
            if table not in sqlite_tables:
                continue
            if table == "archive_totals":  # seeded by the migration; copy SQLite's exactly
                await conn.execute("DELETE FROM archive_totals")
            copied[table] = await _copy_table(source, conn, table)
        await conn.execute("SET session_replication_role = DEFAULT")
    finally:
        source.close()
    return copied


async def _copy_table(source: sqlite3.Connection, conn: asyncpg.Connection, table: str) -> int:
    pg_columns = {
        row[0]: row[1]
        for row in await conn.fetch(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = $1",
            table,
        )
    }
    columns = [
        row[1] for row in source.execute(f"PRAGMA table_info({table})") if row[1] in pg_columns
    ]
    rows = source.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    floats = [i for i, c in enumerate(columns) if pg_columns[c] == "double precision"]
    records = [
        tuple(float(v) if i in floats and v is not None else v for i, v in enumerate(row))
        for row in rows
    ]
    if records:
        await conn.copy_records_to_table(table, records=records, columns=columns)
    if "id" in pg_columns:  # identity columns continue after the copied ids
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
    return len(records)
