"""Numbered migrations: applied once, in order, atomically."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

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
    for table in ("snapshots", "constituency_counts", "country_counts", "history_events"):
        count = conn.execute(f"SELECT count(*) FROM {table} WHERE petition_id = 652057")
        assert count.fetchone()[0] == 0, table
    assert isinstance(conn, sqlite3.Connection)
