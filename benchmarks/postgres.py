"""PostgreSQL beside SQLite in the same benchmark run: the same rows, a local server.

Issue 18's target is relative: a command's p99 on PostgreSQL at most twice its
p99 on SQLite, measured in the same run on the same machine. pgserver starts
PostgreSQL 16 in a temporary directory (about half a second); the benchmark's
SQLite database is copied into it column for column (:mod:`db.pg_copy`), so
both backends answer from identical rows without a PostgreSQL ingest.

When PostgreSQL cannot start (no pgserver wheel, no binaries), the benchmarks
say why and report SQLite alone: the reason is kept in the result.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg

from benchmarks import common
from db.migrate import migrate_postgres
from db.pg_copy import copy_from_sqlite

DATABASE = "bench"


@dataclass(frozen=True, slots=True)
class PgCopy:
    """A running PostgreSQL holding a copy of a benchmark database."""

    url: str | None
    """The database's URL, or None when PostgreSQL could not be started."""
    reason: str | None = None
    """Why there is no PostgreSQL run (None when there is one)."""
    copy_s: float = 0.0
    rows: int = 0


@asynccontextmanager
async def postgres_copy(sqlite_path: Path, *, enabled: bool = True) -> AsyncIterator[PgCopy]:
    """A PostgreSQL database with ``sqlite_path``'s rows for the ``async with`` block."""
    if not enabled:
        yield PgCopy(None, "PostgreSQL run switched off (--no-postgres)")
        return
    directory = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    server: Any = None
    try:
        try:
            server = await asyncio.to_thread(_start, directory)
        except Exception as exc:  # reported, never hidden: the run goes on with SQLite
            common.log(f"PostgreSQL not started: {type(exc).__name__}: {exc}")
            yield PgCopy(None, f"PostgreSQL could not start: {type(exc).__name__}: {exc}")
            return
        admin = await asyncpg.connect(server.get_uri())
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            await admin.execute(f"CREATE DATABASE {DATABASE}")
        finally:
            await admin.close()
        url = str(server.get_uri(database=quote(DATABASE)))
        started = time.perf_counter()
        conn = await asyncpg.connect(url)
        try:
            await migrate_postgres(conn)
            copied = await copy_from_sqlite(sqlite_path, conn)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        seconds = time.perf_counter() - started
        common.log(f"PostgreSQL copy of {sqlite_path.name}: {sum(copied.values()):,} rows")
        yield PgCopy(url, None, round(seconds, 1), sum(copied.values()))
    finally:
        if server is not None:
            await asyncio.to_thread(server.cleanup)
        shutil.rmtree(directory, ignore_errors=True)


def _start(directory: Path) -> Any:
    import pgserver

    return pgserver.get_server(directory, cleanup_mode="stop")


def ratios(sqlite: dict[str, dict[str, Any]], pg: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """PostgreSQL p99 / SQLite p99 per row name, and the worst of them."""
    per = {
        name: round(pg[name]["p99_ms"] / row["p99_ms"], 2) if row["p99_ms"] else None
        for name, row in sqlite.items()
        if name in pg
    }
    known = {name: r for name, r in per.items() if r is not None}
    worst = max(known, key=lambda name: known[name]) if known else None
    return {"p99_ratio": per, "worst": {"name": worst, "ratio": known.get(worst or "")}}
