"""Reads that only PostgreSQL could get wrong: SQLite-only spellings, caches across
processes, look-ups of more values than one statement takes (both databases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import follows, petitions, reference, seat_tables
from db.batch import rows_in
from db.cache import data_version
from db.database import Database
from db.seat_tables import seat_infos

pytestmark = pytest.mark.both_databases

SEEDS_DIR = Path(__file__).resolve().parents[2] / "data" / "petitions"
OFSTED = 652057


async def test_petition_reads_and_stats(db: Database) -> None:
    assert await petitions.count_petitions(db) == 3
    summary = await petitions.get_summary(db, OFSTED)
    assert summary is not None and summary.total_signatures == 48_783
    stats = await petitions.stats(db)
    assert (stats.petitions, stats.constituencies) == (3, 650)
    assert stats.constituency_rows > 1_000
    assert stats.size_bytes > 100_000
    assert stats.last_ingest is not None and stats.last_ingest.result == "added"
    assert await petitions.ingested_from(db, str(SEEDS_DIR))
    assert await petitions.ingested_from(db, str(SEEDS_DIR) + "/")
    assert not await petitions.ingested_from(db, str(SEEDS_DIR / "elsewhere"))


async def test_seat_cache_sees_another_processs_change(db: Database) -> None:
    """A seat renamed through another connection (another process on PostgreSQL) is
    seen at the next read; nothing changed, the version stays put."""
    first = (await seat_infos(db, [1]))[1]
    before = await data_version(db)
    assert await data_version(db) == before
    other = await Database.open(db.target)
    try:
        await other.conn.execute(
            "UPDATE constituencies SET name = ? WHERE id = ?", ("Renamed Seat", 1)
        )
        if not db.is_postgres:
            await other.conn.commit()
    finally:
        await other.close()
    assert await data_version(db) != before
    assert (await seat_infos(db, [1]))[1].name == "Renamed Seat" != first.name


async def test_reference_cache_sees_a_reload_by_another_process(db: Database) -> None:
    await reference.ensure_reference(db)
    rows = await reference.reference_rows(db, "2010")
    assert len(rows) == 650
    other = await Database.open(db.target)
    try:
        await other.conn.execute(
            "UPDATE seat_reference SET electorate = 1 WHERE boundary_set = '2010'"
        )
        if not db.is_postgres:
            await other.conn.commit()
    finally:
        await other.close()
    assert {r["electorate"] for r in await reference.reference_rows(db, "2010")} == {1}


async def test_rows_in_runs_in_chunks(db: Database) -> None:
    async with db.conn.execute("SELECT id FROM constituencies ORDER BY id") as cursor:
        ids = [int(r[0]) for r in await cursor.fetchall()]
    rows = await rows_in(
        db,
        "SELECT id FROM constituencies WHERE id IN ({marks}) AND id > ?",
        [*ids, -5],
        after=(ids[0],),
        size=7,
    )
    assert sorted(int(r[0]) for r in rows) == ids[1:]
    pairs = await rows_in(
        db,
        "SELECT id FROM constituencies WHERE {marks}",
        [(i, "2010") for i in ids[:20]],
        mark="(id = ? AND boundary_set = ?)",
        joiner=" OR ",
        size=3,
    )
    assert sorted(int(r[0]) for r in pairs) == ids[:20]
    assert await rows_in(db, "SELECT id FROM constituencies WHERE id IN ({marks})", []) == []


async def test_seat_follow_reads_agree_with_the_packed_tables(db: Database) -> None:
    """seat_summary, seat_crossings and seed_seat (seat_ranks, seat_listings,
    follow_seat_seen) against a recount from the petitions' own tables."""
    seeds = (OFSTED, 575833, 607849)
    tables = {pid: await seat_tables.petition_table(db, pid) for pid in seeds}
    first = tables[OFSTED]
    assert first is not None
    key = (await seat_infos(db, [first.constituency_ids[-1]]))[first.constituency_ids[-1]].name_key
    async with db.conn.execute("SELECT id FROM constituencies WHERE name_key = ?", (key,)) as c:
        seats = {int(r[0]) for r in await c.fetchall()}
    counts: dict[int, int] = {}
    for pid, table in tables.items():
        assert table is not None
        for seat, count in zip(table.constituency_ids, table.counts, strict=True):
            if seat in seats:
                counts[pid] = max(counts.get(pid, 0), int(count))
    assert counts and any(c < 100 for c in counts.values())  # the probe has a low row
    listed, passed = await follows.seat_summary(db, key, [100, 1_000])
    assert listed == len(counts)
    assert passed == {t: sum(c >= t for c in counts.values()) for t in (100, 1_000)}
    fresh = await follows.seat_crossings(db, [key], None, thresholds=[100], top=10_000)
    assert {c.petition_id: c.after for c in fresh} == counts
    await follows.seed_seat(db, key)
    await follows.seed_seat(db, key)  # again: nothing doubles
    after = await follows.seat_crossings(db, [key], None, thresholds=[100], top=10_000)
    assert {c.petition_id for c in after} == {p for p, c in counts.items() if c < 100}
