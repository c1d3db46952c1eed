"""Start-up shared by the bot and the offline console: one way to become ready."""

from __future__ import annotations

import logging

from bot.settings import Settings
from core.ingest.loader import ingest_paths
from core.ingest.types import IngestReport
from db import petitions as petition_repo
from db.database import Database
from db.reference import ensure_reference

log = logging.getLogger(__name__)


async def open_database(settings: Settings) -> tuple[Database, IngestReport | None]:
    """Open and migrate the database, load the seat reference, ingest on first run.

    Returns the report of that first ingest (None when the database already had
    petitions), so callers can tell the user what was loaded.
    """
    db = await Database.open(settings.database_path)
    # Constituency reference (650 seats per boundary set); a no-op when unchanged.
    await ensure_reference(db)
    report = None
    if await petition_repo.count_petitions(db) == 0 and settings.data_dir.is_dir():
        log.info("First run: ingesting petitions from %s", settings.data_dir)
        report = await ingest_paths(settings.database_path, [settings.data_dir])
        log.info("First run ingest: %s", report.summary())
    return db, report
