"""``/leaderboard``, ``/help`` and ``/about``: the declarations (answers in the services)."""

from __future__ import annotations

from core.common.commands import Command, Option, OptionType
from core.petitions.commands import state_option

COMMANDS = (
    Command(
        "leaderboard",
        "Petitions ranked by signatures",
        handler="leaderboard",
        options=(state_option(),),
        help="Petitions by signatures, optionally only open, closed or rejected ones.",
        examples=("/leaderboard state:open",),
        user_install=True,
    ),
    Command(
        "help",
        "Every command, with an example",
        handler="help",
        options=(
            Option(
                "command",
                OptionType.STRING,
                "One command to explain (e.g. 'petition show')",
                required=False,
                autocomplete="command",
            ),
        ),
        help="This list, or one command in detail.",
        examples=("/help mp",),
        user_install=True,
    ),
    Command(
        "about",
        "Where the data comes from and how fresh it is",
        handler="about",
        help="Where the data comes from and how fresh it is.",
        examples=("/about",),
        user_install=True,
    ),
)
