"""A PostgreSQL database holding a SQLite file's rows, for tests and benchmarks.

The tests compare answers on both databases for the same rows, and the
benchmarks time PostgreSQL on the archive they timed SQLite on; neither needs
a PostgreSQL ingest for that, only the rows copied column for column.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg


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
