"""Every answer the seat-count storage gives, as plain JSON, to compare layouts.

Issue 22 changed how seat counts are stored (packed per-petition tables and a
slim per-seat ranking instead of one row per seat). The answers must not
change. ``tests/fixtures/answers_before_22.json`` was written by this module
running on the code *before* that change (commit 3d4431f), on the three seeds
and the 69 petition-site JSON files; ``test_answers_unchanged.py`` compares.
The fixture holds a SHA-256 of each answer's canonical JSON (the answers
themselves are 24 MB), so a difference names the question that changed.

Regenerate only for an intended change of answers:
``python -m tests.db.answers tests/fixtures/answers_before_22.json``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from core.ingest.loader import ingest_paths_sync
from db import charts, counts, petitions, reference
from db.database import Database

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
JSON_PETITIONS = REPO / "tests" / "fixtures" / "petition_json" / "petitions"


def build(path: Path) -> None:
    """The seeds, then the JSON files, into a new database (the same order every time)."""
    reference.ensure_reference_at(path)
    for paths in (sorted(SEEDS.glob("*.txt")), sorted(JSON_PETITIONS.glob("*.json"))):
        report = ingest_paths_sync(path, paths, parse_workers=0)
        assert not report.rejected, report.rejected[:3]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


async def dump(db: Database) -> dict[str, Any]:
    """Answers for every petition and every seat, keyed by what was asked."""
    out: dict[str, Any] = {}
    async with db.conn.execute("SELECT id FROM petitions ORDER BY id") as cursor:
        ids = [int(r[0]) for r in await cursor.fetchall()]
    async with db.conn.execute("SELECT id FROM constituencies ORDER BY id") as cursor:
        seat_ids = [int(r[0]) for r in await cursor.fetchall()]
    for pid in ids:
        detail = await counts.get_petition(db, pid)
        assert detail is not None
        table = await counts.constituency_table(db, pid)
        listed = {row.constituency_id for row in table}
        probes = [table[0].constituency_id, table[-1].constituency_id] if table else []
        probes += [s for s in seat_ids if s not in listed][:2]
        out[f"table:{pid}"] = _plain(table)
        out[f"table5:{pid}"] = _plain(await counts.constituency_table(db, pid, 5))
        out[f"standing:{pid}"] = [
            _plain(await counts.seat_standing(db, detail, seat)) for seat in probes
        ]
        out[f"seats:{pid}"] = _plain(await reference.petition_seats(db, pid))
        out[f"regions:{pid}"] = _plain(await reference.region_counts(db, pid))
        out[f"chart:{pid}"] = _plain(await charts.seat_counts(db, pid))
        out[f"chart10:{pid}"] = _plain(await charts.seat_counts(db, pid, limit=10))
    for seat in seat_ids:
        out[f"top:{seat}"] = _plain(await counts.seat_top_petitions(db, seat, 10))
    stats = await petitions.stats(db)
    out["stats"] = {"petitions": stats.petitions, "seat_rows": stats.constituency_rows}
    return out


def digests(answers: dict[str, Any]) -> dict[str, str]:
    """Each answer's SHA-256, over its canonical JSON."""
    return {
        key: hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
        for key, value in answers.items()
    }


async def _answers(work: Path) -> dict[str, Any]:
    db = await Database.open(work)
    try:
        return await dump(db)
    finally:
        await db.close()


def _main(target: Path, work: Path) -> None:
    build(work)
    answers = asyncio.run(_answers(work))
    target.write_text(
        json.dumps(digests(answers), indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        _main(Path(sys.argv[1]), Path(tmp) / "answers.sqlite3")
