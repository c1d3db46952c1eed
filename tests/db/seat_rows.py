"""Seat rows as SQL rows again, for tests that check what an ingest stored.

The database keeps each petition's constituency table packed (db.seat_pack);
tests that compare stored rows read them through a TEMP table of the old
shape, ``constituency_counts``, filled from the packed tables by the real
decoder. It exists only in the test's own connection.
"""

from __future__ import annotations

import sqlite3

from db.seat_pack import unpack


def expand(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Create (or refresh) TEMP ``constituency_counts`` on ``conn``; returns ``conn``."""
    conn.execute("DROP TABLE IF EXISTS temp.constituency_counts")
    conn.execute(
        "CREATE TEMP TABLE constituency_counts (petition_id INTEGER, constituency_id INTEGER,"
        " rank INTEGER, signatures INTEGER, percent REAL, mp_alias_id INTEGER,"
        " PRIMARY KEY (petition_id, constituency_id))"
    )
    for petition_id, data in conn.execute("SELECT petition_id, seats FROM seat_tables").fetchall():
        table = unpack(data)
        conn.executemany(
            "INSERT INTO temp.constituency_counts VALUES (?, ?, ?, ?, ?, ?)",
            [
                (petition_id, seat, rank, count, percent, alias or None)
                for seat, rank, count, percent, alias in zip(
                    table.constituency_ids,
                    table.ranks,
                    table.counts,
                    table.percents,
                    table.mp_alias_ids,
                    strict=True,
                )
            ],
        )
    return conn


def connect(path: object) -> sqlite3.Connection:
    """A plain connection to ``path`` with the TEMP seat rows in place."""
    return expand(sqlite3.connect(str(path)))
