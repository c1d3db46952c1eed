"""The search benchmark's smoke mode runs end to end and its resolver stays accurate."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import bench_search


def test_smoke_run_completes_and_is_accurate(tmp_path: Path) -> None:
    result = bench_search.run(["--smoke", "--out", str(tmp_path)])
    assert result["mode"] == "smoke"
    assert result["petitions"] == 300
    assert result["queries"] >= 50
    assert result["accuracy"] >= 0.9
    written = json.loads((tmp_path / "search-smoke.json").read_text(encoding="utf-8"))
    assert written["accuracy"] == result["accuracy"]
    assert (
        (tmp_path / "search-smoke.md")
        .read_text(encoding="utf-8")
        .startswith("# Search benchmark (300 petitions")
    )
