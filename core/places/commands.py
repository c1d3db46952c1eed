"""``/constituency show`` and ``/mp show``: the declarations (answers in ``service``)."""

from __future__ import annotations

from core.common.commands import Command, Group, Option, OptionType

SIGNED_MOST = "A petition (title words, id or URL); leave out to see what the seat signed most"


def _petition() -> Option:
    return Option(
        "petition", OptionType.STRING, SIGNED_MOST, required=False, autocomplete="petition"
    )


GROUPS = (
    Group("constituency", "Westminster constituencies", user_install=True),
    Group("mp", "Members of Parliament", user_install=True),
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
                "Constituency name or UK postcode; leave out for your home seat (/me seat set)",
                required=False,
                autocomplete="constituency",
            ),
            _petition(),
        ),
        help="A seat's count, rank and MP in a petition; without one, what it signed most."
        " The seat can be a name, a UK postcode, or left out for your home seat.",
        examples=(
            "/constituency show name:Woking petition:ofsted",
            "/constituency show name:SW1A 1AA",
        ),
        personal=True,
        console="constituency show [<name or postcode>] [| <petition>]",
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
