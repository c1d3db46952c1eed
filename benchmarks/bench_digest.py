"""Benchmark: compose the digests of 1,000 servers due in the same scheduler tick.

Target (issue #5): composing digests for 1,000 servers in ≤ 1 s.

The database is synthetic but shaped like a busy day: thousands of petitions
with weeks of daily snapshots, half of them refreshed (twice) inside the
digest window, some new, some crossing 10,000/100,000 or the servers' own
thresholds, some newly answered or closed. Rows are written straight into the
schema's tables (what the loader would have written), so building it takes
seconds rather than parsing thousands of documents.

Servers are spread over ten time zones and all four filters; most share the
usual daily window, a fifth have a window of their own (recently enabled or
catching up), which is the expensive case for sharing work.

Three measurements, all in this run:

- ``shared``: what the scheduler does — one fetch for the union of the due
  windows, per-window facts computed once, each server's digest filtered from
  them, and every digest rendered into messages;
- ``tick``: ``DigestRunner.tick`` end to end for the 1,000 due servers, with
  claims, a no-op ``post`` and the bookkeeping writes;
- ``naive`` (baseline): one fetch + composition per server, measured on a
  sample and scaled to 1,000 servers.

``--smoke`` runs a tiny version (used by the test suite; no timing claims).
Run: ``.venv/bin/python -m benchmarks.bench_digest [--smoke]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.common.cards import Card
from core.common.times import utc_text
from core.digests import render as render_digest
from core.digests.compose import Digest, FactsCache, compose, window_facts
from core.digests.render import render_messages
from core.digests.schedule import DigestConfig, Period, due_period, parse_clock
from core.digests.service import DigestRunner
from db import digests as repo
from db.database import Database, migrate_file

NOW = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)  # a Tuesday, 09:00 London (GMT)
DAY = timedelta(days=1)
ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Africa/Abidjan",
    "Atlantic/Reykjavik",
    "UTC",
    "Etc/GMT",
    "Europe/Lisbon",
    "Atlantic/Canary",
    "Atlantic/Faroe",
    "Africa/Dakar",
)
"""All at UTC+0 in March, so every server's 09:00 slot is NOW and all 1,000 are due."""
MIN_SIGNATURES = (0, 0, 100, 1_000, 10_000)
EXTRA = ((), (), (50_000,), (250_000, 1_000_000), (5_000, 50_000))


@dataclass(frozen=True, slots=True)
class Sizes:
    petitions: int
    history_days: int
    servers: int
    own_window_share: float
    naive_sample: int
    repeats: int


FULL = Sizes(
    petitions=3_000,
    history_days=20,
    servers=1_000,
    own_window_share=0.2,
    naive_sample=40,
    repeats=3,
)
SMOKE = Sizes(
    petitions=60, history_days=4, servers=25, own_window_share=0.2, naive_sample=25, repeats=1
)


def build_database(path: Path, sizes: Sizes, seed: int = 5) -> dict[str, int]:
    """Write a synthetic but realistic day of petition changes; returns row counts."""
    migrate_file(path)
    rng = random.Random(seed)
    start = NOW - DAY
    petitions: list[tuple[Any, ...]] = []
    snapshots: list[tuple[Any, ...]] = []
    responses: list[tuple[Any, ...]] = []
    for n in range(sizes.petitions):
        pid = 100_000 + n
        total = int(10 ** rng.uniform(1, 5.7))
        opened = start - timedelta(days=rng.uniform(sizes.history_days, 170))
        is_new = rng.random() < 0.05
        first_seen = (
            start + timedelta(hours=rng.uniform(1, 23))
            if is_new
            else (start - sizes.history_days * DAY)
        )
        rows: list[tuple[datetime, int, datetime]] = []
        if is_new:
            rows.append((first_seen - timedelta(hours=1), total, first_seen))
        else:
            for day in range(sizes.history_days, 0, -1):
                at = start - day * DAY + timedelta(hours=6)
                rows.append((at, total, at + timedelta(minutes=5)))
                total += int(total * rng.uniform(0, 0.03))
            if rng.random() < 0.5:  # refreshed twice during the window
                for hours in (4, 20):
                    total += int(total * rng.uniform(0, 0.2)) + rng.randint(0, 3_000)
                    at = start + timedelta(hours=hours)
                    rows.append((at, total, at + timedelta(minutes=5)))
        latest = rows[-1][0]
        closes = rng.random() < 0.02 and not is_new and len(rows) > sizes.history_days
        state = "closed" if closes else "open"
        closed_at = utc_text(rows[-2][0] + timedelta(minutes=30)) if closes else None
        petitions.append(
            (
                pid,
                f"Synthetic petition {pid} about topic {n % 97}",
                f"synthetic petition {pid} about topic {n % 97}",
                f"https://petition.parliament.uk/petitions/{pid}",
                state,
                total,
                utc_text(latest),
                utc_text(opened),
                closed_at,
                f"hash-{pid}",
                utc_text(first_seen),
            )
        )
        snapshots += [(pid, utc_text(r), t, utc_text(i)) for r, t, i in rows]
        if total >= 10_000 and rng.random() < 0.08:
            seen = start + timedelta(hours=20, minutes=5) if rng.random() < 0.4 else first_seen
            responses.append(
                (pid, "The government has considered this petition. " * 4, "Details.",
                 f"Department {n % 23}", utc_text(seen - timedelta(hours=2)), utc_text(seen))
            )  # fmt: skip
    conn = sqlite3.connect(path)
    try:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO petitions (id, title, title_key, url, state, total_signatures,"
            " refreshed_at, opened_at, closed_at, boundary_set, content_hash, source,"
            " first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '2024', ?,"
            " 'synthetic', ?, ?)",
            [(*row, row[-1]) for row in petitions],
        )
        conn.executemany(
            "INSERT INTO snapshots (petition_id, refreshed_at, total_signatures, ingested_at)"
            " VALUES (?, ?, ?, ?)",
            snapshots,
        )
        conn.executemany(
            "INSERT INTO government_responses"
            " (petition_id, summary, details, department, responded_at, first_seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            responses,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {"petitions": len(petitions), "snapshots": len(snapshots), "responses": len(responses)}


def server_configs(sizes: Sizes, seed: int = 7) -> list[DigestConfig]:
    """1,000 servers due at NOW: most share yesterday's slot as their start."""
    rng = random.Random(seed)
    configs = []
    for g in range(sizes.servers):
        own = rng.random() < sizes.own_window_share
        since = NOW - timedelta(minutes=rng.randint(30, 23 * 60)) if own else NOW - DAY
        configs.append(
            DigestConfig(
                guild_id=1 + g,
                channel_id=10_000 + g,
                scheduled_through=since,
                reported_through=since,
                post_time=parse_clock("09:00"),
                timezone=ZONES[g % len(ZONES)],
                min_signatures=MIN_SIGNATURES[g % len(MIN_SIGNATURES)],
                extra_thresholds=EXTRA[(g // 3) % len(EXTRA)],
            )
        )
    return configs


def jobs_for(configs: Sequence[DigestConfig]) -> list[tuple[DigestConfig, Period]]:
    jobs = []
    for config in configs:
        period = due_period(config, NOW)
        assert period is not None, config
        jobs.append((config, period))
    return jobs


async def shared(db: Database, jobs: list[tuple[DigestConfig, Period]]) -> tuple[list[Digest], int]:
    """The scheduler's path: one fetch, facts per distinct window, per-server filters.

    Returns the digests and how many distinct windows the facts were computed for.
    """
    since = min(p.start for _, p in jobs)
    until = max(p.end for _, p in jobs)
    changes = await repo.fetch_changes(db, since, until)
    cache = FactsCache(changes)
    digests = [compose(cache.facts(p.start, p.end), c, p.start, p.end) for c, p in jobs]
    return digests, cache.distinct_windows


async def naive(db: Database, jobs: list[tuple[DigestConfig, Period]]) -> list[Digest]:
    """Baseline: every server fetches and composes its own window."""
    out = []
    for config, period in jobs:
        changes = await repo.fetch_changes(db, period.start, period.end)
        out.append(compose(window_facts(changes, period.start, period.end), config))
    return out


async def measure(sizes: Sizes, workdir: Path) -> dict[str, Any]:
    path = workdir / "bench_digest.sqlite3"
    t0 = time.perf_counter()
    counts = build_database(path, sizes)
    build_s = time.perf_counter() - t0
    configs = server_configs(sizes)
    jobs = jobs_for(configs)
    db = await Database.open(path)
    try:
        compose_runs, render_runs = [], []
        for _ in range(sizes.repeats):
            render_digest.item_text.cache_clear()
            t0 = time.perf_counter()
            digests, computed_windows = await shared(db, jobs)
            compose_runs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            messages = [
                render_messages(d, quiet=c.quiet) for d, (c, _) in zip(digests, jobs, strict=True)
            ]
            render_runs.append(time.perf_counter() - t0)
        compose_s, render_s = statistics.median(compose_runs), statistics.median(render_runs)

        sample = jobs[: sizes.naive_sample]
        t0 = time.perf_counter()
        baseline = await naive(db, sample)
        naive_s = (time.perf_counter() - t0) * len(jobs) / len(sample)
        if baseline != digests[: len(sample)]:  # same content, only faster
            raise AssertionError("shared and per-server composition disagree")

        for config in configs:
            await repo.save_config(db, replace(config), NOW - DAY)
        await db.conn.execute(
            "UPDATE digest_settings SET scheduled_through = ?, reported_through = ?",
            (utc_text(NOW - DAY), utc_text(NOW - DAY)),
        )
        posted: list[int] = []

        async def post(channel_id: int, cards: list[Card]) -> int:
            posted.append(channel_id)
            return len(posted)

        runner = DigestRunner(db, post, clock=lambda: NOW)
        t0 = time.perf_counter()
        outcomes = await runner.tick(NOW)
        tick_s = time.perf_counter() - t0
    finally:
        await db.close()
    items = [len(d.items) for d in digests]
    return {
        "sizes": asdict(sizes),
        "rows": counts,
        "build_s": round(build_s, 3),
        "distinct_windows": len({(p.start, p.end) for _, p in jobs}),
        "computed_windows": computed_windows,
        "repeats": sizes.repeats,
        "compose_s": round(compose_s, 4),
        "render_s": round(render_s, 4),
        "compose_and_render_s": round(compose_s + render_s, 4),
        "naive_compose_s_estimated": round(naive_s, 3),
        "speedup_vs_naive": round(naive_s / compose_s, 1) if compose_s else None,
        "tick_s": round(tick_s, 4),
        "tick_outcomes": {s: sum(o.status == s for o in outcomes) for s in ("posted", "empty")},
        "messages": sum(len(m) for m in messages),
        "items_per_digest": {
            "min": min(items),
            "max": max(items),
            "mean": round(sum(items) / len(items), 1),
        },
    }


def run(smoke: bool = False) -> dict[str, Any]:
    """Build, measure, return the numbers (``smoke``: tiny sizes, for the test suite)."""
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(measure(SMOKE if smoke else FULL, Path(tmp)))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no timing claims")
    args = parser.parse_args(argv)
    result = run(args.smoke)
    print(json.dumps(result, indent=2))
    if not args.smoke:
        verdict = "OK" if result["compose_and_render_s"] <= 1.0 else "TOO SLOW"
        print(
            f"1,000 servers: compose {result['compose_s']:.3f} s + render "
            f"{result['render_s']:.3f} s (target ≤ 1 s: {verdict}); "
            f"per-server baseline ≈ {result['naive_compose_s_estimated']:.1f} s "
            f"({result['speedup_vs_naive']}× slower); full tick {result['tick_s']:.3f} s"
        )


if __name__ == "__main__":
    main()
