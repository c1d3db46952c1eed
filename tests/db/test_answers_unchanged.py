"""Issue 22: the new storage layout gives exactly the answers the old one gave.

Two ways to the new layout, both compared with the answers recorded on the old
code (tests/db/answers.py):

* the seeds and the 69 JSON files ingested straight into the new layout;
* a database in the old layout (migrations 0001-0015, one row per seat in
  ``constituency_counts``) moved in place by migrations 0016-0017.

Issue 18: the same rows in PostgreSQL give every one of those answers too.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from core.common.times import utc_text
from core.places.rates import seat_rate_of, seat_rates
from db import counts, reference
from db.connection import connect_sync
from db.database import Database
from db.migrate import MIGRATIONS_DIR, migrate
from tests.db import answers, seat_rows
from tests.postgres_support import PgServer, copy_from_sqlite

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "answers_before_22.json"
LAST_OLD_LAYOUT = 15


def _differences(found: dict[str, str]) -> list[str]:
    expected: dict[str, str] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    keys = sorted(set(expected) | set(found))
    return [k for k in keys if expected.get(k) != found.get(k)]


async def _answers(path: Path) -> dict[str, str]:
    db = await Database.open(path)
    try:
        return answers.digests(await answers.dump(db))
    finally:
        await db.close()


@pytest.fixture(scope="module")
def new_layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("answers") / "new.sqlite3"
    answers.build(path)
    return path


async def test_new_layout_answers_as_the_old_did(new_layout: Path) -> None:
    changed = await _answers(new_layout)
    assert _differences(changed) == []


def _old_layout_copy(source: Path, target: Path, tmp_path: Path) -> None:
    """``source``'s data in the old layout: migrations up to 0015, then every table
    copied, seat rows expanded back into ``constituency_counts``."""
    old_dir = tmp_path / "old_migrations"
    old_dir.mkdir()
    for path in MIGRATIONS_DIR.iterdir():
        if path.name[:4].isdigit() and int(path.name[:4]) <= LAST_OLD_LAYOUT:
            shutil.copy(path, old_dir / path.name)
    conn = connect_sync(target)
    migrate(conn, old_dir)
    conn.execute("PRAGMA foreign_keys = OFF")
    src = seat_rows.connect(source)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name != 'schema_migrations'"
        )
    ]
    # The reference first: inserting constituencies links them to it by trigger.
    tables.sort(key=lambda name: (not name.startswith("seat_"), name))
    conn.execute("BEGIN")
    for table in tables:
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        names = ", ".join(columns)
        conn.execute(f'DELETE FROM "{table}"')
        rows = src.execute(f"SELECT {names} FROM {table}").fetchall()
        marks = ", ".join("?" * len(columns))
        conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    conn.execute("COMMIT")
    assert conn.execute("SELECT count(*) FROM constituency_counts").fetchone()[0] > 30_000
    conn.close()
    src.close()


async def test_old_layout_migrated_in_place_answers_as_before(
    new_layout: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.sqlite3"
    _old_layout_copy(new_layout, old, tmp_path)
    conn = connect_sync(old)
    durations: dict[str, float] = {}
    applied = migrate(conn, durations=durations)
    assert applied[:3] == [
        "0016_seat_tables.sql",
        "0017_pack_seat_counts.py",
        "0018_about_and_search_indexes.sql",
    ]
    assert set(durations) == set(applied)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "constituency_counts" not in tables
    conn.close()
    assert _differences(await _answers(old)) == []
    seat_listing = sqlite3.connect(old)
    try:
        # the per-seat listing counts the writer keeps match a recount from the tables
        expanded = seat_rows.expand(seat_listing)
        recount = dict(
            expanded.execute(
                "SELECT constituency_id, count(*) FROM temp.constituency_counts"
                " GROUP BY constituency_id"
            ).fetchall()
        )
        kept = dict(expanded.execute("SELECT constituency_id, petitions FROM seat_listings"))
        assert {k: v for k, v in kept.items() if v} == recount
    finally:
        seat_listing.close()


async def test_listing_counts_match_the_tables_after_ingest(new_layout: Path) -> None:
    conn = seat_rows.connect(new_layout)
    try:
        recount = dict(
            conn.execute(
                "SELECT constituency_id, count(*) FROM temp.constituency_counts"
                " GROUP BY constituency_id"
            ).fetchall()
        )
        kept = dict(conn.execute("SELECT constituency_id, petitions FROM seat_listings"))
        assert {k: v for k, v in kept.items() if v} == recount
        totals = dict(conn.execute("SELECT name, value FROM archive_totals"))
        assert totals["seat_rows"] == sum(recount.values())
        assert totals["petitions"] == conn.execute("SELECT count(*) FROM petitions").fetchone()[0]
    finally:
        conn.close()


async def test_about_counts_kept_by_triggers_match_a_recount(
    new_layout: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(new_layout, copy)
    db = await Database.open(copy)
    try:
        fresh = await counts.freshness(db)
        async with db.conn.execute(
            "SELECT state, count(*), max(refreshed_at), min(refreshed_at) FROM petitions"
            " GROUP BY state ORDER BY count(*) DESC, state"
        ) as cursor:
            rows = await cursor.fetchall()
        # an update that changes the state moves the counts
        await db.conn.execute("UPDATE petitions SET state = 'rejected' WHERE id = 652057")
        moved = await counts.freshness(db)
    finally:
        await db.close()
    assert fresh.by_state == {r[0]: r[1] for r in rows}
    assert list(fresh.by_state) == [r[0] for r in rows]
    assert fresh.petitions == sum(r[1] for r in rows)
    assert utc_text(fresh.newest_refresh) == max(r[2] for r in rows)
    assert utc_text(fresh.oldest_refresh) == min(r[3] for r in rows)
    assert sum(moved.by_state.values()) == fresh.petitions
    assert moved.by_state.get("rejected", 0) == fresh.by_state.get("rejected", 0) + 1


async def test_one_seats_rate_is_its_entry_in_the_full_ranking(new_layout: Path) -> None:
    """seat_rate_of ranks one seat without ordering all; it must agree with seat_rates."""
    db = await Database.open(new_layout)
    try:
        checked = 0
        for pid in (652057, 575833, 607849):
            seats = await reference.petition_seats(db, pid)
            assert seats is not None
            full = {r.ons_code: r for r in seat_rates(seats.seats, seats.national)}
            for code in full:
                assert seat_rate_of(seats.seats, code, seats.national) == full[code]
                checked += 1
    finally:
        await db.close()
    assert checked > 1000


async def test_postgresql_gives_every_answer_sqlite_gives(
    new_layout: Path, pg_server: PgServer
) -> None:
    """The full answer set, read from a PostgreSQL copy of the same rows, hashes alike.

    Then one stored count is changed on PostgreSQL only, and the comparison must
    name exactly the answers that read it: the check can fail.
    """
    sqlite_answers = answers.digests(await _dump(new_layout))
    name = await pg_server.create()
    url = pg_server.url(name)
    try:
        db = await Database.open(url)  # migrates
        try:
            async with db.conn.acquire() as raw:
                await copy_from_sqlite(new_layout, raw)
            pg_answers = answers.digests(await answers.dump(db))
            assert pg_answers.keys() == sqlite_answers.keys()
            assert [k for k in sqlite_answers if pg_answers[k] != sqlite_answers[k]] == []
            assert _differences(pg_answers) == []
            await _perturb(url)
            changed = answers.digests(await answers.dump(db))
        finally:
            await db.close()
    finally:
        await pg_server.drop(name)
    moved = {k for k in sqlite_answers if changed[k] != sqlite_answers[k]}
    assert {"table:652057", "seats:652057", "chart:652057"} <= moved
    assert all(k.endswith(":652057") or k.startswith("top:") for k in moved)


async def _dump(path: Path) -> dict[str, object]:
    db = await Database.open(path)
    try:
        return await answers.dump(db)
    finally:
        await db.close()


async def _perturb(url: str) -> None:
    """Add one signature to the first seat of petition 652057's packed table."""
    from dataclasses import replace

    from db.seat_pack import pack, unpack

    conn = await asyncpg.connect(url)
    try:
        blob = await conn.fetchval("SELECT seats FROM seat_tables WHERE petition_id = 652057")
        table = unpack(blob)
        counts_ = list(table.counts)
        counts_[0] += 1
        await conn.execute(
            "UPDATE seat_tables SET seats = $1 WHERE petition_id = 652057",
            pack(replace(table, counts=counts_)),
        )
    finally:
        await conn.close()
