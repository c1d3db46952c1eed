"""Reading and writing petitions' packed constituency tables and the seat ranking.

Two structures hold the 62 million seat counts of a full archive:

* ``seat_tables``: one row per petition, its whole table packed
  (:mod:`db.seat_pack`). Everything that reads one petition's seats reads this.
* ``seat_ranks``: (seat, signatures, petition) for rows of at least
  :data:`RANK_FLOOR` signatures, the primary key ordered for "which petitions
  did this seat sign most" and "which crossed 100 / 1,000 here". Rows below
  the floor are 99.5 % of the synthetic archive and answer none of those
  questions, so leaving them out makes the ingest write one row per petition
  plus a handful, instead of a B-tree insert per seat.

Both are written in the caller's transaction, so a petition's table and its
ranking rows land together or not at all.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from db.batch import rows_in
from db.cache import VersionedCache
from db.database import Database
from db.pg_sync import WRITER_LOCK, SyncConnection
from db.seat_pack import SeatColumns, pack, unpack

__all__ = [
    "RANK_FLOOR",
    "SeatColumns",
    "SeatInfo",
    "alias_names",
    "apply_listing_changes",
    "delete_petition",
    "delete_petition_sync",
    "listing_changes",
    "pack",
    "petition_table",
    "read_table",
    "seat_infos",
    "write_table",
]

RANK_FLOOR = 100
"""The fewest signatures a seat row needs to be in ``seat_ranks``. The lowest seat
milestone a follow alerts on (core.follows.events.SEAT_THRESHOLDS) must not be
below it; a test checks."""


@dataclass(frozen=True, slots=True)
class SeatInfo:
    """What a packed row's constituency id stands for."""

    id: int
    name: str
    name_key: str
    boundary_set: str
    ons_code: str | None
    ref_code: str | None


# ---------------------------------------------------------------- writes (sync)
def write_table(
    conn: SyncConnection, petition_id: int, columns: SeatColumns, *, new: bool = False
) -> SeatColumns | None:
    """Make ``columns`` the petition's table (in the caller's transaction).

    Returns the table it replaced (None for a new petition), so the caller can
    move the seats' listing counts by the difference (:func:`listing_changes`).
    ``new``: the caller knows the petition had no row, so there is no old table to
    read or ranking rows to delete (on PostgreSQL each is a statement of its own).
    """
    previous = None if new else read_table(conn, petition_id)
    if not new:
        conn.execute("DELETE FROM seat_ranks WHERE petition_id = ?", (petition_id,))
    conn.execute(
        "INSERT INTO seat_tables (petition_id, seat_count, seats) VALUES (?, ?, ?)"
        " ON CONFLICT (petition_id) DO UPDATE SET"
        " seat_count = excluded.seat_count, seats = excluded.seats",
        (petition_id, len(columns), pack(columns)),
    )
    ranked = [
        (seat, count, petition_id, rank, percent)
        for seat, rank, count, percent in zip(
            columns.constituency_ids,
            columns.ranks,
            columns.counts,
            columns.percents,
            strict=True,
        )
        if count >= RANK_FLOOR
    ]
    if ranked:
        conn.executemany(
            "INSERT INTO seat_ranks (constituency_id, signatures, petition_id, rank, percent)"
            " VALUES (?, ?, ?, ?, ?)",
            ranked,
        )
    return previous


def listing_changes(before: SeatColumns | None, after: SeatColumns | None) -> dict[int, int]:
    """Per seat, how the number of petitions listing it moves when ``before`` becomes
    ``after`` (either may be None: a new or a removed petition)."""
    old = set(before.constituency_ids) if before is not None else set()
    new = set(after.constituency_ids) if after is not None else set()
    return {**dict.fromkeys(new - old, 1), **dict.fromkeys(old - new, -1)}


def apply_listing_changes(conn: SyncConnection, changes: dict[int, int]) -> None:
    """Add accumulated per-seat changes to ``seat_listings`` (one statement per seat)."""
    conn.executemany(
        "INSERT INTO seat_listings (constituency_id, petitions) VALUES (?, ?)"
        " ON CONFLICT (constituency_id) DO UPDATE SET"
        " petitions = seat_listings.petitions + excluded.petitions",
        [(seat, n) for seat, n in changes.items() if n],
    )


def delete_petition_sync(conn: SyncConnection, petition_id: int) -> bool:
    """Remove a petition (its table and rank rows cascade) and its seats' listings."""
    previous = read_table(conn, petition_id)
    removed = conn.execute(
        "DELETE FROM petitions WHERE id = ? RETURNING id", (petition_id,)
    ).fetchall()
    apply_listing_changes(conn, listing_changes(previous, None))
    return bool(removed)


async def delete_petition(db: Database, petition_id: int) -> bool:
    """:func:`delete_petition_sync` on the bot's connection, in one transaction."""
    await db.conn.execute("BEGIN IMMEDIATE")
    try:
        if db.is_postgres:  # one petition-data writer at a time, as on SQLite
            await db.conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITER_LOCK,))
        previous = await petition_table(db, petition_id)
        cursor = await db.conn.execute("DELETE FROM petitions WHERE id = ?", (petition_id,))
        changes = [(s, n) for s, n in listing_changes(previous, None).items()]
        await db.conn.executemany(
            "UPDATE seat_listings SET petitions = petitions + ? WHERE constituency_id = ?",
            [(n, s) for s, n in changes],
        )
        await db.conn.execute("COMMIT")
    except BaseException:
        await db.conn.execute("ROLLBACK")
        raise
    return (cursor.rowcount or 0) > 0


def read_table(conn: SyncConnection, petition_id: int) -> SeatColumns | None:
    """The stored table of a petition (blocking; the writer's connection)."""
    row = conn.execute(
        "SELECT seats FROM seat_tables WHERE petition_id = ?", (petition_id,)
    ).fetchone()
    return unpack(row[0]) if row else None


# ---------------------------------------------------------------- reads
async def petition_table(db: Database, petition_id: int) -> SeatColumns | None:
    """A petition's seat rows in table order (None: no such petition or no table)."""
    async with db.conn.execute(
        "SELECT seats FROM seat_tables WHERE petition_id = ?", (petition_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return unpack(row[0]) if row else None


async def seat_infos(db: Database, ids: Iterable[int]) -> dict[int, SeatInfo]:
    """Names and codes of constituency ids.

    Every card reads ~620 of them, so all ~1,300 are kept in memory per
    connection and read again only when seats changed since (:mod:`db.cache`:
    an ingest or a reference load may add seats or link codes).
    """
    directory = await _SEATS.current(db)
    if not directory:
        async with db.conn.execute(
            "SELECT id, name, name_key, boundary_set, ons_code, ref_code FROM constituencies"
        ) as cursor:
            directory.update(
                (int(row[0]), SeatInfo(*tuple(row))) for row in await cursor.fetchall()
            )
    return {i: directory[i] for i in ids if i in directory}


async def alias_names(db: Database, ids: Iterable[int]) -> dict[int, str]:
    """MPs as printed, by alias id (0, a vacant seat, is never looked up).

    An alias row never changes once written, so what was read is kept per
    connection and only ids not seen yet are asked for.
    """
    known = _ALIASES.setdefault(db.conn, {})
    wanted = sorted({i for i in ids if i and i not in known})
    rows = await rows_in(db, "SELECT id, printed FROM mp_aliases WHERE id IN ({marks})", wanted)
    known.update((int(r[0]), str(r[1])) for r in rows)
    return known


_SEATS: VersionedCache[dict[int, SeatInfo]] = VersionedCache(dict)
_ALIASES: weakref.WeakKeyDictionary[Any, dict[int, str]] = weakref.WeakKeyDictionary()
