"""Helpers shared by tests: database dumps and petition variants."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from core.ingest.models import Petition
from core.ingest.parser import parse_file
from core.ingest.writer import render_document

# The ingest log records rejections by design; everything else must stay identical.
LOG_TABLES = ("ingest_log",)


def dump_data(path: Path, exclude: tuple[str, ...] = LOG_TABLES) -> str:
    """SQL dump of the database at ``path`` without the log tables."""
    conn = sqlite3.connect(path)
    try:
        lines = [
            line
            for line in conn.iterdump()
            if not any(f'"{table}"' in line or f" {table} " in line for table in exclude)
        ]
    finally:
        conn.close()
    return "\n".join(lines)


def seed_petition(path: Path) -> Petition:
    return parse_file(path).petition


def variant(petition: Petition, *, hours: float, extra: int = 0) -> Petition:
    """The same petition refreshed ``hours`` later (earlier if negative), ``extra`` more
    signatures on the top country and the top real seat (invariants kept)."""
    countries = list(petition.countries)
    seats = list(petition.constituencies)
    if extra:
        countries[0] = countries[0]._replace(count=countries[0].count + extra)
        index = next(i for i, s in enumerate(seats) if not s.is_unknown)
        seats[index] = seats[index]._replace(count=seats[index].count + extra)
    return dataclasses.replace(
        petition,
        refreshed_at=petition.refreshed_at + timedelta(hours=hours),
        total_signatures=petition.total_signatures + extra,
        countries=tuple(countries),
        constituencies=tuple(seats),
    )


def write_petition(path: Path, petition: Petition) -> Path:
    path.write_text(render_document(petition), encoding="utf-8")
    return path


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


SEED_TIME = datetime.fromisoformat("2021-07-12T15:00:10+00:00")
"""The oldest seed refresh: as of then every seed was still open (deadlines: Sep 2021,
Aug 2022, May 2024). Tests of behaviour other than "open now" run on this clock."""


def seed_clock() -> datetime:
    return SEED_TIME
