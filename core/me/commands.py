"""``/me seat set|show`` and ``/me forget``: the declarations (answers in ``service``)."""

from __future__ import annotations

from core.common.commands import Command, Group, Option, OptionType

GROUPS = (
    Group("me", "Your own settings in this bot", user_install=True),
    Group("me seat", "Your home constituency", user_install=True),
)

COMMANDS = (
    Command(
        "me seat set",
        "Remember your constituency (a name or a UK postcode; only the seat is kept)",
        handler="me_seat_set",
        options=(
            Option(
                "seat",
                OptionType.STRING,
                "Constituency name or UK postcode (the postcode itself is never stored)",
                min_length=2,
                max_length=100,
                autocomplete="constituency",
            ),
        ),
        help="Remember your constituency, by name or postcode: /petition show then adds your"
        " seat's count and rank, and /constituency show without a name shows it. Only the seat"
        " is stored, never the postcode.",
        examples=("/me seat set seat:SW1A 1AA", "/me seat set seat:Woking"),
        personal=True,
        console="me seat set <name or postcode>",
    ),
    Command(
        "me seat show",
        "The constituency remembered for you",
        handler="me_seat_show",
        help="The constituency remembered for you (under each boundary set it is known for).",
        examples=("/me seat show",),
        personal=True,
    ),
    Command(
        "me forget",
        "Forget everything kept about you (your home seat)",
        handler="me_forget",
        help="Delete your home seat: nothing about you is kept afterwards.",
        examples=("/me forget",),
        personal=True,
    ),
)
