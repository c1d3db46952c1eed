"""The follows benchmark's smoke mode runs end to end (no timing claims here)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_follows


def test_smoke_run_finds_alerts_of_every_kind(tmp_path: Path) -> None:
    result = bench_follows.run(smoke=True, cache=tmp_path / "cache")
    assert result["sizes"]["follows"] == 600
    assert sum(result["follows_by_kind"].values()) == 600
    # the newer batch produces news for every kind of follow, one message per destination
    assert set(result["alerts_by_kind"]) == {"petition", "keyword", "constituency", "mp"}
    assert all(n > 0 for n in result["alerts_by_kind"].values())
    assert result["messages"] == result["destinations"] > 0
    assert len(result["ingest_with_follows_s"]) == len(result["ingest_without_follows_s"]) == 1
