"""The /ask tests' archive: the three seeds and the 69 real petitions from the scraper,
on SQLite and on PostgreSQL (the same rows)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.ingest.loader import ingest_paths_sync
from core.search.resolver import Resolver
from core.services import Services
from db.database import Database
from db.reference import ensure_reference_at
from tests.conftest import BACKENDS
from tests.postgres_support import PgServer, build_seeded_template, run_blocking

REPO = Path(__file__).resolve().parents[3]
JSON_PETITIONS = REPO / "tests" / "fixtures" / "petition_json" / "petitions"


@pytest.fixture(scope="session")
def _archive_template(tmp_path_factory: pytest.TempPathFactory, seed_paths: list[Path]) -> Path:
    """Ingested once, like the bot: real documents, then the bundled seat reference."""
    path = tmp_path_factory.mktemp("ask") / "archive.sqlite3"
    documents = seed_paths + sorted(JSON_PETITIONS.glob("*.json"))
    report = ingest_paths_sync(path, documents)
    assert report.counts["added"] == 72, report.results
    ensure_reference_at(path)
    return path


@pytest.fixture(scope="session")
def _pg_archive_template(pg_server: PgServer, _archive_template: Path) -> str:
    """The same archive in PostgreSQL (its rows copied), cloned per test."""
    return run_blocking(build_seeded_template(pg_server, _archive_template))


@pytest.fixture(params=BACKENDS)
async def services(
    request: pytest.FixtureRequest, tmp_path: Path, _archive_template: Path
) -> AsyncIterator[Services]:
    """/ask over the archive on SQLite, and on PostgreSQL holding the same rows."""
    if request.param == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        name = await server.create(template=request.getfixturevalue("_pg_archive_template"))
        db = await Database.open(server.url(name))
        try:
            yield Services(db, await Resolver.load(db))
        finally:
            await db.close()
            await server.drop(name)
        return
    path = tmp_path / "archive.sqlite3"
    shutil.copyfile(_archive_template, path)
    db = await Database.open(path)
    try:
        yield Services(db, await Resolver.load(db))
    finally:
        await db.close()
