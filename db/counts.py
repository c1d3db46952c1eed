"""Read queries behind the user-facing commands: petition detail, tables, seats, MPs.

Every query here is answered from an index (petition id, seat id, MP id or
``petitions_by_state``), so each command costs a handful of millisecond-scale
look-ups whatever the archive size. Rows never leave this module: callers get
the typed records defined below.

Two conventions of the source data are settled here, once:

* The constituency table's ``rank`` counts the ``Unknown`` row (signatures
  without a seat) like a seat. :attr:`SeatRow.seat_rank` is the rank among
  real seats only, which is what "rank among seats" means to a reader.
* A seat with no signatures is simply absent from a petition's table. Its
  count is 0 and it ranks joint last: after every listed seat.
"""

from __future__ import annotations

import json

import aiosqlite

from core.common.times import utc_datetime
from core.petitions.types import (
    CountryRow,
    Freshness,
    HistoryRecord,
    PetitionDetail,
    PetitionSummary,
    ResponseRecord,
    SeatRow,
    SnapshotRecord,
)
from core.places.types import (
    ConstituencyRef,
    MpRef,
    MpSeat,
    SeatHolder,
    SeatPetitionRow,
    SeatStanding,
)
from db.database import Database
from db.petitions import summary_from_row

# ---------------------------------------------------------------- records


# ---------------------------------------------------------------- petitions
_DETAIL_COLUMNS = (
    "id, title, url, state, total_signatures, uk_signatures, unknown_signatures, unknown_rank,"
    " refreshed_at, boundary_set, opened_at, closed_at, response_threshold_at,"
    " debate_threshold_at, government_response_at, departments"
)


def _detail(row: aiosqlite.Row) -> PetitionDetail:
    return PetitionDetail(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        state=row["state"],
        total_signatures=row["total_signatures"],
        uk_signatures=row["uk_signatures"],
        unknown_signatures=row["unknown_signatures"],
        unknown_rank=row["unknown_rank"],
        refreshed_at=utc_datetime(row["refreshed_at"]),
        boundary_set=row["boundary_set"],
        opened_at=utc_datetime(row["opened_at"]),
        closed_at=utc_datetime(row["closed_at"]),
        response_threshold_at=utc_datetime(row["response_threshold_at"]),
        debate_threshold_at=utc_datetime(row["debate_threshold_at"]),
        government_response_at=utc_datetime(row["government_response_at"]),
        departments=tuple(json.loads(row["departments"] or "[]")),
    )


async def get_petition(db: Database, petition_id: int) -> PetitionDetail | None:
    async with db.conn.execute(
        f"SELECT {_DETAIL_COLUMNS} FROM petitions WHERE id = ?", (petition_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return _detail(row) if row else None


async def get_response(db: Database, petition_id: int) -> ResponseRecord | None:
    async with db.conn.execute(
        "SELECT summary, details, department, responded_at FROM government_responses"
        " WHERE petition_id = ?",
        (petition_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return ResponseRecord(
        row["summary"], row["details"], row["department"], utc_datetime(row["responded_at"])
    )


async def history(db: Database, petition_id: int) -> list[HistoryRecord]:
    """The petition's dated events, oldest first."""
    async with db.conn.execute(
        "SELECT event, occurred_at FROM history_events WHERE petition_id = ?"
        " ORDER BY occurred_at, event",
        (petition_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [HistoryRecord(row["event"], utc_datetime(row["occurred_at"])) for row in rows]


async def snapshots(db: Database, petition_id: int) -> list[SnapshotRecord]:
    """Every refresh we ingested, oldest first."""
    async with db.conn.execute(
        "SELECT refreshed_at, total_signatures, uk_signatures FROM snapshots"
        " WHERE petition_id = ? ORDER BY refreshed_at",
        (petition_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        SnapshotRecord(utc_datetime(r["refreshed_at"]), r["total_signatures"], r["uk_signatures"])
        for r in rows
    ]


# ---------------------------------------------------------------- tables
_SEAT_SELECT = """
    SELECT cc.constituency_id, c.name, c.name_key, cc.rank, cc.signatures, cc.percent,
           a.printed AS mp_printed,
           cc.rank - (p.unknown_rank IS NOT NULL AND p.unknown_rank < cc.rank) AS seat_rank
    FROM constituency_counts cc
    JOIN constituencies c ON c.id = cc.constituency_id
    JOIN petitions p ON p.id = cc.petition_id
    LEFT JOIN mp_aliases a ON a.id = cc.mp_alias_id
"""


def _seat_row(row: aiosqlite.Row) -> SeatRow:
    return SeatRow(
        constituency_id=row["constituency_id"],
        name=row["name"],
        name_key=row["name_key"],
        rank=row["rank"],
        seat_rank=row["seat_rank"],
        signatures=row["signatures"],
        percent=row["percent"],
        mp_printed=row["mp_printed"],
    )


async def constituency_table(
    db: Database, petition_id: int, limit: int | None = None
) -> list[SeatRow]:
    """The petition's seats in table order (most signatures first)."""
    async with db.conn.execute(
        _SEAT_SELECT + " WHERE cc.petition_id = ? ORDER BY cc.rank LIMIT ?",
        (petition_id, -1 if limit is None else limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [_seat_row(row) for row in rows]


async def country_table(
    db: Database, petition_id: int, limit: int | None = None
) -> list[CountryRow]:
    """The petition's countries in table order."""
    async with db.conn.execute(
        "SELECT c.name, cc.rank, cc.signatures, cc.percent FROM country_counts cc"
        " JOIN countries c ON c.id = cc.country_id"
        " WHERE cc.petition_id = ? ORDER BY cc.rank LIMIT ?",
        (petition_id, -1 if limit is None else limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [CountryRow(r["name"], r["rank"], r["signatures"], r["percent"]) for r in rows]


async def _scalar(db: Database, sql: str, params: tuple[object, ...]) -> int:
    async with db.conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return int(row[0] or 0) if row else 0


async def seat_standing(
    db: Database, petition: PetitionDetail, constituency_id: int
) -> SeatStanding:
    """One seat's count, rank and MP in one petition; 0 and joint last when absent."""
    seats_listed = await _scalar(
        db, "SELECT count(*) FROM constituency_counts WHERE petition_id = ?", (petition.id,)
    )
    seats_total = await _scalar(
        db, "SELECT count(*) FROM constituencies WHERE boundary_set = ?", (petition.boundary_set,)
    )
    async with db.conn.execute(
        _SEAT_SELECT + " WHERE cc.petition_id = ? AND cc.constituency_id = ?",
        (petition.id, constituency_id),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return SeatStanding(
            petition_id=petition.id,
            constituency_id=constituency_id,
            listed=False,
            signatures=0,
            percent=None,
            seat_rank=seats_listed + 1,
            seats_listed=seats_listed,
            seats_total=max(seats_total, seats_listed + 1),
            mp_printed=None,
        )
    seat = _seat_row(row)
    return SeatStanding(
        petition_id=petition.id,
        constituency_id=constituency_id,
        listed=True,
        signatures=seat.signatures,
        percent=seat.percent,
        seat_rank=seat.seat_rank,
        seats_listed=seats_listed,
        seats_total=max(seats_total, seats_listed),
        mp_printed=seat.mp_printed,
    )


async def seat_top_petitions(
    db: Database, constituency_id: int, limit: int = 10
) -> list[SeatPetitionRow]:
    """The petitions this seat's residents signed most (absolute signatures)."""
    async with db.conn.execute(
        "SELECT p.id, p.title, p.state, p.total_signatures, p.uk_signatures,"
        " cc.signatures, cc.percent"
        " FROM constituency_counts cc JOIN petitions p ON p.id = cc.petition_id"
        " WHERE cc.constituency_id = ? ORDER BY cc.signatures DESC, p.id DESC LIMIT ?",
        (constituency_id, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [SeatPetitionRow(*tuple(row)) for row in rows]


# ---------------------------------------------------------------- seats and MPs
async def seat_holders(db: Database, constituency_id: int) -> list[SeatHolder]:
    """MPs seen holding the seat, most recently seen first."""
    async with db.conn.execute(
        "SELECT m.id, m.name, s.first_seen_at, s.last_seen_at FROM seat_mps s"
        " JOIN mps m ON m.id = s.mp_id WHERE s.constituency_id = ?"
        " ORDER BY s.last_seen_at DESC, s.first_seen_at DESC",
        (constituency_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        SeatHolder(
            MpRef(r[0], r[1]), utc_datetime(r["first_seen_at"]), utc_datetime(r["last_seen_at"])
        )
        for r in rows
    ]


async def mp_seats(db: Database, mp_id: int) -> list[MpSeat]:
    """Seats the MP was seen holding, most recently seen first."""
    async with db.conn.execute(
        "SELECT c.id, c.name, c.boundary_set, c.ons_code, s.first_seen_at, s.last_seen_at"
        " FROM seat_mps s JOIN constituencies c ON c.id = s.constituency_id"
        " WHERE s.mp_id = ? ORDER BY s.last_seen_at DESC, c.boundary_set DESC",
        (mp_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        MpSeat(
            ConstituencyRef(r["id"], r["name"], r["boundary_set"], r["ons_code"]),
            utc_datetime(r["first_seen_at"]),
            utc_datetime(r["last_seen_at"]),
        )
        for r in rows
    ]


async def seat_in_set(db: Database, name_key: str, boundary_set: str) -> ConstituencyRef | None:
    """The seat of this (folded) name in another boundary set, if there is one."""
    async with db.conn.execute(
        "SELECT id, name, boundary_set, ons_code FROM constituencies"
        " WHERE boundary_set = ? AND name_key = ?",
        (boundary_set, name_key),
    ) as cursor:
        row = await cursor.fetchone()
    return ConstituencyRef(row[0], row[1], row[2], row[3]) if row else None


async def seat_key(db: Database, constituency_id: int) -> str | None:
    async with db.conn.execute(
        "SELECT name_key FROM constituencies WHERE id = ?", (constituency_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else None


# ---------------------------------------------------------------- leaderboard and about
async def leaderboard(
    db: Database, state: str | None = None, limit: int = 100
) -> list[PetitionSummary]:
    """Petitions by signatures, optionally of one state (index-ordered, no sort)."""
    columns = "id, title, url, state, total_signatures, uk_signatures, refreshed_at, boundary_set"
    if state is None:
        sql = f"SELECT {columns} FROM petitions ORDER BY total_signatures DESC, id DESC LIMIT ?"
        params: tuple[object, ...] = (limit,)
    else:
        sql = (
            f"SELECT {columns} FROM petitions WHERE state = ?"
            " ORDER BY total_signatures DESC, id DESC LIMIT ?"
        )
        params = (state, limit)
    async with db.conn.execute(sql, params) as cursor:
        rows = await cursor.fetchall()
    return [summary_from_row(row) for row in rows]


async def count_by_state(db: Database, state: str | None = None) -> int:
    if state is None:
        return await _scalar(db, "SELECT count(*) FROM petitions", ())
    return await _scalar(db, "SELECT count(*) FROM petitions WHERE state = ?", (state,))


async def freshness(db: Database) -> Freshness:
    """Petition count per state and the newest/oldest refresh, for /about."""
    async with db.conn.execute(
        "SELECT state, count(*), max(refreshed_at), min(refreshed_at) FROM petitions"
        " GROUP BY state ORDER BY count(*) DESC, state"
    ) as cursor:
        rows = await cursor.fetchall()
    async with db.conn.execute("SELECT max(at) FROM ingest_log") as cursor:
        last = await cursor.fetchone()
    newest = max((r[2] for r in rows), default=None)
    oldest = min((r[3] for r in rows), default=None)
    return Freshness(
        petitions=sum(int(r[1]) for r in rows),
        newest_refresh=utc_datetime(newest),
        oldest_refresh=utc_datetime(oldest),
        last_ingest_at=utc_datetime(last[0]) if last else None,
        by_state={str(r[0]): int(r[1]) for r in rows},
    )
