"""Helpers for the reliability tests: database copies, CLI runs, integrity checks."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def copy_db(template: Path, target: Path) -> Path:
    """A private copy of a (closed, checkpointed) database file."""
    shutil.copyfile(template, target)
    return target


def cli_env(db_path: Path, **extra: str) -> dict[str, str]:
    """Environment for ``python -m bot``: this database, no token, wide terminal."""
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env.update(
        {
            "DATABASE_PATH": str(db_path),
            "COLUMNS": "400",  # rich wraps at the terminal width; keep errors on one line
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
            **extra,
        }
    )
    return env


def run_cli(
    *args: str, db_path: Path, cwd: Path, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` with ``DATABASE_PATH=db_path`` (cwd keeps .env out)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=cli_env(db_path),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of the file ("ok" when sound)."""
    conn = sqlite3.connect(path)
    try:
        return ", ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()
