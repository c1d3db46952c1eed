"""The chart benchmark still runs end to end (one render per kind; no timing asserts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import bench_charts


def test_smoke_renders_every_kind_and_writes_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "charts.json"
    assert bench_charts.main(["--smoke", "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [row["label"] for row in report["rows"]] == [
        "top (count)",
        "top (rate)",
        "top (countries)",
        "history",
        "map (count)",
        "map (rate)",
    ]
    assert all(row["samples"] == 3 for row in report["rows"])  # one per seed petition
    assert (report["repeat"], report["petitions"]) == (1, 3)
    printed = capsys.readouterr().out
    assert "| map (rate) | 3 |" in printed
