"""``/petition`` through a fake interaction: what is sent, paging, menus, buttons, timeouts."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest
from discord import app_commands

import bot.views as views
from bot.errors import on_app_command_error
from bot.views import REFUSAL, ReplyView
from cogs.petitions import Petitions
from core.common.errors import NotFoundError
from core.search.resolver import Resolver
from db.database import Database
from tests import helpers as h
from tests.support import seed_clock

OWNER = h.mock_member(111, "owner")
STRANGER = h.mock_member(222, "stranger")
OFSTED_TITLE = "Pause Ofsted inspections and reform how school performance is evaluated"
SEND_TITLE = "Make SEND training mandatory for all teaching staff"
NASTY = "@everyone **Bold** `code` <@123> <@&456> @here"


@pytest.fixture
async def bot(db: Database) -> Any:
    return await h.mock_bot(db, resolver=await Resolver.load(db, seed_clock))


@pytest.fixture
def cog(bot: Any) -> Petitions:
    return Petitions(bot)  # type: ignore[arg-type]


def invoke(bot: Any, user: Any = OWNER, **namespace: Any) -> Any:
    return h.mock_interaction(bot, user, namespace=namespace)


async def press(view: ReplyView, item: discord.ui.Item[Any], interaction: Any) -> None:
    """Dispatch a component interaction the way discord.py does (checks, callback, errors)."""
    await view._scheduled_task(item, interaction)  # type: ignore[arg-type]


def buttons(view: ReplyView) -> dict[str, discord.ui.Button[Any]]:
    return {b.label or "": b for b in view.children if isinstance(b, discord.ui.Button)}


def menu(view: ReplyView) -> discord.ui.Select[Any]:
    (select,) = [s for s in view.children if isinstance(s, discord.ui.Select)]
    return select


def assert_no_mentions(kwargs: dict[str, Any]) -> None:
    mentions = kwargs["allowed_mentions"]
    assert (mentions.everyone, mentions.users, mentions.roles) == (False, False, False)


# ---------------------------------------------------------------- show
async def test_show_sends_card_with_buttons_and_no_mentions(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot, petition="ofsted")
    await Petitions.show.callback(cog, interaction, "ofsted")  # type: ignore[arg-type]
    assert h.kind(interaction) == "send_message"
    sent = h.sent(interaction)
    assert_no_mentions(sent)
    assert sent["ephemeral"] is False
    (embed,) = sent["embeds"]
    assert embed.title == OFSTED_TITLE
    assert embed.url == "https://petition.parliament.uk/petitions/652057"
    assert embed.description == (
        "**48,783** signatures (as of 4 Jan 2024)\n"
        "Open — closes 30 May 2024 (in 1,052 days)\nUK: 48,626 (99.68%)"
    )
    view = sent["view"]
    assert isinstance(view, ReplyView)
    assert list(buttons(view)) == ["Constituencies", "Countries", "Government response", "History"]
    assert view.timeout == 180.0
    assert view.interaction is interaction


async def test_document_text_is_escaped_in_discord(bot: Any, cog: Petitions) -> None:
    await bot.db.conn.execute("UPDATE petitions SET title = ? WHERE id = 652057", (NASTY,))
    interaction = invoke(bot)
    await Petitions.show.callback(cog, interaction, "652057")  # type: ignore[arg-type]
    (embed,) = h.sent(interaction)["embeds"]
    assert embed.title == (
        "@\u200beveryone \\*\\*Bold\\*\\* \\`code\\` <\u200b@\u200b123> <\u200b@\u200b&456>"
        " @\u200bhere"
    )
    assert_no_mentions(h.sent(interaction))


async def test_not_found_reaches_the_handler_and_is_ephemeral(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot)
    with pytest.raises(NotFoundError) as caught:
        await Petitions.show.callback(cog, interaction, "zzzz qqqq @everyone")  # type: ignore[arg-type]
    assert h.responses(interaction) == []  # nothing half-sent before the error
    # What the tree does with it: the one handler in bot/errors.py.
    error = app_commands.CommandInvokeError(Petitions.show, caught.value)
    await on_app_command_error(interaction, error)  # type: ignore[arg-type]
    sent = h.sent(interaction)
    assert sent["ephemeral"] is True
    assert sent["content"] == "No petition matches 'zzzz qqqq @\u200beveryone'."
    assert_no_mentions(sent)


async def test_an_error_quoting_a_6000_character_option_fits_discords_limit(
    bot: Any, cog: Petitions
) -> None:
    """Discord refuses content over 2,000 characters (400), and the user would see
    nothing: the handler cuts the message, whatever the error quotes."""
    interaction = invoke(bot)
    typed = "@everyone " * 600
    with pytest.raises(NotFoundError) as caught:
        await Petitions.show.callback(cog, interaction, typed)  # type: ignore[arg-type]
    error = app_commands.CommandInvokeError(Petitions.show, caught.value)
    await on_app_command_error(interaction, error)  # type: ignore[arg-type]
    content = h.sent(interaction)["content"]
    # The service already quotes at most ~100 characters of it (issue 15).
    assert len(content) <= 200 and content.endswith("…'.")
    assert content.startswith("No petition matches '@\u200beveryone")
    assert_no_mentions(h.sent(interaction))


async def test_action_button_opens_a_new_message(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot)
    await Petitions.show.callback(cog, interaction, "ofsted")  # type: ignore[arg-type]
    view: ReplyView = h.sent(interaction)["view"]
    click = h.component(bot, OWNER)
    await press(view, buttons(view)["Countries"], click)
    assert h.kind(click) == "send_message"  # beside the card, not over it
    (embed,) = h.sent(click)["embeds"]
    assert embed.title == f"Countries: {OFSTED_TITLE}"
    assert (embed.description or "").splitlines()[0] == "**1** United Kingdom — 48,626 (99.68%)"
    assert embed.footer.text == "Petition 652057 · top 41 of 41 countries · Page 1 of 3"
    assert_no_mentions(h.sent(click))


# ---------------------------------------------------------------- "Did you mean…"
async def test_chooser_pick_replaces_the_answer(bot: Any, cog: Petitions) -> None:
    # "make" starts two titles: a chooser, not a confidently guessed card (issue 15).
    interaction = invoke(bot)
    await Petitions.show.callback(cog, interaction, "make")  # type: ignore[arg-type]
    sent = h.sent(interaction)
    assert sent["content"] is None
    assert sent["embeds"][0].title == "Which petition? “make” fits several"
    view: ReplyView = sent["view"]
    select = menu(view)
    assert select.placeholder == "Pick the petition…"
    assert [o.value for o in select.options] == ["0", "1"]
    assert select.options[1].label == SEND_TITLE

    pick = h.component(bot, OWNER, values=["1"])
    await press(view, select, pick)
    assert h.kind(pick) == "edit_message"
    edited = h.sent(pick)
    assert edited["embeds"][0].title == SEND_TITLE
    assert edited["content"] is None
    assert isinstance(edited["view"], ReplyView) and edited["view"] is not view
    assert view.is_finished()
    assert_no_mentions(edited)


# ---------------------------------------------------------------- search: open one
async def test_search_menu_opens_the_petition(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot)
    await Petitions.search.callback(cog, interaction, "make", "all")  # type: ignore[arg-type]
    view: ReplyView = h.sent(interaction)["view"]
    (embed,) = h.sent(interaction)["embeds"]
    assert (embed.description or "").splitlines() == [
        "**1** Make verified ID a requirement for opening a social media account."
        " — 270,294 · Open · #575833",
        f"**1** {SEND_TITLE} — 26,704 · Open · #607849".replace("**1**", "**2**"),
    ]
    select = menu(view)
    assert select.placeholder == "Open one…"
    pick = h.component(bot, OWNER, values=["1"])
    await press(view, select, pick)
    assert h.kind(pick) == "send_message"
    assert h.sent(pick)["embeds"][0].title == SEND_TITLE
    assert not view.is_finished()  # the results stay usable


# ---------------------------------------------------------------- paging
async def test_only_the_invoker_can_page(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot)
    await Petitions.top.callback(cog, interaction, "652057", "constituencies", None)  # type: ignore[arg-type]
    view: ReplyView = h.sent(interaction)["view"]
    assert h.sent(interaction)["embeds"][0].footer.text.endswith("Page 1 of 33")
    controls = buttons(view)
    assert controls["◀ Previous"].disabled and not controls["Next ▶"].disabled
    assert controls["1 / 33"].disabled

    nosy = h.component(bot, STRANGER)
    await press(view, controls["Next ▶"], nosy)
    assert h.kind(nosy) == "send_message"
    assert h.sent(nosy)["content"] == REFUSAL and h.sent(nosy)["ephemeral"] is True
    assert_no_mentions(h.sent(nosy))
    assert view.page == 0

    click = h.component(bot, OWNER)
    await press(view, controls["Next ▶"], click)
    assert h.kind(click) == "edit_message"
    (embed,) = h.sent(click)["embeds"]
    assert embed.footer.text.endswith("Page 2 of 33")
    assert (embed.description or "").splitlines()[0].startswith("**=19** ")  # Unknown: no rank
    assert h.sent(click)["view"] is view and view.page == 1
    assert not buttons(view)["◀ Previous"].disabled
    assert "2 / 33" in buttons(view)


async def test_search_menu_follows_the_page(bot: Any, cog: Petitions) -> None:
    """With more than ten results the menu offers exactly the page's ten petitions."""
    services = bot.services
    found = await services.resolver.search_petitions("make", limit=2)
    many = found * 12  # 24 hits: three pages

    async def search_petitions(*args: Any, **kwargs: Any) -> Any:
        return many

    services.resolver.search_petitions = search_petitions  # type: ignore[method-assign]
    interaction = invoke(bot)
    await Petitions.search.callback(cog, interaction, "make", "all")  # type: ignore[arg-type]
    view: ReplyView = h.sent(interaction)["view"]
    assert [o.value for o in menu(view).options] == [str(i) for i in range(10)]
    await press(view, buttons(view)["Next ▶"], h.component(bot, OWNER))
    await press(view, buttons(view)["Next ▶"], h.component(bot, OWNER))
    assert [o.value for o in menu(view).options] == ["20", "21", "22", "23"]


# ---------------------------------------------------------------- timeouts and errors
async def test_timeout_disables_every_control(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot)
    await Petitions.show.callback(cog, interaction, "verified id")  # type: ignore[arg-type]
    view: ReplyView = h.sent(interaction)["view"]
    assert any(not getattr(item, "disabled", True) for item in view.children)
    await view.on_timeout()
    assert all(getattr(item, "disabled", False) for item in view.children)
    assert len(view.children) == 4  # four buttons
    assert h.edits(interaction) == [{"view": view}]


async def test_errors_in_a_control_are_ephemeral(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot)
    await Petitions.show.callback(cog, interaction, "ofsted")  # type: ignore[arg-type]
    view: ReplyView = h.sent(interaction)["view"]
    await bot.db.conn.execute("DELETE FROM government_responses WHERE petition_id = 652057")
    click = h.component(bot, OWNER)
    await press(view, buttons(view)["Government response"], click)
    assert h.sent(click)["ephemeral"] is True
    assert h.sent(click)["content"] == "The government has not responded to petition 652057 yet."


async def test_slow_service_defers_then_answers(
    bot: Any, cog: Petitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service still running at the deadline gets a "thinking…" deferral first."""
    monkeypatch.setattr(views, "DEFER_AFTER", 0.0)
    deferred = asyncio.Event()
    original = bot.services.petition_show

    async def slow_show(petition: Any, *, user_id: int | None = None) -> Any:
        await deferred.wait()  # finishes only once the handler has deferred
        return await original(petition, user_id=user_id)

    monkeypatch.setattr(bot.services, "petition_show", slow_show)
    interaction = h.mock_interaction(bot, OWNER, on_defer=deferred.set)
    await Petitions.show.callback(cog, interaction, "ofsted")  # type: ignore[arg-type]
    assert h.responses(interaction) == [("defer", {"thinking": True})]
    (edit,) = h.edits(interaction)
    assert edit["embeds"][0].title == OFSTED_TITLE
    assert isinstance(edit["view"], ReplyView)
    assert "ephemeral" not in edit
    assert_no_mentions(edit)


# ---------------------------------------------------------------- compare, autocomplete
async def test_compare(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot)
    await Petitions.compare.callback(cog, interaction, "ofsted", "send training")  # type: ignore[arg-type]
    (embed,) = h.sent(interaction)["embeds"]
    assert [f.name for f in embed.fields] == [
        "1st · #652057",
        "2nd · #607849",
        "Where they differ most (share of each petition's UK signatures)",
    ]
    assert embed.fields[2].value.splitlines()[0] == (
        "Sutton Coldfield: 0.63% vs 0.18% (+0.44 pts; 305 vs 49)"
    )
    assert h.sent(interaction)["view"] is discord.utils.MISSING  # nothing to page or pick


async def test_petition_autocomplete(bot: Any, cog: Petitions) -> None:
    interaction = invoke(bot)
    complete = Petitions.show._params["petition"].autocomplete
    choices = await complete(interaction, "ofsted")  # type: ignore[misc]
    for command, option in (("top", "petition"), ("chart", "petition"), ("compare", "second")):
        assert getattr(Petitions, command)._params[option].autocomplete.__name__ == (
            "complete_petition"
        )
    assert choices[0].value == "652057"
    assert choices[0].name == f"{OFSTED_TITLE} (48,783)"
    assert len(choices) <= 25
