"""SQL for scheduled digests: settings, the exactly-once claims, and change sets.

Exactly once rests on one primary key, ``digest_posts (guild_id, period_key)``:

1. :func:`claim` inserts the period with status ``claimed`` before anything is
   posted. The insert is a single statement (``ON CONFLICT DO NOTHING``) and a
   trigger moves ``scheduled_through`` in that same statement, so the claim and
   the watermark cannot disagree. A period that already has a row is never
   posted again automatically, whatever its status.
2. :func:`finish` records the outcome: ``posted`` (with message ids),
   ``empty`` (nothing to say), or ``failed``. A trigger moves
   ``reported_through`` for posted/empty periods only, so news of a failed
   period is carried into the next digest instead of being lost.
3. :func:`interrupt_dead_claims` runs at start-up and on every scheduler tick:
   a ``claimed`` row whose process (``claimed_by``, an instance id) no longer
   beats its heartbeat in the instance registry means that process stopped
   between claiming and finishing. It becomes ``interrupted`` and is shown in
   ``/digest show``; it is not retried (it may have been partly posted) and its
   news rolls into the next digest. A claim of a live process — another bot
   process on the same database, say — is left alone.

Every write is one statement, so nothing else sharing the aiosqlite
connection can interleave with a half-done change. On PostgreSQL the same
statements run (the triggers are plpgsql twins, migration ``postgresql/0002``),
and the primary key keeps a period claimed once across every process.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from core.common.times import utc_datetime, utc_text
from core.digests.compose import (
    ChangeSet,
    DebateNews,
    ResponseInfo,
    SnapshotPoint,
    TrackedPetition,
)
from core.digests.schedule import Cadence, DigestConfig, Period, Status, parse_clock
from core.digests.types import DigestPost, PostStatus
from core.petitions.types import DebateInfo
from db.database import Database, Row
from db.dialect import greatest

_CLAIM_CHUNK = 500  # rows per INSERT: 3,000 bound values, far below SQLite's limit

INTERRUPTED = (
    "the bot stopped after claiming this period and before finishing it; "
    "it was not retried (it may have been partly posted) and its news moves to the next digest"
)


# ---------------------------------------------------------------- settings
_CONFIG_COLUMNS = (
    "guild_id, channel_id, post_time, timezone, cadence, weekday, min_signatures,"
    " extra_thresholds, quiet_note, status, disabled_reason, scheduled_through, reported_through"
)


def _config(row: Row) -> DigestConfig:
    return DigestConfig(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        scheduled_through=utc_datetime(row["scheduled_through"]),
        reported_through=utc_datetime(row["reported_through"]),
        post_time=parse_clock(row["post_time"]),
        timezone=row["timezone"],
        cadence=cast(Cadence, row["cadence"]),
        weekday=row["weekday"],
        min_signatures=row["min_signatures"],
        extra_thresholds=tuple(int(t) for t in json.loads(row["extra_thresholds"])),
        quiet=bool(row["quiet_note"]),
        status=cast(Status, row["status"]),
        disabled_reason=row["disabled_reason"],
    )


async def get_config(db: Database, guild_id: int) -> DigestConfig | None:
    """The server's digest settings, or None if it never set one up."""
    async with db.conn.execute(
        f"SELECT {_CONFIG_COLUMNS} FROM digest_settings WHERE guild_id = ?", (guild_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return _config(row) if row else None


async def enabled_configs(db: Database) -> list[DigestConfig]:
    """Every enabled digest: one query per scheduler tick, whatever the number of servers."""
    async with db.conn.execute(
        f"SELECT {_CONFIG_COLUMNS} FROM digest_settings WHERE status = 'enabled' ORDER BY guild_id"
    ) as cursor:
        rows = await cursor.fetchall()
    return [_config(row) for row in rows]


async def save_config(db: Database, config: DigestConfig, now: datetime) -> DigestConfig:
    """Create or change a server's digest and enable it.

    A new digest, or one that was paused or disabled, starts from ``now``
    (both watermarks), so enabling never floods the channel with history. An
    enabled digest keeps its watermarks: changing the time or channel neither
    repeats nor drops news.
    """
    at = utc_text(now)
    await db.conn.execute(
        f"""
        INSERT INTO digest_settings ({_CONFIG_COLUMNS}, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'enabled', NULL, ?, ?, ?, ?)
        ON CONFLICT (guild_id) DO UPDATE SET
            channel_id = excluded.channel_id, post_time = excluded.post_time,
            timezone = excluded.timezone, cadence = excluded.cadence,
            weekday = excluded.weekday, min_signatures = excluded.min_signatures,
            extra_thresholds = excluded.extra_thresholds, quiet_note = excluded.quiet_note,
            scheduled_through = CASE WHEN digest_settings.status = 'enabled'
                THEN digest_settings.scheduled_through ELSE excluded.scheduled_through END,
            reported_through = CASE WHEN digest_settings.status = 'enabled'
                THEN digest_settings.reported_through ELSE excluded.reported_through END,
            status = 'enabled', disabled_reason = NULL, updated_at = excluded.updated_at
        """,
        (
            config.guild_id,
            config.channel_id,
            config.post_time.strftime("%H:%M"),
            config.timezone,
            config.cadence,
            config.weekday,
            config.min_signatures,
            json.dumps(sorted(config.extra_thresholds)),
            int(config.quiet),
            at,
            at,
            at,
            at,
        ),
    )
    saved = await get_config(db, config.guild_id)
    assert saved is not None
    return saved


async def set_status(
    db: Database, guild_id: int, status: Status, now: datetime, reason: str | None = None
) -> DigestConfig | None:
    """Pause, disable (with the reason) or re-enable a digest; None if there is none.

    Re-enabling starts from ``now`` like a new digest: a paused month is not
    posted as one giant catch-up.
    """
    at = utc_text(now)
    await db.conn.execute(
        """
        UPDATE digest_settings SET
            scheduled_through = CASE WHEN ? = 'enabled' AND status != 'enabled'
                THEN ? ELSE scheduled_through END,
            reported_through = CASE WHEN ? = 'enabled' AND status != 'enabled'
                THEN ? ELSE reported_through END,
            status = ?, disabled_reason = ?, updated_at = ?
        WHERE guild_id = ?
        """,
        (status, at, status, at, status, reason if status == "disabled" else None, at, guild_id),
    )
    return await get_config(db, guild_id)


# ---------------------------------------------------------------- claims
_CLAIM_COLUMNS = (
    "guild_id, period_key, status, window_start, window_end, channel_id, claimed_at, claimed_by"
)


async def claim(
    db: Database,
    guild_id: int,
    period: Period,
    channel_id: int,
    now: datetime,
    instance_id: str | None = None,
) -> bool:
    """Claim ``period`` for the server (by process ``instance_id``): True only the first time."""
    cursor = await db.conn.execute(
        f"INSERT INTO digest_posts ({_CLAIM_COLUMNS})"
        " VALUES (?, ?, 'claimed', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            guild_id,
            period.key,
            utc_text(period.start),
            utc_text(period.end),
            channel_id,
            utc_text(now),
            instance_id,
        ),
    )
    return cursor.rowcount == 1


async def claim_many(
    db: Database,
    claims: Sequence[tuple[DigestConfig, Period]],
    now: datetime,
    instance_id: str | None = None,
) -> set[tuple[int, str]]:
    """Claim many servers' periods in one statement per chunk; returns those newly claimed."""
    claimed: set[tuple[int, str]] = set()
    for offset in range(0, len(claims), _CLAIM_CHUNK):
        chunk = claims[offset : offset + _CLAIM_CHUNK]
        values = ", ".join(["(?, ?, 'claimed', ?, ?, ?, ?, ?)"] * len(chunk))
        params: list[Any] = []
        for config, period in chunk:
            params += [
                config.guild_id,
                period.key,
                utc_text(period.start),
                utc_text(period.end),
                config.channel_id,
                utc_text(now),
                instance_id,
            ]
        async with db.conn.execute(
            f"INSERT INTO digest_posts ({_CLAIM_COLUMNS})"
            f" VALUES {values} ON CONFLICT DO NOTHING RETURNING guild_id, period_key",
            params,
        ) as cursor:
            claimed.update((int(row[0]), str(row[1])) for row in await cursor.fetchall())
    return claimed


async def skip_claimed(db: Database, guild_id: int, period: Period) -> None:
    """The period was claimed before (e.g. by an earlier run): just move past its slot."""
    await db.conn.execute(
        "UPDATE digest_settings SET"
        f" scheduled_through = {greatest(db.dialect, 'scheduled_through', '?')}"
        " WHERE guild_id = ?",
        (utc_text(period.end), guild_id),
    )


async def finish(
    db: Database,
    guild_id: int,
    period_key: str,
    status: PostStatus,
    now: datetime,
    *,
    message_ids: Sequence[int] = (),
    items: int | None = None,
    error: str | None = None,
) -> bool:
    """Record how a claimed period ended; False if it was not (or no longer) claimed."""
    cursor = await db.conn.execute(
        "UPDATE digest_posts SET status = ?, posted_at = ?, message_ids = ?, items = ?,"
        " error = ? WHERE guild_id = ? AND period_key = ? AND status = 'claimed'",
        (
            status,
            utc_text(now) if status == "posted" else None,
            json.dumps(list(message_ids)),
            items,
            error,
            guild_id,
            period_key,
        ),
    )
    return cursor.rowcount == 1


async def interrupt_dead_claims(db: Database, instance_id: str, stale_before: datetime) -> int:
    """Claims left unfinished by a process that is gone become ``interrupted``.

    Gone means: not ``instance_id`` (the caller) and not an instance whose
    heartbeat in the registry is at or after ``stale_before``. One statement, so
    a claim is interrupted once whoever sweeps; a live process's claim never is.
    """
    cursor = await db.conn.execute(
        "UPDATE digest_posts SET status = 'interrupted', error = :error"
        " WHERE status = 'claimed' AND (claimed_by IS NULL OR (claimed_by != :me"
        "  AND claimed_by NOT IN (SELECT instance_id FROM follow_instances"
        "   WHERE heartbeat_at >= :stale)))",
        {"error": INTERRUPTED, "me": instance_id, "stale": utc_text(stale_before)},
    )
    return cursor.rowcount


def _post(row: Row) -> DigestPost:
    return DigestPost(
        guild_id=row["guild_id"],
        period_key=row["period_key"],
        status=row["status"],
        window_start=utc_datetime(row["window_start"]),
        window_end=utc_datetime(row["window_end"]),
        channel_id=row["channel_id"],
        claimed_at=utc_datetime(row["claimed_at"]),
        posted_at=utc_datetime(row["posted_at"]),
        message_ids=tuple(int(i) for i in json.loads(row["message_ids"])),
        items=row["items"],
        error=row["error"],
        claimed_by=row["claimed_by"],
    )


async def recent_posts(db: Database, guild_id: int, limit: int = 5) -> list[DigestPost]:
    """The server's latest claimed periods, newest first."""
    async with db.conn.execute(
        "SELECT * FROM digest_posts WHERE guild_id = ? ORDER BY claimed_at DESC, period_key DESC"
        " LIMIT ?",
        (guild_id, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    return [_post(row) for row in rows]


async def get_post(db: Database, guild_id: int, period_key: str) -> DigestPost | None:
    async with db.conn.execute(
        "SELECT * FROM digest_posts WHERE guild_id = ? AND period_key = ?", (guild_id, period_key)
    ) as cursor:
        row = await cursor.fetchone()
    return _post(row) if row else None


# ---------------------------------------------------------------- change sets
_TOUCHED = """
    SELECT petition_id AS id FROM snapshots WHERE ingested_at > :since AND ingested_at <= :until
    UNION
    SELECT petition_id FROM government_responses
    WHERE first_seen_at > :since AND first_seen_at <= :until
    UNION
    SELECT id FROM petitions WHERE debate_scheduled_seen_at > :since
        AND debate_scheduled_seen_at <= :until
    UNION
    SELECT id FROM petitions WHERE debated_seen_at > :since AND debated_seen_at <= :until
"""


async def fetch_changes(db: Database, since: datetime, until: datetime) -> ChangeSet:
    """Every petition an ingest touched in ``(since, until]``, with its count history.

    Two queries whatever the number of servers: the scheduler fetches once for
    the union of the due windows and composes each server's digest from it.
    """
    params: dict[str, Any] = {"since": utc_text(since), "until": utc_text(until)}
    conn = db.conn
    async with conn.execute(
        f"""
        SELECT p.id, p.title, p.url, p.state, p.opened_at, p.closed_at,
               p.response_threshold_at, p.debate_threshold_at,
               r.summary, r.department, r.responded_at, r.first_seen_at AS response_seen_at,
               p.debate, p.debate_scheduled_seen_at, p.debated_seen_at
        FROM petitions p LEFT JOIN government_responses r ON r.petition_id = p.id
        WHERE p.id IN ({_TOUCHED})
        ORDER BY p.id
        """,
        params,
    ) as cursor:
        petition_rows = await cursor.fetchall()
    snapshots: dict[int, list[SnapshotPoint]] = defaultdict(list)
    async with conn.execute(
        f"""
        SELECT petition_id, refreshed_at, total_signatures, ingested_at FROM snapshots
        WHERE petition_id IN ({_TOUCHED}) AND ingested_at <= :until
        ORDER BY petition_id, ingested_at, refreshed_at
        """,
        params,
    ) as cursor:
        async for row in cursor:
            snapshots[row[0]].append(
                SnapshotPoint(utc_datetime(row[1]), row[2], utc_datetime(row[3]))
            )
    petitions = tuple(
        TrackedPetition(
            id=row["id"],
            title=row["title"],
            url=row["url"],
            state=row["state"],
            opened_at=utc_datetime(row["opened_at"]),
            closed_at=utc_datetime(row["closed_at"]),
            response_threshold_at=utc_datetime(row["response_threshold_at"]),
            debate_threshold_at=utc_datetime(row["debate_threshold_at"]),
            response=(
                ResponseInfo(
                    row["summary"],
                    row["department"],
                    utc_datetime(row["responded_at"]),
                    utc_datetime(row["response_seen_at"]),
                )
                if row["response_seen_at"] is not None
                else None
            ),
            snapshots=tuple(snapshots.get(row["id"], ())),
            debate=_debate_news(row),
        )
        for row in petition_rows
    )
    return ChangeSet(since, until, petitions)


def _debate_news(row: Any) -> DebateNews | None:
    """The debate dates and when the bot first learned each (links are not digest news)."""
    info = DebateInfo.from_stored(json.loads(row["debate"]) if row["debate"] else None)
    if info is None:
        return None
    return DebateNews(
        scheduled_on=info.scheduled_on,
        scheduled_seen_at=utc_datetime(row["debate_scheduled_seen_at"]),
        debated_on=info.debated_on,
        debated_seen_at=utc_datetime(row["debated_seen_at"]),
    )
