"""Per-server settings with declared defaults (the Red-DiscordBot pattern).

A server that never ran a settings command has no row at all; reading it
yields these defaults, so adding a setting later needs no data migration for
existing servers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GuildConfig:
    guild_id: int
    moderator_role_id: int | None = None
    """Members with this role may manage the server's petitionbot settings."""
    audit_channel_id: int | None = None
    """Server admin actions are also posted here when set."""
