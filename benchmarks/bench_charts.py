"""Chart render times on this machine: target ≤ 1 s per image, every kind.

``python -m benchmarks.bench_charts [--repeat N] [--out FILE] [--smoke]``

Loads the three seed petitions into a temporary database, builds each chart's
spec once (the queries) and times only the render (matplotlib → PNG bytes),
which is what runs in the worker thread. Per kind it reports p50 and max over
``repeat`` renders of each seed, plus, measured in the same run:

* a **baseline**: an empty figure of the same size saved as PNG — the fixed
  cost of any matplotlib PNG here, so the ratio says how much our drawing adds;
* **cold**: the first render in the process (font cache, first-use imports);
* **service**: ``chart()`` end to end (queries + thread + file) uncached, and
  on a cache hit.

Exit status 1 when a kind's max exceeds the target (not in ``--smoke``, which
renders each kind once only to prove the benchmark still runs).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from core.charts import draw as charts
from core.charts import service as chart_service
from core.ingest.loader import ingest_paths_sync
from db.database import Database

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "data" / "petitions").glob("*.txt"))
TARGET_SECONDS = 1.0
DEFAULT_OUT = REPO / "benchmarks" / "out" / "charts.json"

# (label, kind, metric, by): every drawing path the command can take.
VARIANTS: tuple[tuple[str, str, str, str], ...] = (
    ("top (count)", "top", "count", "constituencies"),
    ("top (rate)", "top", "rate", "constituencies"),
    ("top (countries)", "top", "count", "countries"),
    ("history", "history", "count", "constituencies"),
    ("map (count)", "map", "count", "constituencies"),
    ("map (rate)", "map", "rate", "constituencies"),
)


@dataclass(frozen=True, slots=True)
class Row:
    """Timings of one kind, in milliseconds."""

    label: str
    samples: int
    p50_ms: float
    max_ms: float
    baseline_p50_ms: float
    ratio: float
    within_target: bool


@dataclass(frozen=True, slots=True)
class Report:
    rows: list[Row]
    cold_ms: float
    service_uncached_p50_ms: float
    service_cached_p50_ms: float
    repeat: int
    petitions: int


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _time(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


async def _atime(action: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await action()
    return time.perf_counter() - start


def blank_png(size: tuple[int, int]) -> bytes:
    """The baseline: an empty figure of ``size`` pixels saved as PNG."""
    fig = Figure(
        figsize=(size[0] / charts.DPI, size[1] / charts.DPI),
        dpi=charts.DPI,
        facecolor=charts.BACKGROUND,
    )
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=charts.DPI)
    return buffer.getvalue()


def _size(figure: chart_service.Figure) -> tuple[int, int]:
    if isinstance(figure, charts.MapChart):
        return charts.MAP_SIZE
    return charts.HISTORY_SIZE if isinstance(figure, charts.HistoryChart) else charts.BAR_SIZE


async def _specs(db: Database, ids: Sequence[int]) -> dict[str, list[chart_service.ChartSpec]]:
    specs: dict[str, list[chart_service.ChartSpec]] = {label: [] for label, *_ in VARIANTS}
    for petition_id in ids:
        for label, kind, metric, by in VARIANTS:
            specs[label].append(await chart_service.chart_spec(db, petition_id, kind, metric, by))
    return specs


async def run(repeat: int, workdir: Path) -> Report:
    """Build specs from the seeds, then time renders, baselines and the service."""
    db_path = workdir / "bench.sqlite3"
    report = ingest_paths_sync(db_path, SEEDS)
    ids = sorted(r.petition_id for r in report.results if r.petition_id is not None)
    db = await Database.open(db_path)
    try:
        specs = await _specs(db, ids)
        first = specs[VARIANTS[-2][0]][0]
        cold = _time(lambda: chart_service.render(first.figure))
        rows: list[Row] = []
        for label, *_ in VARIANTS:
            samples = [
                _time(lambda spec=spec: chart_service.render(spec.figure))  # type: ignore[misc]
                for _ in range(repeat)
                for spec in specs[label]
            ]
            size = _size(specs[label][0].figure)
            base = [_time(lambda s=size: blank_png(s)) for _ in range(max(3, repeat))]  # type: ignore[misc]
            p50, base_p50 = statistics.median(samples), statistics.median(base)
            rows.append(
                Row(
                    label=label,
                    samples=len(samples),
                    p50_ms=_ms(p50),
                    max_ms=_ms(max(samples)),
                    baseline_p50_ms=_ms(base_p50),
                    ratio=round(p50 / base_p50, 2),
                    within_target=max(samples) <= TARGET_SECONDS,
                )
            )
        cache = workdir / "charts"
        uncached: list[float] = []
        cached: list[float] = []
        for petition_id in ids:
            for _, kind, metric, by in VARIANTS:

                async def call(
                    pid: int = petition_id, k: str = kind, m: str = metric, b: str = by
                ) -> object:
                    return await chart_service.chart(db, pid, k, m, b, cache_dir=cache)

                uncached.append(await _atime(call))
                cached.append(await _atime(call))
    finally:
        await db.close()
    return Report(
        rows=rows,
        cold_ms=_ms(cold),
        service_uncached_p50_ms=_ms(statistics.median(uncached)),
        service_cached_p50_ms=_ms(statistics.median(cached)),
        repeat=repeat,
        petitions=len(ids),
    )


def to_markdown(report: Report) -> str:
    lines = [
        f"Chart renders ({report.petitions} seed petitions × {report.repeat} each; "
        f"target ≤ {TARGET_SECONDS:.0f} s per image)",
        "",
        "| kind | renders | p50 ms | max ms | blank-PNG baseline p50 ms | p50 / baseline | ≤ 1 s |",
        "|---|--:|--:|--:|--:|--:|:-:|",
    ]
    for row in report.rows:
        ok = "yes" if row.within_target else "**no**"
        lines.append(
            f"| {row.label} | {row.samples} | {row.p50_ms} | {row.max_ms} "
            f"| {row.baseline_p50_ms} | {row.ratio}× | {ok} |"
        )
    lines += [
        "",
        f"First render in the process (cold): {report.cold_ms} ms. "
        f"`chart()` end to end: {report.service_uncached_p50_ms} ms p50 uncached, "
        f"{report.service_cached_p50_ms} ms p50 on a cache hit.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=10, help="renders per seed and kind")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON report path")
    parser.add_argument("--smoke", action="store_true", help="one render each; never fails")
    args = parser.parse_args(argv)
    repeat = 1 if args.smoke else max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench-charts-") as workdir:
        report = asyncio.run(run(repeat, Path(workdir)))
    print(to_markdown(report))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(asdict(report), indent=2) + "\n", encoding="utf-8")
    if args.smoke:
        return 0
    return 0 if all(row.within_target for row in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
