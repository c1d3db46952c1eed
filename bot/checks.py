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
MANAGE_SERVER_ONLY = (
    "Only members with the Manage Server permission can change who moderates petitionbot "
    "here and where its audit log goes (the moderator role is not enough)."
)
POST_NOW_COOLDOWN = (1, 60.0)
"""``/digest post-now``: one post per server per minute, whoever asks."""
SETUP_COOLDOWN = (5, 60.0)
"""``/digest setup``: a few a minute per server (a refused typo uses one too)."""


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
    # Every member has the default role (its id is the server's): never a moderator role,
    # even if a database from before that rule holds it.
    if role_id is None or role_id == interaction.guild_id:
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


def has_manage_server(interaction: discord.Interaction) -> bool:
    """Manage Server (or Administrator) as Discord resolved it for this interaction."""
    return interaction.guild_id is not None and bool(
        interaction.permissions.manage_guild or interaction.permissions.administrator
    )


def manage_server_only() -> Callable[[T], T]:
    """Check: Manage Server itself; for changing who else may manage (modrole, auditlog)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        _require_guild(interaction)
        if has_manage_server(interaction):
            return True
        raise app_commands.CheckFailure(MANAGE_SERVER_ONLY)

    return app_commands.check(predicate)


def moderator_role_problem(role: discord.Role, guild_id: int) -> str | None:
    """Why ``role`` cannot be the moderator role, or None.

    The default role (@everyone, whose id is the server's) is held by every
    member: it would make everyone a moderator. A managed role belongs to a bot
    or an integration (boosters, Twitch subscribers) and nobody assigns it.
    """
    if role.id == guild_id or getattr(role, "is_default", lambda: False)():
        return "The @everyone role cannot be the moderator role: every member has it."
    if getattr(role, "managed", False):
        return (
            f"**{role.name}** is managed by a bot or an integration: choose a role that "
            "people are given on purpose."
        )
    return None


def guild_key(interaction: discord.Interaction) -> int:
    """Cooldown bucket: the server (anyone with the role shares one budget)."""
    return interaction.guild_id or interaction.user.id


def per_guild_cooldown(limit: tuple[int, float]) -> Callable[[T], T]:
    """At most ``rate`` uses per server per ``per`` seconds (``limit = (rate, per)``)."""
    rate, per = limit
    return app_commands.checks.cooldown(rate, per, key=guild_key)
