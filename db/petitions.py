"""Read queries about petitions and the database as a whole."""

from __future__ import annotations

import aiosqlite

from core.admin.types import DatabaseStats, IngestLogRecord
from core.common.times import utc_datetime
from core.petitions.types import PetitionSummary
from db import seat_tables
from db.database import Database
from db.dialect import database_size

_SUMMARY_COLUMNS = (
    "id, title, url, state, total_signatures, uk_signatures, refreshed_at, boundary_set,"
    " deadline_at"
)


def summary_from_row(row: aiosqlite.Row) -> PetitionSummary:
    refreshed = utc_datetime(row["refreshed_at"])
    return PetitionSummary(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        state=row["state"],
        total_signatures=row["total_signatures"],
        uk_signatures=row["uk_signatures"],
        refreshed_at=refreshed,
        boundary_set=row["boundary_set"],
        deadline_at=utc_datetime(row["deadline_at"]),
    )


async def count_petitions(db: Database) -> int:
    async with db.conn.execute("SELECT count(*) FROM petitions") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def get_summary(db: Database, petition_id: int) -> PetitionSummary | None:
    async with db.conn.execute(
        f"SELECT {_SUMMARY_COLUMNS} FROM petitions WHERE id = ?", (petition_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return summary_from_row(row) if row else None


async def stats(db: Database) -> DatabaseStats:
    """Counts for ``petitionbot stats`` and ``/admin stats``."""
    conn = db.conn

    async def scalar(sql: str) -> int:
        async with conn.execute(sql) as cursor:
            row = await cursor.fetchone()
        return int(row[0] or 0) if row else 0

    async with conn.execute("SELECT max(refreshed_at) FROM petitions") as cursor:
        newest = await cursor.fetchone()
    async with conn.execute(
        "SELECT path, result, petition_id, error, at FROM ingest_log ORDER BY id DESC LIMIT 1"
    ) as cursor:
        last = await cursor.fetchone()
    last_record = None
    if last is not None:
        at = utc_datetime(last["at"])
        last_record = IngestLogRecord(
            last["path"], last["result"], last["petition_id"], last["error"], at
        )
    return DatabaseStats(
        petitions=await scalar("SELECT value FROM archive_totals WHERE name = 'petitions'"),
        snapshots=await scalar("SELECT count(*) FROM snapshots"),
        constituencies=await scalar("SELECT count(*) FROM constituencies"),
        mps=await scalar("SELECT count(*) FROM mps"),
        constituency_rows=await scalar("SELECT value FROM archive_totals WHERE name = 'seat_rows'"),
        newest_refresh=utc_datetime(newest[0]) if newest else None,
        last_ingest=last_record,
        size_bytes=await scalar(database_size(db.dialect)),
    )


async def get_meta(db: Database, key: str) -> str | None:
    async with db.conn.execute("SELECT value FROM bot_meta WHERE key = ?", (key,)) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else None


async def set_meta(db: Database, key: str, value: str) -> None:
    await db.conn.execute(
        "INSERT INTO bot_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


async def ingested_from(db: Database, folder: str) -> bool:
    """Whether the ingest log has a document stored from under ``folder``."""
    prefix = folder.rstrip("/") + "/"
    async with db.conn.execute(
        "SELECT 1 FROM ingest_log WHERE substr(path, 1, length(CAST(? AS TEXT))) = ?"
        " AND result IN ('added', 'updated', 'unchanged', 'older') LIMIT 1",
        (prefix, prefix),
    ) as cursor:
        return await cursor.fetchone() is not None


async def delete_petition(db: Database, petition_id: int) -> bool:
    """Remove a petition and everything hanging off it (ON DELETE CASCADE), and its
    seats' listing counts."""
    return await seat_tables.delete_petition(db, petition_id)
