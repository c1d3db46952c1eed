"""SQL for follows: the follows, their alert ledger, instance heartbeats and seat counts seen.

The ledger's primary key (follow, event key) is the exactly-once guarantee: an
event is inserted once, claimed by one live instance before it is sent, and
marked sent with the message id. Claims of an instance whose heartbeat went
stale are taken over (the process died); claims of a live one are not.
"""

from __future__ import annotations

import json
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from core.common.shards import ShardPlan
from core.common.times import utc_datetime, utc_text
from core.follows.types import Alert, Follow, Kind, PetitionState, SeatCrossing
from db.batch import CHUNK, rows_in
from db.database import Database, Row
from db.dialect import greatest
from db.seat_pack import unpack
from db.seat_tables import RANK_FLOOR

WATERMARK_KEY = "follows_through"


def _follow(row: Row) -> Follow:
    return Follow(
        id=row["id"],
        kind=row["kind"],
        target=row["target"],
        label=row["label"],
        user_id=row["user_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        created_at=utc_datetime(row["created_at"]),
        milestones=tuple(int(m) for m in json.loads(row["milestones"])),
        status=row["status"],
        paused_reason=row["paused_reason"],
        last_alert_at=utc_datetime(row["last_alert_at"]),
    )


# ---------------------------------------------------------------- follows
async def add_follow(
    db: Database,
    *,
    kind: Kind,
    target: str,
    label: str,
    user_id: int,
    guild_id: int | None,
    channel_id: int | None,
    milestones: Sequence[int],
    now: datetime,
) -> Follow:
    async with db.conn.execute(
        "INSERT INTO follows (kind, target, label, milestones, user_id, guild_id, channel_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            kind,
            target,
            label,
            json.dumps(sorted(milestones)),
            user_id,
            guild_id,
            channel_id,
            utc_text(now),
        ),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    follow = await get_follow(db, int(row[0]))
    assert follow is not None
    return follow


async def get_follow(db: Database, follow_id: int) -> Follow | None:
    async with db.conn.execute("SELECT * FROM follows WHERE id = ?", (follow_id,)) as cursor:
        row = await cursor.fetchone()
    return _follow(row) if row else None


async def find_same(
    db: Database, kind: Kind, target: str, user_id: int, channel_id: int | None
) -> Follow | None:
    """The same follow to the same place, if it exists (so it is not made twice)."""
    if channel_id is None:
        sql = "SELECT * FROM follows WHERE kind = ? AND target = ? AND user_id = ?"
        sql += " AND channel_id IS NULL"
        args: tuple[Any, ...] = (kind, target, user_id)
    else:
        sql = "SELECT * FROM follows WHERE kind = ? AND target = ? AND channel_id = ?"
        args = (kind, target, channel_id)
    async with db.conn.execute(sql, args) as cursor:
        row = await cursor.fetchone()
    return _follow(row) if row else None


async def count_dm_follows(db: Database, user_id: int) -> int:
    async with db.conn.execute(
        "SELECT count(*) FROM follows WHERE user_id = ? AND channel_id IS NULL", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def count_server_follows(db: Database, guild_id: int) -> int:
    async with db.conn.execute(
        "SELECT count(*) FROM follows WHERE guild_id = ? AND channel_id IS NOT NULL", (guild_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def visible_follows(db: Database, user_id: int, guild_id: int | None) -> list[Follow]:
    """The user's DM follows and, in a server, that server's channel follows."""
    async with db.conn.execute(
        "SELECT * FROM follows WHERE (user_id = ? AND channel_id IS NULL)"
        " OR (guild_id = ? AND channel_id IS NOT NULL) ORDER BY id",
        (user_id, guild_id if guild_id is not None else -1),
    ) as cursor:
        rows = await cursor.fetchall()
    return [_follow(row) for row in rows]


async def active_follows(db: Database) -> list[Follow]:
    async with db.conn.execute("SELECT * FROM follows WHERE status = 'active'") as cursor:
        rows = await cursor.fetchall()
    return [_follow(row) for row in rows]


async def delete_follow(db: Database, follow_id: int) -> bool:
    await db.conn.execute("DELETE FROM follow_alerts WHERE follow_id = ?", (follow_id,))
    cursor = await db.conn.execute("DELETE FROM follows WHERE id = ?", (follow_id,))
    return cursor.rowcount == 1


async def pause_follows(db: Database, follow_ids: Iterable[int], reason: str) -> list[int]:
    """Pause the active ones among ``follow_ids`` with ``reason``; returns those paused."""
    paused: list[int] = []
    for follow_id in follow_ids:
        cursor = await db.conn.execute(
            "UPDATE follows SET status = 'paused', paused_reason = ?"
            " WHERE id = ? AND status = 'active'",
            (reason, follow_id),
        )
        if cursor.rowcount:
            paused.append(follow_id)
    return paused


# ---------------------------------------------------------------- petition state
_STATE_COLUMNS = """
    p.id, p.title, p.url, p.state, p.total_signatures, p.closed_at, p.debate,
    p.first_seen_at, p.updated_at, r.petition_id IS NOT NULL AS has_response
"""


_DEADLINE_COLUMN: weakref.WeakKeyDictionary[object, bool] = weakref.WeakKeyDictionary()


async def _state_columns(db: Database) -> str:
    """The state columns, with ``deadline_at`` once the schema has it (issue 15's 0008).

    Closing-soon events need the deadline; until that migration is applied the
    rules simply see no deadline (looked up once per connection). PostgreSQL's
    schema has had it from its first migration.
    """
    if db.is_postgres:
        return _STATE_COLUMNS + ", p.deadline_at"
    key = db.conn
    if key not in _DEADLINE_COLUMN:
        async with db.conn.execute(
            "SELECT 1 FROM pragma_table_info('petitions') WHERE name = 'deadline_at'"
        ) as cursor:
            _DEADLINE_COLUMN[key] = await cursor.fetchone() is not None
    return _STATE_COLUMNS + (", p.deadline_at" if _DEADLINE_COLUMN[key] else "")


def _state(row: Row) -> PetitionState:
    debate = json.loads(row["debate"]) if row["debate"] else {}
    keys = row.keys()
    deadline = utc_datetime(row["deadline_at"]) if "deadline_at" in keys else None
    return PetitionState(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        state=row["state"],
        total_signatures=row["total_signatures"],
        has_response=bool(row["has_response"]),
        debate_scheduled_for=debate.get("scheduled_debate_date"),
        debated_on=debate.get("debated_on") or debate.get("debate_outcome_at"),
        deadline=deadline,
        closed_at=utc_datetime(row["closed_at"]),
        first_seen_at=utc_datetime(row["first_seen_at"]),
        updated_at=utc_datetime(row["updated_at"]),
    )


async def petition_states(db: Database, ids: Iterable[int]) -> dict[int, PetitionState]:
    rows = await rows_in(
        db,
        f"SELECT {await _state_columns(db)} FROM petitions p"
        " LEFT JOIN government_responses r ON r.petition_id = p.id WHERE p.id IN ({marks})",
        sorted(set(ids)),
    )
    return {row["id"]: _state(row) for row in rows}


async def touched_since(db: Database, since: str | None) -> dict[int, PetitionState]:
    """Petitions an ingest changed at or after ``since`` (all of them when None)."""
    async with db.conn.execute(
        f"SELECT {await _state_columns(db)} FROM petitions p"
        " LEFT JOIN government_responses r ON r.petition_id = p.id"
        " WHERE p.updated_at >= ?",
        (since or "",),
    ) as cursor:
        rows = await cursor.fetchall()
    return {row["id"]: _state(row) for row in rows}


async def petition_texts(db: Database, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(title, background + details) of petitions, for keyword matching."""
    rows = await rows_in(
        db,
        "SELECT id, title, background, additional_details FROM petitions WHERE id IN ({marks})",
        sorted(set(ids)),
    )
    return {row[0]: (row[1], f"{row[2]} {row[3] or ''}") for row in rows}


async def get_watermark(db: Database) -> str | None:
    async with db.conn.execute(
        "SELECT value FROM bot_meta WHERE key = ?", (WATERMARK_KEY,)
    ) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else None


async def set_watermark(db: Database, value: str) -> None:
    await db.conn.execute(
        "INSERT INTO bot_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
        f" SET value = {greatest(db.dialect, 'bot_meta.value', 'excluded.value')}",
        (WATERMARK_KEY, value),
    )


async def latest_update(db: Database) -> str | None:
    async with db.conn.execute("SELECT max(updated_at) FROM petitions") as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row and row[0] is not None else None


# ---------------------------------------------------------------- seats
async def seat_names(db: Database, name_keys: Iterable[str]) -> dict[str, str]:
    rows = await rows_in(
        db,
        "SELECT name_key, name FROM constituencies WHERE name_key IN ({marks})",
        sorted(set(name_keys)),
    )
    return {row[0]: row[1] for row in rows}


async def mp_seat_keys(db: Database, mp_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each MP's seats (folded names), latest first."""
    seats: dict[int, list[str]] = defaultdict(list)
    rows = await rows_in(
        db,
        "SELECT sm.mp_id, c.name_key FROM seat_mps sm"
        " JOIN constituencies c ON c.id = sm.constituency_id"
        " WHERE sm.mp_id IN ({marks}) ORDER BY sm.last_seen_at DESC, c.boundary_set DESC",
        sorted(set(mp_ids)),
    )
    for mp_id, key in rows:
        if key not in seats[mp_id]:
            seats[mp_id].append(key)
    return dict(seats)


async def _seats_by_key(db: Database, seat_keys: Iterable[str]) -> dict[int, tuple[str, str]]:
    """Constituency id -> (folded name, name) for folded seat names (both boundary sets)."""
    rows = await rows_in(
        db,
        "SELECT id, name_key, name FROM constituencies WHERE name_key IN ({marks})",
        sorted(set(seat_keys)),
    )
    return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}


async def seed_seat(db: Database, seat_key: str) -> None:
    """Remember a newly followed seat's current counts, so only later crossings alert.

    Only counts of at least RANK_FLOOR (the lowest milestone) are written, from
    ``seat_ranks``: a petition known with no row here was below every milestone,
    which :func:`seat_crossings` reads as 0 (see there).
    """
    seats = await _seats_by_key(db, [seat_key])
    if not seats:
        return
    marks = ", ".join("?" * len(seats))
    await db.conn.execute(
        "INSERT INTO follow_seat_seen (seat_key, petition_id, signatures)"
        " SELECT CAST(? AS TEXT), petition_id, max(signatures) FROM seat_ranks"
        f" WHERE constituency_id IN ({marks}) GROUP BY petition_id ON CONFLICT DO NOTHING",
        (seat_key, *seats),
    )


async def _seen(db: Database, pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """Last seen counts of (seat key, petition) pairs that have one."""
    rows = await rows_in(
        db,
        "SELECT seat_key, petition_id, signatures FROM follow_seat_seen WHERE {marks}",
        sorted(set(pairs)),
        mark="(seat_key = ? AND petition_id = ?)",
        joiner=" OR ",
        size=CHUNK // 2,
    )
    return {(str(r[0]), int(r[1])): int(r[2]) for r in rows}


async def _new_petition_rows(
    db: Database, seats: dict[int, tuple[str, str]], since: str | None
) -> list[tuple[int, int, int, int]]:
    """(seat id, petition, signatures, rank) of followed seats in petitions new since ``since``.

    Read from the new petitions' packed tables: cost follows what the ingest
    added, not the archive.
    """
    rows: list[tuple[int, int, int, int]] = []
    async with db.conn.execute(
        "SELECT s.petition_id, s.seats FROM petitions p JOIN seat_tables s ON s.petition_id = p.id"
        " WHERE p.first_seen_at >= ? AND p.updated_at >= ?",
        (since or "", since or ""),
    ) as cursor:
        async for row in cursor:
            table = unpack(row[1])
            for at, seat in enumerate(table.constituency_ids):
                if seat in seats:
                    rows.append((seat, int(row[0]), int(table.counts[at]), int(table.ranks[at])))
    return rows


async def seat_crossings(
    db: Database,
    seat_keys: Iterable[str],
    since: str | None,
    *,
    thresholds: Sequence[int],
    top: int,
) -> list[SeatCrossing]:
    """Candidate seat events in petitions changed since ``since``.

    Two kinds come back: rows that crossed one of ``thresholds`` since last seen
    (found in ``seat_ranks``, which holds every count at or above the lowest
    threshold), and rows in the ``top`` ranks of a petition first seen in the
    window (from those petitions' packed tables). A petition known before the
    window with no seen row for the seat was below RANK_FLOOR when last looked
    at (:func:`seed_seat` writes only rows above it), so its "before" is 0; a
    petition new in the window has none, and only its top ranks are news.
    """
    if min(thresholds, default=RANK_FLOOR) < RANK_FLOOR:
        raise ValueError(f"seat milestones below {RANK_FLOOR} are not indexed")
    seats = await _seats_by_key(db, seat_keys)
    if not seats:
        return []
    ids = sorted(seats)
    rows = await rows_in(
        db,
        "SELECT r.constituency_id, r.petition_id, r.signatures, r.rank,"
        " p.first_seen_at >= ? AS new FROM seat_ranks r"
        " JOIN petitions p ON p.id = r.petition_id"
        " WHERE r.constituency_id IN ({marks}) AND r.signatures >= ? AND p.updated_at >= ?",
        ids,
        before=(since or "",),
        after=(min(thresholds, default=RANK_FLOOR), since or ""),
    )
    candidates: dict[tuple[int, int], tuple[int, int, bool]] = {  # (seat, pid) -> row
        (int(r[0]), int(r[1])): (int(r[2]), int(r[3]), bool(r[4])) for r in rows
    }
    for seat, pid, signatures, rank in await _new_petition_rows(db, seats, since):
        if rank <= top:
            candidates[(seat, pid)] = (signatures, rank, True)
    seen = await _seen(db, ((seats[seat][0], pid) for seat, pid in candidates))
    found: dict[tuple[str, int], SeatCrossing] = {}
    for (seat, pid), (signatures, rank, new) in candidates.items():
        key, name = seats[seat]
        before = seen.get((key, pid))
        if before is None and not new:
            before = 0
        crossed = before is not None and any(before < t <= signatures for t in thresholds)
        fresh_top = new and before is None and rank <= top
        if crossed or fresh_top:
            found[(key, pid)] = SeatCrossing(key, name, pid, before, signatures, rank)
    return list(found.values())


async def seat_summary(
    db: Database, seat_key: str, thresholds: Sequence[int]
) -> tuple[int, dict[int, int]]:
    """How many petitions list the seat, and how many reach each of ``thresholds``."""
    seats = await _seats_by_key(db, [seat_key])
    if not seats:
        return 0, dict.fromkeys(thresholds, 0)
    marks = ", ".join("?" * len(seats))
    async with db.conn.execute(
        f"SELECT coalesce(sum(petitions), 0) FROM seat_listings WHERE constituency_id IN ({marks})",
        tuple(seats),
    ) as cursor:
        row = await cursor.fetchone()
    listed = int(row[0]) if row else 0
    passed: dict[int, int] = {}
    for t in thresholds:
        if t < RANK_FLOOR:
            raise ValueError(f"seat milestones below {RANK_FLOOR} are not indexed")
        async with db.conn.execute(
            "SELECT count(DISTINCT petition_id) FROM seat_ranks"
            f" WHERE constituency_id IN ({marks}) AND signatures >= ?",
            (*seats, t),
        ) as cursor:
            hit = await cursor.fetchone()
        passed[t] = int(hit[0]) if hit else 0
    return listed, passed


async def see_new_seat_rows(db: Database, seat_keys: Iterable[str], since: str | None) -> None:
    """Start remembering followed seats' counts in petitions new to the engine.

    (Petitions the engine knew are in the table from when their seat was first
    followed; only rows that crossed are updated, which is all a crossing needs.)
    """
    seats = await _seats_by_key(db, seat_keys)
    if not seats:
        return
    best: dict[tuple[str, int], int] = {}
    for seat, pid, signatures, _ in await _new_petition_rows(db, seats, since):
        key = (seats[seat][0], pid)
        best[key] = max(best.get(key, signatures), signatures)
    await db.conn.executemany(
        "INSERT INTO follow_seat_seen (seat_key, petition_id, signatures)"
        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(key, pid, signatures) for (key, pid), signatures in best.items()],
    )


async def remember_seats(db: Database, seen: Sequence[SeatCrossing]) -> None:
    await db.conn.executemany(
        "INSERT INTO follow_seat_seen (seat_key, petition_id, signatures) VALUES (?, ?, ?)"
        " ON CONFLICT (seat_key, petition_id) DO UPDATE SET signatures = excluded.signatures",
        [(s.seat_key, s.petition_id, s.after) for s in seen],
    )


# ---------------------------------------------------------------- the ledger
async def ledger_keys(db: Database, follow_ids: Iterable[int]) -> dict[int, set[str]]:
    """Every event key already recorded for these follows (baseline, sent, pending…)."""
    keys: dict[int, set[str]] = defaultdict(set)
    rows = await rows_in(
        db,
        "SELECT follow_id, event_key FROM follow_alerts WHERE follow_id IN ({marks})",
        sorted(set(follow_ids)),
    )
    for follow_id, key in rows:
        keys[follow_id].add(key)
    return keys


async def record_alerts(db: Database, alerts: Sequence[Alert], now: datetime) -> int:
    """Insert new ledger rows (an existing (follow, key) is left as it is); returns inserted."""
    if not alerts:
        return 0
    async with db.transaction():
        cursor = await db.conn.executemany(
            "INSERT INTO follow_alerts (follow_id, event_key, petition_id, status, line, found_at)"
            " SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM follows WHERE id = ?)"
            " ON CONFLICT DO NOTHING",
            [
                (
                    a.follow_id,
                    a.event_key,
                    a.petition_id,
                    a.status,
                    a.line,
                    utc_text(now),
                    a.follow_id,
                )
                for a in alerts
            ],
        )
    return max(0, cursor.rowcount)


# ---------------------------------------------------------------- instances
async def register_instance(
    db: Database, instance_id: str, pid: int, now: datetime, host: str | None = None
) -> None:
    """Register a bot process (``host``: where it runs, see ``core.common.liveness``)."""
    await db.conn.execute(
        "INSERT INTO follow_instances (instance_id, pid, started_at, heartbeat_at, host)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        (instance_id, pid, utc_text(now), utc_text(now), host),
    )


async def instances_on(db: Database, host: str) -> list[tuple[str, int]]:
    """(instance id, pid) of every process registered as running on ``host``."""
    async with db.conn.execute(
        "SELECT instance_id, pid FROM follow_instances WHERE host = ?", (host,)
    ) as cursor:
        return [(str(row[0]), int(row[1])) for row in await cursor.fetchall()]


async def heartbeat(db: Database, instance_id: str, now: datetime) -> None:
    await db.conn.execute(
        "UPDATE follow_instances SET heartbeat_at = ? WHERE instance_id = ?",
        (utc_text(now), instance_id),
    )


async def unregister_instance(db: Database, instance_id: str) -> None:
    """A clean stop: its unfinished claims (none, normally) become recoverable at once."""
    await db.conn.execute("DELETE FROM follow_instances WHERE instance_id = ?", (instance_id,))


async def forget_dead_instances(db: Database, stale_before: datetime) -> int:
    cursor = await db.conn.execute(
        "DELETE FROM follow_instances WHERE heartbeat_at < ?", (utc_text(stale_before),)
    )
    return cursor.rowcount


# ---------------------------------------------------------------- delivery
def _owned(shards: ShardPlan | None) -> str:
    """SQL restricting alerts to the destinations of this process's shards.

    A channel follow belongs to its server's shard; a DM follow to the shard
    the same rule gives its user id (see :mod:`core.common.shards`). Ids are
    ints, so they are written into the statement.
    """
    if shards is None or shards.all_shards:
        return ""
    ids = ", ".join(str(int(i)) for i in shards.shard_ids)
    return (
        " AND follow_id IN (SELECT id FROM follows WHERE"
        " (((CASE WHEN channel_id IS NULL THEN user_id ELSE guild_id END) >> 22)"
        f" % {int(shards.shard_count)}) IN ({ids}))"
    )


async def claim_open(
    db: Database,
    instance_id: str,
    now: datetime,
    stale_before: datetime,
    shards: ShardPlan | None = None,
) -> list[tuple[Follow, Alert]]:
    """Claim every pending alert, and claims left by dead instances, for ``instance_id``.

    One statement, so two live instances can never claim the same row: the one
    whose UPDATE runs second finds it already claimed by a live instance. With
    ``shards``, only alerts whose destination those shards own are claimed.
    """
    async with db.conn.execute(
        f"""
        UPDATE follow_alerts SET status = 'claimed', claimed_by = :me, claimed_at = :now
        WHERE (status = 'pending'
           OR (status = 'claimed' AND claimed_by != :me AND claimed_by NOT IN (
                SELECT instance_id FROM follow_instances WHERE heartbeat_at >= :stale)))
           {_owned(shards)}
        RETURNING follow_id, event_key
        """,
        {"me": instance_id, "now": utc_text(now), "stale": utc_text(stale_before)},
    ) as cursor:
        claimed = await cursor.fetchall()
    return await _claimed_rows(db, instance_id, [(r[0], r[1]) for r in claimed])


async def _claimed_rows(
    db: Database, instance_id: str, keys: Sequence[tuple[int, str]]
) -> list[tuple[Follow, Alert]]:
    if not keys:
        return []
    async with db.conn.execute(
        "SELECT f.*, a.event_key, a.petition_id AS alert_petition, a.line, a.attempts"
        " FROM follow_alerts a JOIN follows f ON f.id = a.follow_id"
        " WHERE a.status = 'claimed' AND a.claimed_by = ?"
        " ORDER BY a.found_at, a.follow_id, a.event_key",
        (instance_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    wanted = set(keys)
    return [
        (
            _follow(row),
            Alert(
                row["id"],
                row["event_key"],
                row["alert_petition"],
                row["line"],
                "claimed",
                instance_id,
                row["attempts"],
            ),
        )
        for row in rows
        if (row["id"], row["event_key"]) in wanted
    ]


async def mark_sent(
    db: Database, alerts: Sequence[Alert], instance_id: str, message_id: int, now: datetime
) -> int:
    at = utc_text(now)
    async with db.transaction():
        cursor = await db.conn.executemany(
            "UPDATE follow_alerts SET status = 'sent', sent_at = ?, message_id = ?"
            " WHERE follow_id = ? AND event_key = ? AND status = 'claimed' AND claimed_by = ?",
            [(at, message_id, a.follow_id, a.event_key, instance_id) for a in alerts],
        )
        await db.conn.executemany(
            "UPDATE follows SET last_alert_at = ? WHERE id = ?",
            [(at, fid) for fid in {a.follow_id for a in alerts}],
        )
    return cursor.rowcount


async def mark_failed(
    db: Database, alerts: Sequence[Alert], instance_id: str, error: str, *, retry: bool
) -> None:
    """A send failed: back to pending (``retry``, attempts counted) or failed for good."""
    status = "pending" if retry else "failed"
    await db.conn.executemany(
        "UPDATE follow_alerts SET status = ?, error = ?, attempts = attempts + 1,"
        " claimed_by = NULL WHERE follow_id = ? AND event_key = ? AND status = 'claimed'"
        " AND claimed_by = ?",
        [(status, error, a.follow_id, a.event_key, instance_id) for a in alerts],
    )


async def alert_counts(db: Database, follow_ids: Iterable[int]) -> dict[int, int]:
    rows = await rows_in(
        db,
        "SELECT follow_id, count(*) FROM follow_alerts"
        " WHERE status = 'sent' AND follow_id IN ({marks}) GROUP BY follow_id",
        sorted(set(follow_ids)),
    )
    return {row[0]: row[1] for row in rows}
