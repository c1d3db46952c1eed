"""Momentum and forecast from stored counts (pure), and on the card through a real ingest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.common.cards import reply_to_text
from core.ingest.loader import ingest_paths_sync
from core.petitions.momentum import momentum
from core.petitions.types import SnapshotRecord
from core.places.render import render
from core.services import Services
from db.database import Database
from tests.conftest import SHARED

T0 = datetime(2022, 12, 1, 12, tzinfo=UTC)
DEADLINE = datetime(2023, 6, 7, 22, 59, 59, tzinfo=UTC)
PETITIONS = SHARED / "data" / "ref" / "mysociety-uk-parl-petitions-scraper" / "petitions"


def snap(hours: float, total: int) -> SnapshotRecord:
    return SnapshotRecord(T0 + timedelta(hours=hours), total, None)


def test_gains_need_a_stored_count_from_about_then() -> None:
    m = momentum(
        [snap(0, 1_000), snap(24 * 6, 4_000), snap(24 * 7 - 1, 4_900), snap(24 * 7 + 25, 5_500)],
        opened_at=T0 - timedelta(days=10),
        deadline_at=DEADLINE,
        open_now=True,
    )
    day, week = m.gains
    assert (day.signatures, day.since) == (600, snap(24 * 7 - 1, 0).refreshed_at)
    assert (week.signatures, week.since) == (4_500, T0)
    assert m.forecast is not None and m.forecast.threshold == 10_000
    assert m.forecast.per_day == pytest.approx(600 / (26 / 24))
    assert m.forecast.reached_at is not None and m.forecast.reached_at < DEADLINE


def test_one_count_says_so_and_paces_from_opening() -> None:
    m = momentum(
        [snap(0, 2_000)], opened_at=T0 - timedelta(days=20), deadline_at=DEADLINE, open_now=True
    )
    assert [g.signatures for g in m.gains] == [None, None]
    assert m.forecast is not None and m.forecast.basis.startswith("average since opening")
    assert m.forecast.per_day == pytest.approx(100.0)
    # 8,000 more at 100 a day is 80 days: 19 Feb 2023, before the June deadline.
    assert m.forecast.reached_at == T0 + timedelta(days=80)


def test_too_slow_to_reach_the_threshold_before_closing() -> None:
    m = momentum(
        [snap(0, 1_000), snap(24, 1_010)],
        opened_at=None,
        deadline_at=T0 + timedelta(days=30),
        open_now=True,
    )
    assert m.forecast is not None
    assert (m.forecast.threshold, m.forecast.reached_at) == (10_000, None)


def test_closed_petitions_get_no_forecast() -> None:
    m = momentum([snap(0, 1_000)], opened_at=T0, deadline_at=T0, open_now=False)
    assert m.forecast is None


def _variant(tmp_path: Path, name: str, updated_at: str, count: int) -> Path:
    doc = json.loads((PETITIONS / "629208.json").read_text())
    doc["data"]["attributes"]["updated_at"] = updated_at
    doc["data"]["attributes"]["signature_count"] = count
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.skipif(not PETITIONS.is_dir(), reason="../shared petition JSON absent")
async def test_momentum_on_the_card(tmp_path: Path) -> None:
    """629208 (open, 1,634 on 2 Jan 2023) with two earlier counts: a day and a week back."""
    paths = [
        _variant(tmp_path, "a.json", "2022-12-26T06:00:00.000Z", 1_200),
        _variant(tmp_path, "b.json", "2023-01-01T05:00:00.000Z", 1_500),
        PETITIONS / "629208.json",
    ]
    db_path = tmp_path / "m.sqlite3"
    for path in paths:
        ingest_paths_sync(db_path, [path])
    db = await Database.open(db_path)
    try:
        now = datetime(2023, 1, 3, tzinfo=UTC)
        services = await Services.load(db, clock=lambda: now)
        shown = reply_to_text(render(await services.petition_show("629208")).fitted())
    finally:
        await db.close()
    assert "[Momentum]\nLast 24 hours: +134 (over the 26 h to 2 Jan 2023)" in shown
    assert "Last 7 days: +434 (over the 7 days to 2 Jan 2023)" in shown
    assert "At 125 a day (between the last two stored counts): 10,000 by about 10 Mar 2023" in shown
