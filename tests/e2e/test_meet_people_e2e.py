"""Meeting people where they talk: "Show petition" on a message, postcodes, a home seat.

The real bot process against the Discord stand-in and the postcodes.io stand-in of
``tests/postcode_support.py`` (on 127.0.0.1, in its own thread here because the bot
runs in another process). One bot per module: the scenarios share it.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from ..postcode_support import CHANGEOVER, DOWN, PostcodeService
from .fake_discord import FakeDiscord
from .harness import BotProcess
from .scenario_support import (
    COMMANDS,
    assert_clean_output,
    assert_nothing_pings,
    button_id,
    embed,
    is_ephemeral,
    menu,
)

OFSTED = "Pause Ofsted inspections and reform how school performance is evaluated"
HOME_POSTCODE = CHANGEOVER
DOWN_ASKED = DOWN.replace(" ", "")


class Postcodes:
    """The postcodes.io stand-in (tests/postcode_support.py) served from its own thread."""

    def __init__(self) -> None:
        self.service = PostcodeService()
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(self.service.app())
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        self._loop.run_forever()

    @property
    def asked(self) -> list[str]:
        return self.service.asked

    def start(self) -> Postcodes:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def stop(self) -> None:
        assert self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def postcodes() -> Iterator[Postcodes]:
    server = Postcodes().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bot's database file (its own folder: the postcode test reads every byte)."""
    return tmp_path_factory.mktemp("meet") / "bot.db"


@pytest.fixture(scope="module")
def world(
    fake_discord_module: FakeDiscord, spawn_bot_module: Any, postcodes: Postcodes, db_file: Path
) -> Iterator[FakeDiscord]:
    bot: BotProcess = spawn_bot_module(
        commands=COMMANDS,
        env={"POSTCODES_API_BASE": postcodes.url, "DATABASE_PATH": str(db_file)},
    )
    yield fake_discord_module
    bot.stop()
    assert_clean_output(bot)
    assert_nothing_pings(fake_discord_module)
    fake_discord_module.assert_no_unknown_routes()


# ----------------------------------------------------------------------------- Show petition
def test_message_command_is_synced_for_user_installs(world: FakeDiscord) -> None:
    put = world.requests("PUT", f"/applications/{world.app_id}/commands")[-1]
    registered = {c["name"]: c for c in put.body}
    menu_command = registered["Show petition"]
    assert menu_command["type"] == 3
    assert menu_command["integration_types"] == [0, 1]
    assert menu_command["contexts"] == [0, 1, 2]
    for name in ("petition", "constituency", "mp", "me", "leaderboard", "help", "about"):
        assert registered[name]["integration_types"] == [0, 1], name
    for name in ("admin", "digest"):
        assert registered[name]["integration_types"] == [0], name


def test_one_link_shows_its_card_privately_with_a_button_to_post_it(world: FakeDiscord) -> None:
    said = world.user_message(
        "general", "member", "sign this! https://petition.parliament.uk/petitions/652057 @everyone"
    )
    h = world.message_command("Show petition", said, user="member")
    reply = h.reply()
    assert is_ephemeral(reply)
    assert embed(reply)["title"] == OFSTED
    post = world.click(h, button_id(reply, "Post in channel"), user="member")
    cb = post.callback()
    assert cb.callback_type == 4 and not cb.ephemeral
    assert cb.allowed_mentions == {"parse": []}
    assert cb.embeds[0]["title"] == OFSTED
    assert not cb.data.get("components")


def test_several_petitions_offer_a_chooser(world: FakeDiscord) -> None:
    said = world.user_message(
        "general",
        "member",
        "compare #652057 with petition.parliament.uk/archived/petitions/607849 and #999999",
    )
    h = world.message_command("Show petition", said, user="member")
    reply = h.reply()
    assert is_ephemeral(reply)
    card = embed(reply)
    assert card["title"] == "2 petitions in that message"
    assert "Not in the archive: #999999" in card["description"]
    options = menu(reply)
    assert options[0][0] == OFSTED
    assert len(options) == 2
    picked = world.select(h, "reply:menu", [options[0][1]], user="member")
    opened = picked.reply()
    assert is_ephemeral(opened)
    assert embed(opened)["title"] == OFSTED
    assert "Post in channel" in [c.get("label") for c in _buttons(opened)]


def test_no_petition_in_the_message_is_said_privately(world: FakeDiscord) -> None:
    said = world.user_message("general", "member", "what about issue #12 and 2024?")
    h = world.message_command("Show petition", said, user="member")
    cb = h.callback()
    assert cb.ephemeral
    assert "That message has no petition in it" in h.reply_text()


def test_message_command_works_in_a_dm(world: FakeDiscord) -> None:
    said = world.user_message("general", "member", "#575833")
    h = world.message_command("Show petition", said, user="member", channel="dm")
    assert is_ephemeral(h.reply())


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components") or [] for c in row.get("components", [])]


# ----------------------------------------------------------------------------- postcodes
def test_a_postcode_finds_the_seat(world: FakeDiscord, postcodes: Postcodes) -> None:
    before = len(postcodes.asked)
    h = world.slash("constituency show", {"name": "gu21 6xx", "petition": "652057"})
    card = embed(h.reply())
    assert card["title"] == "Woking"
    assert postcodes.asked[before:] == ["GU216XX"]
    again = world.slash("constituency show", {"name": "GU216XX"})
    assert embed(again.reply())["title"] == "Woking"
    assert postcodes.asked[before:] == ["GU216XX"]  # the second look-up came from the cache


def test_a_malformed_postcode_is_told_at_once(world: FakeDiscord, postcodes: Postcodes) -> None:
    before = len(postcodes.asked)
    h = world.slash("constituency show", {"name": "GU21 6X"})
    assert h.callback().ephemeral
    assert "'GU21 6X' is not a UK postcode" in h.reply_text()
    assert postcodes.asked[before:] == []


def test_an_unknown_postcode_gets_a_clear_message(world: FakeDiscord) -> None:
    h = world.slash("constituency show", {"name": "ZZ9 9ZZ"})
    assert h.callback().ephemeral
    assert "knows no constituency for ZZ9 9ZZ" in h.reply_text()


def test_the_service_down_is_said_and_names_still_work(
    world: FakeDiscord, postcodes: Postcodes
) -> None:
    before = len(postcodes.asked)
    h = world.slash("constituency show", {"name": "SW1A 1AA"})
    assert "postcode service is not answering" in h.reply_text()
    assert is_ephemeral(h.reply())
    assert postcodes.asked[before:] == [DOWN_ASKED] * 3  # three tries, with backoff between
    by_name = world.slash("constituency show", {"name": "Woking", "petition": "652057"})
    assert embed(by_name.reply())["title"] == "Woking"


# ----------------------------------------------------------------------------- home seat
def test_home_seat_from_a_postcode_is_on_the_card_and_the_postcode_is_not_kept(
    world: FakeDiscord, db_file: Path
) -> None:
    user = "moderator"
    h = world.slash("me seat set", {"seat": HOME_POSTCODE}, user=user)
    reply = h.reply()
    assert is_ephemeral(reply)
    assert embed(reply)["title"] == "Your seat: Woking"

    card = world.slash("petition show", {"petition": "652057"}, user=user).reply()
    assert re.search(
        r"Your seat, Woking: \*\*81\*\* signed \(=281st of 650\)", embed(card)["description"]
    )
    others = world.slash("petition show", {"petition": "652057"}, user="member").reply()
    assert "Your seat" not in embed(others)["description"]

    mine = world.slash("constituency show", {}, user=user).reply()
    assert embed(mine)["title"] == "Woking"

    data = b"".join(p.read_bytes() for p in db_file.parent.glob("bot.db*"))
    assert b"Woking" in data  # the seat is there…
    for spelling in (b"GU21 6XX", b"GU216XX", b"gu21", b"GU21"):
        assert spelling not in data  # …the postcode never is

    shown = world.slash("me seat show", {}, user=user).reply()
    assert "Woking" in embed(shown)["title"]
    gone = world.slash("me forget", {}, user=user)
    assert "your home seat is deleted" in gone.reply_text()
    after = world.slash("constituency show", {}, user=user)
    assert after.callback().ephemeral
    assert "/me seat set" in after.reply_text()


def test_home_seat_by_name_and_a_current_postcode(world: FakeDiscord) -> None:
    world.slash("me seat set", {"seat": "woking"}, user="owner").reply()
    card = world.slash("petition show", {"petition": "652057"}, user="owner").reply()
    assert "Your seat, Woking: **81** signed" in embed(card)["description"]
    world.slash("me seat set", {"seat": "GU22 4AA"}, user="owner").reply()  # 2024 code only
    card = world.slash("petition show", {"petition": "652057"}, user="owner").reply()
    assert "Your seat, Woking: **81** signed" in embed(card)["description"]
    world.slash("me forget", {}, user="owner").reply()
