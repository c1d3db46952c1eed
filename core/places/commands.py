"""``/constituency show`` and ``/mp show``: the declarations (answers in ``service``)."""

from __future__ import annotations

from core.common.commands import Command, Group, Option, OptionType

SIGNED_MOST = "A petition (title words, id or URL); leave out to see what the seat signed most"


def _petition() -> Option:
    return Option(
        "petition", OptionType.STRING, SIGNED_MOST, required=False, autocomplete="petition"
    )


GROUPS = (
    Group("constituency", "Westminster constituencies"),
    Group("mp", "Members of Parliament"),
)

COMMANDS = (
    Command(
        "constituency show",
        "A seat's signatures, rank and MP in a petition",
        handler="constituency_show",
        options=(
            Option(
                "name",
                OptionType.STRING,
                "Constituency name (spelling, accents and punctuation are forgiven)",
                autocomplete="constituency",
            ),
            _petition(),
        ),
        help="A seat's count, rank and MP in a petition; without one, what it signed most.",
        examples=("/constituency show name:Woking petition:ofsted",),
        console="constituency show <name> [| <petition>]",
    ),
    Command(
        "mp show",
        "An MP's constituency and its signatures in a petition",
        handler="mp_show",
        options=(
            Option(
                "name",
                OptionType.STRING,
                "The MP's name, with or without titles (typos are forgiven)",
                autocomplete="mp",
            ),
            _petition(),
        ),
        help="An MP's constituency, then the same as /constituency show.",
        examples=("/mp show name:Andrew Mitchell petition:ofsted",),
        console="mp show <name> [| <petition>]",
    ),
)
