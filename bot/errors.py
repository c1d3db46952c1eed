"""The one error handler for every app command.

Users see a short ephemeral message; the log gets the traceback. Errors raised
on purpose (``UserFacingError``, failed checks, cooldowns) are explained;
anything else is a bug and is reported as such without details.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.replies import send_private
from core.common.cards import CONTENT_LIMIT, truncate
from core.common.errors import UserFacingError

log = logging.getLogger(__name__)

GENERIC = "Sorry, something went wrong answering that. It has been logged."


def user_message(error: app_commands.AppCommandError) -> str | None:
    """The message to show for an expected error, or None for a bug."""
    original = getattr(error, "original", None)
    if isinstance(original, UserFacingError):
        return str(original)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.MissingPermissions):
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {missing} permission for this."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You can't use this command here."
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't understand {error.value!r}."
    return None


async def send_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Reply privately whether or not the interaction was already answered.

    Errors often quote what the user typed (up to 6,000 characters in an option), so
    the text is cut to Discord's 2,000-character content limit: an over-long error
    would be refused (400) and the user would see nothing at all.
    """
    message = truncate(message, CONTENT_LIMIT)
    try:
        await send_private(interaction, message)
    except discord.HTTPException:
        log.warning("Could not deliver an error message for %s", interaction.id, exc_info=True)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    message = user_message(error)
    if message is None:
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("Unhandled error in /%s", command, exc_info=error)
        message = GENERIC
    await send_ephemeral(interaction, discord.utils.escape_mentions(message))
