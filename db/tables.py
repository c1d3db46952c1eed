"""What a database holds, table by table (``petitionbot stats`` on PostgreSQL)."""

from __future__ import annotations

from db.database import Database


async def table_names(db: Database) -> list[str]:
    """The schema's tables, by name (the migration ledger included)."""
    sql = (
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        if db.is_postgres
        else "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    async with db.conn.execute(sql) as cursor:
        return sorted(str(row[0]) for row in await cursor.fetchall())


async def row_counts(db: Database) -> dict[str, int]:
    """Rows in every table (names come from the catalogue, never from input)."""
    counts: dict[str, int] = {}
    for name in await table_names(db):
        async with db.conn.execute(f'SELECT count(*) FROM "{name}"') as cursor:
            row = await cursor.fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts
