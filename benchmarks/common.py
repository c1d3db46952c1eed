"""Shared helpers for the benchmarks: timing, percentiles, the machine, cached inputs.

Everything the benchmarks generate lives under ``benchmarks/out/`` (gitignored):
``cache/archive-n<N>-s<seed>-v<synth version>/`` holds a synthetic archive
(Markdown + ``queries.jsonl``) and ``cache/db-n<N>-s<seed>.sqlite3`` the
database the real loader built from it, so a rerun skips generating (and, for
benchmarks other than ingest, ingesting) what it already has.

Percentiles are nearest-rank (the same definition as ``bench_search``): with
200 samples p99 is the second slowest, so one bad sample moves it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from benchmarks import synth

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "benchmarks" / "out"
CACHE_DIR = OUT_DIR / "cache"
DEFAULT_SEED = synth.DEFAULT_SEED
QUERIES_PER_KIND = synth.DEFAULT_QUERIES_PER_KIND

T = TypeVar("T")


# --------------------------------------------------------------------------- timing
def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0–1) of ``samples``, in their unit."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(samples_ms: Sequence[float]) -> dict[str, float]:
    """n, p50, p99, mean and max of millisecond samples (rounded for the report)."""
    return {
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 0.50), 3),
        "p99_ms": round(percentile(samples_ms, 0.99), 3),
        "mean_ms": round(statistics.fmean(samples_ms), 3) if samples_ms else 0.0,
        "max_ms": round(max(samples_ms), 3) if samples_ms else 0.0,
    }


@dataclass
class Clock:
    """Wall and CPU time of a block: CPU (user + sys) tells work from waiting.

    Re-entering adds up, so one clock can time the scattered parts of a job.
    """

    wall: float = 0.0
    user: float = 0.0
    system: float = 0.0

    def __enter__(self) -> Clock:
        self._start = (time.perf_counter(), os.times())
        return self

    def __exit__(self, *exc: object) -> None:
        wall0, cpu0 = self._start
        cpu1 = os.times()
        self.wall += time.perf_counter() - wall0
        self.user += cpu1.user - cpu0.user
        self.system += cpu1.system - cpu0.system

    def as_dict(self) -> dict[str, float]:
        return {
            "wall_s": round(self.wall, 3),
            "user_s": round(self.user, 3),
            "sys_s": round(self.system, 3),
        }


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """(result, milliseconds) of a call."""
    started = time.perf_counter()
    result = action()
    return result, (time.perf_counter() - started) * 1000


async def atimed(awaitable: Awaitable[T]) -> tuple[T, float]:
    """(result, milliseconds) of awaiting a coroutine created by the caller."""
    started = time.perf_counter()
    result = await awaitable
    return result, (time.perf_counter() - started) * 1000


def ratio(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


# --------------------------------------------------------------------------- machine
def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo (else what platform knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def git_commit() -> str | None:
    """The checked-out commit (plus ``+dirty`` when files differ), to date a result."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def environment() -> dict[str, Any]:
    """What the numbers were measured on (absolute times mean little without it)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "commit": git_commit(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


def describe(env: dict[str, Any]) -> str:
    """One line: "AMD EPYC, 2 cores, 23.5 GB; Python 3.11.7, SQLite 3.40.1"."""
    memory = f", {env['memory_gb']} GB" if env.get("memory_gb") else ""
    return (
        f"{env['cpu']}, {env['cores']} cores{memory}; Python {env['python']}, "
        f"SQLite {env['sqlite']}"
    )


# --------------------------------------------------------------------------- files
def log(message: str) -> None:
    """Progress on stderr (the report goes to files and stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def remove_db(path: Path) -> None:
    """Delete an SQLite file with its WAL and shared-memory companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so the file can be moved or copied alone."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def move_db(source: Path, target: Path) -> Path:
    checkpoint(source)
    remove_db(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(source, target)
    remove_db(source)
    return target


def copy_db(source: Path, target: Path) -> Path:
    checkpoint(source)
    remove_db(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def archive_dir(count: int, seed: int, cache: Path = CACHE_DIR) -> Path:
    return cache / f"archive-n{count}-s{seed}-v{synth.VERSION}"


def archive(
    count: int,
    seed: int = DEFAULT_SEED,
    *,
    queries_per_kind: int = QUERIES_PER_KIND,
    cache: Path = CACHE_DIR,
) -> Path:
    """A synthetic archive (``markdown/`` + ``queries.jsonl``), generated once and cached.

    A ``complete`` marker is written last, so an interrupted generation is
    redone rather than half used.
    """
    out = archive_dir(count, seed, cache)
    marker = out / "complete"
    if marker.exists() and marker.read_text(encoding="utf-8").strip() == str(queries_per_kind):
        return out
    shutil.rmtree(out, ignore_errors=True)
    log(f"generating {count:,} synthetic petitions (seed {seed}) into {out}")
    stats = synth.ArchiveStats()
    synth.write_archive(
        out,
        count,
        seed,
        markdown=True,
        json=False,
        queries_per_kind=queries_per_kind,
        workers=min(4, os.cpu_count() or 1) if count >= 2_000 else 1,
        stats=stats,
    )
    (out / "stats.txt").write_text(
        f"{stats.count} petitions, {stats.seat_rows} seat rows, {stats.country_rows} country "
        f"rows, {stats.markdown_bytes} bytes, {stats.seconds:.1f} s\n",
        encoding="utf-8",
    )
    marker.write_text(str(queries_per_kind), encoding="utf-8")
    log(f"generated in {stats.seconds:.1f} s ({stats.seat_rows:,} seat rows)")
    return out


def loaded_db_path(count: int, seed: int, cache: Path = CACHE_DIR) -> Path:
    return cache / f"db-n{count}-s{seed}.sqlite3"


def loaded_db(
    count: int,
    seed: int = DEFAULT_SEED,
    *,
    queries_per_kind: int = QUERIES_PER_KIND,
    cache: Path = CACHE_DIR,
) -> Path:
    """A database holding the archive as the real loader stores it (ingested once).

    ``bench_ingest`` leaves its freshly built database here; other benchmarks
    run on their own only ingest when nothing is cached yet.
    """
    path = loaded_db_path(count, seed, cache)
    if path.exists():
        return path
    from core.ingest.loader import ingest_paths_sync
    from core.ingest.types import Outcome

    source = archive(count, seed, queries_per_kind=queries_per_kind, cache=cache)
    building = path.with_name(path.name + ".building")
    remove_db(building)
    log(f"ingesting {count:,} petitions into {path} (one-off)")
    report = ingest_paths_sync(building, [source / "markdown"])
    if report.counts.get(Outcome.REJECTED):
        raise RuntimeError(f"synthetic documents rejected: {report.rejected[:3]}")
    return move_db(building, path)


# --------------------------------------------------------------------------- CLI
def cli_main(
    prog: str,
    measure: Callable[..., dict[str, Any]],
    to_markdown: Callable[[dict[str, Any]], str],
    argv: Sequence[str] | None = None,
    default_samples: int = 200,
) -> int:
    """``--count/--seed/--samples``, then the report on stdout and the JSON on stderr
    (the ``main`` of the per-size benchmarks run on their own)."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--samples", type=int, default=default_samples)
    args = parser.parse_args(argv)
    result = measure(args.count, args.seed, samples=args.samples)
    print(to_markdown(result))
    print(json.dumps(result, indent=2), file=sys.stderr)
    return 0
