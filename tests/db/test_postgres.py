"""The PostgreSQL seam on a real PostgreSQL 16 (pgserver): placeholders, cursors,
transactions, migrations, the schema beside SQLite's, and LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from db.connection import connect_sync
from db.database import Database, NotSqliteError, describe, migrate_target
from db.migrate import PG_MIGRATIONS_DIR, MigrationError, available, migrate, migrate_postgres
from db.pg_changes import CHANNEL, IngestListener, notify_ingest
from db.postgres import PgConnection, is_postgres_url, translate
from tests.postgres_support import start_server


# ---------------------------------------------------------------- placeholders
def test_question_marks_are_numbered_outside_literals_and_comments() -> None:
    sql, args = translate(
        "SELECT '?', \"a?\" FROM t -- what?\nWHERE x = ? AND y::text = ? AND z = 'it''s ?'",
        (1, "b"),
    )
    assert sql == (
        "SELECT '?', \"a?\" FROM t -- what?\nWHERE x = $1 AND y::text = $2 AND z = 'it''s ?'"
    )
    assert args == [1, "b"]


def test_named_parameters_reuse_their_number() -> None:
    sql, args = translate(
        "UPDATE t SET by = :me, at = :now WHERE by != :me AND s >= :stale",
        {"now": "n", "me": "i", "stale": "s", "unused": 0},
    )
    assert sql == "UPDATE t SET by = $1, at = $2 WHERE by != $1 AND s >= $3"
    assert args == ["i", "n", "s"]


def test_placeholder_mistakes_are_clear() -> None:
    with pytest.raises(ValueError, match="2 placeholders but 1 parameters"):
        translate("SELECT ?, ?", (1,))
    with pytest.raises(ValueError, match="mixes"):
        translate("SELECT ?, :a", (1,))
    with pytest.raises(TypeError, match="mapping"):
        translate("SELECT :a", (1,))


def test_urls_choose_postgres() -> None:
    assert is_postgres_url("postgresql://u@h/db") and is_postgres_url("postgres://h/db")
    assert not is_postgres_url("var/petitionbot.sqlite3")
    assert not is_postgres_url(Path("postgresql:/x"))
    assert describe("postgresql://bot:s3cret@db.example/petitions") == (
        "postgresql://bot:***@db.example/petitions"
    )


# ---------------------------------------------------------------- the seam on PostgreSQL
@pytest.fixture
async def pg(pg_url: str) -> Database:
    database = await Database.open(pg_url)
    yield database  # type: ignore[misc]
    await database.close()


async def test_cursor_shape(pg: Database) -> None:
    conn = pg.conn
    assert isinstance(conn, PgConnection) and pg.dialect == "postgresql"
    await conn.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT)")
    many = await conn.executemany(
        "INSERT INTO t (id, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(1, "a"), (2, "b"), (1, "again"), (2**62, "snowflake")],
    )
    assert many.rowcount == 3  # the duplicate changed nothing
    async with conn.execute("SELECT id, name FROM t ORDER BY id") as cursor:
        first = await cursor.fetchone()
        assert first is not None
        assert (first["id"], first[1], tuple(first)) == (1, "a", (1, "a"))
        rest = [(i, n) async for i, n in cursor]
    assert rest == [(2, "b"), (2**62, "snowflake")]
    updated = await conn.execute("UPDATE t SET name = upper(name) WHERE id < ?", (10,))
    assert updated.rowcount == 2
    async with conn.execute("DELETE FROM t WHERE id = ? RETURNING name", (2,)) as cursor:
        assert cursor.rowcount == 1
        assert [tuple(r) for r in await cursor.fetchall()] == [("B",)]
    with pytest.raises(NotSqliteError, match="SQLite-file work"):
        _ = pg.path


async def test_a_transaction_belongs_to_its_task(pg: Database) -> None:
    conn = pg.conn
    await conn.execute("CREATE TABLE t (x INTEGER)")
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        await conn.execute("BEGIN IMMEDIATE")
        await conn.execute("INSERT INTO t VALUES (1)")
        inside.set()
        await release.wait()
        await conn.execute("ROLLBACK")

    task = asyncio.create_task(writer())
    await inside.wait()
    async with conn.execute("SELECT count(*) FROM t") as cursor:  # another task: not inside
        assert (await cursor.fetchone())[0] == 0  # type: ignore[index]
    release.set()
    await task
    async with pg.transaction():
        await conn.execute("INSERT INTO t VALUES (2)")
    with pytest.raises(RuntimeError, match="boom"):
        async with pg.transaction():
            await conn.execute("INSERT INTO t VALUES (3)")
            raise RuntimeError("boom")
    async with conn.execute("SELECT x FROM t") as cursor:
        assert [r[0] for r in await cursor.fetchall()] == [2]
    assert not conn.in_transaction


# ---------------------------------------------------------------- migrations
def _sqlite_schema(path: Path) -> dict[str, set[str]]:
    conn = connect_sync(path)
    migrate(conn)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    schema = {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")} for t in tables}
    conn.close()
    return schema


PG_ONLY = {"data_versions"}


async def test_migrations_give_the_sqlite_schema(pg_url: str, db_path: Path) -> None:
    applied = await asyncio.to_thread(migrate_target, pg_url)
    assert applied == [m.name for m in available(PG_MIGRATIONS_DIR)]
    assert await asyncio.to_thread(migrate_target, pg_url) == []  # up to date
    conn = await asyncpg.connect(pg_url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name, data_type, collation_name"
            " FROM information_schema.columns WHERE table_schema = 'public'"
        )
    finally:
        await conn.close()
    pg_schema: dict[str, set[str]] = {}
    for row in rows:
        pg_schema.setdefault(row["table_name"], set()).add(row["column_name"])
    sqlite_schema = _sqlite_schema(db_path)
    # The same tables on both (issue 22 seat storage and issue 18 claims included),
    # plus PostgreSQL's cache version counter (what PRAGMA data_version is on SQLite).
    assert set(sqlite_schema) == set(pg_schema) - PG_ONLY
    assert set(pg_schema) >= PG_ONLY
    for table in set(sqlite_schema) & set(pg_schema):
        assert pg_schema[table] == sqlite_schema[table], table
    text = [r for r in rows if r["data_type"] == "text"]
    assert text and all(r["collation_name"] == "C" for r in text)  # byte order, as SQLite
    snowflakes = {
        (r["table_name"], r["column_name"]): r["data_type"]
        for r in rows
        if r["column_name"]
        in {
            "guild_id",
            "channel_id",
            "user_id",
            "moderator_role_id",
            "audit_channel_id",
            "message_id",
        }
    }
    assert set(snowflakes.values()) == {"bigint"}, snowflakes


async def test_processes_starting_together_migrate_once(pg_url: str) -> None:
    results = await asyncio.gather(*(Database.open(pg_url) for _ in range(3)))
    try:
        async with results[0].conn.execute("SELECT count(*) FROM schema_migrations") as cursor:
            row = await cursor.fetchone()
        assert row is not None and row[0] == len(available(PG_MIGRATIONS_DIR))
    finally:
        for database in results:
            await database.close()


async def test_failed_and_late_migrations_on_postgres(pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "pg"
    folder.mkdir()
    (folder / "0001_ok.sql").write_text("CREATE TABLE a (x INTEGER);")
    (folder / "0003_bad.sql").write_text("CREATE TABLE b (x INTEGER); INSERT INTO nope VALUES (1);")
    conn = await asyncpg.connect(pg_url)
    try:
        with pytest.raises(MigrationError, match=r"0003_bad\.sql"):
            await migrate_postgres(conn, folder)
        names = {r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables")}
        assert "a" in names and "b" not in names  # the bad file left nothing behind
        (folder / "0003_bad.sql").write_text("CREATE TABLE b (x INTEGER);")
        assert await migrate_postgres(conn, folder) == ["0003_bad.sql"]
        (folder / "0002_late.sql").write_text("SELECT 1;")
        with pytest.raises(MigrationError, match=r"0002_late\.sql: numbered below"):
            await migrate_postgres(conn, folder)
    finally:
        await conn.close()


def test_sqlite_migrations_ignore_the_postgres_folder(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    assert migrate(conn)  # PostgreSQL files live in a subfolder the SQLite runner never reads
    conn.close()
    assert PG_MIGRATIONS_DIR.parent == available()[0].path.parent


# ---------------------------------------------------------------- LISTEN/NOTIFY
async def test_notify_after_an_ingest_reaches_another_connection(pg: Database) -> None:
    assert pg.url is not None
    async with IngestListener(pg.url) as listener:
        seen = listener.generation
        await notify_ingest(pg, "batch-1")
        generation = await listener.wait(seen, within=1.0)
        assert generation == seen + 1
        assert listener.payloads[-1] == "batch-1"
        # Sent inside a transaction, it arrives only once the transaction commits.
        async with pg.transaction():
            await notify_ingest(pg, "batch-2")
            assert await listener.wait(generation, within=0.3) == generation
        assert await listener.wait(generation, within=1.0) == generation + 1
        # From a raw asyncpg connection (as an ingest's own connection would send it).
        raw = await asyncpg.connect(pg.url)
        try:
            await notify_ingest(raw, "batch-3")
        finally:
            await raw.close()
        assert await listener.wait(generation + 1, within=1.0) == generation + 2
        assert listener.payloads[-1] == "batch-3"


async def test_a_lost_listener_connection_reconnects_and_counts_as_a_change(
    pg: Database,
) -> None:
    assert pg.url is not None
    async with IngestListener(pg.url) as listener:
        seen = listener.generation
        async with pg.conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query LIKE ? AND pid <> pg_backend_pid()",
            (f"LISTEN%{CHANNEL}%",),
        ) as cursor:
            assert [r[0] for r in await cursor.fetchall()] == [True]
        after = await listener.wait(seen, within=5.0)
        assert after == seen + 1  # reconnected: whatever was sent meanwhile may be lost
        await notify_ingest(pg, "after-reconnect")
        assert await listener.wait(after, within=1.0) == after + 1


async def test_notify_on_sqlite_is_a_no_op(db_path: Path) -> None:
    database = await Database.open(db_path)
    try:
        await notify_ingest(database, "x")  # SQLite's feed is PRAGMA data_version
    finally:
        await database.close()


async def test_the_listener_outlives_a_postgresql_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server itself goes away (not just the connection): reconnects fail while it is
    down, then one succeeds, counts as a change, and later NOTIFYs arrive as before."""
    server = await asyncio.to_thread(start_server, tmp_path / "restarting")
    url = server.admin_url
    restarted = None
    try:
        async with IngestListener(url) as listener:
            seen = listener.generation
            await asyncio.to_thread(server.stop)
            with caplog.at_level(logging.WARNING, logger="db.pg_changes"):
                await asyncio.sleep(1.5)  # at least one reconnect attempt finds it down
            assert "reconnect failed" in caplog.text
            restarted = await asyncio.to_thread(start_server, tmp_path / "restarting")
            assert restarted.admin_url == url  # the same data directory, the same socket
            after = await listener.wait(seen, within=15.0)
            assert after == seen + 1
            raw = await asyncpg.connect(url)
            try:
                await notify_ingest(raw, "after-restart")
            finally:
                await raw.close()
            assert await listener.wait(after, within=3.0) == after + 1
            assert listener.payloads[-1] == "after-restart"
    finally:
        await asyncio.to_thread((restarted or server).stop)
