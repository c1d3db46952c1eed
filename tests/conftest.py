"""Shared fixtures: real seed documents, real SQLite files."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.ingest.loader import ingest_paths_sync
from db.database import Database

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO / "data" / "petitions"
SHARED = REPO.parent / "shared"

# Never let a developer's .env (a real token!) leak into tests.
os.environ.pop("DISCORD_TOKEN", None)


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(paths) == 3, paths
    return paths


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "petitionbot.sqlite3"


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory, seed_paths: list[Path]) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    report = ingest_paths_sync(path, seed_paths)
    assert report.counts["added"] == 3, report.results
    return path


@pytest.fixture
def loaded_db_path(tmp_path: Path, _seeded_template: Path) -> Path:
    """A fresh copy of a database with the three seeds ingested."""
    path = tmp_path / "loaded.sqlite3"
    shutil.copyfile(_seeded_template, path)
    return path


@pytest.fixture
async def db(loaded_db_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(loaded_db_path)
    try:
        yield database
    finally:
        await database.close()
