"""Reliability figures (files tried, kills survived, worst latency) for the closing note.

Each test records its section into ``benchmarks/out/reliability.json`` (merged, so
one test run can fill several sections) and prints it; ``conftest.py`` repeats the
sections recorded during the session in pytest's terminal summary, so the figures
are visible with or without ``-s``.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "benchmarks" / "out" / "reliability.json"

recorded: dict[str, dict[str, Any]] = {}
"""Sections recorded in this pytest session (for the terminal summary)."""


def record(section: str, figures: dict[str, Any]) -> dict[str, Any]:
    """Merge ``figures`` under ``section`` in the JSON file and print them."""
    entry = {
        **figures,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
        + platform.python_version(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(OUT.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[section] = entry
    tmp = OUT.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(OUT)
    recorded[section] = entry
    print(f"[reliability] {section}: {json.dumps(figures, sort_keys=True)}")
    return entry
