"""Search benchmark: the resolver against a naive rapidfuzz scan, on a synthetic archive.

``python -m benchmarks.bench_search --count 10000`` builds (once, cached under
``benchmarks/out/search-data/``) a synthetic archive with
:mod:`benchmarks.synth`, ingests it with the real loader, then measures on its
ground-truth query set (``queries.jsonl``):

* **naive**: ``process.extractOne(query, all_titles, scorer=WRatio)``, the
  obvious implementation (titles pre-folded once, so the baseline is as fast
  as it can be), on the title queries;
* **resolver**: ``await Resolver.petition(query)`` on the same queries,
  through the event loop and its worker thread, as the bot calls it;
* **autocomplete**: ``complete_petition``/``complete_constituency``/
  ``complete_mp`` on the prefixes a user types on the way to each query;
* **accuracy**: top-1 (``best`` is the expected answer) per kind and variant.

Both timings come from the same run on the same machine, so the speed-up
ratio is meaningful where absolute milliseconds are not. Results are printed
and written to ``OUT/search.json`` and ``OUT/search.md`` (``search-smoke.*``
for ``--smoke``, a ~300-petition run of a few seconds used by the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from benchmarks import synth
from benchmarks.common import summary
from benchmarks.postgres import postgres_copy, ratios
from core.common.cards import Choice
from core.common.names import fold
from core.ingest.loader import ingest_paths_sync
from core.ingest.types import Outcome
from core.search.resolver import Resolution, Resolver
from core.search.types import SearchData
from db.database import Database
from db.search import load_search_data

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
TITLE_VARIANTS = ("typo-title", "dropped-word-title", "lower-title", "partial-title")
PREFIX_LENGTHS = (1, 3, 6, 10, 16, 25)
TARGET_RATIO = 20.0
TARGET_AUTOCOMPLETE_P99_MS = 20.0
TARGET_ACCURACY = 0.95
TARGET_PG_RATIO = 2.0
"""Issue 18: autocomplete p99 on PostgreSQL at most twice SQLite's."""


@dataclass(frozen=True)
class Query:
    kind: str  # petition | constituency | mp
    query: str
    expected: str  # petition id as text, seat name, MP name without honorifics
    variant: str


# --------------------------------------------------------------------------- data


def prepare(out_dir: Path, count: int, seed: int, per_kind: int) -> tuple[Path, Path]:
    """(database, queries.jsonl) for this archive, generating and ingesting it once.

    The Markdown is deleted after ingest (366 MB at 10k); the database and the
    query set are what later runs reuse.
    """
    data = out_dir / "search-data" / f"n{count}-s{seed}-q{per_kind}"
    db_path, queries = data / "petitions.sqlite3", data / "queries.jsonl"
    if db_path.exists() and queries.exists():
        return db_path, queries
    archive = data / "archive"
    shutil.rmtree(data, ignore_errors=True)
    print(f"generating {count:,} synthetic petitions (seed {seed})…", file=sys.stderr)
    synth.write_archive(archive, count, seed, queries_per_kind=per_kind)
    print("ingesting (one-off; cached for later runs)…", file=sys.stderr)
    building = data / "building.sqlite3"
    report = ingest_paths_sync(building, [archive / "markdown"])
    rejected = report.counts.get(Outcome.REJECTED, 0)
    if rejected:
        raise SystemExit(f"{rejected} synthetic documents were rejected by the loader")
    (archive / "queries.jsonl").replace(queries)
    shutil.rmtree(archive)
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    building.replace(db_path)
    return db_path, queries


def read_queries(path: Path) -> list[Query]:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [Query(r["kind"], r["query"], str(r["expected"]), r["variant"]) for r in rows]


# --------------------------------------------------------------------------- measuring


async def timed(awaitable: Awaitable[Any]) -> tuple[Any, float]:
    """Await and time a coroutine (created but not started by the caller)."""
    started = time.perf_counter()
    result = await awaitable
    return result, (time.perf_counter() - started) * 1000


async def resolve(resolver: Resolver, q: Query) -> Resolution[Any]:
    if q.kind == "petition":
        return await resolver.petition(q.query)
    if q.kind == "constituency":
        return await resolver.constituency(q.query)
    return await resolver.mp(q.query)


async def complete(resolver: Resolver, kind: str, typed: str) -> list[Choice]:
    if kind == "petition":
        return await resolver.complete_petition(typed)
    if kind == "constituency":
        return await resolver.complete_constituency(typed)
    return await resolver.complete_mp(typed)


def is_hit(query: Query, best: Any) -> bool:
    """Top-1 correctness: the expected petition id, seat name or MP name."""
    if best is None:
        return False
    if query.kind == "petition":
        return str(best.id) == query.expected
    return bool(fold(best.name) == fold(query.expected))


def prefixes(text: str) -> list[str]:
    """What autocomplete sees while ``text`` is typed."""
    cuts = [n for n in PREFIX_LENGTHS if n < len(text)] + [len(text)]
    return [text[:n] for n in cuts]


async def measure(db_path: Path, queries: list[Query], *, postgres: bool = True) -> dict[str, Any]:
    """Run every measurement on one opened database; returns the JSON-able result.

    When PostgreSQL starts, a copy of the same rows is loaded there too, and
    autocomplete is timed on both resolvers interleaved (call by call).
    """
    async with postgres_copy(db_path, enabled=postgres) as pg:
        db = await Database.open(db_path)
        pg_db = await Database.open(pg.url) if pg.url is not None else None
        try:
            started = time.perf_counter()
            resolver = await Resolver.load(db)
            load_ms = (time.perf_counter() - started) * 1000
            resolvers = {"sqlite": resolver}
            if pg_db is not None:
                resolvers["postgresql"], pg_load_ms = await timed(Resolver.load(pg_db))
            data = await load_search_data(db)
            titles = [q for q in queries if q.kind == "petition" and q.variant in TITLE_VARIANTS]
            naive_ms, naive_accuracy = naive_scan(data, titles)
            resolver_ms = await resolver_timings(resolver, titles)
            accuracy = await accuracy_run(resolver, queries)
            by_backend = await autocomplete_timings(resolvers, queries)
        finally:
            await db.close()
            if pg_db is not None:
                await pg_db.close()
    auto_ms = by_backend["sqlite"]
    naive, fast = summary(naive_ms), summary(resolver_ms)
    result: dict[str, Any] = {
        "petitions": len(data.petitions),
        "constituencies": len(data.constituencies),
        "mps": len(data.mps),
        "queries": len(queries),
        "resolver_load_ms": round(load_ms, 1),
        "naive_scan": {**naive, "top1_accuracy": naive_accuracy},
        "resolver": fast,
        "speedup_p50": round(naive["p50_ms"] / fast["p50_ms"], 1) if fast["p50_ms"] else None,
        "speedup_p99": round(naive["p99_ms"] / fast["p99_ms"], 1) if fast["p99_ms"] else None,
        "autocomplete": summary([ms for samples in auto_ms.values() for ms in samples]),
        "autocomplete_by_kind": {kind: summary(auto_ms[kind]) for kind in sorted(auto_ms)},
        **accuracy,
    }
    result["postgresql"] = (
        _postgres_result(result, by_backend["postgresql"], pg_load_ms)
        if "postgresql" in by_backend
        else {"skipped": pg.reason}
    )
    result["targets"] = {
        "speedup_p50>=20": (result["speedup_p50"] or 0) >= TARGET_RATIO,
        "autocomplete_p99<=20ms": result["autocomplete"]["p99_ms"] <= TARGET_AUTOCOMPLETE_P99_MS,
        "accuracy>=0.95": result["accuracy"] >= TARGET_ACCURACY,
    }
    if "p99<=2x_sqlite" in result["postgresql"]:
        result["targets"]["autocomplete_postgresql_p99<=2x_sqlite"] = result["postgresql"][
            "p99<=2x_sqlite"
        ]
    return result


def naive_scan(data: SearchData, titles: list[Query]) -> tuple[list[float], float]:
    """The baseline: one full WRatio scan over every (pre-folded) title per query."""
    ids = [str(p.id) for p in data.petitions]
    samples: list[float] = []
    hits = 0
    for q in titles:
        started = time.perf_counter()
        match = process.extractOne(
            fold(q.query), data.petition_keys, scorer=fuzz.WRatio, processor=None
        )
        samples.append((time.perf_counter() - started) * 1000)
        hits += bool(match and ids[match[2]] == q.expected)
    return samples, round(hits / max(len(titles), 1), 4)


async def resolver_timings(resolver: Resolver, titles: list[Query]) -> list[float]:
    """``Resolver.petition`` on the naive scan's queries, through the loop and its thread.

    Runs first on a fresh resolver, so the word-expansion memo starts empty.
    """
    await resolver.petition("warm up the worker thread")
    return [(await timed(resolver.petition(q.query)))[1] for q in titles]


async def accuracy_run(resolver: Resolver, queries: list[Query]) -> dict[str, Any]:
    """Top-1 accuracy per kind and variant, statuses, latency per kind, the first misses."""
    per_kind_ms: dict[str, list[float]] = defaultdict(list)
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    statuses: dict[str, int] = defaultdict(int)
    misses: list[dict[str, Any]] = []
    for q in queries:
        result, ms = await timed(resolve(resolver, q))
        per_kind_ms[q.kind].append(ms)
        ok = is_hit(q, result.best)
        cells[(q.kind, q.variant)][0] += ok
        cells[(q.kind, q.variant)][1] += 1
        statuses[result.status] += 1
        if not ok and len(misses) < 20:
            best = result.best
            got = None if best is None else getattr(best, "title", None) or best.name
            misses.append({**q.__dict__, "status": result.status, "got": got})

    def share(kind: str | None) -> float:
        picked = [c for (k, _), c in cells.items() if kind is None or k == kind]
        return round(sum(c[0] for c in picked) / max(sum(c[1] for c in picked), 1), 4)

    return {
        "resolve_by_kind": {kind: summary(per_kind_ms[kind]) for kind in sorted(per_kind_ms)},
        "accuracy": share(None),
        "accuracy_by_kind": {kind: share(kind) for kind in sorted(per_kind_ms)},
        "accuracy_by_variant": {
            f"{kind}/{variant}": {"n": c[1], "top1": round(c[0] / c[1], 4)}
            for (kind, variant), c in sorted(cells.items())
        },
        "statuses": dict(sorted(statuses.items())),
        "misses": misses,
    }


async def autocomplete_timings(
    resolvers: dict[str, Resolver], queries: list[Query]
) -> dict[str, dict[str, list[float]]]:
    """Every autocomplete call a user makes while typing each query, timed per kind, on
    each backend's resolver in turn (so machine noise lands on both alike)."""
    samples: dict[str, dict[str, list[float]]] = {b: defaultdict(list) for b in resolvers}
    for q in queries:
        for typed in prefixes(q.query):
            for backend, resolver in resolvers.items():
                choices, ms = await timed(complete(resolver, q.kind, typed))
                if len(choices) > 25:
                    raise AssertionError(f"{len(choices)} choices for {typed!r}")
                samples[backend][q.kind].append(ms)
    return samples


def _postgres_result(
    result: dict[str, Any], auto_ms: dict[str, list[float]], load_ms: float
) -> dict[str, Any]:
    """Autocomplete from the resolver loaded out of PostgreSQL, against SQLite's."""
    auto = summary([ms for samples in auto_ms.values() for ms in samples])
    by_kind = {kind: summary(auto_ms[kind]) for kind in sorted(auto_ms)}
    rows = {"all kinds": auto, **by_kind}
    theirs = {"all kinds": result["autocomplete"], **result["autocomplete_by_kind"]}
    compared = ratios(theirs, rows)
    worst = compared["worst"]["ratio"]
    return {
        "resolver_load_ms": round(load_ms, 1),
        "autocomplete": auto,
        "autocomplete_by_kind": by_kind,
        "vs_sqlite": compared,
        "p99<=2x_sqlite": worst is not None and worst <= TARGET_PG_RATIO,
    }


# --------------------------------------------------------------------------- report


def to_markdown(result: dict[str, Any], args: dict[str, Any]) -> str:
    naive, fast, auto = result["naive_scan"], result["resolver"], result["autocomplete"]
    lines = [
        f"# Search benchmark ({result['petitions']:,} petitions, seed {args['seed']})",
        "",
        f"{result['constituencies']:,} seats, {result['mps']:,} MPs, "
        f"{result['queries']:,} ground-truth queries; resolver load "
        f"{result['resolver_load_ms']:,} ms.",
        "",
        "| measure | n | p50 ms | p99 ms | mean ms |",
        "| - | -: | -: | -: | -: |",
        _row("naive extractOne(WRatio) over all titles", naive),
        _row("Resolver.petition (title queries)", fast),
        *(_row(f"Resolver.{k} (all queries)", s) for k, s in result["resolve_by_kind"].items()),
        _row("autocomplete, all kinds (every prefix)", auto),
        *(_row(f"complete_{k}", s) for k, s in result["autocomplete_by_kind"].items()),
        "",
        f"**Speed-up** (naive / resolver): p50 ×{result['speedup_p50']}, "
        f"p99 ×{result['speedup_p99']}.",
        "",
        f"**Top-1 accuracy**: {result['accuracy']:.1%} overall "
        f"(naive scan on title queries: {naive['top1_accuracy']:.1%}).",
        "",
        "| kind/variant | n | top-1 |",
        "| - | -: | -: |",
        *(
            f"| {name} | {cell['n']} | {cell['top1']:.1%} |"
            for name, cell in result["accuracy_by_variant"].items()
        ),
        "",
        "Targets: "
        + ", ".join(f"{name} {'✓' if ok else '✗'}" for name, ok in result["targets"].items()),
        "",
    ]
    lines += _postgres_lines(result)
    if result["misses"]:
        lines += ["Misses (first 20):", ""]
        lines += [
            f"- {m['kind']}/{m['variant']}: `{m['query']}` → {m['status']} "
            f"`{m['got']}` (expected `{m['expected']}`)"
            for m in result["misses"]
        ]
        lines.append("")
    return "\n".join(lines)


def _postgres_lines(result: dict[str, Any]) -> list[str]:
    pg = result.get("postgresql") or {}
    if "skipped" in pg:
        return [f"PostgreSQL: not run ({pg['skipped']}).", ""]
    if not pg:
        return []
    ratio = pg["vs_sqlite"]["p99_ratio"]
    theirs = {"all kinds": result["autocomplete"], **result["autocomplete_by_kind"]}
    ours = {"all kinds": pg["autocomplete"], **pg["autocomplete_by_kind"]}
    lines = [
        "### Autocomplete on PostgreSQL beside SQLite (same rows, interleaved calls;"
        f" target p99 ≤ {TARGET_PG_RATIO:g}× SQLite's)",
        "",
        "| autocomplete | SQLite p99 ms | PostgreSQL p99 ms | PG / SQLite p99 |",
        "| - | -: | -: | -: |",
    ]
    for name, row in theirs.items():
        r = ratio.get(name)
        lines.append(
            f"| {name} | {row['p99_ms']:.3f} | {ours[name]['p99_ms']:.3f} | "
            + ("—" if r is None else f"{r:.2f}×")
            + " |"
        )
    lines += [
        "",
        f"Resolver load from PostgreSQL: {pg['resolver_load_ms']:,} ms"
        f" (SQLite {result['resolver_load_ms']:,} ms).",
        "",
    ]
    return lines


def _row(name: str, s: dict[str, float]) -> str:
    return f"| {name} | {s['n']:,} | {s['p50_ms']:.3f} | {s['p99_ms']:.3f} | {s['mean_ms']:.3f} |"


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_search", description=__doc__)
    parser.add_argument("--count", type=int, default=10_000, help="petitions (10,000)")
    parser.add_argument("--seed", type=int, default=synth.DEFAULT_SEED)
    parser.add_argument("--queries-per-kind", type=int, default=300)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results and cache")
    parser.add_argument(
        "--smoke", action="store_true", help="~300 petitions, few queries: seconds, for tests"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.count, args.queries_per_kind = min(args.count, 300), min(args.queries_per_kind, 20)
    return args


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; returns the result written to OUT/search(.smoke).json."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    db_path, queries_path = prepare(args.out, args.count, args.seed, args.queries_per_kind)
    queries = read_queries(queries_path)
    result = asyncio.run(measure(db_path, queries))
    result["mode"] = "smoke" if args.smoke else "full"
    stem = "search-smoke" if args.smoke else "search"
    settings = {"count": args.count, "seed": args.seed, "queries_per_kind": args.queries_per_kind}
    result["settings"] = settings
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    markdown = to_markdown(result, settings)
    (args.out / f"{stem}.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    run(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
