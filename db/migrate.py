"""Apply the numbered schema files in ``db/migrations`` (RoboDanny-style).

Each file runs in its own transaction together with its bookkeeping, so a
failed migration leaves the database at the previous version rather than
half-migrated. Most are SQL; a ``NNNN_name.py`` file, for a change SQL cannot
express (0017 packs each petition's seat rows), defines ``upgrade(conn)`` and
runs in the same kind of transaction. Each applied migration is logged with
how long it took: moving a 100,000-petition archive is not instant.
``schema_migrations`` records every file applied and ``PRAGMA user_version``
the highest number, for tools that look there.

A file numbered below one already applied was added out of order (e.g. 0003
merged after 0004 shipped): it is refused with its name instead of being
skipped forever, which is what comparing numbers with ``user_version`` alone
would do.

PostgreSQL has its own numbered files in ``migrations/postgresql`` (the same schema
in its own dialect), applied by :func:`migrate_postgres` under the same rules: one
transaction per file with its ledger row, late numbers refused, and an advisory lock
so processes starting together apply each file once.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
PG_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
PG_LOCK_KEY = 0x5065_7469  # "Peti": the advisory lock held while migrating PostgreSQL
_NAME = re.compile(r"^(\d{4})_[\w-]+\.(sql|py)$")
logger = logging.getLogger(__name__)


class MigrationError(RuntimeError):
    """A migration file is misnamed, duplicated or failed to apply."""


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    path: Path


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migration files in order; numbers must be unique."""
    found: dict[int, Migration] = {}
    for path in sorted([*directory.glob("*.sql"), *directory.glob("*.py")]):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(
                f"{path.name}: migration files are named NNNN_description.sql (or .py)"
            )
        number = int(match.group(1))
        if number in found:
            raise MigrationError(
                f"{path.name}: number {number} already used by {found[number].name}"
            )
        found[number] = Migration(number, path.name, path)
    return [found[n] for n in sorted(found)]


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    number INTEGER PRIMARY KEY,
    name   TEXT NOT NULL
)
"""


def applied_numbers(conn: sqlite3.Connection, known: list[Migration]) -> set[int]:
    """Numbers already applied, from the ledger (created, and back-filled, on first use).

    A database from before the ledger only has ``user_version``: every known
    file up to it counts as applied, which is what the old rule assumed.
    """
    if not _has_ledger(conn):
        # Checked again under the write lock: the bot and a CLI ingest may both be
        # starting on the same old database.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not _has_ledger(conn):
                version = current_version(conn)
                conn.execute(_LEDGER)
                conn.executemany(
                    "INSERT OR IGNORE INTO schema_migrations (number, name) VALUES (?, ?)",
                    [(m.number, m.name) for m in known if m.number <= version],
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return {int(row[0]) for row in conn.execute("SELECT number FROM schema_migrations")}


def _has_ledger(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    return row is not None


def pending(known: list[Migration], done: set[int]) -> list[Migration]:
    """The files still to apply; refuses one numbered below the newest applied."""
    todo = [m for m in known if m.number not in done]
    latest = max(done, default=0)
    late = [m.name for m in todo if m.number < latest]
    if late:
        raise MigrationError(
            f"{', '.join(late)}: numbered below migration {latest:04d}, which this database "
            f"already has; renumber it above {latest:04d} so it is applied"
        )
    return todo


def migrate(
    conn: sqlite3.Connection,
    directory: Path = MIGRATIONS_DIR,
    durations: dict[str, float] | None = None,
) -> list[str]:
    """Apply pending migrations; returns the names applied (empty if up to date).

    ``durations``, when given, receives each applied migration's seconds.
    """
    known = available(directory)
    done = applied_numbers(conn, known)
    applied: list[str] = []
    for migration in pending(known, done):
        started = time.perf_counter()
        try:
            _apply(conn, migration)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if migration.number in applied_numbers(conn, known):
                continue  # another process starting on this database applied it first
            raise MigrationError(f"{migration.name}: {exc}") from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        spent = time.perf_counter() - started
        logger.info("Applied migration %s in %.2f s", migration.name, spent)
        if durations is not None:
            durations[migration.name] = spent
        applied.append(migration.name)
    return applied


def _bookkeeping(migration: Migration) -> str:
    return (
        f"INSERT INTO schema_migrations (number, name)"
        f" VALUES ({migration.number}, '{migration.name}');"
        f"PRAGMA user_version = {migration.number};"
    )


def _apply(conn: sqlite3.Connection, migration: Migration) -> None:
    """Run one migration and its bookkeeping in one transaction."""
    if migration.path.suffix == ".sql":
        sql = migration.path.read_text(encoding="utf-8")
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;{_bookkeeping(migration)}\nCOMMIT;")
        return
    upgrade = _python_upgrade(migration)
    conn.execute("BEGIN IMMEDIATE")
    upgrade(conn)
    for statement in _bookkeeping(migration).split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("COMMIT")


def _python_upgrade(migration: Migration) -> Callable[[sqlite3.Connection], None]:
    spec = importlib.util.spec_from_file_location(
        f"db.migrations.m{migration.number:04d}", migration.path
    )
    if spec is None or spec.loader is None:
        raise MigrationError(f"{migration.name}: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    upgrade = getattr(module, "upgrade", None)
    if not callable(upgrade):
        raise MigrationError(f"{migration.name}: defines no upgrade(conn) function")
    return upgrade


_PG_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    number INTEGER PRIMARY KEY,
    name   TEXT COLLATE "C" NOT NULL
)
"""


async def migrate_postgres(conn: Any, directory: Path = PG_MIGRATIONS_DIR) -> list[str]:
    """Apply pending PostgreSQL migrations on an asyncpg connection; returns names applied.

    A session advisory lock serialises processes starting together: the second
    waits, then finds the files applied and applies nothing.
    """
    import asyncpg

    known = available(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", PG_LOCK_KEY)
    try:
        await conn.execute(_PG_LEDGER)
        done = {int(row[0]) for row in await conn.fetch("SELECT number FROM schema_migrations")}
        applied: list[str] = []
        for migration in pending(known, done):
            sql = migration.path.read_text(encoding="utf-8")
            try:
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (number, name) VALUES ($1, $2)",
                        migration.number,
                        migration.name,
                    )
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"{migration.name}: {exc}") from exc
            applied.append(migration.name)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", PG_LOCK_KEY)
