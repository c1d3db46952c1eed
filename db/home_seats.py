"""SQL for home seats (``/me``): the seat only — no postcode ever reaches this table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from core.common.times import utc_text
from core.me.types import HomeSeat
from core.places.types import ConstituencyRef
from db.database import Database
from db.dialect import same_as


async def set_home_seat(db: Database, user_id: int, seats: Sequence[HomeSeat]) -> None:
    """Replace the user's home seat with ``seats`` (one per boundary set), all at once."""
    now = utc_text(datetime.now(UTC))
    async with db.transaction():
        await db.conn.execute("DELETE FROM home_seats WHERE user_id = ?", (user_id,))
        await db.conn.executemany(
            "INSERT INTO home_seats (user_id, boundary_set, ons_code, name, name_key, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(user_id, s.boundary_set, s.ons_code, s.name, s.name_key, now) for s in seats],
        )


async def home_seats(db: Database, user_id: int) -> list[HomeSeat]:
    """The user's seat under each boundary set it is stored for, newest set first."""
    async with db.conn.execute(
        "SELECT boundary_set, ons_code, name, name_key FROM home_seats WHERE user_id = ?"
        " ORDER BY boundary_set DESC",
        (user_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [HomeSeat(r[0], r[1], r[2], r[3]) for r in rows]


async def forget(db: Database, user_id: int) -> bool:
    """Delete everything kept about the user; True when there was something."""
    cursor = await db.conn.execute("DELETE FROM home_seats WHERE user_id = ?", (user_id,))
    return (cursor.rowcount or 0) > 0


async def reference_seats_by_code(db: Database, codes: Sequence[str]) -> list[HomeSeat]:
    """The reference seats with these ONS codes, in whichever boundary set holds each."""
    if not codes:
        return []
    marks = ", ".join("?" for _ in codes)
    async with db.conn.execute(
        f"SELECT boundary_set, ons_code, name, name_key FROM seat_reference"
        f" WHERE ons_code IN ({marks}) ORDER BY boundary_set DESC",
        tuple(codes),
    ) as cursor:
        rows = await cursor.fetchall()
    return [HomeSeat(r[0], r[1], r[2], r[3]) for r in rows]


async def constituency_for(db: Database, seat: HomeSeat) -> ConstituencyRef | None:
    """The petitions' seat row for a stored seat: by reference code, else by folded name."""
    async with db.conn.execute(
        "SELECT id, name, boundary_set, ons_code FROM constituencies"
        " WHERE boundary_set = ? AND (ref_code = ? OR name_key = ?)"
        f" ORDER BY {same_as(db.dialect, 'ref_code', '?')} DESC LIMIT 1",
        (seat.boundary_set, seat.ons_code, seat.name_key, seat.ons_code),
    ) as cursor:
        row = await cursor.fetchone()
    return ConstituencyRef(row[0], row[1], row[2], row[3]) if row else None


async def reference_seat_of(db: Database, seat: ConstituencyRef) -> HomeSeat:
    """A petitions' seat row as a storable seat (its reference code when linked)."""
    async with db.conn.execute(
        "SELECT boundary_set, ref_code, name, name_key FROM constituencies WHERE id = ?",
        (seat.id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return HomeSeat(seat.boundary_set, seat.ons_code, seat.name, seat.name)
    return HomeSeat(row[0], row[1], row[2], row[3])
