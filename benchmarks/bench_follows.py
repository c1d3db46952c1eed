"""Benchmark: follow alerts for 10,000 follows after a 1,000-petition ingest.

Targets (issue #16): the events of 10,000 follows after a 1,000-petition
ingest are matched and composed in ≤ 1 s, and ingest speed is not reduced by
more than 5 % with follows present.

On a cached synthetic archive of 1,000 petitions (``common.archive``, loaded
once by the real loader) it builds a *newer* batch in memory: 900 of the
petitions refreshed a day later with more signatures (many cross 10,000,
100,000 or a seat threshold) and 100 brand-new petitions (renumbered copies,
so keyword and top-10 follows have news). Then, in this run:

- **ingest without follows** (baseline) and **ingest with 10,000 follows**
  present: the same batch, through ``ingest_documents_sync``, into fresh copies
  of the same database, alternating, ``runs`` times each; the ratio of the
  fastest of each (the least disturbed on a shared machine; medians reported
  too) is what follows cost the ingest;
- **match and compose**: on the database with follows, after its ingest,
  ``FollowService.gather`` (the reads), ``compose_alerts`` (the pure rules and
  every alert line) and one message card per destination, timed together;
  recording the alerts in the ledger is timed too but reported apart.

The 10,000 follows are 5,000 petition follows (a tenth with extra milestones),
2,500 keyword follows, 1,500 constituency and 1,000 MP follows, 60 % by DM and
40 % in channels. They are written straight into the tables and their baseline
taken by one detection pass before the ingest, exactly what following "from
now" records. ``--smoke`` runs a tiny version (used by the test suite; no
timing claims). Run: ``.venv/bin/python -m benchmarks.bench_follows [--smoke]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import common
from core.common.names import fold
from core.common.times import utc_text
from core.follows.render import alert_card
from core.follows.service import FollowService, compose_alerts
from core.follows.types import Destination
from core.ingest.loader import ingest_documents_sync
from core.ingest.models import Petition
from core.ingest.parser import parse_file
from core.ingest.types import Document, Outcome
from core.ingest.writer import render_document
from core.search.resolver import Resolver
from db import follows as repo
from db.database import Database

TARGET_MATCH_S = 1.0
TARGET_INGEST_SLOWDOWN = 0.05
FULL = {"petitions": 1_000, "follows": 10_000, "runs": 3}
SMOKE = {"petitions": 60, "follows": 600, "runs": 1}
NEW_SHARE = 0.1
SEED = 16


def _newer(petition: Petition, rng: random.Random) -> Petition:
    """The petition a day later, with more signatures on its top country and top seat."""
    extra = int(petition.total_signatures * rng.uniform(0.05, 1.5)) + rng.randint(50, 12_000)
    countries = list(petition.countries)
    seats = list(petition.constituencies)
    if countries:
        countries[0] = countries[0]._replace(count=countries[0].count + extra)
    real = [i for i, s in enumerate(seats) if not s.is_unknown]
    if real:
        seats[real[0]] = seats[real[0]]._replace(count=seats[real[0]].count + extra)
    return dataclasses.replace(
        petition,
        refreshed_at=petition.refreshed_at + timedelta(days=1),
        total_signatures=petition.total_signatures + extra,
        countries=tuple(countries),
        constituencies=tuple(seats),
    )


def _renumbered(petition: Petition, new_id: int) -> Petition:
    return dataclasses.replace(
        petition, id=new_id, url=f"https://petition.parliament.uk/petitions/{new_id}"
    )


def newer_batch(markdown: Path, count: int, rng: random.Random) -> tuple[list[Document], int]:
    """The ingest under test: refreshed petitions plus new ones; returns (docs, new count)."""
    petitions = [parse_file(path).petition for path in sorted(markdown.glob("*.md"))[:count]]
    new = max(1, int(len(petitions) * NEW_SHARE))
    top = max(p.id for p in petitions)
    batch = [_newer(p, rng) for p in petitions[new:]]
    batch += [_renumbered(p, top + 1 + i) for i, p in enumerate(petitions[:new])]
    docs = [Document(f"{p.id}.md", render_document(p).encode()) for p in batch]
    return docs, new


def _follow_rows(
    conn: sqlite3.Connection, total: int, rng: random.Random, created: datetime
) -> list[tuple[Any, ...]]:
    petitions = [row[0] for row in conn.execute("SELECT id FROM petitions")]
    titles = [row[0] for row in conn.execute("SELECT title FROM petitions")]
    seats = [
        (row[0], row[1])
        for row in conn.execute("SELECT DISTINCT name_key, name FROM constituencies")
    ]
    mps = [(row[0], row[1]) for row in conn.execute("SELECT id, name FROM mps")]
    words = sorted({w for t in titles for w in fold(t).split() if len(w) > 4})
    at = utc_text(created)
    rows: list[tuple[Any, ...]] = []
    shares = (("petition", 0.5), ("keyword", 0.25), ("constituency", 0.15), ("mp", 0.10))
    for kind, share in shares:
        for _ in range(int(total * share)):
            if kind == "petition":
                pid = rng.choice(petitions)
                target, label = str(pid), str(pid)
                milestones = [250_000, 1_000_000] if rng.random() < 0.1 else []
            elif kind == "keyword":
                target = label = " ".join(rng.sample(words, 1 if rng.random() < 0.7 else 2))
                milestones = []
            elif kind == "constituency":
                target, label = rng.choice(seats)
                milestones = []
            else:
                mp_id, label = rng.choice(mps)
                target, milestones = str(mp_id), []
            user = rng.randint(1, 3_000)
            if rng.random() < 0.6:
                guild, channel = None, None
            else:
                guild = rng.randint(1, 200)
                channel = 10_000 + guild * 10 + rng.randint(0, 4)
            rows.append((kind, target, label, json.dumps(milestones), user, guild, channel, at))
    return rows


async def _add_follows(path: Path, total: int, seed: int, created: datetime) -> dict[str, int]:
    """Write the follows, seed their seats and take their baseline (following from now)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    try:
        rows = _follow_rows(conn, total, rng, created)
        with conn:
            conn.executemany(
                "INSERT INTO follows (kind, target, label, milestones, user_id, guild_id,"
                " channel_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    finally:
        conn.close()
    db = await Database.open(path)
    try:
        service = FollowService(db, await Resolver.load(db), clock=lambda: created)
        follows = await repo.active_follows(db)
        mp_seats = await repo.mp_seat_keys(db, [int(f.target) for f in follows if f.kind == "mp"])
        keys = {f.target for f in follows if f.kind == "constituency"}
        keys.update(k for seats in mp_seats.values() for k in seats)
        for key in keys:
            await repo.seed_seat(db, key)
        await repo.set_watermark(db, await repo.latest_update(db) or "")
        await service.detect(created)
        await db.conn.execute("UPDATE follow_alerts SET status = 'baseline'")
    finally:
        await db.close()
    kinds: dict[str, int] = defaultdict(int)
    for row in rows:
        kinds[row[0]] += 1
    return dict(kinds)


def _ingest(path: Path, docs: Sequence[Document], at: datetime) -> float:
    started = time.perf_counter()
    report = ingest_documents_sync(path, docs, clock=lambda: at)
    elapsed = time.perf_counter() - started
    if report.counts.get(Outcome.REJECTED):
        raise RuntimeError(f"documents rejected: {report.rejected[:3]}")
    return elapsed


async def _match(path: Path, now: datetime) -> dict[str, Any]:
    """Match and compose the pass after the ingest (and record it, timed apart)."""
    db = await Database.open(path)
    try:
        service = FollowService(db, await Resolver.load(db), clock=lambda: now)
        started = time.perf_counter()
        data, _ = await service.gather(now)
        gathered = time.perf_counter()
        alerts = compose_alerts(data, now)
        composed = time.perf_counter()
        by_id = {f.id: f for f in data.follows}
        groups: dict[Destination, list[str]] = defaultdict(list)
        for alert in alerts:
            groups[by_id[alert.follow_id].destination].append(alert.line)
        cards = [alert_card(lines) for lines in groups.values()]
        rendered = time.perf_counter()
        await repo.record_alerts(db, alerts, now)
        recorded = time.perf_counter()
    finally:
        await db.close()
    kinds: dict[str, int] = defaultdict(int)
    for alert in alerts:
        kinds[by_id[alert.follow_id].kind] += 1
    return {
        "gather_s": round(gathered - started, 4),
        "compose_s": round(composed - gathered, 4),
        "render_s": round(rendered - composed, 4),
        "match_and_compose_s": round(rendered - started, 4),
        "record_s": round(recorded - rendered, 4),
        "alerts": len(alerts),
        "alerts_by_kind": dict(kinds),
        "destinations": len(groups),
        "messages": len(cards),
        "touched_petitions": len(data.states),
        "new_petitions": len(data.new_ids),
        "seat_rows": len(data.crossings),
    }


def run(
    *,
    smoke: bool = False,
    seed: int = SEED,
    cache: Path = common.CACHE_DIR,
    runs: int | None = None,
) -> dict[str, Any]:
    sizes = SMOKE if smoke else FULL
    count, total = sizes["petitions"], sizes["follows"]
    runs = runs or sizes["runs"]
    source = common.archive(count, common.DEFAULT_SEED, cache=cache)
    loaded = common.loaded_db(count, common.DEFAULT_SEED, cache=cache)
    docs, new = newer_batch(source / "markdown", count, random.Random(seed))
    created = datetime.now(UTC).replace(microsecond=0)
    ingest_at = created + timedelta(minutes=1)
    with tempfile.TemporaryDirectory(prefix="bench-follows-") as workdir:
        work = Path(workdir)
        template = common.copy_db(loaded, work / "with-template.sqlite3")
        kinds = asyncio.run(_add_follows(template, total, seed, created))
        without: list[float] = []
        with_follows: list[float] = []
        for i in range(runs):
            plain = common.copy_db(loaded, work / f"plain-{i}.sqlite3")
            followed = common.copy_db(template, work / f"followed-{i}.sqlite3")
            order = [(plain, without), (followed, with_follows)]
            for path, times in order if i % 2 == 0 else order[::-1]:
                times.append(_ingest(path, docs, ingest_at))
        matched = asyncio.run(_match(followed, ingest_at + timedelta(seconds=1)))
    # The machine is shared and ingest wall time is noisy: the fastest of each is the
    # least disturbed measurement, and judges; the medians are reported too.
    base, loaded_s = min(without), min(with_follows)
    return {
        "sizes": {"petitions": count, "follows": total, "runs": runs, "new_petitions": new},
        "follows_by_kind": kinds,
        "ingest_without_follows_s": [round(t, 3) for t in without],
        "ingest_with_follows_s": [round(t, 3) for t in with_follows],
        "ingest_slowdown": round(loaded_s / base - 1, 4),
        "ingest_slowdown_median": round(
            statistics.median(with_follows) / statistics.median(without) - 1, 4
        ),
        **matched,
    }


def to_markdown(result: dict[str, Any]) -> str:
    return "\n".join(["## Follows", "", "```json", json.dumps(result, indent=2), "```", ""])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--runs", type=int, help="ingests with and without follows (3)")
    args = parser.parse_args(argv)
    print(json.dumps(run(smoke=args.smoke, runs=args.runs), indent=2))


if __name__ == "__main__":
    main()
