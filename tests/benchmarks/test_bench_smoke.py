"""``python -m benchmarks --smoke`` still runs every benchmark and writes its report.

No timing is asserted anywhere (speed is judged by the full run, as ratios
against baselines measured in the same run); these tests prove the harness
runs end to end on a tiny archive and that its bookkeeping is right.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import __main__ as bench
from benchmarks import bench_commands, common
from core.commands import REGISTRY, Access

SMOKE = bench.SMOKE_COUNT


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("bench")
    return bench.main(["--smoke", "--out", str(out)]), out


def _report(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "report-smoke.json").read_text(encoding="utf-8"))
    return data


def test_smoke_run_completes_and_writes_both_reports(smoke_report: tuple[int, Path]) -> None:
    status, out = smoke_report
    assert status == 0
    report = _report(out)
    assert report["mode"] == "smoke"
    assert list(report["sizes"]) == [str(SMOKE)]
    assert set(report["sizes"][str(SMOKE)]) == {"ingest", "search", "startup", "commands", "ask"}
    assert set(report["once"]) == {"digest", "follows", "charts"}
    assert bench.failures(report) == []
    # A smoke run judges nothing and never overwrites the real report.
    assert set(report["verdicts"].values()) == {None}
    assert not (out / "report.md").exists()
    markdown = (out / "report-smoke.md").read_text(encoding="utf-8")
    assert markdown.startswith("# petitionbot benchmarks (smoke run")
    assert f"| what | baseline (same run) | target | {SMOKE} petitions |" in markdown
    assert "n/a (" not in markdown, "a summary cell could not read its result"
    assert "failed" not in markdown.split("\n## ")[0]


def test_ingest_counts_the_same_rows_for_loader_and_baseline(
    smoke_report: tuple[int, Path],
) -> None:
    ingest = _report(smoke_report[1])["sizes"][str(SMOKE)]["ingest"]
    assert ingest["outcomes"] == {"added": SMOKE}
    assert ingest["rows"]["petitions"] == SMOKE
    assert ingest["rows"]["ingest_log"] == SMOKE
    assert ingest["rows_total"] == sum(ingest["rows"].values())
    assert ingest["baseline"]["rows"] == ingest["rows_total"]
    # Every parsed seat row was stored: the Unknown row lives on the petition itself.
    assert ingest["parse_only"]["seat_rows"] == ingest["seat_rows"] + ingest["unknown_rows"]
    assert ingest["reingest_share"] < 1
    # PostgreSQL in the same run: the same archive, and a COPY of the same seat rows.
    postgres = ingest["postgres"]
    assert "skipped" not in postgres, postgres
    assert postgres["copy_baseline"]["rows"] == ingest["seat_rows"]
    assert postgres["copy_keyed_baseline"]["rows"] == ingest["seat_rows"]
    assert postgres["ratio"] > 0 and postgres["reingest_share"] < 1


def test_every_command_answered_without_errors(smoke_report: tuple[int, Path]) -> None:
    commands = _report(smoke_report[1])["sizes"][str(SMOKE)]["commands"]
    assert commands["samples_per_command"] == 5
    assert len(commands["commands"]) == 20
    assert {name: row["errors"] for name, row in commands["commands"].items()} == dict.fromkeys(
        commands["commands"], 0
    )
    assert all(row["n"] == 5 for row in commands["commands"].values())


def test_startup_loaded_every_cog_and_ran_the_commands(smoke_report: tuple[int, Path]) -> None:
    startup = _report(smoke_report[1])["sizes"][str(SMOKE)]["startup"]
    assert startup["cold_start"]["runs"] == 1
    assert {"Petitions", "Places", "Me", "Meta", "Admin", "Digest"} <= set(
        startup["cold_start"]["cogs"]
    )
    assert startup["rss"]["calls"] == 20 * 20
    assert startup["rss"]["peak_mb"] > 0


# ----------------------------------------------------------------------------- bookkeeping
def test_percentiles_are_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 201)]  # 1..200 ms
    assert common.percentile(samples, 0.5) == 100.0
    assert common.percentile(samples, 0.99) == 198.0
    assert common.percentile([], 0.99) == 0.0
    assert common.summary([4.0, 1.0, 2.0, 3.0]) == {
        "n": 4,
        "p50_ms": 2.0,
        "p99_ms": 4.0,
        "mean_ms": 2.5,
        "max_ms": 4.0,
    }


def _ingest(ratio: float, share: float, wall: float = 100.0, per_row: float = 13.0) -> dict:
    return {
        "ratio": ratio,
        "reingest_share": share,
        "ingest": {"wall_s": wall},
        "bytes_per_seat_row": per_row,
    }


def _fake_report(ratio: float, worst_p99: float, largest: int = 10_000) -> dict[str, Any]:
    return {
        "mode": "full",
        "sizes": {
            "1000": {"ingest": _ingest(0.1, 0.5, per_row=99.0)},
            str(largest): {
                "ingest": _ingest(ratio, 0.01, wall=301.0),
                "commands": {
                    "worst_p99": {"command": "x", "p99_ms": worst_p99},
                    "postgresql": {"vs_sqlite": {"worst": {"name": "x", "ratio": 2.5}}},
                },
                "search": {"error": "boom", "traceback": ""},
            },
        },
        "once": {"digest": {"compose_and_render_s": 0.4}},
    }


def test_targets_are_judged_at_the_largest_size_and_failures_are_not_passes() -> None:
    verdicts = bench.verdicts(_fake_report(ratio=0.49, worst_p99=20.0))
    assert verdicts["ingest ≥ 50 % of the minimal baseline's rows/s"] is False
    assert verdicts["re-ingest ≤ 1 % of first ingest"] is True  # 0.5 at 1,000 is not judged
    assert verdicts["database ≤ 35 bytes per seat row"] is True  # 99 at 1,000 is not judged
    assert verdicts["first ingest of 100,000 ≤ 300 s"] is None  # stated at 100,000 only
    assert verdicts["every command p99 ≤ 20 ms"] is True
    assert verdicts["every command on PostgreSQL p99 ≤ 2× SQLite's"] is False  # 2.5×
    assert verdicts["autocomplete on PostgreSQL p99 ≤ 2× SQLite's"] is None  # search failed
    assert verdicts["top-1 accuracy ≥ 95 %"] is None  # the search benchmark failed
    assert verdicts["peak RSS ≤ 300 MB"] is None  # not run
    assert verdicts["digest for 1,000 servers ≤ 1 s"] is True
    assert bench.failures(_fake_report(0.6, 1.0)) == ["search at 10000"]
    assert bench.verdicts(_fake_report(0.5, 20.1))["every command p99 ≤ 20 ms"] is False
    at_scale = bench.verdicts(_fake_report(0.5, 1.0, largest=100_000))
    assert at_scale["first ingest of 100,000 ≤ 300 s"] is False  # 301 s
    assert at_scale["ingest ≥ 50 % of the minimal baseline's rows/s"] is True


def test_commands_plan_covers_every_service_command() -> None:
    inputs = bench_commands.Inputs(petitions=[], seats=[], mps=[], answered=[])
    planned = bench_commands.plan(None, inputs)  # type: ignore[arg-type]
    names = {name.split(" (")[0].split(" + ")[0] for name in planned}
    everyone = {c.name for c in REGISTRY if c.access is Access.EVERYONE}
    # charts: benchmarks/bench_charts.py; /ask: benchmarks/bench_ask.py (beside these commands)
    follows = {c.name for c in REGISTRY if c.words[0] in ("follow", "unfollow")}  # bench_follows
    assert names == everyone - {"petition chart", "ask"} - follows


def test_ask_ran_every_question_form_beside_its_command(smoke_report: tuple[int, Path]) -> None:
    ask = _report(smoke_report[1])["sizes"][str(SMOKE)]["ask"]
    assert ask["samples_per_form"] == 5
    forms = ask["forms"]
    assert len(forms) == 8
    assert all(row["ask"]["n"] == 5 for row in forms.values())
    assert forms["unanswerable"]["answered"] == 0
    assert forms["leaderboard"]["answered"] == 5
    assert all(row["direct"]["n"] == 5 for name, row in forms.items() if name != "unanswerable")
    assert "## /ask, service layer" in (smoke_report[1] / "report-smoke.md").read_text()
