"""Helpers shared by the digest tests: ingest petition variants at a chosen time."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from core.digests.schedule import DigestConfig, parse_clock
from core.ingest.loader import ingest_documents_sync
from core.ingest.models import Petition
from core.ingest.parser import parse_file
from core.ingest.types import Document, IngestReport
from core.ingest.writer import render_document

BASE = datetime(2031, 1, 1, tzinfo=UTC)
"""Every digest test's clock starts here, after the seeds' real ingest time."""

OFSTED = 652057  # 48,783 signatures, refreshed 2024-01-04, opened 2023-12-06
SEND = 607849  # 26,704, refreshed 2022-03-26
VERIFIED_ID = 575833  # 270,294, refreshed 2021-07-12

_names = itertools.count()


def seeds(seed_paths: Sequence[Path]) -> dict[int, Petition]:
    petitions = (parse_file(path).petition for path in seed_paths)
    return {p.id: p for p in petitions}


def ingest_at(db_path: str | Path, petitions: Sequence[Petition], at: datetime) -> IngestReport:
    """Ingest documents rendered from ``petitions`` with the loader's clock at ``at``."""
    documents = [
        Document(f"doc-{next(_names)}-{p.id}.md", render_document(p).encode()) for p in petitions
    ]
    return ingest_documents_sync(db_path, documents, clock=lambda: at)


def renumbered(petition: Petition, new_id: int, title: str | None = None) -> Petition:
    """A different petition with the same content (a "new petition" for the digest)."""
    return dataclasses.replace(
        petition,
        id=new_id,
        url=f"https://petition.parliament.uk/petitions/{new_id}",
        title=title or f"{petition.title} ({new_id})",
    )


def newest_ingest(db_path: Path) -> datetime:
    conn = sqlite3.connect(db_path)
    try:
        value = conn.execute("SELECT max(ingested_at) FROM snapshots").fetchone()[0]
    finally:
        conn.close()
    return datetime.fromisoformat(value)


def make_config(
    *,
    since: datetime = BASE,
    guild_id: int = 1,
    channel_id: int = 500,
    at: str = "09:00",
    tz: str = "Europe/London",
    min_signatures: int = 0,
    thresholds: tuple[int, ...] = (),
    quiet: bool = False,
) -> DigestConfig:
    return DigestConfig(
        guild_id=guild_id,
        channel_id=channel_id,
        scheduled_through=since,
        reported_through=since,
        post_time=parse_clock(at),
        timezone=tz,
        min_signatures=min_signatures,
        extra_thresholds=thresholds,
        quiet=quiet,
    )
