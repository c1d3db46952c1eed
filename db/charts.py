"""Read queries behind the charts: top seats/countries, snapshots, all seat counts.

Each returns small typed records. Seats are returned with their folded name
(``name_key``) and ONS code when known, because Markdown-sourced rows have no
code and the hex map matches seats to its hexagons by folded name.
"""

from __future__ import annotations

from core.charts.types import ChartCountry, ChartPetition, ChartSeat
from core.common.times import utc_datetime
from db.database import Database
from db.dialect import not_same_as
from db.seat_tables import petition_table, seat_infos

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


async def seat_counts(db: Database, petition_id: int, limit: int | None = None) -> list[ChartSeat]:
    """Seats with signatures, most first, ties by folded name (all unless ``limit``).

    Seats absent from the petition's table have no row here: callers treat
    them as zero (the map needs every seat; the top-N never reaches them).
    """
    table = await petition_table(db, petition_id)
    if table is None:
        return []
    infos = await seat_infos(db, table.constituency_ids)
    seats = sorted(
        (
            ChartSeat(infos[seat].name, infos[seat].name_key, infos[seat].ons_code, int(count))
            for seat, count in zip(table.constituency_ids, table.counts, strict=True)
        ),
        key=lambda seat: (-seat.signatures, seat.name_key),
    )
    return seats if limit is None else seats[: max(0, limit)]


async def country_counts(
    db: Database, petition_id: int, limit: int, *, exclude: str | None = UNITED_KINGDOM
) -> list[ChartCountry]:
    """Countries by signatures, most first, leaving out ``exclude``.

    The United Kingdom is left out by default: at 95–99 % of every petition
    it would flatten every other bar to nothing.
    """
    async with db.conn.execute(
        "SELECT co.name, cc.signatures"
        " FROM country_counts AS cc JOIN countries AS co ON co.id = cc.country_id"
        f" WHERE cc.petition_id = ? AND {not_same_as(db.dialect, 'co.name', '?')}"
        " ORDER BY cc.signatures DESC, co.name LIMIT ?",
        (petition_id, exclude, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [ChartCountry(r["name"], int(r["signatures"])) for r in rows]
