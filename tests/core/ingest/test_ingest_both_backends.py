"""The ingest rules on SQLite and on a real PostgreSQL: the same documents, the same rows.

Every table the loader writes is read back from both databases (packed seat
tables decoded with :mod:`db.seat_pack`) and compared row for row: one store and
one loader serve both, so anything but identical is a bug in the dialect seam.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from benchmarks.bench_ingest import DATA_TABLES
from benchmarks.synth import write_archive
from core.ingest.loader import ingest_documents_sync, ingest_paths, ingest_paths_sync
from core.ingest.types import FileDocument, IngestReport, Outcome
from core.ingest.writer import render_document
from db.changes import PgChangeFeed, open_change_feed
from db.migrate import migrate_postgres
from db.postgres import is_postgres_url
from db.seat_pack import unpack
from tests.postgres_support import run_blocking
from tests.support import seed_petition, variant, write_petition

BACKENDS = ("sqlite", "postgresql")

TABLES = (*DATA_TABLES, "archive_totals")
"""Every table an ingest writes (archive_totals by triggers)."""

VOLATILE = {"ingest_log": ("batch_id", "id")}
"""A random batch id; log ids follow the order rows were written, checked by content."""


def fixed_clock() -> datetime:
    return datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh PostgreSQL database (not migrated)."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "ingest.sqlite3")


@pytest.fixture
def pair(tmp_path: Path, pg_url: str) -> tuple[str, str]:
    """An empty SQLite file and an empty PostgreSQL database, to fill alike."""
    return str(tmp_path / "pair.sqlite3"), pg_url


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic archive (benchmarks.synth), as the benchmarks ingest."""
    out = tmp_path_factory.mktemp("synth")
    write_archive(out, 40, 3, queries=False)
    return out / "markdown"


# ---------------------------------------------------------------- reading every row back
def _columns_sqlite(conn: sqlite3.Connection, table: str) -> list[str]:
    skip = VOLATILE.get(table, ())
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skip]


def _normal(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows comparable across databases: seat tables decoded, order by content."""
    if table == "seat_tables":
        index = columns.index("seats")
        rows = [(*row[:index], _decoded(row[index]), *row[index + 1 :]) for row in rows]
    return sorted((tuple(row) for row in rows), key=repr)


def _decoded(packed: bytes) -> tuple[tuple[Any, ...], ...]:
    table = unpack(bytes(packed))
    return tuple(
        tuple(column)
        for column in (
            table.constituency_ids,
            table.ranks,
            table.counts,
            table.percents,
            table.mp_alias_ids,
        )
    )


def dump(target: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every ingest table's rows, as SQLite's column list names them."""
    reference = sqlite3.connect(target if not is_postgres_url(target) else ":memory:")
    if is_postgres_url(target):
        from db.migrate import migrate

        migrate(reference)  # the SQLite schema, for the column names
    columns = {table: _columns_sqlite(reference, table) for table in TABLES}
    try:
        if is_postgres_url(target):
            raw = run_blocking(_pg_rows(target, columns))
        else:
            raw = {
                table: reference.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
                for table, cols in columns.items()
            }
    finally:
        reference.close()
    return {table: _normal(table, columns[table], rows) for table, rows in raw.items()}


async def _pg_rows(url: str, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(url)
    try:
        return {
            table: [tuple(r) for r in await conn.fetch(f"SELECT {', '.join(cols)} FROM {table}")]
            for table, cols in columns.items()
        }
    finally:
        await conn.close()


def _schema_columns() -> dict[str, list[str]]:
    from db.migrate import migrate

    conn = sqlite3.connect(":memory:")
    try:
        migrate(conn)
        return {table: _columns_sqlite(conn, table) for table in TABLES}
    finally:
        conn.close()


def by_meaning(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """``rows`` with surrogate ids replaced by what they stand for (names, keys).

    PostgreSQL's identity sequences do not roll back with a transaction (SQLite's
    ``max(id) + 1`` does), so after a refused document the ids may differ while
    every fact is the same: this compares the facts.
    """
    columns = _schema_columns()

    def col(table: str, name: str) -> int:
        return columns[table].index(name)

    def keyed(table: str, *names: str) -> dict[Any, Any]:
        i = col(table, "id")
        return {r[i]: tuple(r[col(table, n)] for n in names) for r in rows[table]}

    country = keyed("countries", "name")
    mp = keyed("mps", "name_key")
    alias = keyed("mp_aliases", "printed")
    seat = keyed("constituencies", "boundary_set", "name_key")
    swap: dict[tuple[str, str], dict[Any, Any]] = {
        ("countries", "id"): country,
        ("mps", "id"): mp,
        ("mp_aliases", "id"): alias,
        ("mp_aliases", "mp_id"): mp,
        ("constituencies", "id"): seat,
        ("country_counts", "country_id"): country,
        ("seat_mps", "constituency_id"): seat,
        ("seat_mps", "mp_id"): mp,
        ("seat_ranks", "constituency_id"): seat,
        ("seat_listings", "constituency_id"): seat,
    }
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table, table_rows in rows.items():
        maps = {col(table, c): m for (t, c), m in swap.items() if t == table}
        fixed = [
            tuple(maps[i].get(v) if i in maps else v for i, v in enumerate(r)) for r in table_rows
        ]
        if table == "seat_tables":
            i = col(table, "seats")
            fixed = [
                (
                    *r[:i],
                    (
                        tuple(seat[s] for s in r[i][0]),
                        *r[i][1:4],
                        tuple(alias.get(a) for a in r[i][4]),
                    ),
                    *r[i + 1 :],
                )
                for r in fixed
            ]
        out[table] = sorted(fixed, key=repr)
    return out


def _outcomes(report: IngestReport) -> list[tuple[str, Outcome, int | None]]:
    return [(Path(r.name).name, r.outcome, r.petition_id) for r in report.results]


def both(
    pair: tuple[str, str], step: Callable[[str], IngestReport], *, same_ids: bool = True
) -> IngestReport:
    """Run ``step`` on both databases; the reports and every row must agree (with
    ``same_ids=False``, every fact, ids read as what they stand for)."""
    sqlite_report, pg_report = step(pair[0]), step(pair[1])
    assert _outcomes(pg_report) == _outcomes(sqlite_report)
    sqlite_rows, pg_rows = dump(pair[0]), dump(pair[1])
    if not same_ids:
        sqlite_rows, pg_rows = by_meaning(sqlite_rows), by_meaning(pg_rows)
    for table in TABLES:
        assert pg_rows[table] == sqlite_rows[table], table
    return pg_report


# ---------------------------------------------------------------- the same stored result
def test_the_same_documents_store_the_same_rows(
    pair: tuple[str, str], seed_paths: list[Path], archive: Path, tmp_path: Path
) -> None:
    """Seeds and a synthetic archive, then newer, older, conflicting and broken
    documents: outcome by outcome and row by row, PostgreSQL holds what SQLite does."""
    first = both(pair, lambda t: ingest_paths_sync(t, [*seed_paths, archive], clock=fixed_clock))
    assert first.counts[Outcome.ADDED] == 43
    assert dump(pair[1])["seat_tables"], "nothing stored"

    seed = [seed_petition(p) for p in seed_paths]
    newer = write_petition(tmp_path / "newer.md", variant(seed[0], hours=5, extra=100))
    older = write_petition(tmp_path / "older.md", variant(seed[1], hours=-5, extra=-50))
    clash = write_petition(tmp_path / "clash.md", variant(seed[2], hours=0, extra=9))
    broken = tmp_path / "broken.md"
    broken.write_text("# Title only\n", encoding="utf-8")
    later = both(
        pair, lambda t: ingest_paths_sync(t, [newer, older, clash, broken], clock=fixed_clock)
    )
    assert [r.outcome for r in later.results] == [
        Outcome.UPDATED,
        Outcome.OLDER,
        Outcome.REJECTED,
        Outcome.REJECTED,
    ]
    again = both(pair, lambda t: ingest_paths_sync(t, [*seed_paths, archive], clock=fixed_clock))
    assert again.counts[Outcome.UNCHANGED] == 42  # seed 0 is now older than stored
    assert again.counts[Outcome.OLDER] == 1


def test_a_document_refused_by_storage_is_undone_alone(
    pair: tuple[str, str], seed_paths: list[Path]
) -> None:
    """A, B (refused by the database mid-document), C in one group: A and C land, B
    leaves nothing (seat_listings, totals and files included), on both databases."""
    for target in pair:
        ingest_paths_sync(target, [])  # migrate
    conn = sqlite3.connect(pair[0])
    conn.execute(
        "CREATE TRIGGER refuse_b BEFORE INSERT ON seat_tables"
        " WHEN NEW.petition_id = 607849 BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    conn.commit()
    conn.close()
    run_blocking(
        _pg_script(
            pair[1],
            "CREATE FUNCTION refuse_b() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'refused'; END $$;"
            " CREATE TRIGGER refuse_b BEFORE INSERT ON seat_tables FOR EACH ROW"
            " WHEN (NEW.petition_id = 607849) EXECUTE FUNCTION refuse_b();",
        )
    )
    report = both(
        pair, lambda t: ingest_paths_sync(t, seed_paths, clock=fixed_clock), same_ids=False
    )
    assert [r.outcome for r in report.results] == [
        Outcome.ADDED,
        Outcome.REJECTED,
        Outcome.ADDED,
    ]
    assert "refused" in (report.results[1].error or "")
    assert 607849 not in {row[0] for row in dump(pair[1])["petitions"]}


async def _pg_script(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


# ---------------------------------------------------------------- each rule, on each database
def test_a_broken_document_leaves_the_data_as_it_was(
    target: str, seed_paths: list[Path], tmp_path: Path
) -> None:
    """A malformed document in a group (read again with the others) changes nothing
    but the ingest log, which names its file and line."""
    ingest_paths_sync(target, seed_paths)
    before = dump(target)
    text = seed_paths[0].read_text(encoding="utf-8")
    bad = tmp_path / "truncated.md"
    bad.write_text(text[: text.index("| 257 | Wellingborough") + 20], encoding="utf-8")
    report = ingest_paths_sync(target, [seed_paths[0], bad, seed_paths[1]], reread=True)
    assert [r.outcome for r in report.results] == [
        Outcome.UNCHANGED,
        Outcome.REJECTED,
        Outcome.UNCHANGED,
    ]
    assert f"{bad}:368:" in (report.results[1].error or "")
    after = dump(target)
    for table in TABLES:
        if table != "ingest_log":
            assert after[table] == before[table], table
    assert any(r[0] == str(bad) and r[2] == "rejected" for r in after["ingest_log"])


def test_an_older_document_never_replaces_a_newer_one(
    target: str, seed_paths: list[Path], tmp_path: Path
) -> None:
    seed = seed_petition(seed_paths[0])
    newer = write_petition(tmp_path / "newer.md", variant(seed, hours=5, extra=100))
    older = write_petition(tmp_path / "older.md", variant(seed, hours=-5, extra=-50))
    ingest_paths_sync(target, [newer])
    current = dump(target)
    report = ingest_paths_sync(target, [older])
    assert report.results[0].outcome is Outcome.OLDER
    after = dump(target)
    for table in ("petitions", "seat_tables", "seat_ranks", "country_counts", "seat_listings"):
        assert after[table] == current[table], table
    totals = sorted(row[2] for row in after["snapshots"])
    assert totals == [48_733, 48_883]  # the older count is kept as history only


def test_unchanged_files_are_not_read_again(
    target: str, seed_paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_paths_sync(target, seed_paths)
    before = dump(target)
    reads: list[str] = []
    original = FileDocument.read

    def counting(self: FileDocument) -> bytes:
        reads.append(self.name)
        return original(self)

    monkeypatch.setattr(FileDocument, "read", counting)
    report = ingest_paths_sync(target, seed_paths)
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED] * 3
    assert reads == []
    assert {t: r for t, r in dump(target).items() if t != "ingest_log"} == {
        t: r for t, r in before.items() if t != "ingest_log"
    }


# ---------------------------------------------------------------- PostgreSQL's own parts
def test_the_cli_ingests_into_postgres(pg_url: str, seed_paths: list[Path], tmp_path: Path) -> None:
    """``petitionbot ingest`` and ``stats`` with DATABASE_URL, as separate processes."""
    env = {**os.environ, "DATABASE_URL": pg_url, "DATABASE_PATH": str(tmp_path / "no.sqlite3")}
    env.pop("DISCORD_TOKEN", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    first = cli("ingest", *map(str, seed_paths))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "3 added" in " ".join(first.stdout.split())
    again = cli("ingest", *map(str, seed_paths))
    assert again.returncode == 0 and "3 unchanged" in " ".join(again.stdout.split())
    stats = cli("stats")
    assert stats.returncode == 0, stats.stderr
    said = " ".join(stats.stdout.split())
    assert re.search(r"petitions\W+3\W", said) and "last ingest" in said, said
    assert not (tmp_path / "no.sqlite3").exists()
    assert len(dump(pg_url)["petitions"]) == 3


async def test_an_ingest_elsewhere_wakes_the_postgres_feed(
    pg_url: str, seed_paths: list[Path]
) -> None:
    """Another connection's ingest ends ``wait_changed`` within seconds, by NOTIFY."""
    ingest_paths_sync(pg_url, [])  # migrate
    feed = await open_change_feed(pg_url, interval=3600)  # the interval is SQLite's
    assert isinstance(feed, PgChangeFeed)
    try:
        seen = await feed.generation()
        waiting = asyncio.create_task(feed.wait_changed(seen))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        assert feed.checks == 1  # quiet: no query while nothing was sent
        report = await ingest_paths(pg_url, seed_paths[:1])
        assert report.counts[Outcome.ADDED] == 1
        token = await asyncio.wait_for(waiting, 5)
        assert token != seen and feed.listener.payloads[-1] == report.batch_id
    finally:
        await feed.close()


async def test_first_run_ingests_the_bundled_petitions_into_postgres(
    pg_url: str, seed_paths: list[Path]
) -> None:
    from bot.settings import Settings
    from bot.startup import open_database

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=pg_url,  # type: ignore[arg-type]
        data_dir=seed_paths[0].parent,
    )
    db, report = await open_database(settings)
    await db.close()
    assert report is not None and report.counts[Outcome.ADDED] == 3
    db, report = await open_database(settings)
    await db.close()
    assert report is None  # loaded once


def test_ingest_migrates_an_empty_postgres_database(pg_url: str) -> None:
    report = ingest_documents_sync(pg_url, [])
    assert report.results == []

    async def applied() -> int:
        conn = await asyncpg.connect(pg_url)
        try:
            await migrate_postgres(conn)  # nothing left to apply
            return int(await conn.fetchval("SELECT count(*) FROM schema_migrations"))
        finally:
            await conn.close()

    assert run_blocking(applied()) >= 6


def test_rendered_variants_are_what_the_rules_see(seed_paths: list[Path]) -> None:
    """The helper documents above differ from the seed as intended (guards the tests)."""
    seed = seed_petition(seed_paths[0])
    assert render_document(variant(seed, hours=5, extra=100)) != render_document(seed)


def test_queued_literals_round_trip_exactly(pg_url: str) -> None:
    """What the PostgreSQL writer queues as SQL literals reads back as the values sent."""
    from db.pg_sync import PgSyncConnection

    values = [
        ("it's a \\ back'slash\n", 1, 0.1, b"\x00\xff'\\", None),
        ("Ünïcödé — “quotes” $1 ? ;", -(2**62), 1e-05, b"", 2.5),
    ]
    conn = PgSyncConnection.connect(pg_url)
    try:
        assert conn.queue_writes
        conn.execute("CREATE TABLE t (s TEXT, i BIGINT, f DOUBLE PRECISION, b BYTEA, n REAL)")
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t (s, i, f, b, n) VALUES (?, ?, ?, ?, ?)", values)
        conn.execute("UPDATE t SET i = i + ? WHERE s = ?", (1, values[0][0]))
        assert conn.raw.is_in_transaction()
        conn.execute("COMMIT")
        rows = conn.execute("SELECT s, i, f, b, n FROM t ORDER BY i").fetchall()
    finally:
        conn.close()
    assert rows == [values[1], (values[0][0], 2, *values[0][2:])]


async def test_removing_a_petition_leaves_the_same_rows(
    pair: tuple[str, str], seed_paths: list[Path]
) -> None:
    """``/admin remove``'s delete: listings and totals move alike on both databases."""
    from db.database import Database
    from db.seat_tables import delete_petition

    for target in pair:
        ingest_paths_sync(target, seed_paths, clock=fixed_clock)
        database = await Database.open(target)
        try:
            assert await delete_petition(database, 607849)
            assert not await delete_petition(database, 607849)
        finally:
            await database.close()
    sqlite_rows, pg_rows = dump(pair[0]), dump(pair[1])
    assert [r[0] for r in pg_rows["petitions"]] == [575833, 652057]
    for table in TABLES:
        assert pg_rows[table] == sqlite_rows[table], table
