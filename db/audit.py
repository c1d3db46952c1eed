"""SQL for the audit log: every admin action, and actions the bot takes itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from core.admin.types import AuditEntry
from core.common.times import utc_datetime
from db.database import Database


async def record(db: Database, entry: AuditEntry) -> int:
    """Append ``entry``; returns its id."""
    async with db.conn.execute(
        "INSERT INTO audit_log (at, user_id, user_name, guild_id, channel_id, action,"
        " arguments, result, scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            entry.at.isoformat(),
            entry.user_id,
            entry.user_name,
            entry.guild_id,
            entry.channel_id,
            entry.action,
            json.dumps(entry.arguments, default=str, sort_keys=True),
            entry.result,
            entry.scope,
        ),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def recent(db: Database, *, guild_id: int | None = None, limit: int = 50) -> list[AuditEntry]:
    """Newest first; all servers when ``guild_id`` is None."""
    where, args = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
    async with db.conn.execute(
        f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", (*args, limit)
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        AuditEntry(
            action=row["action"],
            result=row["result"],
            scope=row["scope"],
            user_id=row["user_id"],
            user_name=row["user_name"],
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            arguments=json.loads(row["arguments"]),
            at=utc_datetime(row["at"]) or datetime.now(UTC),
        )
        for row in rows
    ]
