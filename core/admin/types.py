"""Records of administration: the audit log, ingest history and what the database holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Scope = Literal["global", "server"]
"""Who an audit entry concerns: the whole bot (petition data) or one server."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    action: str
    result: str
    scope: Scope
    user_id: int | None = None
    user_name: str | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class IngestLogRecord:
    path: str
    result: str
    petition_id: int | None
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DatabaseStats:
    petitions: int
    snapshots: int
    constituencies: int
    mps: int
    constituency_rows: int
    newest_refresh: datetime | None
    last_ingest: IngestLogRecord | None
    size_bytes: int
