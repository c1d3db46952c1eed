"""Read queries behind the charts: top seats/countries, snapshots, all seat counts.

Each returns small typed records. Seats are returned with their folded name
(``name_key``) and ONS code when known, because Markdown-sourced rows have no
code and the hex map matches seats to its hexagons by folded name.
"""

from __future__ import annotations

from core.charts.types import ChartCountry, ChartPetition, ChartSeat
from core.common.times import utc_datetime
from db.database import Database

UNITED_KINGDOM = "United Kingdom"


async def chart_petition(db: Database, petition_id: int) -> ChartPetition | None:
    """The petition's current state, or None when it is not stored."""
    async with db.conn.execute(
        "SELECT id, title, url, total_signatures, uk_signatures, refreshed_at, boundary_set,"
        " content_hash, deadline_at FROM petitions WHERE id = ?",
        (petition_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    refreshed = utc_datetime(row["refreshed_at"])
    return ChartPetition(
        id=int(row["id"]),
        title=row["title"],
        url=row["url"],
        total_signatures=int(row["total_signatures"]),
        uk_signatures=row["uk_signatures"],
        refreshed_at=refreshed,
        boundary_set=row["boundary_set"],
        content_hash=row["content_hash"],
        deadline_at=utc_datetime(row["deadline_at"]),
    )


_SEATS_SQL = """
    SELECT c.name, c.name_key, c.ons_code, cc.signatures
    FROM constituency_counts AS cc
    JOIN constituencies AS c ON c.id = cc.constituency_id
    WHERE cc.petition_id = ?
    ORDER BY cc.signatures DESC, c.name_key
"""


async def seat_counts(db: Database, petition_id: int, limit: int | None = None) -> list[ChartSeat]:
    """Seats with signatures, most first (all of them unless ``limit``).

    Seats absent from the petition's table have no row here: callers treat
    them as zero (the map needs every seat; the top-N never reaches them).
    """
    sql = _SEATS_SQL + (" LIMIT ?" if limit is not None else "")
    params: tuple[int, ...] = (petition_id,) if limit is None else (petition_id, limit)
    async with db.conn.execute(sql, params) as cursor:
        rows = await cursor.fetchall()
    return [ChartSeat(r["name"], r["name_key"], r["ons_code"], int(r["signatures"])) for r in rows]


async def country_counts(
    db: Database, petition_id: int, limit: int, *, exclude: str | None = UNITED_KINGDOM
) -> list[ChartCountry]:
    """Countries by signatures, most first, leaving out ``exclude``.

    The United Kingdom is left out by default: at 95–99 % of every petition
    it would flatten every other bar to nothing.
    """
    async with db.conn.execute(
        """
        SELECT co.name, cc.signatures
        FROM country_counts AS cc
        JOIN countries AS co ON co.id = cc.country_id
        WHERE cc.petition_id = ? AND co.name IS NOT ?
        ORDER BY cc.signatures DESC, co.name
        LIMIT ?
        """,
        (petition_id, exclude, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [ChartCountry(r["name"], int(r["signatures"])) for r in rows]
