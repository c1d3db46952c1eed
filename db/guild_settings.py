"""SQL for per-server settings; absent rows read as the declared defaults."""

from __future__ import annotations

from datetime import UTC, datetime

from core.admin.guild_config import GuildConfig
from db.database import Database

_FIELDS = ("moderator_role_id", "audit_channel_id")


async def get_config(db: Database, guild_id: int) -> GuildConfig:
    async with db.conn.execute(
        "SELECT moderator_role_id, audit_channel_id FROM guild_settings WHERE guild_id = ?",
        (guild_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return GuildConfig(guild_id)
    return GuildConfig(guild_id, row["moderator_role_id"], row["audit_channel_id"])


async def update_config(db: Database, guild_id: int, **changes: int | None) -> GuildConfig:
    """Set some fields (``None`` clears one back to its default)."""
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise ValueError(f"unknown guild setting(s): {', '.join(sorted(unknown))}")
    current = await get_config(db, guild_id)
    values = {name: getattr(current, name) for name in _FIELDS} | changes
    await db.conn.execute(
        """
        INSERT INTO guild_settings (guild_id, moderator_role_id, audit_channel_id, updated_at)
        VALUES (?, ?, ?, ?)
        ON CONFLICT (guild_id) DO UPDATE SET
            moderator_role_id = excluded.moderator_role_id,
            audit_channel_id = excluded.audit_channel_id,
            updated_at = excluded.updated_at
        """,
        (
            guild_id,
            values["moderator_role_id"],
            values["audit_channel_id"],
            datetime.now(UTC).isoformat(),
        ),
    )
    return await get_config(db, guild_id)
