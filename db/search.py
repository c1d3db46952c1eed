"""The rows the search resolver indexes: petition titles, seats and MPs.

The resolver keeps everything it matches against in memory (a few MB at 10k
petitions), so this module only has to hand over the whole set quickly.
Building 10,000 records is tens of milliseconds of Python that must not run on
the event loop, so it runs in a worker thread: on SQLite with the queries, on a
sqlite3 connection of its own; on PostgreSQL after the rows came through the
pool. Single look-ups by id (an id typed before the index was refreshed) go
through the bot's connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.petitions.types import PetitionRef
from core.places.types import ConstituencyRef, MpRef
from core.search.types import SearchData
from db.connection import connect_sync
from db.database import Database
from db.postgres import PgConnection

_PETITION_COLUMNS = "id, title, total_signatures, state, refreshed_at, deadline_at"


def _petition(row: tuple[int, str, int, str, str, str | None]) -> PetitionRef:
    deadline = datetime.fromisoformat(row[5]) if row[5] else None
    return PetitionRef(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]), deadline)


_PETITIONS_SQL = (
    f"SELECT {_PETITION_COLUMNS}, title_key FROM petitions ORDER BY total_signatures DESC, id DESC"
)
_SEATS_SQL = (
    "SELECT id, name, boundary_set, ons_code, name_key FROM constituencies"
    " ORDER BY name_key, boundary_set DESC"
)
# Sets with seats, ranked by their newest petition (sets without petitions last).
_SETS_SQL = (
    "SELECT boundary_set, newest FROM (SELECT c.boundary_set, (SELECT max(p.refreshed_at)"
    "  FROM petitions p WHERE p.boundary_set = c.boundary_set) AS newest"
    "  FROM (SELECT DISTINCT boundary_set FROM constituencies) c) s"
    " ORDER BY newest IS NULL, newest DESC, boundary_set DESC"
)
# MPs named in petition data, plus today's MPs (2024 reference) not named there: those
# get the negative of their member id (core.places.service knows them by it).
_MPS_SQL = (
    "SELECT id, name, name_key FROM mps UNION ALL"
    " SELECT -member_id, name, name_key FROM current_mps"
    " WHERE member_id IS NOT NULL AND name_key NOT IN (SELECT name_key FROM mps)"
    " ORDER BY 3, 1"
)
_QUERIES = (_PETITIONS_SQL, _SEATS_SQL, _SETS_SQL, _MPS_SQL)

Rows = Sequence[Sequence[Any]]


def search_data_from_rows(petition_rows: Rows, seats: Rows, sets: Rows, mps: Rows) -> SearchData:
    """The resolver's records from the four queries' rows (pure Python: tens of ms at 10k)."""
    return SearchData(
        petitions=[_petition(tuple(row)[:6]) for row in petition_rows],
        petition_keys=[row[6] for row in petition_rows],
        constituencies=[ConstituencyRef(r[0], r[1], r[2], r[3]) for r in seats],
        constituency_keys=[r[4] for r in seats],
        boundary_sets=[r[0] for r in sets],
        mps=[MpRef(r[0], r[1]) for r in mps],
        mp_keys=[r[2] for r in mps],
    )


def load_search_data_sync(conn: sqlite3.Connection) -> SearchData:
    """Read every petition title, seat and MP (blocking; call from a thread)."""
    rows = [conn.execute(sql).fetchall() for sql in _QUERIES]
    return search_data_from_rows(*rows)


def _load_from_path(path: str) -> SearchData:
    conn = connect_sync(path)
    try:
        return load_search_data_sync(conn)
    finally:
        conn.close()


async def load_search_data(db: Database) -> SearchData:
    """Load the resolver's data without holding the event loop for long.

    SQLite: queries and records in a worker thread, on its own connection (WAL
    sees every commit). PostgreSQL: the rows arrive through the pool, which
    waits on the network, not the loop, in one transaction so the four queries
    see the same data; the records are then built in a worker thread.
    """
    if not isinstance(db.conn, PgConnection):
        return await asyncio.to_thread(_load_from_path, str(db.path))
    async with db.conn.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        rows = [await conn.fetch(sql) for sql in _QUERIES]
    return await asyncio.to_thread(search_data_from_rows, *rows)


async def get_petition_ref(db: Database, petition_id: int) -> PetitionRef | None:
    """One petition by id, for an id the in-memory index does not know yet."""
    async with db.conn.execute(
        f"SELECT {_PETITION_COLUMNS} FROM petitions WHERE id = ?", (petition_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return _petition(tuple(row)) if row else None
