"""Start-up shared by the bot and the offline console: one way to become ready."""

from __future__ import annotations

import logging
from pathlib import Path

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
    db = await Database.open(settings.database_target)
    # Constituency reference (650 seats per boundary set); a no-op when unchanged.
    await ensure_reference(db)
    report = None
    if settings.data_dir.is_dir() and not await _data_dir_loaded(db, settings.data_dir):
        log.info("First run: ingesting petitions from %s", settings.data_dir)
        report = await ingest_paths(db.target, [settings.data_dir])
        log.info("First run ingest: %s", report.summary())
        await petition_repo.set_meta(db, FIRST_RUN_KEY, str(settings.data_dir))
        await db.conn.commit()
    return db, report


FIRST_RUN_KEY = "first_run_ingest"
"""``bot_meta`` key: the data directory was ingested once (its value names it)."""


async def _data_dir_loaded(db: Database, data_dir: Path) -> bool:
    """Whether the first-run ingest of ``data_dir`` happened, whatever was ingested before.

    "The database has petitions" is not the same thing: a CLI ingest before the
    first start would otherwise mean the bundled petitions never load. Databases
    from before this key count as loaded when their ingest log has that folder.
    """
    if await petition_repo.get_meta(db, FIRST_RUN_KEY) is not None:
        return True
    return await petition_repo.ingested_from(db, str(data_dir))
