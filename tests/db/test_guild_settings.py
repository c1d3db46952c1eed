"""Per-server settings read as declared defaults until changed (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from core.admin.guild_config import GuildConfig
from db.database import Database
from db.guild_settings import get_config, update_config

pytestmark = pytest.mark.both_databases


async def test_defaults_without_a_row(db: Database) -> None:
    assert await get_config(db, 42) == GuildConfig(42, None, None)


async def test_update_and_clear(db: Database) -> None:
    await update_config(db, 42, moderator_role_id=7)
    await update_config(db, 42, audit_channel_id=9)
    assert await get_config(db, 42) == GuildConfig(42, 7, 9)
    await update_config(db, 42, moderator_role_id=None)
    assert await get_config(db, 42) == GuildConfig(42, None, 9)
    assert await get_config(db, 43) == GuildConfig(43)
