"""Change feeds: a process learns that another one (or the CLI) changed the petitions.

Two connections to one SQLite file stand for two processes; the "other
process" ingests with the real loader (its own sqlite3 connection, as
``petitionbot ingest`` does).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.search.resolver import Resolver
from core.search.watch import IndexWatcher
from db import follows as instances
from db import petitions as petition_repo
from db.changes import SqliteChangeFeed, open_change_feed
from db.database import Database
from tests.digest_support import OFSTED, ingest_at, renumbered, seeds

NOW = datetime(2031, 1, 1, tzinfo=UTC)
POLL = 0.05


@pytest.fixture
async def feed(loaded_db_path: Path) -> AsyncIterator[SqliteChangeFeed]:
    feed = await SqliteChangeFeed.open(loaded_db_path, POLL)
    try:
        yield feed
    finally:
        await feed.close()


async def test_generation_moves_with_an_ingest_elsewhere_and_nothing_else(
    feed: SqliteChangeFeed, loaded_db_path: Path, seed_paths: list[Path]
) -> None:
    before = await feed.generation()
    assert before == await feed.generation()
    other = await Database.open(loaded_db_path)  # another process: heartbeats, bookkeeping
    try:
        await instances.register_instance(other, "other", 1, NOW)
        await petition_repo.set_meta(other, "anything", "1")
        checks = feed.checks
        with pytest.raises(TimeoutError):  # commits, but no petition changed: no wake-up
            await asyncio.wait_for(feed.wait_changed(before), 6 * POLL)
        assert feed.checks > checks  # data_version did move, so it looked (cheaply)
        petition = renumbered(seeds(seed_paths)[OFSTED], 1_000_001, "Ban homework on Fridays")
        ingest_at(loaded_db_path, [petition], NOW)
        after = await asyncio.wait_for(feed.wait_changed(before), 2)
        assert after != before
        await petition_repo.delete_petition(other, 1_000_001)  # a removal elsewhere too
        assert await asyncio.wait_for(feed.wait_changed(after), 2) not in (before, after)
    finally:
        await other.close()


async def test_quiet_database_is_not_queried_each_poll(feed: SqliteChangeFeed) -> None:
    seen = await feed.generation()
    checks = feed.checks
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(feed.wait_changed(seen), 5 * POLL)
    assert feed.checks == checks  # only PRAGMA data_version ran


async def test_watcher_refreshes_this_processs_index_after_a_cli_ingest(
    loaded_db_path: Path, seed_paths: list[Path]
) -> None:
    db = await Database.open(loaded_db_path)
    resolver = await Resolver.load(db)
    feed = await open_change_feed(loaded_db_path, POLL)
    refreshed = asyncio.Event()

    async def on_change() -> None:
        await resolver.refresh()
        refreshed.set()

    watcher = IndexWatcher(feed, on_change)
    await watcher.step()  # where the data stands now, before the other process ingests
    task = asyncio.create_task(watcher.run())
    try:
        query = "homework fridays"
        missing = await resolver.petition(query)
        assert missing.best is None or missing.best.id != 1_000_002
        petition = renumbered(seeds(seed_paths)[OFSTED], 1_000_002, "Ban homework on Fridays")
        ingest_at(loaded_db_path, [petition], NOW)  # as `petitionbot ingest` would, elsewhere
        await asyncio.wait_for(refreshed.wait(), 3)
        found = await resolver.petition(query)
        assert found.best is not None and found.best.id == 1_000_002
        assert watcher.refreshes == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.close()
