"""``/admin …``: the declarations (answers in ``core.admin.service``).

Petition data is shared by every server, so changing it is for the bot's
owners; a server's settings are for its moderators (Manage Server or the
moderator role). Both only work in a server.
"""

from __future__ import annotations

from core.common.commands import Access, Command, Group, Option, OptionType


def _admin(
    name: str, summary: str, help: str, access: Access, *options: Option, example: str = ""
) -> Command:
    discord_only = name == "sync"  # the console has no command tree to sync
    return Command(
        f"admin {name}",
        summary,
        handler=None if discord_only else "admin." + name.replace(" ", "_"),
        options=options,
        help=help,
        examples=(example or f"/admin {name}",),
        access=access,
        guild_only=True,
    )


GROUPS = (
    Group("admin", "petitionbot administration", guild_only=True, access=Access.MODERATOR),
    Group("admin modrole", "The server's moderator role", guild_only=True, access=Access.MODERATOR),
    Group("admin auditlog", "The server's audit channel", guild_only=True, access=Access.MODERATOR),
)

COMMANDS = (
    _admin(
        "ingest",
        "Add petitions from a .md/.json file or .zip",
        "Add or update petitions from an uploaded document or a .zip of many.",
        Access.OWNER,
        Option(
            "file",
            OptionType.ATTACHMENT,
            "A petition document (.md, .txt, .json) or a .zip of many",
        ),
        example="/admin ingest file:petitions.zip",
    ),
    _admin(
        "reload",
        "Re-scan the data directory",
        "Ingest the bot's data directory again (unchanged documents are skipped).",
        Access.OWNER,
    ),
    _admin(
        "remove",
        "Remove a petition and all its data",
        "Remove a petition and all its counts, after a confirmation.",
        Access.OWNER,
        Option("petition", OptionType.STRING, "Petition id or URL"),
        example="/admin remove petition:652057",
    ),
    _admin(
        "sync",
        "Re-sync the slash command tree",
        "Send the command list to Discord again.",
        Access.OWNER,
    ),
    _admin(
        "stats",
        "What the bot holds and how it is doing",
        "Petitions, rows, database size, uptime and latency.",
        Access.MODERATOR,
    ),
    _admin(
        "modrole set",
        "Members with this role may manage petitionbot here",
        "Members with this role may manage petitionbot's digest and settings here.",
        Access.MANAGE_SERVER,
        Option("role", OptionType.ROLE, "The role that may manage petitionbot here"),
        example="/admin modrole set role:@Moderators",
    ),
    _admin(
        "modrole clear",
        "Only Manage Server may manage petitionbot here",
        "Forget the moderator role: only Manage Server may manage petitionbot here.",
        Access.MANAGE_SERVER,
    ),
    _admin(
        "auditlog channel",
        "Post this server's admin actions here",
        "Post this server's admin actions (and refusals) in a channel.",
        Access.MANAGE_SERVER,
        Option("channel", OptionType.CHANNEL, "Where to post admin actions"),
        example="/admin auditlog channel channel:#mod-log",
    ),
    _admin(
        "auditlog off",
        "Stop posting admin actions",
        "Stop posting admin actions in the audit channel.",
        Access.MANAGE_SERVER,
    ),
)
