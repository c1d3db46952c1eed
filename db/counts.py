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
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence

import aiosqlite

from core.common.times import utc_datetime
from core.petitions.types import (
    CountryRow,
    DebateInfo,
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
from db.dialect import no_limit
from db.petitions import summary_from_row
from db.seat_pack import seat_row
from db.seat_tables import RANK_FLOOR, alias_names, petition_table, seat_infos

# ---------------------------------------------------------------- records


# ---------------------------------------------------------------- petitions
_DETAIL_COLUMNS = (
    "id, title, url, state, total_signatures, uk_signatures, unknown_signatures, unknown_rank,"
    " refreshed_at, boundary_set, opened_at, closed_at, response_threshold_at,"
    " debate_threshold_at, government_response_at, departments, deadline_at, debate"
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
        deadline_at=utc_datetime(row["deadline_at"]),
        debate=DebateInfo.from_stored(json.loads(row["debate"]) if row["debate"] else None),
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
async def _seat_rows(
    db: Database, petition_id: int, *, limit: int | None = None, seat: int | None = None
) -> tuple[list[SeatRow], int]:
    """A petition's seat rows in table order with competition ranks among seats, and how
    many seats it lists.

    "=3": equal counts share a rank. The Unknown row is not in the packed table,
    so it never takes a seat's rank. Only the rows asked for are built (the first
    ``limit``, or the one ``seat``): a card shows 5 of ~620.
    """
    table = await petition_table(db, petition_id)
    if table is None or not len(table):
        return [], 0
    ids, ranks, counts = table.constituency_ids, list(table.ranks), list(table.counts)
    listed = len(counts)
    if len(set(ranks)) == listed and ranks == sorted(ranks):
        order: Sequence[int] = range(listed)  # the stored order is the table order
    else:
        order = sorted(range(listed), key=lambda i: (ranks[i], ids[i]))
    if seat is not None:
        at = table.position(seat)
        wanted: Sequence[int] = [] if at is None else [at]
    else:
        wanted = order if limit is None else order[: max(0, limit)]
    ascending = sorted(counts)
    shared = Counter(counts)
    infos = await seat_infos(db, [ids[i] for i in wanted])
    printed = await alias_names(db, [table.mp_alias_ids[i] for i in wanted])
    rows = []
    for i in wanted:
        count, alias = counts[i], table.mp_alias_ids[i]
        info = infos[ids[i]]
        rows.append(
            SeatRow(
                constituency_id=ids[i],
                name=info.name,
                name_key=info.name_key,
                rank=ranks[i],
                seat_rank=listed - bisect_right(ascending, count) + 1,
                signatures=count,
                percent=table.percents[i],
                mp_printed=printed.get(alias) if alias else None,
                tied=shared[count] > 1,
            )
        )
    return rows, listed


async def constituency_table(
    db: Database, petition_id: int, limit: int | None = None
) -> list[SeatRow]:
    """The petition's seats in table order (most signatures first)."""
    rows, _ = await _seat_rows(db, petition_id, limit=limit)
    return rows


async def country_table(
    db: Database, petition_id: int, limit: int | None = None
) -> list[CountryRow]:
    """The petition's countries in table order."""
    async with db.conn.execute(
        "SELECT c.name, rank() OVER by_count AS rank, cc.signatures, cc.percent,"
        " count(*) OVER (PARTITION BY cc.signatures) > 1 AS tied, cc.rank AS source_rank"
        " FROM country_counts cc JOIN countries c ON c.id = cc.country_id"
        " WHERE cc.petition_id = ? WINDOW by_count AS (ORDER BY cc.signatures DESC)"
        " ORDER BY source_rank LIMIT ?",
        (petition_id, no_limit(db.dialect) if limit is None else limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        CountryRow(r["name"], r["rank"], r["signatures"], r["percent"], bool(r["tied"]))
        for r in rows
    ]


async def _scalar(db: Database, sql: str, params: tuple[object, ...]) -> int:
    async with db.conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return int(row[0] or 0) if row else 0


async def seat_standing(
    db: Database, petition: PetitionDetail, constituency_id: int
) -> SeatStanding:
    """One seat's count, rank and MP in one petition; 0 and joint last when absent."""
    rows, seats_listed = await _seat_rows(db, petition.id, seat=constituency_id)
    seats_total = await _scalar(
        db, "SELECT count(*) FROM constituencies WHERE boundary_set = ?", (petition.boundary_set,)
    )
    seat = rows[0] if rows else None
    if seat is None:
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
        tied=seat.tied,
    )


async def seat_top_petitions(
    db: Database, constituency_id: int, limit: int = 10
) -> list[SeatPetitionRow]:
    """The petitions this seat's residents signed most (absolute signatures).

    ``seat_ranks`` answers from its primary key whenever the seat has ``limit``
    petitions of at least RANK_FLOOR signatures — every seat, in any archive of
    a few thousand petitions. Otherwise (a small archive) the rest come from
    the packed tables of the seat's boundary set, which are then few.
    """
    async with db.conn.execute(
        "SELECT petition_id, signatures, percent FROM seat_ranks WHERE constituency_id = ?"
        " ORDER BY signatures DESC, petition_id DESC LIMIT ?",
        (constituency_id, limit),
    ) as cursor:
        found = [(int(r[0]), int(r[1]), float(r[2])) for r in await cursor.fetchall()]
    if len(found) < limit:
        found = found + await _below_floor(db, constituency_id)
        found.sort(key=lambda row: (row[1], row[0]), reverse=True)
        found = found[: max(0, limit)]
    if not found:
        return []
    marks = ", ".join("?" * len(found))
    async with db.conn.execute(
        "SELECT id, title, state, total_signatures, uk_signatures FROM petitions"
        f" WHERE id IN ({marks})",
        [pid for pid, _, _ in found],
    ) as cursor:
        petitions = {int(r[0]): r for r in await cursor.fetchall()}
    return [
        SeatPetitionRow(
            petition_id=pid,
            title=petitions[pid]["title"],
            state=petitions[pid]["state"],
            total_signatures=petitions[pid]["total_signatures"],
            uk_signatures=petitions[pid]["uk_signatures"],
            signatures=signatures,
            percent=percent,
        )
        for pid, signatures, percent in found
        if pid in petitions
    ]


async def _below_floor(db: Database, constituency_id: int) -> list[tuple[int, int, float]]:
    """The seat's rows under RANK_FLOOR, read from the packed tables of its set."""
    rows: list[tuple[int, int, float]] = []
    async with db.conn.execute(
        "SELECT s.petition_id, s.seats FROM seat_tables s"
        " JOIN petitions p ON p.id = s.petition_id"
        " WHERE p.boundary_set = (SELECT boundary_set FROM constituencies WHERE id = ?)",
        (constituency_id,),
    ) as cursor:
        tables = await cursor.fetchall()  # one hop to the database thread, not one per row
    for row in tables:
        found = seat_row(row[1], constituency_id)
        if found is not None and found[0] < RANK_FLOOR:
            rows.append((int(row[0]), *found))
    return rows


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
_LEADERBOARD_COLUMNS = (
    "id, title, url, state, total_signatures, uk_signatures, refreshed_at, boundary_set,"
    " deadline_at"
)


async def _ranked(
    db: Database, where: str, params: tuple[object, ...], limit: int
) -> list[aiosqlite.Row]:
    sql = (
        f"SELECT {_LEADERBOARD_COLUMNS} FROM petitions{where}"
        " ORDER BY total_signatures DESC, id DESC LIMIT ?"
    )
    async with db.conn.execute(sql, (*params, limit)) as cursor:
        return list(await cursor.fetchall())


async def leaderboard(
    db: Database, state: str | None = None, limit: int = 100, *, now: str = ""
) -> list[PetitionSummary]:
    """Petitions by signatures, optionally of one state as of ``now`` (ISO text).

    Each query walks ``petitions_by_state`` (or ``petitions_for_search``) in order
    and stops at ``limit``. "Closed" is two such walks merged here — stored as
    closed, and stored as open past the deadline — because one ``OR`` across two
    states made the database sort every closed petition first.
    """
    if state is None:
        rows = await _ranked(db, "", (), limit)
    elif state == "closed":
        stored = await _ranked(db, " WHERE state = 'closed'", (), limit)
        # ``|| ''`` keeps the planner off the deadline index: that range is every lapsed
        # petition, sorted in full; walking open ones by signatures stops at ``limit``.
        past = " WHERE state = 'open' AND deadline_at || '' <= ?"
        lapsed = await _ranked(db, past, (now,), limit)
        rows = sorted(
            stored + lapsed, key=lambda r: (r["total_signatures"], r["id"]), reverse=True
        )[:limit]
    elif state == "open":
        still = " WHERE state = 'open' AND (deadline_at IS NULL OR deadline_at > ?)"
        rows = await _ranked(db, still, (now,), limit)
    else:
        rows = await _ranked(db, " WHERE state = ?", (state,), limit)
    return [summary_from_row(row) for row in rows]


async def count_by_state(db: Database, state: str | None = None, *, now: str = "") -> int:
    """How many petitions are in ``state`` as of ``now``: the stored totals kept by
    triggers (``archive_totals``), moved by the few open petitions past their deadline
    (an index range), instead of counting 68,000 closed rows per call."""
    if state is None:
        return await _total(db, "petitions")
    if state not in ("open", "closed"):
        return await _total(db, f"state:{state}")
    lapsed = await _scalar(
        db, "SELECT count(*) FROM petitions WHERE state = 'open' AND deadline_at <= ?", (now,)
    )
    if state == "open":
        return await _total(db, "state:open") - lapsed
    return await _total(db, "state:closed") + lapsed


async def _total(db: Database, name: str) -> int:
    return await _scalar(
        db, "SELECT coalesce(max(value), 0) FROM archive_totals WHERE name = ?", (name,)
    )


async def freshness(db: Database) -> Freshness:
    """Petition count per state and the newest/oldest refresh, for /about.

    Counted by triggers (``archive_totals``) and found by index seeks (one
    min and one max per state on ``petitions_by_state_refreshed``): /about
    costs the same at 100,000 petitions as at 100.
    """
    async with db.conn.execute(
        "SELECT substr(name, 7), value FROM archive_totals"
        " WHERE name LIKE 'state:%' AND value > 0 ORDER BY value DESC, name"
    ) as cursor:
        by_state = {str(r[0]): int(r[1]) for r in await cursor.fetchall()}
    newest: list[str] = []
    oldest: list[str] = []
    for state in by_state:
        async with db.conn.execute(
            "SELECT (SELECT max(refreshed_at) FROM petitions WHERE state = ?),"
            " (SELECT min(refreshed_at) FROM petitions WHERE state = ?)",
            (state, state),
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None and row[0] is not None:
            newest.append(row[0])
            oldest.append(row[1])
    async with db.conn.execute("SELECT max(at) FROM ingest_log") as cursor:
        last = await cursor.fetchone()
    return Freshness(
        petitions=sum(by_state.values()),
        newest_refresh=utc_datetime(max(newest, default=None)),
        oldest_refresh=utc_datetime(min(oldest, default=None)),
        last_ingest_at=utc_datetime(last[0]) if last else None,
        by_state=by_state,
    )
