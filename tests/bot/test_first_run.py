"""`./dev run` without a terminal and without a token still leaves a ready database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.cli import NO_TOKEN_EXIT
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data" / "petitions"


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(DATABASE_PATH=str(db), DATA_DIR=str(BUNDLED), PYTHONPATH=str(REPO))
    return env


def _petitions(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM petitions").fetchone()[0])
    finally:
        conn.close()


def _dev_run(db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO / "dev"), "run"],
        cwd=cwd,
        env=_env(db),
        stdin=subprocess.DEVNULL,  # not a terminal: no console to open
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dev_run_without_terminal_or_token_loads_the_bundled_petitions(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite3"
    proc = _dev_run(db, tmp_path)
    assert proc.returncode == NO_TOKEN_EXIT == 2, proc.stderr
    assert "No Discord token is set" in proc.stderr
    assert "./dev console" in proc.stderr
    assert "loaded the petitions in" in proc.stderr and "3 files: 3 added" in proc.stderr
    assert _petitions(db) == 3
    again = _dev_run(db, tmp_path)  # loaded once: the second start says only "ready"
    assert again.returncode == 2
    assert "Database ready" in again.stderr and "loaded the petitions" not in again.stderr


def test_an_earlier_ingest_does_not_stop_the_bundled_petitions_loading(
    tmp_path: Path, seed_paths: list[Path]
) -> None:
    """Anything ingested before the first start once meant the bundled ones never loaded."""
    db = tmp_path / "early.sqlite3"
    other = tmp_path / "other.md"
    other.write_text(
        seed_paths[0].read_text(encoding="utf-8").replace("petitions/652057", "petitions/900100")
    )
    ingest = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(other)],
        cwd=tmp_path,
        env=_env(db),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert _petitions(db) == 1
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=_env(db),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert _petitions(db) == 4
