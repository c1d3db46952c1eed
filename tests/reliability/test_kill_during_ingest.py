"""kill -9 of ``petitionbot ingest`` at random moments never leaves a half petition.

Archive A (synthetic, ``benchmarks.synth``) is ingested first. Archive A' holds the
same petitions refreshed later with other counts. Each run copies the A database,
starts ``python -m bot ingest A'`` and SIGKILLs it after a random delay. Afterwards
the file must open (migrations and all), pass ``PRAGMA integrity_check``, and every
petition must be exactly A's version or exactly A''s: refresh time, total, UK and
Unknown counts, the sum and number of seat and country rows, and the snapshots
(one per ingested version). Every run prints its seed; ``KILL_SEED=N`` replays one.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.synth import generate, write_archive
from core.common.times import utc_text
from core.ingest.loader import ingest_paths_sync
from core.ingest.models import Petition
from core.ingest.writer import render_document
from db import petitions as petition_repo
from db.database import Database
from tests.db import seat_rows
from tests.support import variant

from . import figures
from .support import cli_env, copy_db, integrity

ARCHIVE_SEED = 7
COUNT = 300
CI_RUNS = 5
SOAK_RUNS = 30
BASE_SEED = int(os.environ.get("KILL_SEED", "1000"))


@dataclass(frozen=True, slots=True)
class Version:
    """What one document version of a petition must look like in the database."""

    refreshed_at: str
    total: int
    uk: int | None
    unknown: int | None
    seat_rows: int
    seat_sum: int
    country_rows: int
    country_sum: int


def _version(petition: Petition) -> Version:
    unknown = petition.unknown_row
    seats = [row for row in petition.constituencies if not row.is_unknown]
    return Version(
        refreshed_at=utc_text(petition.refreshed_at) or "",
        total=petition.total_signatures,
        uk=petition.uk_signatures,
        unknown=unknown.count if unknown is not None else None,
        seat_rows=len(seats),
        seat_sum=sum(row.count for row in seats),
        country_rows=len(petition.countries),
        country_sum=sum(row.count for row in petition.countries),
    )


def _newer(petition: Petition, index: int) -> Petition:
    """A' of a petition: six hours later, a few more signatures (if it has seats)."""
    if any(not row.is_unknown for row in petition.constituencies) and petition.countries:
        return variant(petition, hours=6, extra=1 + index % 97)
    return variant(petition, hours=6)


@dataclass
class Archives:
    new_dir: Path
    template: Path  # database holding A
    old: dict[int, Version]
    new: dict[int, Version]
    full_seconds: float  # an uninterrupted ingest of A'


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> Archives:
    root = tmp_path_factory.mktemp("kill")
    write_archive(root / "A", COUNT, ARCHIVE_SEED, queries=False)
    old: dict[int, Version] = {}
    new: dict[int, Version] = {}
    new_dir = root / "A2"
    new_dir.mkdir()
    for index, petition in enumerate(generate(COUNT, ARCHIVE_SEED)):
        later = _newer(petition, index)
        (new_dir / f"{petition.id}.md").write_text(render_document(later), encoding="utf-8")
        old[petition.id] = _version(petition)
        new[petition.id] = _version(later)
    template = root / "A.sqlite3"
    report = ingest_paths_sync(template, [root / "A" / "markdown"])
    assert report.counts["added"] == COUNT, report.summary()
    # Control: an uninterrupted ingest of A' takes every petition to its new version.
    control = copy_db(template, root / "control.sqlite3")
    started = time.monotonic()
    proc = _start(new_dir, control, root)
    assert proc.wait(timeout=300) == 0
    full = time.monotonic() - started
    assert _classify(control, old, new) == Counter(new=COUNT)
    return Archives(new_dir, template, old, new, full)


def _start(folder: Path, db: Path, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(folder)],
        cwd=cwd,
        env=cli_env(db),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stored(conn: sqlite3.Connection, petition_id: int) -> tuple[Version, list[tuple]]:
    row = conn.execute(
        "SELECT refreshed_at, total_signatures, uk_signatures, unknown_signatures"
        " FROM petitions WHERE id = ?",
        (petition_id,),
    ).fetchone()
    assert row is not None, f"petition {petition_id} vanished"
    seats = conn.execute(
        "SELECT count(*), coalesce(sum(signatures), 0) FROM constituency_counts"
        " WHERE petition_id = ?",
        (petition_id,),
    ).fetchone()
    countries = conn.execute(
        "SELECT count(*), coalesce(sum(signatures), 0) FROM country_counts WHERE petition_id = ?",
        (petition_id,),
    ).fetchone()
    snapshots = conn.execute(
        "SELECT refreshed_at, total_signatures, uk_signatures FROM snapshots"
        " WHERE petition_id = ? ORDER BY refreshed_at",
        (petition_id,),
    ).fetchall()
    return Version(row[0], row[1], row[2], row[3], *seats, *countries), snapshots


def _classify(db: Path, old: dict[int, Version], new: dict[int, Version]) -> Counter[str]:
    """``Counter(old=…, new=…)``; fails on any petition that is neither."""
    conn = seat_rows.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM petitions").fetchone()[0] == len(old)
        seen: Counter[str] = Counter()
        for petition_id in old:
            stored, snapshots = _stored(conn, petition_id)
            a, b = old[petition_id], new[petition_id]
            snap_a = (a.refreshed_at, a.total, a.uk)
            snap_b = (b.refreshed_at, b.total, b.uk)
            if stored == a:
                assert snapshots == [snap_a], (petition_id, snapshots)
                seen["old"] += 1
            elif stored == b:
                assert snapshots == [snap_a, snap_b], (petition_id, snapshots)
                seen["new"] += 1
            else:
                raise AssertionError(
                    f"petition {petition_id} is a mix:\n stored {stored}\n old    {a}\n new    {b}"
                )
        return seen
    finally:
        conn.close()


async def _opens(db: Path) -> int:
    """The bot's own way in: open (and migrate) the file, read the stats."""
    database = await Database.open(db)
    try:
        return (await petition_repo.stats(database)).petitions
    finally:
        await database.close()


def _kill_runs(archives: Archives, runs: int, tmp_path: Path, section: str) -> None:
    results = []
    for run in range(runs):
        seed = BASE_SEED + run
        rnd = random.Random(seed)
        # Up to 10% past the uninterrupted duration, so some kills land after the end.
        delay = rnd.uniform(0.05, archives.full_seconds * 1.1)
        db = copy_db(archives.template, tmp_path / f"run{run}.sqlite3")
        proc = _start(archives.new_dir, db, tmp_path)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=30)
        print(f"kill run {run}: seed={seed} delay={delay:.2f}s exit={code}", end=" ")
        assert integrity(db) == "ok"
        assert asyncio.run(_opens(db)) == COUNT
        seen = _classify(db, archives.old, archives.new)
        print(f"old={seen['old']} new={seen['new']}")
        results.append((seed, delay, code, seen["old"], seen["new"]))
    # Recovery: the last killed file finishes normally when the ingest is run again.
    proc = _start(archives.new_dir, db, tmp_path)
    assert proc.wait(timeout=300) == 0
    assert _classify(db, archives.old, archives.new) == Counter(new=COUNT)

    killed = [r for r in results if r[2] == -signal.SIGKILL]
    figures.record(
        section,
        {
            "runs": runs,
            "killed_mid_process": len(killed),
            "killed_mid_ingest": sum(0 < r[4] < COUNT for r in killed),
            "survived": len(results),  # every assertion above held for each run
            "petitions": COUNT,
            "uninterrupted_seconds": round(archives.full_seconds, 2),
            "seeds": [r[0] for r in results],
            "new_after_kill": [r[4] for r in results],
        },
    )


def test_kill_during_ingest(archives: Archives, tmp_path: Path) -> None:
    _kill_runs(archives, CI_RUNS, tmp_path, "kill_during_ingest")


@pytest.mark.slow
def test_kill_during_ingest_soak(archives: Archives, tmp_path: Path) -> None:
    _kill_runs(archives, SOAK_RUNS, tmp_path, "kill_during_ingest_soak")
