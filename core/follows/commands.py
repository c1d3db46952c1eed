"""``/follow …`` and ``/unfollow``: the declarations (answers in ``core.follows.service``).

Anyone may follow by DM; a ``channel`` needs Manage Server or the moderator role,
which the cog checks at runtime (the commands themselves are for everyone).
"""

from __future__ import annotations

from core.common.commands import Command, Group, Option, OptionType
from core.follows.render import MAX_LINES
from core.follows.types import MAX_DM_FOLLOWS, MAX_MILESTONES, MAX_SERVER_FOLLOWS

LIMITS = (
    f"Limits: {MAX_DM_FOLLOWS} DM follows per person, {MAX_SERVER_FOLLOWS} channel follows per "
    f"server. Alerts come within seconds of new data, once each; many at once become one "
    f"message (the first {MAX_LINES} and “and N more”)."
)
WHERE = " Without `channel` alerts come by DM; a channel needs Manage Server or the moderator role."


def _channel() -> Option:
    return Option(
        "channel",
        OptionType.CHANNEL,
        "Post alerts here (Manage Server or moderator role); leave out for DMs",
        required=False,
    )


GROUPS = (Group("follow", "Hear the moment a petition, keyword, seat or MP moves"),)

COMMANDS = (
    Command(
        "follow petition",
        "Alerts when a petition crosses a milestone, gets a response or closes",
        options=(
            Option(
                "petition",
                OptionType.STRING,
                "A petition (title words, id or URL)",
                autocomplete="petition",
            ),
            Option(
                "milestones",
                OptionType.STRING,
                f"Extra signature milestones, e.g. 250000,1000000 (at most {MAX_MILESTONES})",
                required=False,
            ),
            _channel(),
        ),
        help=(
            "Alerts when the petition crosses 10,000 and 100,000 signatures (and any extra "
            "milestones), gets a government response, has a debate scheduled, is debated, "
            "closes within 7 days and 24 hours (when its deadline is known), and closes." + WHERE
        ),
        examples=("/follow petition petition:ofsted milestones:250000",),
    ),
    Command(
        "follow keyword",
        "Alerts for new petitions whose title or text has these words",
        options=(
            Option("words", OptionType.STRING, "Words to look for", max_length=100),
            _channel(),
        ),
        help=(
            "Alerts for each new petition whose title or text contains every one of the words, "
            "folded and stemmed as search does (case, accents and word endings are ignored: "
            "“farm” matches “Farms” and “farming”)." + WHERE
        ),
        examples=("/follow keyword words:nurses pay",),
    ),
    Command(
        "follow constituency",
        "Alerts when a seat's count in a petition crosses 100, 1,000 or 10,000",
        options=(
            Option(
                "name",
                OptionType.STRING,
                "Constituency name (spelling, accents and punctuation are forgiven)",
                autocomplete="constituency",
            ),
            _channel(),
        ),
        help=(
            "Alerts when the seat's count in any petition crosses 100, 1,000 or 10,000, and for "
            "a new petition where the seat is in the top 10." + WHERE
        ),
        examples=("/follow constituency name:Woking",),
    ),
    Command(
        "follow mp",
        "Alerts for an MP's seat: counts crossing 100, 1,000 or 10,000",
        options=(
            Option("name", OptionType.STRING, "The MP's name", autocomplete="mp"),
            _channel(),
        ),
        help=("As `/follow constituency`, for the seat the MP holds." + WHERE),
        examples=("/follow mp name:Jonathan Lord",),
    ),
    Command(
        "follow list",
        "Your follows and this server's: id, what, where, last alert",
        help="Your DM follows and this server's channel follows, with why any is paused. " + LIMITS,
        examples=("/follow list",),
    ),
    Command(
        "unfollow",
        "Stop a follow (its id is in /follow list)",
        options=(Option("id", OptionType.INTEGER, "The follow's id", min_value=1),),
        help="Stop one of your follows, or (moderators) one of this server's channel follows.",
        examples=("/unfollow id:3",),
    ),
)
