"""Shared fixtures: real seed documents, real SQLite files, a real PostgreSQL.

A test module (or test) marked ``both_databases`` runs each test that takes the
``db`` fixture twice: on a SQLite file and on a PostgreSQL database started by
pgserver for this session (tests/postgres_support.py), both holding the seeds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core.ingest.loader import ingest_paths_sync
from db.database import Database
from tests.postgres_support import PgServer, build_seeded_template, run_blocking, start_server

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


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``both_databases`` tests take ``db`` once per backend (``[sqlite]``, ``[postgresql]``)."""
    marked = metafunc.definition.get_closest_marker("both_databases")
    sqlite_only = metafunc.definition.get_closest_marker("sqlite_only")
    if marked and not sqlite_only and "db" in metafunc.fixturenames:
        metafunc.parametrize("db", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """PostgreSQL 16 for this session, in a temp dir; a test needing it fails if it cannot start.

    Not under pytest's basetemp: another pytest run on the machine prunes old basetemps,
    which would pull the data directory from under the running server.
    """
    directory = Path(tempfile.mkdtemp(prefix="petitionbot-pg-"))
    try:
        server = start_server(directory)
    except Exception as exc:  # the reason, never a silent skip
        pytest.fail(
            f"PostgreSQL (pgserver) could not start in {directory}: {type(exc).__name__}: {exc}",
            pytrace=False,
        )
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_seeded_template(pg_server: PgServer, _seeded_template: Path) -> str:
    """A migrated PostgreSQL database with the seeded SQLite template's rows (its name)."""
    return run_blocking(build_seeded_template(pg_server, _seeded_template))


@pytest.fixture
async def pg_url(pg_server: PgServer) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database (not migrated) for this test, dropped after it."""
    name = await pg_server.create()
    try:
        yield pg_server.url(name)
    finally:
        await pg_server.drop(name)


@pytest.fixture
async def db(request: pytest.FixtureRequest, loaded_db_path: Path) -> AsyncIterator[Database]:
    """The three seeds in a database: SQLite, or PostgreSQL when parametrised so."""
    if getattr(request, "param", "sqlite") == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        name = await server.create(template=request.getfixturevalue("pg_seeded_template"))
        database = await Database.open(server.url(name))
        try:
            yield database
        finally:
            await database.close()
            await server.drop(name)
        return
    database = await Database.open(loaded_db_path)
    try:
        yield database
    finally:
        await database.close()
