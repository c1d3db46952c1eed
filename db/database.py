"""The bot's database handle: one aiosqlite connection plus the file path.

Opening runs the migrations first (in a worker thread, with a plain sqlite3
connection) so every part of the bot sees the current schema. Heavy writes
(ingest) use their own connection in a thread; this handle serves reads and
small writes on the event loop without blocking it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from db.connection import connect, connect_sync
from db.migrate import migrate


def migrate_file(path: str | Path, durations: dict[str, float] | None = None) -> list[str]:
    """Apply pending migrations to the database at ``path`` (blocking)."""
    conn = connect_sync(path)
    try:
        return migrate(conn, durations=durations)
    finally:
        conn.close()


@dataclass(slots=True)
class Database:
    path: Path
    conn: aiosqlite.Connection

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        await asyncio.to_thread(migrate_file, path)
        return cls(Path(path), await connect(path))

    async def close(self) -> None:
        await self.conn.close()
