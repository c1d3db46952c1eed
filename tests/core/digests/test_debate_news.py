"""Digest items for debates (issue 15): "debate scheduled" and "debated", from the real JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.digests.compose import Section, compose, window_facts
from core.ingest.loader import Document, ingest_documents_sync
from db import digests as repo
from db.database import Database
from tests.conftest import SHARED
from tests.digest_support import make_config

PETITIONS = SHARED / "data" / "ref" / "mysociety-uk-parl-petitions-scraper" / "petitions"
T1 = datetime(2031, 1, 1, tzinfo=UTC)
T2 = T1 + timedelta(hours=3)

pytestmark = pytest.mark.skipif(not PETITIONS.is_dir(), reason="../shared petition JSON absent")


def _without_debate(petition_id: int) -> bytes:
    doc = json.loads((PETITIONS / f"{petition_id}.json").read_text())
    attrs = doc["data"]["attributes"]
    attrs["debate"] = None
    attrs["scheduled_debate_date"] = None
    attrs["debate_outcome_at"] = None
    attrs["updated_at"] = "2022-10-01T00:00:00.000Z"
    return json.dumps(doc).encode()


async def test_debate_scheduled_and_debated_are_digest_news(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    before = [Document(f"{i}-old.json", _without_debate(i)) for i in (600593, 619334)]
    ingest_documents_sync(path, before, clock=lambda: T1)
    now = [Document(f"{i}.json", (PETITIONS / f"{i}.json").read_bytes()) for i in (600593, 619334)]
    ingest_documents_sync(path, now, clock=lambda: T2)
    db = await Database.open(path)
    try:
        changes = await repo.fetch_changes(db, T1, T2)
        again = await repo.fetch_changes(db, T2, T2 + timedelta(hours=1))
    finally:
        await db.close()
    digest = compose(window_facts(changes, T1, T2), make_config(since=T1))
    debates = {item.petition_id: item.why for item in digest.section(Section.DEBATE)}
    assert debates == {
        600593: "debate scheduled for 2023-01-09",
        619334: "debated on 2022-11-28",
    }
    # The news lands in exactly one window: the next one has none.
    later = compose(window_facts(again, T2, T2 + timedelta(hours=1)), make_config(since=T2))
    assert later.section(Section.DEBATE) == []
