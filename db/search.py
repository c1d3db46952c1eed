"""The rows the search resolver indexes: petition titles, seats and MPs.

The resolver keeps everything it matches against in memory (a few MB at 10k
petitions), so this module only has to hand over the whole set quickly. The
bulk load runs in a worker thread with its own sqlite3 connection: building
10,000 records is tens of milliseconds of Python that must not run on the
event loop. Single look-ups by id (an id typed before the index was
refreshed) go through the bot's aiosqlite connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime

from core.petitions.types import PetitionRef
from core.places.types import ConstituencyRef, MpRef
from core.search.types import SearchData
from db.connection import connect_sync
from db.database import Database

_PETITION_COLUMNS = "id, title, total_signatures, state, refreshed_at, deadline_at"


def _petition(row: tuple[int, str, int, str, str, str | None]) -> PetitionRef:
    deadline = datetime.fromisoformat(row[5]) if row[5] else None
    return PetitionRef(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]), deadline)


def load_search_data_sync(conn: sqlite3.Connection) -> SearchData:
    """Read every petition title, seat and MP (blocking; call from a thread)."""
    rows = conn.execute(
        f"SELECT {_PETITION_COLUMNS}, title_key FROM petitions"
        " ORDER BY total_signatures DESC, id DESC"
    ).fetchall()
    petitions = [_petition(row[:6]) for row in rows]
    petition_keys = [row[6] for row in rows]
    seats = conn.execute(
        "SELECT id, name, boundary_set, ons_code, name_key FROM constituencies"
        " ORDER BY name_key, boundary_set DESC"
    ).fetchall()
    # Sets with seats, ranked by their newest petition (sets without petitions last).
    sets = conn.execute(
        "SELECT c.boundary_set, (SELECT max(p.refreshed_at) FROM petitions p"
        "  WHERE p.boundary_set = c.boundary_set) AS newest"
        " FROM (SELECT DISTINCT boundary_set FROM constituencies) c"
        " ORDER BY newest IS NULL, newest DESC, c.boundary_set DESC"
    ).fetchall()
    # MPs named in petition data, plus today's MPs (2024 reference) not named there: those
    # get the negative of their member id (core.places.service knows them by it).
    mps = conn.execute(
        "SELECT id, name, name_key FROM mps UNION ALL"
        " SELECT -member_id, name, name_key FROM current_mps"
        " WHERE member_id IS NOT NULL AND name_key NOT IN (SELECT name_key FROM mps)"
        " ORDER BY 3"
    ).fetchall()
    return SearchData(
        petitions=petitions,
        petition_keys=petition_keys,
        constituencies=[ConstituencyRef(r[0], r[1], r[2], r[3]) for r in seats],
        constituency_keys=[r[4] for r in seats],
        boundary_sets=[r[0] for r in sets],
        mps=[MpRef(r[0], r[1]) for r in mps],
        mp_keys=[r[2] for r in mps],
    )


def _load_from_path(path: str) -> SearchData:
    conn = connect_sync(path)
    try:
        return load_search_data_sync(conn)
    finally:
        conn.close()


async def load_search_data(db: Database) -> SearchData:
    """Load the resolver's data in a worker thread (own connection; WAL sees commits)."""
    return await asyncio.to_thread(_load_from_path, str(db.path))


async def get_petition_ref(db: Database, petition_id: int) -> PetitionRef | None:
    """One petition by id, for an id the in-memory index does not know yet."""
    async with db.conn.execute(
        f"SELECT {_PETITION_COLUMNS} FROM petitions WHERE id = ?", (petition_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return _petition(tuple(row)) if row else None
