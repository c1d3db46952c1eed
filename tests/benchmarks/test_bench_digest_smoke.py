"""The digest benchmark's smoke mode runs end to end (no timing claims here)."""

from __future__ import annotations

from benchmarks import bench_digest


def test_smoke_run_completes_and_agrees_with_the_baseline() -> None:
    # run() raises if the shared composition differs from per-server composition.
    result = bench_digest.run(smoke=True)
    assert result["sizes"]["servers"] == 25
    assert result["rows"]["petitions"] == 60
    assert result["rows"]["snapshots"] > 60 * 4
    # Every server was due at the same instant and every one was handled once.
    assert sum(result["tick_outcomes"].values()) == 25
    assert 1 <= result["computed_windows"] <= result["distinct_windows"] <= 25
    assert result["messages"] >= 1
    assert result["items_per_digest"]["max"] > 0
