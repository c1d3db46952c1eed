"""Numbered migrations: applied once, in order, atomically."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import db.migrate as migrate_module
from db.connection import connect_sync
from db.migrate import MIGRATIONS_DIR, MigrationError, available, current_version, migrate


def test_fresh_database_gets_every_migration(db_path: Path) -> None:
    conn = connect_sync(db_path)
    applied = migrate(conn)
    assert applied == [m.name for m in available()]
    assert current_version(conn) == available()[-1].number
    assert migrate(conn) == []  # second run: nothing to do
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migration_numbers_are_unique_and_named() -> None:
    numbers = [m.number for m in available()]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == 1
    assert all(p.name[:4].isdigit() for p in MIGRATIONS_DIR.glob("*.sql"))


def test_failed_migration_leaves_previous_version(tmp_path: Path, db_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_ok.sql").write_text("CREATE TABLE a (x INTEGER);")
    (folder / "0002_bad.sql").write_text("CREATE TABLE b (x INTEGER); INSERT INTO nope VALUES (1);")
    conn = connect_sync(db_path)
    with pytest.raises(MigrationError, match=r"0002_bad\.sql"):
        migrate(conn, folder)
    assert current_version(conn) == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "a" in tables and "b" not in tables


def test_misnamed_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "init.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"NNNN_description\.sql"):
        available(tmp_path)


def test_foreign_keys_cascade_on_delete(loaded_db_path: Path) -> None:
    conn = connect_sync(loaded_db_path)
    conn.execute("DELETE FROM petitions WHERE id = 652057")
    for table in ("snapshots", "seat_tables", "seat_ranks", "country_counts", "history_events"):
        count = conn.execute(f"SELECT count(*) FROM {table} WHERE petition_id = 652057")
        assert count.fetchone()[0] == 0, table
    assert isinstance(conn, sqlite3.Connection)


def _folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir(exist_ok=True)
    for name in names:
        table = name.split("_", 1)[1].removesuffix(".sql")
        (folder / name).write_text(f"CREATE TABLE {table} (x INTEGER);")
    return folder


def test_ledger_records_every_applied_file(db_path: Path) -> None:
    conn = connect_sync(db_path)
    migrate(conn)
    ledger = conn.execute("SELECT number, name FROM schema_migrations ORDER BY number")
    assert ledger.fetchall() == [(m.number, m.name) for m in available()]


def test_migration_added_below_an_applied_one_is_refused_not_skipped(
    tmp_path: Path, db_path: Path
) -> None:
    folder = _folder(tmp_path, "0001_a.sql", "0003_c.sql")
    conn = connect_sync(db_path)
    assert migrate(conn, folder) == ["0001_a.sql", "0003_c.sql"]
    _folder(tmp_path, "0002_b.sql", "0004_d.sql")  # 0002 merged after 0003 shipped
    with pytest.raises(MigrationError, match=r"0002_b\.sql: numbered below migration 0003"):
        migrate(conn, folder)
    assert current_version(conn) == 3  # nothing applied, not even 0004
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "b" not in tables and "d" not in tables


def test_database_from_before_the_ledger_keeps_its_version(tmp_path: Path, db_path: Path) -> None:
    """Only user_version was recorded: files up to it count as applied."""
    folder = _folder(tmp_path, "0001_a.sql", "0002_b.sql")
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.executescript("CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER);")
    conn.execute("PRAGMA user_version = 2")
    _folder(tmp_path, "0003_c.sql")
    assert migrate(conn, folder) == ["0003_c.sql"]
    assert current_version(conn) == 3
    numbers = [r[0] for r in conn.execute("SELECT number FROM schema_migrations ORDER BY 1")]
    assert numbers == [1, 2, 3]


def test_another_process_migrating_first_is_not_an_error(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot and a CLI ingest start together on an old database: the one that
    loses the race finds the work done instead of failing."""
    folder = _folder(tmp_path, "0001_a.sql", "0002_b.sql")
    winner, loser = connect_sync(db_path), connect_sync(db_path)
    assert migrate(winner, folder) == ["0001_a.sql", "0002_b.sql"]
    # The loser looked before the winner wrote anything: no ledger, nothing applied.
    looks = [False]
    real_has_ledger = migrate_module._has_ledger
    monkeypatch.setattr(
        migrate_module, "_has_ledger", lambda c: looks.pop() if looks else real_has_ledger(c)
    )
    stale = [set()]
    real_applied = migrate_module.applied_numbers
    monkeypatch.setattr(
        migrate_module,
        "applied_numbers",
        lambda c, known: stale.pop() if stale else real_applied(c, known),
    )
    assert migrate(loser, folder) == []
    assert current_version(loser) == 2
