"""Runtime permission checks for admin commands.

``default_member_permissions`` only hides a command in the client, and server
owners can override it, so every privileged command also runs one of these
checks inside the bot. Refusals raise ``CheckFailure`` with a message naming
what is missing; the single error handler shows it ephemerally.

Two kinds of power are kept apart:
- petition data is global, so changing it is for the bot's owners only;
- server settings are for that server's managers (Manage Server or the
  server's configured moderator role).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

from core.admin.types import Caller
from db.guild_settings import get_config

T = TypeVar("T")

OWNER_ONLY = (
    "Only the bot's owners can change petition data: it is shared by every server. "
    "(Manage Server is not enough.)"
)
MANAGER_ONLY = "You need the Manage Server permission or this server's moderator role."


async def is_bot_owner(interaction: discord.Interaction) -> bool:
    """Application owner / team members, or a user listed in OWNER_IDS."""
    client = interaction.client
    is_owner = getattr(client, "is_owner", None)
    if is_owner is None:
        return False
    return bool(await is_owner(interaction.user))


async def is_server_manager(interaction: discord.Interaction) -> bool:
    """Manage Server (as Discord resolved it for this interaction) or the moderator role."""
    if interaction.guild_id is None:
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    db = getattr(interaction.client, "db", None)
    if db is None:
        return False
    config = await get_config(db, interaction.guild_id)
    role_id = config.moderator_role_id
    if role_id is None:
        return False
    # In a server the user is a Member; roles come from the interaction payload.
    roles = getattr(interaction.user, "roles", ())
    return any(role.id == role_id for role in roles) or role_id in {
        int(r) for r in getattr(interaction.user, "_roles", ())
    }


def _require_guild(interaction: discord.Interaction) -> None:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()


def bot_owner_only() -> Callable[[T], T]:
    """Check: the invoker is a bot owner (global petition data)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        _require_guild(interaction)
        if await is_bot_owner(interaction):
            return True
        raise app_commands.CheckFailure(OWNER_ONLY)

    return app_commands.check(predicate)


def server_manager_only() -> Callable[[T], T]:
    """Check: Manage Server or the moderator role (bot owners pass too)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        _require_guild(interaction)
        if await is_server_manager(interaction) or await is_bot_owner(interaction):
            return True
        raise app_commands.CheckFailure(MANAGER_ONLY)

    return app_commands.check(predicate)


def caller_of(interaction: discord.Interaction) -> Caller:
    """Who runs the command and where, for the services' audit rows."""
    return Caller(
        user_id=interaction.user.id,
        user_name=str(interaction.user),
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
    )
