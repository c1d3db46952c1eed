"""Fixtures for the reliability suite: a seeded database template and CLI runs.

The figures each test records (``figures.record``) are repeated at the end of the
pytest run, so they show up without ``-s``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.ingest.loader import ingest_paths_sync

from . import figures

REPO = Path(__file__).resolve().parents[2]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not figures.recorded:
        return
    terminalreporter.section("reliability figures")
    for section, entry in figures.recorded.items():
        shown = {k: v for k, v in entry.items() if k not in ("recorded_at", "machine")}
        terminalreporter.write_line(f"{section}: {json.dumps(shown, sort_keys=True)}")
    terminalreporter.write_line(f"(written to {figures.OUT.relative_to(REPO)})")


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, seed_paths: list[Path]) -> Path:
    """A database holding the three seeds; copy it, never write to it."""
    path = tmp_path_factory.mktemp("reliability-seeded") / "seeded.sqlite3"
    report = ingest_paths_sync(path, seed_paths)
    assert report.counts["added"] == 3, report.results
    return path
