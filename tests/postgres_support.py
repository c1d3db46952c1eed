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
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import asyncpg

from db.migrate import migrate_postgres
from db.pg_copy import copy_from_sqlite

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
        # pgserver also runs its cleanup at interpreter exit, and logs from there after
        # pytest has closed the stream it captured: a "Logging error" traceback at the end
        # of every run. The server is stopped by now; nothing it logs later matters.
        logging.getLogger("pgserver").disabled = True


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
