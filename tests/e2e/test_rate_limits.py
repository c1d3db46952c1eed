"""The bot under Discord's rate limits: nothing lost, nothing posted twice.

The stand-in answers like Discord does (``fake_discord.rate_limits``): a global limit of
50 requests a second (429 with ``"global": true``) and, on top, an injected 429 for
every n-th matching request (a shared-resource limit a client cannot foresee). The
tests measure the same work with and without the 429s and write both times to
``benchmarks/out/reliability.json`` (shown in the run's "reliability figures").

* Digest fan-out: every server's due digest lands exactly once in its own channel.
  CI runs 100 servers; the ``slow`` variant runs 1,000 (``-m slow``).
* Paging: ◀ ▶ through every page of a 650-seat table, each click answered exactly
  once with the right page, while every other interaction callback gets a 429.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.reliability import figures

from .fake_discord import FakeDiscord
from .fake_discord.recorder import walk_components
from .harness import BotProcess
from .scenario_support import COMMANDS, assert_clean_output, assert_nothing_pings, query

GLOBAL_PER_SECOND = 50
INJECT_EVERY = 7
RETRY_AFTER = 0.05


def _enable_digests(db: Path, channels: dict[int, int]) -> None:
    """Make every server's digest due now (a quiet daily digest: one note each).

    Written straight into the bot's database: setting up 2,000 servers through
    ``/digest setup`` would time the set-up, not the fan-out."""
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=2)).strftime("%H:%M")
    before = (now - timedelta(hours=1)).isoformat()
    rows = [
        (gid, cid, slot, "UTC", "daily", 0, 0, "[]", 1, "enabled", before, before, before, before)
        for gid, cid in channels.items()
    ]
    conn = sqlite3.connect(db, timeout=30)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO digest_settings (guild_id, channel_id, post_time, timezone, cadence,"
                " weekday, min_signatures, extra_thresholds, quiet_note, status,"
                " scheduled_through, reported_through, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    finally:
        conn.close()


def _fan_out(d: FakeDiscord, db: Path, channels: dict[int, int], timeout: float) -> float:
    """Enable the digests, wait until every one is recorded; seconds taken."""
    start = time.monotonic()
    _enable_digests(db, channels)
    ids = ",".join(str(g) for g in channels)
    sql = f"SELECT count(*) FROM digest_posts WHERE guild_id IN ({ids}) AND status != 'claimed'"
    while query(db, sql)[0][0] < len(channels):  # the database is not stand-in state: poll
        assert time.monotonic() - start < timeout, f"fan-out not done after {timeout} s"
        time.sleep(0.02)
    return time.monotonic() - start


def _assert_each_posted_once(d: FakeDiscord, db: Path, channels: dict[int, int]) -> None:
    ids = ",".join(str(g) for g in channels)
    rows = query(
        db, f"SELECT guild_id, status, message_ids FROM digest_posts WHERE guild_id IN ({ids})"
    )
    assert len(rows) == len(channels)
    assert {status for _, status, _ in rows} == {"posted"}, rows[:5]
    for gid, _, message_ids in rows:
        messages = d.channel_messages(channels[gid])
        assert len(messages) == 1, (gid, len(messages))  # no loss, no duplicate
        assert message_ids == f"[{messages[0]['id']}]"


def _fan_out_run(d: FakeDiscord, spawn_bot: Any, servers: int, name: str) -> None:
    plain: dict[int, int] = {}
    limited: dict[int, int] = {}
    for i in range(2 * servers):
        guild = d.world.add_guild(f"Server {i}", key=f"s{i}")
        target = plain if i < servers else limited
        target[int(guild["id"])] = d.id(f"s{i}:petitions")
    bot: BotProcess = spawn_bot(commands=COMMANDS, env={"DIGEST_TICK_SECONDS": "0.2"}, timeout=120)
    db = Path(bot.extra_env["DATABASE_PATH"])
    budget = 60 + servers * 0.2
    without = _fan_out(d, db, plain, budget)
    d.rate_limits.configure(per_route=(5, 5.0), global_per_second=GLOBAL_PER_SECOND)
    injection = d.rate_limits.inject(
        "POST", re.compile(r"/channels/\d+/messages"), every=INJECT_EVERY, retry_after=RETRY_AFTER
    )
    with_429s = _fan_out(d, db, limited, budget)
    stats = d.rate_limits.stats
    assert injection.hits >= servers // INJECT_EVERY
    assert stats.global_429s > 0 or servers < GLOBAL_PER_SECOND
    _assert_each_posted_once(d, db, plain)
    _assert_each_posted_once(d, db, limited)
    accepted = [r for r in d.requests("POST", re.compile(r"/channels/\d+/messages"))
                if r.status == 200]  # fmt: skip
    assert len(accepted) == 2 * servers
    figures.record(
        name,
        {
            "servers": servers,
            "seconds_without_429s": round(without, 2),
            "seconds_with_429s": round(with_429s, 2),
            "global_limit_per_s": GLOBAL_PER_SECOND,
            "global_429s": stats.global_429s,
            "injected_429s": stats.injected_429s,
            "route_429s": stats.route_429s,
        },
    )
    assert bot.stop() == 0
    assert_nothing_pings(d)
    d.assert_no_unknown_routes()


def test_digest_fan_out_under_429s_loses_nothing(fake_discord: FakeDiscord, spawn_bot: Any) -> None:
    _fan_out_run(fake_discord, spawn_bot, 100, "digest_fan_out_429s_100")


@pytest.mark.slow
def test_digest_fan_out_to_1000_servers_under_429s(
    fake_discord: FakeDiscord, spawn_bot: Any
) -> None:
    _fan_out_run(fake_discord, spawn_bot, 1000, "digest_fan_out_429s_1000")


def _page_label(msg: dict[str, Any]) -> str:
    return next(
        c["label"] for c in walk_components(msg["components"]) if c.get("custom_id") == "reply:page"
    )


def _page_through(d: FakeDiscord, petition: str) -> tuple[float, list[str], int]:
    """Open a 650-seat table and press ▶ to the last page and ◀ back to the first."""
    mark = d.mark()
    start = time.monotonic()
    h = d.slash("petition top", {"petition": petition, "count": 700}, user="member")
    msg = h.reply()
    labels = [_page_label(msg)]
    total = int(labels[0].split("/")[1])
    for custom_id in ["reply:next"] * (total - 1) + ["reply:previous"] * (total - 1):
        click = d.click(msg["id"], custom_id, user="member")
        msg = click.reply()
        labels.append(_page_label(msg))
    seconds = time.monotonic() - start
    callbacks = [r for r in d.requests(route="interaction_callback", since=mark)]
    accepted = [r for r in callbacks if r.status < 300]
    assert len(accepted) == 2 * total - 1  # each interaction answered exactly once
    assert len({r.interaction_id for r in accepted}) == len(accepted)
    return seconds, labels, len(callbacks) - len(accepted)


def test_paging_under_429s_shows_every_page_once(fake_discord: FakeDiscord, spawn_bot: Any) -> None:
    d = fake_discord
    bot: BotProcess = spawn_bot(commands=COMMANDS)
    general_before = len(d.channel_messages("general"))
    without, labels, refused = _page_through(d, "652057")
    assert refused == 0
    total = int(labels[0].split("/")[1])
    expected = [f"{p} / {total}" for p in [*range(1, total + 1), *range(total - 1, 0, -1)]]
    assert labels == expected and total > 10
    d.rate_limits.inject("POST", re.compile(r"/interactions/.*/callback"), every=2,
                         retry_after=RETRY_AFTER)  # fmt: skip
    with_429s, labels_429, refused = _page_through(d, "652057")
    assert labels_429 == expected
    assert refused == d.rate_limits.stats.injected_429s >= total - 1
    # nothing extra was posted: paging edits the one reply in place
    assert len(d.channel_messages("general")) == general_before + 2
    figures.record(
        "paging_429s",
        {
            "pages": total,
            "clicks": 2 * (total - 1),
            "seconds_without_429s": round(without, 2),
            "seconds_with_429s": round(with_429s, 2),
            "injected_429s": refused,
        },
    )
    assert bot.stop() == 0
    assert_clean_output(bot)
    assert_nothing_pings(d)
