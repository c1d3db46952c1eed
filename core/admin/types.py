"""Records of administration: the audit log, ingest history and what the database holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from core.common.shards import ShardStatus

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


@dataclass(frozen=True, slots=True)
class RuntimeFacts:
    """Facts only the running bot knows (passed in so rendering stays pure)."""

    uptime_seconds: float
    latency_ms: float | None
    guilds: int
    discord_version: str
    bot_version: str
    shards: ShardStatus | None = None
    """This process's gateway shards and their latencies (the console has none)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """Who runs a moderator or owner command, and where: the columns of its audit row.

    The bot fills it from the interaction (after its runtime permission check);
    the console from the local owner and its fixed local server.
    """

    user_id: int | None = None
    user_name: str | None = None
    guild_id: int | None = None
    channel_id: int | None = None

    def entry(
        self, action: str, result: str, scope: Scope, arguments: dict[str, Any] | None = None
    ) -> AuditEntry:
        """An audit row for something this caller did."""
        return AuditEntry(
            action=action,
            result=result,
            scope=scope,
            user_id=self.user_id,
            user_name=self.user_name,
            guild_id=self.guild_id,
            channel_id=self.channel_id,
            arguments=arguments or {},
        )

    @property
    def guild(self) -> int:
        """The server it runs in (server commands are guild-only, so there is one)."""
        if self.guild_id is None:
            raise ValueError("a server command ran outside a server")
        return self.guild_id


@dataclass(frozen=True, slots=True)
class Ref:
    """A Discord role or channel as the services see it: its id and its name."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded file's name and bytes (an attachment in Discord, a path in the console)."""

    name: str
    data: bytes
