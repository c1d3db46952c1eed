"""0017: move every petition's constituency rows into its packed table, then drop
``constituency_counts`` (issue 22's layout; the tables come from 0016).

Runs in the migration's one transaction: an interrupted move leaves the old
layout whole. The rows are read in primary-key order, one petition at a time,
so memory stays at one table's worth whatever the archive size.
"""

from __future__ import annotations

import sqlite3

from db.seat_pack import SeatColumns, pack
from db.seat_tables import RANK_FLOOR


def upgrade(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT petition_id, constituency_id, rank, signatures, percent,"
        " coalesce(mp_alias_id, 0) FROM constituency_counts ORDER BY petition_id, rank"
    )
    current: int | None = None
    table: list[tuple[int, int, int, float, int]] = []
    for petition_id, *row in rows:
        if petition_id != current:
            _write(conn, current, table)
            current, table = petition_id, []
        table.append(tuple(row))
    _write(conn, current, table)
    conn.execute(
        "INSERT INTO seat_listings (constituency_id, petitions)"
        " SELECT constituency_id, count(*) FROM constituency_counts GROUP BY constituency_id"
    )
    conn.execute("DROP TABLE constituency_counts")


def _write(
    conn: sqlite3.Connection, petition_id: int | None, table: list[tuple[int, int, int, float, int]]
) -> None:
    if petition_id is None or not table:
        return
    ids, ranks, counts, percents, mps = (list(column) for column in zip(*table, strict=True))
    columns = SeatColumns(ids, ranks, counts, percents, mps)
    conn.execute(
        "INSERT INTO seat_tables (petition_id, seat_count, seats) VALUES (?, ?, ?)",
        (petition_id, len(ids), pack(columns)),
    )
    conn.executemany(
        "INSERT INTO seat_ranks (constituency_id, signatures, petition_id, rank, percent)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (seat, count, petition_id, rank, percent)
            for seat, rank, count, percent, _ in table
            if count >= RANK_FLOOR
        ],
    )
