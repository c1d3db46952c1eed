"""Owner ingests (``/admin ingest`` and ``/admin reload``) as plain services, audited always.

The audit row is the record of who changed the shared petition data. It must be
written whatever the ingest did: a clean report, per-document rejections, or an
error nobody expected (then the owner gets a clear message and the row says
``failed: ...``), so the cog cannot forget it on some path.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from core.admin.audit import AuditLog
from core.admin.types import AuditEntry
from core.common.errors import UserFacingError
from core.ingest import uploads
from core.ingest.loader import ingest_documents, ingest_paths
from core.ingest.types import IngestReport
from db.database import Database

log = logging.getLogger(__name__)


async def ingest_upload(
    db: Database, name: str, data: bytes, *, max_bytes: int, entry: AuditEntry, audit: AuditLog
) -> IngestReport:
    """Unpack an uploaded file (a document or a zip) and ingest it; audited."""

    async def work() -> IngestReport:
        items = await asyncio.to_thread(uploads.unpack, name, data, max_bytes)
        return await ingest_documents(db.target, items)

    return await audited(audit, entry, work)


async def reload_folder(
    db: Database, folder: Path, *, entry: AuditEntry, audit: AuditLog
) -> IngestReport:
    """Ingest the data directory again; audited."""
    return await audited(audit, entry, lambda: ingest_paths(db.target, [folder]))


async def audited(
    audit: AuditLog, entry: AuditEntry, work: Callable[[], Awaitable[IngestReport]]
) -> IngestReport:
    """Run ``work`` and record ``entry`` with its result, on every path out.

    An unexpected error is logged with its traceback, recorded as ``failed``
    and turned into a :class:`UserFacingError` that says what is kept.
    """
    try:
        report = await work()
    except UserFacingError as exc:
        await _record(audit, entry, f"refused: {exc}")
        raise
    except Exception as exc:
        log.exception("%s failed", entry.action)
        await _record(audit, entry, f"failed: {type(exc).__name__}: {exc}")
        raise UserFacingError(
            f"The ingest stopped with an unexpected error ({type(exc).__name__}). "
            "Documents finished before it are kept; the bot's log has the details."
        ) from exc
    summary = report.summary()
    if report.problem:
        summary += f" (stopped: {report.problem})"
    await _record(audit, entry, summary)
    return report


async def _record(audit: AuditLog, entry: AuditEntry, result: str) -> None:
    """Write the audit row; if even that fails, the log keeps it (never hide the reply)."""
    try:
        await audit.record(dataclasses.replace(entry, result=result[:1000]))
    except Exception:
        log.exception("Could not write the audit row %s: %s", entry.action, result)
