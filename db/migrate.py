"""Apply the numbered schema files in ``db/migrations`` (RoboDanny-style).

``PRAGMA user_version`` records the last applied number. Each file runs in its
own transaction together with the version bump, so a failed migration leaves
the database at the previous version rather than half-migrated.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


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
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_description.sql")
        number = int(match.group(1))
        if number in found:
            raise MigrationError(
                f"{path.name}: number {number} already used by {found[number].name}"
            )
        found[number] = Migration(number, path.name, path)
    return [found[n] for n in sorted(found)]


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; returns the names applied (empty if up to date)."""
    version = current_version(conn)
    applied: list[str] = []
    for migration in available(directory):
        if migration.number <= version:
            continue
        sql = migration.path.read_text(encoding="utf-8")
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n;PRAGMA user_version = {migration.number};\nCOMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise MigrationError(f"{migration.name}: {exc}") from exc
        applied.append(migration.name)
    return applied
