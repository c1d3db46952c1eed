"""``/ask``: the declaration (answers in ``service``)."""

from __future__ import annotations

from core.common.commands import Command, Option, OptionType

COMMANDS = (
    Command(
        "ask",
        "Ask about petitions, seats and MPs in plain English",
        handler="ask",
        options=(
            Option(
                "question",
                OptionType.STRING,
                "e.g. how many people in Woking signed the Ofsted petition?",
                min_length=1,
                max_length=300,
            ),
        ),
        help="A question in plain English, answered with the card of the command that knows: "
        "a seat's or an MP's count for a petition, what a seat signed most, where a petition "
        "is strongest, totals, responses, debates, comparisons, leaderboards, searches, charts "
        'and maps; "my constituency" is your home seat (/me seat set). The answer says how the '
        "question was read, with a menu to correct it.",
        examples=(
            "/ask question:how many people in Woking signed the Ofsted petition?",
            "/ask question:which petitions did Andrew Mitchell's constituents sign most?",
            "/ask question:map of the Ofsted petition by rate",
        ),
        user_install=True,
        personal=True,
        console="ask <question>",
    ),
)
