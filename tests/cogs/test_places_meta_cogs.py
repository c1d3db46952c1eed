"""Seat, MP and meta commands (leaderboard, help, about) through a fake interaction."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.views import ReplyView
from cogs.meta import Meta
from cogs.places import Places
from core.common.errors import NotFoundError
from core.search.resolver import Resolver
from db.database import Database
from tests import helpers as h
from tests.support import seed_clock

OWNER = h.mock_member(111, "owner")


@pytest.fixture
async def bot(db: Database) -> Any:
    return await h.mock_bot(db, resolver=await Resolver.load(db, seed_clock))


def fields(kwargs: dict[str, Any]) -> dict[str, str]:
    (embed,) = kwargs["embeds"]
    return {f.name: f.value for f in embed.fields}


def assert_no_mentions(kwargs: dict[str, Any]) -> None:
    mentions = kwargs["allowed_mentions"]
    assert (mentions.everyone, mentions.users, mentions.roles) == (False, False, False)


# ---------------------------------------------------------------- /constituency show
async def test_constituency_zero_count(bot: Any) -> None:
    cog = Places(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    await Places.constituency_show.callback(cog, interaction, "glasgow north east", "652057")  # type: ignore[arg-type]
    sent = h.sent(interaction)
    assert_no_mentions(sent)
    assert sent["embeds"][0].title == "Glasgow North East"
    got = fields(sent)
    assert got.pop("MP named in the petition data").startswith(
        "Not listed in this petition; last seen before it: Anne McLaughlin (seen "
    )
    assert got == {
        "Signatures": "0",
        "Rank among seats": "joint last: 650 of 650 (no signatures: not in the petition's table)",
        "Share of UK signatures": "0.00%",
    }
    # Its one button opens the petition's card beside it.
    view: ReplyView = sent["view"]
    (button,) = [b for b in view.children if isinstance(b, discord.ui.Button)]
    click = h.component(bot, OWNER)
    await view._scheduled_task(button, click)  # type: ignore[arg-type]
    assert h.sent(click)["embeds"][0].url == "https://petition.parliament.uk/petitions/652057"


async def test_constituency_vacant_seat(bot: Any) -> None:
    cog = Places(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    await Places.constituency_show.callback(cog, interaction, "Wellingborough", "ofsted")  # type: ignore[arg-type]
    got = fields(h.sent(interaction))
    assert (got["Signatures"], got["Rank among seats"]) == (
        "86",
        "=251st of 650 (joint: another seat has the same count)",
    )
    assert got["MP named in the petition data"] == "Vacant"


async def test_constituency_not_found_raises_for_the_handler(bot: Any) -> None:
    cog = Places(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    with pytest.raises(NotFoundError, match="No constituency matches 'Qqqxxz'"):
        await Places.constituency_show.callback(cog, interaction, "Qqqxxz", None)  # type: ignore[arg-type]
    assert h.responses(interaction) == []


# ---------------------------------------------------------------- /mp show
async def test_mp_show_with_honorifics(bot: Any) -> None:
    cog = Places(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    await Places.mp_show.callback(cog, interaction, "Mr Jonathan Lord MP", "ofsted")  # type: ignore[arg-type]
    sent = h.sent(interaction)
    assert sent["embeds"][0].title == "Jonathan Lord — MP for Woking"
    assert fields(sent) == {
        "Signatures": "81",
        "Rank among seats": "=281st of 650 (joint: another seat has the same count)",
        "Share of UK signatures": "0.17%",
        "MP named in the petition data": "Mr Jonathan Lord MP\n"
        "(as the document printed it: the MP when the data was captured)",
    }


async def test_mp_show_typo_without_petition_offers_its_petitions(bot: Any) -> None:
    cog = Places(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    await Places.mp_show.callback(cog, interaction, "Andrew Mitchel", None)  # type: ignore[arg-type]
    sent = h.sent(interaction)
    assert sent["embeds"][0].title == "Andrew Mitchell — MP for Sutton Coldfield"
    view: ReplyView = sent["view"]
    (select,) = [s for s in view.children if isinstance(s, discord.ui.Select)]
    assert select.placeholder == "Open one…"
    assert [o.description for o in select.options] == [
        "#575833 · 436 here",
        "#652057 · 305 here",
        "#607849 · 49 here",
    ]


async def test_place_autocomplete(bot: Any) -> None:
    interaction = h.mock_interaction(bot, OWNER)
    complete_seat = Places.constituency_show._params["name"].autocomplete
    seats = await complete_seat(interaction, "ynys mon")  # type: ignore[misc]
    assert seats[0].name == "Ynys Môn"
    complete_mp = Places.mp_show._params["name"].autocomplete
    mps = await complete_mp(interaction, "mitchel")  # type: ignore[misc]
    assert mps[0].name == "Andrew Mitchell"
    assert all(len(c.name) <= 100 for c in seats + mps)


# ---------------------------------------------------------------- /leaderboard, /help, /about
async def test_leaderboard(bot: Any) -> None:
    cog = Meta(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    await Meta.leaderboard.callback(cog, interaction, "all")  # type: ignore[arg-type]
    sent = h.sent(interaction)
    (embed,) = sent["embeds"]
    assert embed.title == "Leaderboard: all petitions"
    assert [line.split(" — ")[1] for line in (embed.description or "").splitlines()] == [
        "270,294 · Open · #575833",
        "48,783 · Open · #652057",
        "26,704 · Open · #607849",
    ]
    assert embed.footer.text == "All petitions: 3 · Page 1 of 1"
    assert isinstance(sent["view"], ReplyView)


async def test_leaderboard_empty_state(bot: Any) -> None:
    cog = Meta(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    await Meta.leaderboard.callback(cog, interaction, "rejected")  # type: ignore[arg-type]
    (embed,) = h.sent(interaction)["embeds"]
    assert (embed.description, embed.footer.text) == (
        "Nothing here.",
        "Rejected petitions: 0 · Page 1 of 1",
    )


async def test_help_is_private_and_lists_every_command(bot: Any) -> None:
    cog = Meta(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    await Meta.help.callback(cog, interaction, None)  # type: ignore[arg-type]
    sent = h.sent(interaction)
    assert sent["ephemeral"] is True
    names = list(fields(sent))
    assert names[:2] == ["/ask question", "/petition search query [state]"]
    assert len(names) == 21
    # Moderator, Manage Server and owner commands are on the next pages.
    view = sent["view"]
    assert [b.label for b in view.children][:2] == ["◀ Previous", "1 / 4"]
    assert len(view.pages) == 4
    assert fields(sent)["/about"] == (
        "Where the data comes from and how fresh it is.\nExample: `/about`"
    )
    complete = Meta.help._params["command"].autocomplete
    choices = await complete(interaction, "pet")  # type: ignore[misc]
    assert [c.value for c in choices] == [
        "petition search",
        "petition show",
        "Show petition",
        "petition top",
        "petition chart",
        "petition compare",
        "follow petition",  # "pet" is in its name too
    ]


async def test_about(bot: Any) -> None:
    cog = Meta(bot)  # type: ignore[arg-type]
    interaction = h.mock_interaction(bot, OWNER)
    await Meta.about.callback(cog, interaction)  # type: ignore[arg-type]
    sent = h.sent(interaction)
    assert sent["ephemeral"] is False
    assert fields(sent) == {
        "Petitions": "3",
        "Newest refresh": "4 Jan 2024, 20:30 UTC",
        "Oldest refresh": "12 Jul 2021, 15:00 UTC",
        "By state": "Open 3",
        "Shards 0 of 1": "0: 42 ms",  # this process's gateway shards and their latency
    }
    assert sent["embeds"][0].footer.text == (
        "Source: petition.parliament.uk · Open Government Licence v3.0"
    )
