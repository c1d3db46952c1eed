"""``/digest …``: the declarations (answers in ``core.digests.service``).

Every digest command is for the server's moderators (Manage Server or the
moderator role) and only works in a server.
"""

from __future__ import annotations

from core.common.commands import Access, Command, Group, Option, OptionType
from core.digests.schedule import CADENCES, WEEKDAYS

MAX_MIN_SIGNATURES = 100_000_000


def _digest(
    name: str, summary: str, help: str, *options: Option, example: str | None = None
) -> Command:
    return Command(
        f"digest {name}",
        summary,
        handler="digests." + name.replace("-", "_"),
        options=options,
        help=help,
        examples=(example or f"/digest {name}",),
        access=Access.MODERATOR,
        guild_only=True,
    )


GROUPS = (
    Group("digest", "Scheduled petition news here", guild_only=True, access=Access.MODERATOR),
)

COMMANDS = (
    _digest(
        "setup",
        "Post petition news here on a schedule",
        "Post new petitions, 10k/100k crossings, responses and movers in a channel, daily or "
        "weekly at a local time. Run it again to change the settings.",
        Option("channel", OptionType.CHANNEL, "Where to post the digest"),
        Option("time", OptionType.STRING, "Local time of day, 24-hour, e.g. 09:00"),
        Option(
            "timezone",
            OptionType.STRING,
            "IANA time zone, e.g. Europe/London",
            autocomplete="timezone",
        ),
        Option(
            "cadence",
            OptionType.STRING,
            "Every day (default) or once a week",
            required=False,
            default="daily",
            choices=tuple((c, c) for c in CADENCES),
        ),
        Option(
            "weekday",
            OptionType.INTEGER,
            "For weekly digests: which day (default Monday)",
            required=False,
            choices=tuple((day, i) for i, day in enumerate(WEEKDAYS)),
        ),
        Option(
            "min_signatures",
            OptionType.INTEGER,
            "Leave out petitions with fewer signatures (default 0)",
            required=False,
            default=0,
            min_value=0,
            max_value=MAX_MIN_SIGNATURES,
        ),
        Option(
            "thresholds",
            OptionType.STRING,
            "Extra signature milestones to report, e.g. 50000 250000",
            required=False,
        ),
        Option(
            "quiet",
            OptionType.BOOLEAN,
            "Post a short note when nothing changed (default off)",
            required=False,
            default=False,
        ),
        example="/digest setup channel:#news time:09:00 timezone:Europe/London",
    ),
    _digest(
        "show",
        "This server's digest settings and history",
        "The digest's settings, next post and the last posts.",
    ),
    _digest(
        "preview",
        "What the next digest would contain, and why",
        "Privately, what the next digest would contain if it were posted now.",
    ),
    _digest(
        "post-now",
        "Post the digest now to its channel",
        "Post everything since the last digest now (a short note if nothing changed).",
    ),
    _digest("pause", "Stop posting until /digest resume", "Stop posting until /digest resume."),
    _digest(
        "resume",
        "Start posting again (from now on)",
        "Start posting again; news from while it was paused is not posted.",
    ),
    _digest(
        "disable",
        "Turn the digest off (settings are kept)",
        "Turn the digest off; the settings are kept for /digest resume.",
    ),
)
