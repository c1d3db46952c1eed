"""Digest settings, claims and change sets, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from core.common.times import utc_text
from core.digests.schedule import Period
from core.digests.types import DigestPost
from core.ingest.models import Petition
from db import digests as repo
from db.database import Database
from db.migrate import migrate
from tests.digest_support import BASE, OFSTED, SEND, ingest_at, make_config, seeds
from tests.support import variant

pytestmark = pytest.mark.both_databases

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def period(key: str, start: datetime, end: datetime) -> Period:
    return Period(key, start, end)


async def test_schema_defaults(db: Database) -> None:
    await db.conn.execute(
        "INSERT INTO digest_settings (guild_id, channel_id, scheduled_through, reported_through,"
        " created_at, updated_at) VALUES (9, 10, ?, ?, ?, ?)",
        (utc_text(BASE),) * 4,
    )
    config = await repo.get_config(db, 9)
    assert config == make_config(guild_id=9, channel_id=10)  # the declared defaults
    assert config.post_time == time(9, 0)
    assert config.timezone == "Europe/London"
    assert (config.cadence, config.weekday, config.status) == ("daily", 0, "enabled")


async def test_save_round_trip_and_enabling_starts_from_now(db: Database) -> None:
    assert await repo.get_config(db, 1) is None
    wanted = dataclasses.replace(
        make_config(since=datetime(2000, 1, 1, tzinfo=UTC)),
        cadence="weekly",
        weekday=3,
        extra_thresholds=(250_000, 50_000),
        min_signatures=5,
        quiet=True,
    )
    saved = await repo.save_config(db, wanted, BASE)
    # The watermarks are "now", whatever the caller passed: no history flood.
    assert saved == dataclasses.replace(
        wanted, scheduled_through=BASE, reported_through=BASE, extra_thresholds=(50_000, 250_000)
    )
    # Changing an enabled digest keeps its watermarks (nothing repeated, nothing dropped).
    changed = await repo.save_config(db, dataclasses.replace(wanted, channel_id=77), BASE + DAY)
    assert (changed.channel_id, changed.reported_through) == (77, BASE)
    # Setting up a paused one again starts from the new "now".
    await repo.set_status(db, 1, "paused", BASE + DAY)
    again = await repo.save_config(db, wanted, BASE + 2 * DAY)
    assert (again.status, again.scheduled_through, again.reported_through) == (
        "enabled",
        BASE + 2 * DAY,
        BASE + 2 * DAY,
    )


async def test_status_changes(db: Database) -> None:
    await repo.save_config(db, make_config(), BASE)
    paused = await repo.set_status(db, 1, "paused", BASE + HOUR)
    assert paused is not None
    assert (paused.status, paused.reported_through) == ("paused", BASE)
    disabled = await repo.set_status(db, 1, "disabled", BASE + 2 * HOUR, "channel deleted")
    assert disabled is not None
    assert (disabled.status, disabled.disabled_reason) == ("disabled", "channel deleted")
    resumed = await repo.set_status(db, 1, "enabled", BASE + 3 * HOUR)
    assert resumed is not None
    assert (resumed.status, resumed.disabled_reason) == ("enabled", None)
    assert resumed.scheduled_through == resumed.reported_through == BASE + 3 * HOUR
    # Resuming an enabled digest changes nothing.
    same = await repo.set_status(db, 1, "enabled", BASE + 9 * HOUR)
    assert same == resumed
    assert await repo.set_status(db, 404, "paused", BASE) is None
    assert [c.guild_id for c in await repo.enabled_configs(db)] == [1]


async def test_claim_is_once_and_moves_the_schedule_watermark(db: Database) -> None:
    await repo.save_config(db, make_config(), BASE)
    slot = BASE + DAY
    first = period("daily 2031-01-02", BASE, slot)
    assert await repo.claim(db, 1, first, 500, slot) is True
    assert await repo.claim(db, 1, first, 500, slot + HOUR) is False
    config = await repo.get_config(db, 1)
    assert config is not None
    assert (config.scheduled_through, config.reported_through) == (slot, BASE)
    # A manual post is claimed too but is not a scheduled slot.
    manual = period("manual 2031-01-02T12:00:00Z", BASE, slot + 3 * HOUR)
    assert await repo.claim(db, 1, manual, 500, slot + 3 * HOUR)
    config = await repo.get_config(db, 1)
    assert config is not None
    assert config.scheduled_through == slot


async def test_finish_moves_reporting_watermark_only_when_posted_or_empty(db: Database) -> None:
    await repo.save_config(db, make_config(), BASE)
    failed = period("daily 2031-01-02", BASE, BASE + DAY)
    await repo.claim(db, 1, failed, 500, BASE + DAY)
    assert await repo.finish(db, 1, failed.key, "failed", BASE + DAY, error="boom")
    config = await repo.get_config(db, 1)
    assert config is not None
    assert config.reported_through == BASE  # the failed day's news goes into the next digest

    posted = period("daily 2031-01-03", BASE, BASE + 2 * DAY)
    await repo.claim(db, 1, posted, 500, BASE + 2 * DAY)
    assert await repo.finish(
        db, 1, posted.key, "posted", BASE + 2 * DAY + HOUR, message_ids=[11, 12], items=3
    )
    assert not await repo.finish(db, 1, posted.key, "failed", BASE + 2 * DAY)  # not twice
    config = await repo.get_config(db, 1)
    assert config is not None
    assert config.reported_through == BASE + 2 * DAY
    record = await repo.get_post(db, 1, posted.key)
    assert record == DigestPost(
        guild_id=1,
        period_key="daily 2031-01-03",
        status="posted",
        window_start=BASE,
        window_end=BASE + 2 * DAY,
        channel_id=500,
        claimed_at=BASE + 2 * DAY,
        posted_at=BASE + 2 * DAY + HOUR,
        message_ids=(11, 12),
        items=3,
        error=None,
    )
    assert [p.period_key for p in await repo.recent_posts(db, 1)] == [posted.key, failed.key]


async def test_interrupted_claims(db: Database) -> None:
    await repo.save_config(db, make_config(), BASE)
    a = period("daily 2031-01-02", BASE, BASE + DAY)
    b = period("daily 2031-01-03", BASE, BASE + 2 * DAY)
    await repo.claim(db, 1, a, 500, BASE + DAY)
    await repo.finish(db, 1, a.key, "posted", BASE + DAY, message_ids=[1], items=1)
    await repo.claim(db, 1, b, 500, BASE + 2 * DAY, "gone")
    assert await repo.interrupt_dead_claims(db, "me", BASE) == 1  # "gone" never registered
    assert await repo.interrupt_dead_claims(db, "me", BASE) == 0
    record = await repo.get_post(db, 1, b.key)
    assert record is not None
    assert (record.status, record.error) == ("interrupted", repo.INTERRUPTED)
    assert not await repo.finish(db, 1, b.key, "posted", BASE + 2 * DAY)  # too late
    config = await repo.get_config(db, 1)
    assert config is not None
    assert (config.scheduled_through, config.reported_through) == (BASE + 2 * DAY, BASE + DAY)


async def test_only_claims_of_dead_instances_are_interrupted(db: Database) -> None:
    """A claim carries its process; only a process whose heartbeat is stale loses it."""
    await repo.save_config(db, make_config(), BASE)
    for number, guild in enumerate((1, 2, 3, 4)):
        await repo.save_config(db, make_config(guild_id=guild), BASE)
        owner = ("live", "dead", "me", None)[number]
        p = period("daily 2031-01-02", BASE, BASE + DAY)
        assert await repo.claim(db, guild, p, 500, BASE + DAY, owner)
    await db.conn.executemany(
        "INSERT INTO follow_instances (instance_id, pid, started_at, heartbeat_at)"
        " VALUES (?, 1, ?, ?)",
        [("live", utc_text(BASE), utc_text(BASE + DAY)), ("dead", utc_text(BASE), utc_text(BASE))],
    )
    stale_before = BASE + DAY - timedelta(seconds=30)
    # "dead" beat long ago and the pre-0020 row (None) has no process: both interrupted once;
    # "live" beat recently and "me" is the caller: both left claimed.
    assert await repo.interrupt_dead_claims(db, "me", stale_before) == 2
    assert await repo.interrupt_dead_claims(db, "me", stale_before) == 0
    statuses = {}
    for guild in (1, 2, 3, 4):
        post = await repo.get_post(db, guild, "daily 2031-01-02")
        assert post is not None
        statuses[guild] = (post.status, post.claimed_by)
    assert statuses == {
        1: ("claimed", "live"),
        2: ("interrupted", "dead"),
        3: ("claimed", "me"),
        4: ("interrupted", None),
    }
    # Once "live" stops beating it is recovered too, by whoever sweeps next.
    assert await repo.interrupt_dead_claims(db, "other", BASE + 2 * DAY) == 2


async def test_claim_many(db: Database) -> None:
    configs = [make_config(guild_id=g) for g in range(1, 601)]
    for config in configs:
        await repo.save_config(db, config, BASE)
    slot = BASE + DAY
    await repo.claim(db, 7, period("daily 2031-01-02", BASE, slot), 500, slot)
    claims = [(c, period("daily 2031-01-02", BASE, slot)) for c in configs]
    claimed = await repo.claim_many(db, claims, slot)
    assert len(claimed) == 599
    assert (7, "daily 2031-01-02") not in claimed
    assert await repo.claim_many(db, claims, slot) == set()
    assert {c.scheduled_through for c in await repo.enabled_configs(db)} == {slot}


async def test_fetch_changes_of_the_seed_ingest(db: Database) -> None:
    async with db.conn.execute("SELECT min(ingested_at) FROM snapshots") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    ingested = datetime.fromisoformat(row[0])
    changes = await repo.fetch_changes(db, ingested - HOUR, ingested + HOUR)
    ids = [p.id for p in changes.petitions]
    assert ids == sorted(ids) and len(ids) == 3 and OFSTED in ids and SEND in ids
    ofsted = next(p for p in changes.petitions if p.id == OFSTED)
    assert [s.total for s in ofsted.snapshots] == [48_783]
    assert ofsted.response is not None
    assert ofsted.response.department == "Department for Education"
    assert ofsted.opened_at == datetime(2023, 12, 6, 17, 20, 55, tzinfo=UTC)
    assert (await repo.fetch_changes(db, ingested + HOUR, ingested + DAY)).petitions == ()


async def test_fetch_changes(db: Database, seed_paths: list[Path]) -> None:
    seed: dict[int, Petition] = seeds(seed_paths)
    ingest_at(db.target, [variant(seed[OFSTED], hours=1, extra=10)], BASE + HOUR)
    ingest_at(db.target, [variant(seed[SEND], hours=1, extra=20)], BASE + 3 * HOUR)
    changes = await repo.fetch_changes(db, BASE, BASE + 2 * HOUR)
    assert [p.id for p in changes.petitions] == [OFSTED]
    [ofsted] = changes.petitions
    assert [(s.total, s.ingested_at >= BASE) for s in ofsted.snapshots] == [
        (48_783, False),
        (48_793, True),
    ]
    assert ofsted.response is not None
    assert ofsted.response.department == "Department for Education"
    assert ofsted.opened_at == datetime(2023, 12, 6, 17, 20, 55, tzinfo=UTC)
    wider = await repo.fetch_changes(db, BASE, BASE + 4 * HOUR)
    assert [p.id for p in wider.petitions] == [SEND, OFSTED]


def test_stamp_needs_aware_times() -> None:
    assert utc_text(datetime(2031, 1, 1, 10, tzinfo=UTC)) == "2031-01-01T10:00:00+00:00"
    with pytest.raises(ValueError):
        utc_text(datetime(2031, 1, 1))


def test_claims_are_unique_in_the_schema(loaded_db_path: Path) -> None:
    conn = sqlite3.connect(loaded_db_path)
    migrate(conn)
    row = ("1", "daily 2031-01-01", "x", "y", 1, "z")
    sql = (
        "INSERT INTO digest_posts (guild_id, period_key, window_start, window_end, channel_id,"
        " claimed_at) VALUES (?, ?, ?, ?, ?, ?)"
    )
    conn.execute(sql, row)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(sql, row)
    conn.close()
