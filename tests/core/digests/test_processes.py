"""Two bot processes on one database: digest claims know their process.

Each "process" here is what a bot process has: its own connection to the
same SQLite file, its own instance id in the instance registry (with a
heartbeat) and its own ``DigestRunner``. Before migration 0020 a process
starting marked *every* unfinished claim interrupted, including a live
process's, so the news was posted twice.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.common.cards import Card
from core.common.liveness import STALE_AFTER
from core.common.shards import ShardPlan
from core.digests.schedule import Period
from core.digests.service import DigestRunner
from core.services import Services
from db import digests as repo
from db import follows as instances
from db.database import Database
from tests.digest_support import BASE, make_config

NINE = BASE + timedelta(hours=9)
CHANNEL = 500


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Poster:
    """Records posts; ``gate`` (when set) holds every post until the test opens it."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.gate = gate
        self.sent: list[int] = []
        self.entered = asyncio.Event()

    async def __call__(self, channel_id: int, cards: list[Card]) -> int:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        self.sent.append(channel_id)
        return 10_000 + len(self.sent)


@pytest.fixture
async def two(loaded_db_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    first = await Database.open(loaded_db_path)
    second = await Database.open(loaded_db_path)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def start_process(
    db: Database, name: str, clock: Clock, poster: Poster, shards: ShardPlan | None = None
) -> DigestRunner:
    """What a bot process does at start-up: register, beat, then recover dead claims."""
    await instances.register_instance(db, name, 1, clock())
    runner = DigestRunner(
        db,
        poster,
        clock=clock,
        liveness_clock=clock,
        instance_id=name,
        owns_guild=shards.owns_guild if shards is not None else None,
    )
    await runner.recover()
    return runner


async def test_a_second_process_starting_leaves_a_live_claim_alone(
    two: tuple[Database, Database],
) -> None:
    db_a, db_b = two
    await repo.save_config(db_a, make_config(quiet=True), BASE)
    clock = Clock(NINE)
    gate = asyncio.Event()
    poster_a, poster_b = Poster(gate), Poster()
    runner_a = await start_process(db_a, "a", clock, poster_a)
    tick_a = asyncio.create_task(runner_a.tick())
    await asyncio.wait_for(poster_a.entered.wait(), 5)  # A claimed and is posting
    claimed = await repo.get_post(db_b, 1, "daily 2031-01-01")
    assert claimed is not None
    assert (claimed.status, claimed.claimed_by) == ("claimed", "a")

    # B starts while A is mid-post (A beats its heartbeat meanwhile): A's claim is untouched.
    clock.now = NINE + timedelta(seconds=20)
    await instances.heartbeat(db_a, "a", clock())
    runner_b = await start_process(db_b, "b", clock, poster_b)
    assert await runner_b.tick() == []  # A's claim already moved the server's schedule
    still = await repo.get_post(db_b, 1, "daily 2031-01-01")
    assert still is not None and still.status == "claimed"

    gate.set()
    [done] = await asyncio.wait_for(tick_a, 5)
    assert done.status == "posted"
    assert (poster_a.sent, poster_b.sent) == ([CHANNEL], [])
    post = await repo.get_post(db_b, 1, "daily 2031-01-01")
    assert post is not None and post.status == "posted"


async def test_a_dead_processs_claim_is_recovered_once(two: tuple[Database, Database]) -> None:
    db_a, db_b = two
    await repo.save_config(db_a, make_config(quiet=True), BASE)
    clock = Clock(NINE)
    poster_a = Poster(asyncio.Event())  # never opened: A dies while posting
    runner_a = await start_process(db_a, "a", clock, poster_a)
    tick_a = asyncio.create_task(runner_a.tick())
    await asyncio.wait_for(poster_a.entered.wait(), 5)
    tick_a.cancel()  # the process is gone; its heartbeat row stays, growing stale
    with pytest.raises(asyncio.CancelledError):
        await tick_a

    poster_b = Poster()
    clock.now = NINE + STALE_AFTER - timedelta(seconds=1)
    runner_b = await start_process(db_b, "b", clock, poster_b)
    assert await runner_b.recover() == 0  # A might only be slow: not yet
    clock.now = NINE + STALE_AFTER + timedelta(seconds=1)
    await instances.heartbeat(db_b, "b", clock())
    assert await runner_b.tick() == []  # the sweep in the tick recovers it...
    assert await runner_b.recover() == 0  # ...once
    post = await repo.get_post(db_b, 1, "daily 2031-01-01")
    assert post is not None
    assert (post.status, post.claimed_by, post.error) == ("interrupted", "a", repo.INTERRUPTED)
    assert poster_b.sent == []  # never reposted (it may have been partly posted)


def guild_on_shard(n: int) -> int:
    """A snowflake-shaped server id whose shard (of 4) is ``n % 4``."""
    return (n << 22) | 12345


async def test_each_process_posts_only_its_shards_servers(
    two: tuple[Database, Database],
) -> None:
    db_a, db_b = two
    guilds = [guild_on_shard(n) for n in range(20)]
    for guild in guilds:
        config = make_config(guild_id=guild, channel_id=guild, quiet=True)
        await repo.save_config(db_a, config, BASE)
    clock = Clock(NINE)
    poster_a, poster_b = Poster(), Poster()
    runner_a = await start_process(db_a, "a", clock, poster_a, ShardPlan((0, 1), 4))
    runner_b = await start_process(db_b, "b", clock, poster_b, ShardPlan((2, 3), 4))
    outcomes_a, outcomes_b = await asyncio.gather(runner_a.tick(), runner_b.tick())
    assert {o.status for o in outcomes_a + outcomes_b} == {"posted"}
    assert sorted(poster_a.sent) == [g for g in guilds if (g >> 22) % 4 in (0, 1)]
    assert sorted(poster_b.sent) == [g for g in guilds if (g >> 22) % 4 in (2, 3)]
    assert sorted(poster_a.sent + poster_b.sent) == guilds  # every server once
    assert await runner_a.tick() == [] and await runner_b.tick() == []


async def test_services_hand_the_runner_its_process_and_shards(db: Database) -> None:
    class Host:
        data_dir = Path(".")
        max_upload_bytes = 1

        async def post(self, channel_id: int, cards: list[Card]) -> int:
            return 1

    services = await Services.load(db, Host())  # type: ignore[arg-type]
    assert services.digests is not None and services.digests.runner.owns_guild is None
    sharded = Services(
        db,
        services.resolver,
        Host(),
        instance_id="me",
        shards=ShardPlan((1,), 2),  # type: ignore[arg-type]
    )
    assert sharded.digests is not None
    runner = sharded.digests.runner
    assert runner.instance_id == "me"
    assert runner.owns_guild is not None
    assert runner.owns_guild(1 << 22) and not runner.owns_guild(2 << 22)


async def test_a_killed_process_on_this_host_is_recovered_at_once(
    two: tuple[Database, Database],
) -> None:
    """Its heartbeat is still fresh, but its pid is gone: no need to wait 30 s."""
    import sys

    from core.common.liveness import this_host

    db_a, db_b = two
    clock = Clock(NINE)
    exited = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await exited.wait()  # its pid is gone (reaped), as a process killed with -9 would be
    for guild, (name, pid) in enumerate((("killed", exited.pid), ("alive", os.getppid())), 1):
        await repo.save_config(db_a, make_config(guild_id=guild, quiet=True), BASE)
        await instances.register_instance(db_a, name, pid, clock(), this_host())
        p = Period("daily 2031-01-01", BASE, NINE)
        assert await repo.claim(db_a, guild, p, CHANNEL, clock(), name)
    runner_b = await start_process(db_b, "b", clock, Poster())
    statuses = [await repo.get_post(db_b, guild, "daily 2031-01-01") for guild in (1, 2)]
    assert [(s.status, s.claimed_by) for s in statuses if s] == [
        ("interrupted", "killed"),
        ("claimed", "alive"),  # a live pid on this host, fresh heartbeat: left alone
    ]
    assert await runner_b.recover() == 0
