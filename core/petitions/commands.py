"""``/petition …``: the declarations (see :mod:`core.common.commands`); answers in ``service``."""

from __future__ import annotations

from core.common.commands import Command, Group, Kind, Option, OptionType
from core.petitions.types import STATES, TABLES

PETITION = "Title words, id or URL"


def petition_option(name: str = "petition", description: str = PETITION) -> Option:
    """A required petition argument, autocompleted through the resolver."""
    return Option(name, OptionType.STRING, description, autocomplete="petition")


def state_option() -> Option:
    return Option(
        "state",
        OptionType.STRING,
        "Only petitions in this state (default: all)",
        required=False,
        default="all",
        choices=tuple((s, s) for s in STATES),
    )


def _words(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((v, v) for v in values)


GROUPS = (Group("petition", "UK Parliament petitions", user_install=True),)

COMMANDS = (
    Command(
        "petition search",
        "Find petitions by title words, id or URL",
        handler="petition_search",
        options=(
            Option(
                "query",
                OptionType.STRING,
                "Words from the title (typos are fine), an id or a petition URL",
                min_length=1,
                max_length=200,
            ),
            state_option(),
        ),
        help="Find petitions by words in the title, an id or a URL; 10 a page.",
        examples=("/petition search query:verified id social media",),
        console="petition search <words|id|url> [state=open|closed|rejected|all]",
    ),
    Command(
        "petition show",
        "A petition's signatures, response and top seats",
        handler="petition_show",
        options=(petition_option(),),
        help="A petition's card: state today and deadline, momentum, debate, response and"
        " top seats (and your seat's count and rank, once /me seat set knows it).",
        examples=("/petition show petition:pause ofsted inspections",),
        personal=True,
    ),
    Command(
        "Show petition",
        "The petitions a message links to or names (#652057)",
        handler="petitions_in_message",
        kind=Kind.MESSAGE,
        help="On any message: the card of the petition it links to or names as #652057"
        " (several: pick one). Only you see it, with a button to post it here.",
        examples=("Right-click a message → Apps → Show petition",),
        user_install=True,
        personal=True,
        console="show petition <text with petition links or #ids>",
    ),
    Command(
        "petition top",
        "A petition's signatures ranked by seat or country",
        handler="petition_top",
        options=(
            petition_option(),
            Option(
                "by",
                OptionType.STRING,
                "Rank constituencies (default), countries, regions (region) or seats per 1,000"
                " electors (rate)",
                required=False,
                default="constituencies",
                choices=_words(*TABLES),
            ),
            Option(
                "count",
                OptionType.INTEGER,
                "Only the first N rows",
                required=False,
                min_value=1,
                max_value=700,
            ),
        ),
        help="The petition's signatures ranked by constituency, country, region or rate.",
        examples=("/petition top petition:652057 by:countries",),
        console="petition top <petition> [by constituencies|countries|rate|region] [count N]",
    ),
    Command(
        "petition chart",
        "A bar chart, history or UK hex map",
        handler="petition_chart",
        options=(
            petition_option(),
            Option(
                "kind",
                OptionType.STRING,
                "top: bar chart · history: signatures over time · map: all 650 seats",
                required=False,
                default="top",
                choices=_words("top", "history", "map"),
            ),
            Option(
                "metric",
                OptionType.STRING,
                "Signatures (count) or signatures per 1,000 electors (rate)",
                required=False,
                default="count",
                choices=_words("count", "rate"),
            ),
            Option(
                "by",
                OptionType.STRING,
                "For kind:top, rank constituencies (default), countries or regions (region)",
                required=False,
                default="constituencies",
                choices=_words("constituencies", "countries", "region"),
            ),
        ),
        help="A bar chart of the top seats or countries, signatures over time, or a hex map "
        "of all 650 seats (by count or per 1,000 electors).",
        examples=("/petition chart petition:ofsted kind:map metric:rate",),
        console="petition chart <petition> [top|history|map] [rate] [countries|region]",
    ),
    Command(
        "petition compare",
        "Two petitions side by side",
        handler="petition_compare",
        options=(
            petition_option("first", "The first petition"),
            petition_option("second", "The second petition"),
        ),
        help="Two petitions side by side, and the seats where they differ most.",
        examples=("/petition compare first:ofsted second:send training",),
        console="petition compare <first> | <second>",
    ),
    Command(
        "petition response",
        "The government's response to a petition",
        handler="petition_response",
        options=(petition_option(),),
        slash=False,
    ),
    Command(
        "petition history",
        "A petition's signatures over time",
        handler="petition_history",
        options=(petition_option(),),
        slash=False,
    ),
)
