"""Two bot processes, two gateway shards each, one database (issue 18).

Run twice: on one SQLite file, and on one PostgreSQL database (the session's
pgserver, ``DATABASE_URL``), where the CLI's ingest reaches the processes
through ``LISTEN/NOTIFY`` instead of ``PRAGMA data_version``.

Process A runs shards 0-1 of 4 (``run --shards 0-1 --shard-count 4``), process B
shards 2-3 (``SHARD_IDS``/``SHARD_COUNT``); the stand-in's gateway honours
IDENTIFY's ``shard`` field, so each process hears only its servers (and A,
holding shard 0, the DMs). Shown here with the real processes:

* every interaction is answered exactly once, by the process owning the server
  (``/about`` names the answering process's shards);
* only A (shard 0) syncs the command tree;
* digests due in 20 servers are posted exactly once while B is killed with -9 and
  restarted *while A is in the middle of posting*: B's start-up leaves A's live
  claims alone (before migration 0020 it marked them interrupted);
* a petition ingested by the CLI shows up in both processes' autocomplete within
  seconds, without a restart.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from core.ingest.parser import parse_file
from core.ingest.writer import render_document
from tests.digest_support import renumbered
from tests.postgres_support import run_blocking

from .fake_discord import FakeDiscord
from .fake_discord.payloads import snowflake
from .harness import REPO_ROOT, BotProcess
from .scenario_support import COMMANDS, assert_nothing_pings, query

SEEDS = REPO_ROOT.parent / "shared" / "seeds"
COUNT = 4
A_SHARDS, B_SHARDS = (0, 1), (2, 3)
SERVERS = 20
CHANGED = "Petition data changed elsewhere"  # core.search.watch logs it on each refresh
NEW_ID, NEW_TITLE = 990_001, "Fund a hedgehog bridge over every motorway"


def shard(guild_id: int) -> int:
    return (guild_id >> 22) % COUNT


def add_servers(discord: FakeDiscord) -> dict[int, int]:
    """20 servers, five on each shard: guild id -> its #petitions channel."""
    base = snowflake()
    channels = {}
    for i in range(SERVERS):
        gid = (((base >> 22) + i) << 22) | (base & 0x3FFFFF)
        discord.world.add_guild(f"Server {i}", key=f"s{i}", guild_id=gid)
        channels[gid] = discord.id(f"s{i}:petitions")
    assert sorted(shard(g) for g in channels) == sorted([0, 1, 2, 3] * 5)
    return channels


def start(spawn_bot: Any, *args: str, env: dict[str, str], shards: str) -> BotProcess:
    bot: BotProcess = spawn_bot(*args, env=env, timeout=60)
    bot.wait_for_output(rf"Ready as .* shards {shards} of {COUNT}", timeout=60)
    return bot


@dataclass(frozen=True)
class Store:
    """The database both processes share, as the test reads and writes it from outside."""

    target: str  # a SQLite file, or a postgresql:// URL

    @property
    def postgres(self) -> bool:
        return self.target.startswith("postgresql://")

    def env(self) -> dict[str, str]:
        """What points a process (bot or CLI) at this database."""
        return {"DATABASE_URL": self.target} if self.postgres else {"DATABASE_PATH": self.target}

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if not self.postgres:
            return query(Path(self.target), sql)
        return [tuple(r) for r in run_blocking(self._pg(lambda c: c.fetch(sql)))]

    def insert(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """``sql`` with ``?`` placeholders (numbered for PostgreSQL), one transaction."""
        if not self.postgres:
            conn = sqlite3.connect(self.target, timeout=30)
            try:
                with conn:
                    conn.executemany(sql, rows)
            finally:
                conn.close()
            return
        parts = sql.split("?")
        numbered = parts[0] + "".join(f"${i}{p}" for i, p in enumerate(parts[1:], 1))
        run_blocking(self._pg(lambda c: c.executemany(numbered, rows)))

    async def _pg(self, work: Any) -> Any:
        conn = await asyncpg.connect(self.target)
        try:
            async with conn.transaction():
                return await work(conn)
        finally:
            await conn.close()


def make_digests_due(store: Store, channels: dict[int, int]) -> None:
    """Every server's quiet daily digest is due now (rows written as in test_rate_limits)."""
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=2)).strftime("%H:%M")
    before = (now - timedelta(hours=1)).isoformat()
    store.insert(
        "INSERT INTO digest_settings (guild_id, channel_id, post_time, timezone, cadence,"
        " weekday, min_signatures, extra_thresholds, quiet_note, status,"
        " scheduled_through, reported_through, created_at, updated_at)"
        " VALUES (?, ?, ?, 'UTC', 'daily', 0, 0, '[]', 1, 'enabled', ?, ?, ?, ?)",
        [(g, c, slot, before, before, before, before) for g, c in channels.items()],
    )


def wait_until(check: Any, timeout: float, what: str) -> float:
    """Poll ``check`` until true; seconds it took."""
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < timeout, f"{what}: not after {timeout} s"
        time.sleep(0.05)
    return time.monotonic() - began


def test_two_processes_two_shards_each(spawn_bot: Any, tmp_path: Path) -> None:
    _with_stand_in(spawn_bot, tmp_path, Store(str(tmp_path / "bot.db")))


def test_two_processes_two_shards_each_on_postgres(
    spawn_bot: Any, tmp_path: Path, pg_url: str
) -> None:
    _with_stand_in(spawn_bot, tmp_path, Store(pg_url))
    assert not (tmp_path / "bot.db").exists()  # nothing went to SQLite


def _with_stand_in(spawn_bot: Any, tmp_path: Path, store: Store) -> None:
    with FakeDiscord(shard_count=COUNT) as discord:
        spawn_bot.discord = discord
        try:
            _run(discord, spawn_bot, tmp_path, store)
        finally:
            spawn_bot.close()  # before the stand-in stops (prints the bots' output)
            spawn_bot.procs.clear()


def _run(discord: FakeDiscord, spawn_bot: Any, tmp_path: Path, store: Store) -> None:
    channels = add_servers(discord)
    env = {"DIGEST_TICK_SECONDS": "0.3", "FOLLOW_TICK_SECONDS": "1", **store.env()}
    a = start(spawn_bot, "run", "--shards", "0-1", "--shard-count", "4", env=env, shards="0-1")
    b_env = {**env, "SHARD_IDS": "2-3", "SHARD_COUNT": "4"}
    b = start(spawn_bot, env=b_env, shards="2-3")
    discord.wait_commands_synced(COMMANDS)
    identified = sorted(tuple(s.shard) for s in discord.sessions.values() if s.shard)
    assert identified == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert "command sync is left to the process with shard 0" in b.output()
    # Each shard's connection got GUILD_CREATE for its own servers only, and all of them.
    shard_of_connection = {
        s.connection.id: s.shard for s in discord.sessions.values() if s.connection and s.shard
    }
    created: dict[int, set[int]] = {n: set() for n in range(COUNT)}
    for frame in discord.gateway_log:
        if frame.direction == "send" and frame.t == "GUILD_CREATE":
            created[shard_of_connection[frame.connection_id][0]].add(int(frame.d["id"]))
    for n in range(COUNT):
        assert {g for g in created[n] if g in channels} == {g for g in channels if shard(g) == n}
        assert all(shard(g) == n for g in created[n])
    request = urllib.request.Request(
        discord.api_base + "/gateway/bot", headers={"Authorization": f"Bot {discord.token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert json.load(answer)["shards"] == COUNT

    # Every interaction once, by its server's process; DMs go to shard 0 (A).
    for gid in channels:
        h = discord.slash("about", channel=f"s{list(channels).index(gid)}:general")
        owner = "0-1" if shard(gid) in A_SHARDS else "2-3"
        assert h.record.shard == (shard(gid), COUNT)
        assert f"Shards {owner} of 4" in h.reply_text()
    dm = discord.slash("about", channel="dm")
    assert dm.record.shard == (0, COUNT) and "Shards 0-1 of 4" in dm.reply_text()
    callbacks = discord.requests("POST", re.compile(r"/interactions/\d+/.+/callback"))
    assert len(callbacks) == SERVERS + 1  # exactly one answer per interaction

    # Digests: A's first post hangs for a while; B posts, is killed, restarts meanwhile.
    a_first = min(g for g in channels if shard(g) in A_SHARDS)
    discord.override("POST", f"/channels/{channels[a_first]}/messages", delay=10.0, times=1)
    make_digests_due(store, channels)
    b_channels = [c for g, c in channels.items() if shard(g) in B_SHARDS]
    wait_until(lambda: all(discord.channel_messages(c) for c in b_channels), 20, "B's digests")
    # ...and recorded: killed between a post and its record, B's own claim would rightly
    # come back "interrupted" (the news may or may not be out), which is not this test.
    b_guilds = ", ".join(str(g) for g in channels if shard(g) in B_SHARDS)
    wait_until(
        lambda: (
            store.query(
                f"SELECT count(*) FROM digest_posts WHERE status = 'posted'"
                f" AND guild_id IN ({b_guilds})"
            )[0][0]
            == len(b_channels)
        ),
        20,
        "B's digests recorded",
    )
    b.kill()
    b.start()
    b.wait_for_output(r"Ready as .* shards 2-3 of 4", timeout=30)
    # A is still posting (its first message is held), so its claims are live: untouched.
    assert not discord.channel_messages(channels[a_first]), "A finished early: raise the delay"
    [(status,)] = store.query(f"SELECT status FROM digest_posts WHERE guild_id = {a_first}")
    assert status == "claimed", "B's start-up took a live process's claim"
    wait_until(
        lambda: (
            store.query("SELECT count(*) FROM digest_posts WHERE status != 'claimed'")[0][0]
            == SERVERS
        ),
        30,
        "all digests recorded",
    )
    # Only A (shard 0) ever synced the commands, B's restart included.
    assert len(discord.requests("PUT", f"/applications/{discord.app_id}/commands")) == 1
    rows = store.query("SELECT guild_id, status, claimed_by FROM digest_posts")
    assert {status for _, status, _ in rows} == {"posted"}, rows  # none interrupted
    owners = {g: by for g, _, by in rows}
    assert len({owners[g] for g in channels if shard(g) in A_SHARDS}) == 1
    assert len({owners[g] for g in channels if shard(g) in B_SHARDS}) == 1
    for channel in channels.values():
        assert len(discord.channel_messages(channel)) == 1  # exactly once

    # An ingest by the CLI reaches both processes' search, no restart.
    refreshes_before = {
        bot.log_path: bot.output().split("===== start")[-1].count(CHANGED) for bot in (a, b)
    }
    document = tmp_path / "new.md"
    seed = parse_file(next(SEEDS.glob("*.txt"))).petition
    document.write_text(render_document(renumbered(seed, NEW_ID, NEW_TITLE)))
    subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(document)],
        cwd=tmp_path,
        env={**os.environ, "DATABASE_PATH": str(tmp_path / "cli.db"), **store.env()},
        check=True,
        capture_output=True,
    )
    ingested = time.monotonic()
    seen = {}
    for name, index in (("A", A_SHARDS), ("B", B_SHARDS)):
        i = next(i for i, g in enumerate(channels) if shard(g) in index)

        def found(i: int = i) -> bool:
            h = discord.autocomplete(
                "petition show", {"petition": "hedgehog bridge"}, focused="petition",
                channel=f"s{i}:general",
            )  # fmt: skip
            return any(NEW_TITLE in c["name"] for c in h.choices())

        wait_until(found, 15, f"process {name} sees the CLI's ingest")
        seen[name] = round(time.monotonic() - ingested, 2)
    print(f"CLI ingest visible after (s), {'PostgreSQL' if store.postgres else 'SQLite'}: {seen}")
    assert_nothing_pings(discord)
    for bot in (a, b):
        latest = bot.output().split("===== start")[-1]
        assert " ERROR " not in latest
        # The change feed told this process (it did not restart): one more refresh than before.
        assert latest.count(CHANGED) > refreshes_before[bot.log_path], latest
