"""The real bot process (``petitionbot run``, a real SQLite file) through the stand-in.

Boot and command sync (once, and not again on a restart with the same database and
tree), every read command's happy path, autocomplete, paging buttons, select menus,
"Did you mean…" picks, not-found replies, and — at the end of every module — the
rule that no message body allows a mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .fake_discord import FakeDiscord, InjectionError, effective_pings
from .harness import BotProcess
from .scenario_support import (
    COMMANDS,
    MANAGE_GUILD,
    assert_clean_output,
    assert_nothing_pings,
    button_id,
    buttons,
    component,
    custom_ids,
    embed,
    field,
    footer,
    is_ephemeral,
    menu,
    query,
)

OFSTED = "Pause Ofsted inspections and reform how school performance is evaluated"
SEND = "Make SEND training mandatory for all teaching staff"
SOCIAL = "Make verified ID a requirement for opening a social media account."


# ----------------------------------------------------------------------------- boot and sync
def test_boot_syncs_once_and_not_again_after_restart(
    fake_discord: FakeDiscord, spawn_bot: Any, tmp_path: Path
) -> None:
    bot: BotProcess = spawn_bot(commands=COMMANDS)
    puts = fake_discord.requests("PUT", f"/applications/{fake_discord.app_id}/commands")
    assert len(puts) == 1
    registered = {c["name"]: c for c in puts[0].response}
    assert sorted(registered) == COMMANDS
    # server-management groups are hidden from members and not offered in DMs
    for name in ("admin", "digest"):
        assert registered[name]["default_member_permissions"] == MANAGE_GUILD
        assert registered[name]["contexts"] == [0]
    subcommands = {o["name"] for o in registered["petition"]["options"]}
    assert subcommands == {"search", "show", "top", "chart", "compare"}
    bot.wait_for_output(rf"Synced {len(COMMANDS)} commands \(global\)")
    bot.wait_for_output(r"First run ingest: 3 files: 3 added")
    assert query(tmp_path / "bot.db", "SELECT count(*) FROM petitions") == [(3,)]

    assert bot.stop() == 0
    fake_discord.wait_gateway_closed()
    bot.start()
    bot.wait_ready()
    bot.wait_for_output(r"Command tree unchanged; not syncing")
    # Same database, same tree: no second bulk overwrite, and no second first-run ingest.
    assert len(fake_discord.requests("PUT", re.compile(r"/applications/\d+/.*commands"))) == 1
    assert "First run" not in bot.output().rsplit("===== start #2", 1)[1]
    # The commands Discord kept from the first sync still work with the new process.
    h = fake_discord.slash("petition show", {"petition": "652057"}, user="member")
    assert embed(h.reply())["title"] == OFSTED
    assert bot.stop() == 0
    assert_clean_output(bot)
    assert_nothing_pings(fake_discord)
    fake_discord.assert_no_unknown_routes()


def test_restart_against_a_new_gateway_session_does_not_resync(
    fake_discord: FakeDiscord, spawn_bot: Any
) -> None:
    """A second stand-in that already knows the commands (as Discord would) gets no PUT."""
    bot: BotProcess = spawn_bot(commands=COMMANDS)
    [put] = fake_discord.requests("PUT", f"/applications/{fake_discord.app_id}/commands")
    assert bot.stop() == 0
    with FakeDiscord() as second:
        second.register_commands(put.body)
        again: BotProcess = spawn_bot(discord=second)
        again.wait_for_output(r"Command tree unchanged; not syncing")
        h = second.slash("petition show", {"petition": "607849"}, user="member")
        assert embed(h.reply())["title"] == SEND
        assert second.requests("PUT") == []
        assert again.stop() == 0
        assert_clean_output(again)
        assert_nothing_pings(second)


def test_changed_sync_target_syncs_again(fake_discord: FakeDiscord, spawn_bot: Any) -> None:
    """A different tree (here: the development-guild target) is synced on the next start."""
    bot: BotProcess = spawn_bot(commands=COMMANDS)
    assert bot.stop() == 0
    guild = str(fake_discord.guild_id)
    bot.extra_env["DEV_GUILD_ID"] = guild
    bot.start()
    bot.wait_ready()
    synced = fake_discord.wait_commands_synced(COMMANDS, guild=guild)
    assert sorted(c["name"] for c in synced) == COMMANDS
    guild_puts = fake_discord.requests(
        "PUT", f"/applications/{fake_discord.app_id}/guilds/{guild}/commands"
    )
    assert len(guild_puts) == 1
    assert bot.stop() == 0
    assert_clean_output(bot)


# ----------------------------------------------------------------------------- read commands
@pytest.fixture(scope="module")
def world(fake_discord_module: FakeDiscord, spawn_bot_module: Any) -> Iterator[FakeDiscord]:
    """One bot for every read-only scenario of this module."""
    bot: BotProcess = spawn_bot_module(commands=COMMANDS)
    yield fake_discord_module
    assert bot.stop() == 0
    assert_clean_output(bot)
    assert assert_nothing_pings(fake_discord_module) > 20
    fake_discord_module.assert_no_unknown_routes()


def test_petition_show(world: FakeDiscord) -> None:
    h = world.slash("petition show", {"petition": "652057"}, user="member")
    cb = h.callback()
    assert cb.callback_type == 4 and not cb.ephemeral
    assert h.ack_latency is not None and h.ack_latency < 3
    msg = h.reply()
    card = embed(msg)
    assert card["title"] == OFSTED
    assert card["url"] == "https://petition.parliament.uk/petitions/652057"
    # The real bot runs on the real clock: the 2024 dissolution closed the petition.
    assert card["description"].startswith(
        "**48,783** signatures (as of 4 Jan 2024)\n"
        "Closed on 30 May 2024 (the data, as of 4 Jan 2024, still called it open)"
    )
    assert field(msg, "Top constituencies").splitlines()[0] == (
        "**1** Sutton Coldfield — 305 (0.63%) · Rt Hon Andrew Mitchell MP"
    )
    assert field(msg, "Top countries").splitlines()[0] == ("**1** United Kingdom — 48,626 (99.68%)")
    assert footer(msg) == "Petition 652057 · refreshed 4 Jan 2024, 20:30 UTC · 2010 boundaries"
    assert buttons(msg) == [
        ("Constituencies", False),
        ("Countries", False),
        ("Government response", False),
        ("History", False),
    ]


def test_petition_show_by_title_words_and_url(world: FakeDiscord) -> None:
    by_words = world.slash("petition show", {"petition": "send training"}, user="member")
    assert embed(by_words.reply())["title"] == SEND
    url = "https://petition.parliament.uk/petitions/575833?utm=x"
    by_url = world.slash("petition show", {"petition": url}, user="member")
    assert embed(by_url.reply())["title"] == SOCIAL


def test_action_buttons_open_new_replies(world: FakeDiscord) -> None:
    h = world.slash("petition show", {"petition": "652057"}, user="member")
    msg = h.reply()
    countries = world.click(h, button_id(msg, "Countries"))
    assert countries.callback().callback_type == 4  # a new message, the card stays
    reply = countries.reply()
    assert embed(reply)["title"] == f"Countries: {OFSTED}"
    assert embed(reply)["description"].splitlines()[:2] == [
        "**1** United Kingdom — 48,626 (99.68%)",
        "**2** Spain — 25 (0.05%)",
    ]
    assert [b for b, _ in buttons(reply)] == ["◀ Previous", "1 / 3", "Next ▶"]
    history = world.click(h, button_id(msg, "History"))
    lines = embed(history.reply())["description"].splitlines()
    assert lines[0] == "**23 Nov 2023** Created (15:46 UTC)"
    assert embed(h.original())["title"] == OFSTED  # type: ignore[arg-type]


def test_petition_top_pages_with_buttons(world: FakeDiscord) -> None:
    h = world.slash("petition top", {"petition": "575833"}, user="member")
    first = h.reply()
    lines = embed(first)["description"].splitlines()
    assert lines[0] == "**–** Unknown (no seat) — 13,698 " + lines[0].rsplit(" ", 1)[1]
    assert lines[1] == "**1** Salford and Eccles — 814 (0.30%) · Rebecca Long Bailey MP"
    assert footer(first).endswith("Page 1 of 33")
    assert buttons(first) == [("◀ Previous", True), ("1 / 33", True), ("Next ▶", False)]

    nxt = world.click(h, "reply:next")
    assert nxt.callback().callback_type == 7  # the same message is edited in place
    second = h.original()
    assert second is not None
    assert embed(second)["description"].splitlines()[0] == (
        "**20** Huntingdon — 591 (0.22%) · Mr Jonathan Djanogly MP"
    )
    assert footer(second).endswith("Page 2 of 33")
    assert buttons(second) == [("◀ Previous", False), ("2 / 33", True), ("Next ▶", False)]

    back = world.click(h, "reply:previous")
    assert back.callback().callback_type == 7
    assert footer(h.original()).endswith("Page 1 of 33")  # type: ignore[arg-type]

    # Someone else cannot page another person's reply; they are told privately.
    other = world.click(h, "reply:next", user="moderator")
    cb = other.callback()
    assert cb.callback_type == 4 and cb.ephemeral
    assert cb.content == "Only the person who ran this command can use these controls."
    assert footer(h.original()).endswith("Page 1 of 33")  # type: ignore[arg-type]
    # The label button is disabled: Discord would not even send a click.
    with pytest.raises(InjectionError, match="disabled"):
        world.click(h, "reply:page", timeout=0)


def test_petition_top_unknown_share_uses_the_uk_count(world: FakeDiscord) -> None:
    h = world.slash("petition top", {"petition": "575833", "count": 3}, user="member")
    first_line = embed(h.reply())["description"].splitlines()[0]
    assert first_line == "**–** Unknown (no seat) — 13,698 (5.10%)"


def test_petition_top_countries_with_count(world: FakeDiscord) -> None:
    h = world.slash(
        "petition top", {"petition": "607849", "by": "countries", "count": 3}, user="member"
    )
    msg = h.reply()
    assert embed(msg)["description"].splitlines() == [
        "**1** United Kingdom — 26,625 (99.70%)",
        "**2** Australia — 12 (0.04%)",
        "**=3** France — 6 (0.02%)",  # joint: another country has 6 too
    ]
    assert custom_ids(msg) == []  # one page: no controls


def test_petition_top_by_rate(world: FakeDiscord) -> None:
    h = world.slash("petition top", {"petition": "652057", "by": "rate", "count": 2}, user="member")
    msg = h.reply()
    assert embed(msg)["description"].splitlines() == [
        "**1** Sutton Coldfield — 4.07 per 1,000 electors · 3.9× · 305 signatures",
        "**2** Reading East — 3.45 per 1,000 electors · 3.3× · 253 signatures",
    ]
    assert footer(msg).startswith("Petition 652057 · UK rate: 1.04 per 1,000 electors")


@pytest.mark.parametrize(
    ("options", "title", "kind"),
    [
        ({"petition": "652057"}, f"Top constituencies — {OFSTED}", "top_count_constituencies"),
        ({"petition": "652057", "kind": "map", "metric": "rate"}, f"Map — {OFSTED}", "map_rate"),
        ({"petition": "575833", "kind": "history"}, f"History — {SOCIAL}", "history"),
    ],
)
def test_petition_chart_attaches_a_png(
    world: FakeDiscord, options: dict[str, str], title: str, kind: str
) -> None:
    h = world.slash("petition chart", options, user="member")
    msg = h.reply(timeout=30)
    [sent] = [f for r in h.responses() for f in r.files]
    assert sent.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert f"_{kind}" in sent.filename and sent.filename.endswith(".png")
    assert embed(msg)["title"] == title
    assert embed(msg)["image"] == {"url": f"attachment://{sent.filename}"}
    assert [a["filename"] for a in msg["attachments"]] == [sent.filename]


def test_petition_search_and_open_from_menu(world: FakeDiscord) -> None:
    h = world.slash("petition search", {"query": "ofsted"}, user="member")
    msg = h.reply()
    assert embed(msg)["title"] == "Petitions matching “ofsted”"
    assert embed(msg)["description"].splitlines()[0] == (
        f"**1** {OFSTED} — 48,783 · Closed · #652057"
    )
    assert menu(msg) == [(OFSTED, "0")]
    opened = world.select(h, "reply:menu", ["0"])
    assert opened.callback().callback_type == 4  # "open one" is a new reply
    assert embed(opened.reply())["title"] == OFSTED


def test_petition_compare(world: FakeDiscord) -> None:
    h = world.slash("petition compare", {"first": "652057", "second": "607849"}, user="member")
    msg = h.reply()
    assert embed(msg)["title"] == "Petitions compared"
    text = "\n".join(f"{f['name']}: {f['value']}" for f in embed(msg)["fields"])
    assert "Total: **48,783** · Open" in text
    assert "Total: **26,704** · Open" in text
    assert "Sutton Coldfield: 0.63% vs 0.18% (+0.44 pts; 305 vs 49)" in text


def test_constituency_show_with_petition(world: FakeDiscord) -> None:
    h = world.slash(
        "constituency show", {"name": "sutton coldfield", "petition": "ofsted"}, user="member"
    )
    msg = h.reply()
    assert embed(msg)["title"].startswith("Sutton Coldfield")
    text = (
        embed(msg)["description"]
        + "\n"
        + "\n".join(f"{f['name']}: {f['value']}" for f in embed(msg).get("fields") or [])
    )
    assert "Signatures: 305" in text
    assert "Rank among seats: 1st of 650" in text
    assert "MP named in the petition data: Rt Hon Andrew Mitchell MP" in text


def test_mp_show_without_petition_offers_petitions(world: FakeDiscord) -> None:
    h = world.slash("mp show", {"name": "Keir Starmer"}, user="member")
    msg = h.reply()
    assert embed(msg)["title"] == "Keir Starmer — MP for Holborn and St Pancras"
    assert [label for label, _ in menu(msg)] == [SOCIAL, OFSTED, SEND]
    pick = world.select(h, "reply:menu", ["1"])
    seat = pick.reply()
    assert embed(seat)["title"] == "Holborn and St Pancras"
    assert embed(seat)["description"] == f"In “{OFSTED}”"
    assert "Signatures: 33" in "\n".join(
        f"{f['name']}: {f['value']}" for f in embed(seat)["fields"]
    )


def test_leaderboard_and_open_from_menu(world: FakeDiscord) -> None:
    h = world.slash("leaderboard", {}, user="member")
    msg = h.reply()
    assert embed(msg)["title"] == "Leaderboard: all petitions"
    assert embed(msg)["description"].splitlines() == [
        f"**1** {SOCIAL} — 270,294 · Closed · #575833",
        f"**2** {OFSTED} — 48,783 · Closed · #652057",
        f"**3** {SEND} — 26,704 · Closed · #607849",
    ]
    pick = world.select(h, "reply:menu", ["2"])
    assert embed(pick.reply())["title"] == SEND
    # On the real clock every seed is past its deadline: closed, whatever the data said.
    still_open = world.slash("leaderboard", {"state": "open"}, user="member").reply()
    assert embed(still_open)["description"] == "Nothing here."
    assert footer(still_open) == "Open petitions: 0 · Page 1 of 1"


def test_help_and_about(world: FakeDiscord) -> None:
    h = world.slash("help", {}, user="member")
    cb = h.callback()
    assert cb.ephemeral
    assert embed(h.reply())["title"] == "petitionbot commands"
    one = world.slash("help", {"command": "mp show"}, user="member")
    assert "/mp show" in one.reply_text()
    about = world.slash("about", {}, user="member")
    msg = about.reply()
    assert embed(msg)["title"] == "About petitionbot"
    assert field(msg, "Petitions") == "3"
    assert field(msg, "Newest refresh") == "4 Jan 2024, 20:30 UTC"


def test_autocomplete_choices(world: FakeDiscord) -> None:
    petitions = world.autocomplete("petition show", {"petition": "ofs"}, focused="petition")
    assert petitions.choices() == [{"name": f"{OFSTED} (48,783)", "value": "652057"}]
    second = world.autocomplete(
        "petition compare", {"first": "652057", "second": "send"}, focused="second"
    )
    assert second.choices()[0] == {"name": f"{SEND} (26,704)", "value": "607849"}
    seats = world.autocomplete("constituency show", {"name": "islin"}, focused="name")
    assert [c["name"] for c in seats.choices()] == [
        "Islington North",
        "Islington South and Finsbury",
    ]
    mps = world.autocomplete("mp show", {"name": "starm"}, focused="name")
    assert [c["name"] for c in mps.choices()] == ["Keir Starmer"]
    helps = world.autocomplete("help", {"command": "pet"}, focused="command")
    assert [c["value"] for c in helps.choices()] == [
        "petition search",
        "petition show",
        "Show petition",
        "petition top",
        "petition chart",
        "petition compare",
        "follow petition",  # "pet" is in its name too
    ]
    # A value picked from autocomplete (a seat id) resolves to that seat.
    value = seats.choices()[1]["value"]
    h = world.slash("constituency show", {"name": value}, user="member")
    assert embed(h.reply())["title"].startswith("Islington South and Finsbury")


def test_ambiguous_name_answers_best_and_offers_the_others(world: FakeDiscord) -> None:
    h = world.slash("mp show", {"name": "Eagle"}, user="member")
    msg = h.reply()
    assert msg["content"] == "Showing the closest match. Not it? Pick another from the menu."
    assert embed(msg)["title"] == "Angela Eagle — MP for Wallasey"
    assert component(msg, "reply:menu")["placeholder"] == "Did you mean…"
    assert menu(msg) == [("Maria Eagle", "0")]
    pick = world.select(h, "reply:menu", ["0"])
    assert pick.callback().callback_type == 7  # the correction replaces the answer
    fixed = h.original()
    assert fixed is not None
    assert embed(fixed)["title"] == "Maria Eagle — MP for Garston and Halewood"
    assert not fixed["content"]  # no "closest match" note any more
    # the menu is now the seat's petitions, no longer "Did you mean…"
    assert component(fixed, "reply:menu")["placeholder"] == "Open one…"
    assert [label for label, _ in menu(fixed)] == [SOCIAL, OFSTED, SEND]


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        (
            "petition show",
            {"petition": "999999"},
            "No petition #999999 in this archive. The petition site may have it:"
            " https://petition.parliament.uk/petitions/999999",
        ),
        ("petition search", {"query": "zzzzqqq"}, "No petition matches 'zzzzqqq'."),
        ("constituency show", {"name": "Atlantis Under Sea"}, "No constituency matches"),
        ("mp show", {"name": "Qqqq Xxxxxx"}, "No MP matches"),
        ("help", {"command": "fly"}, "No command 'fly'."),
    ],
)
def test_not_found_is_private(
    world: FakeDiscord, command: str, options: dict[str, str], expected: str
) -> None:
    h = world.slash(command, options, user="member")
    cb = h.callback()
    assert cb.callback_type == 4 and cb.ephemeral
    assert expected in h.reply_text()
    assert is_ephemeral(h.reply())


def test_mentions_in_queries_are_not_echoed_as_pings(world: FakeDiscord) -> None:
    """User text comes back escaped and never pings, even when it is a mention."""
    mod, role = world.id("moderator"), world.id("Moderator")
    typed = f"@everyone <@{mod}> <@&{role}> ofsted"
    h = world.slash("petition search", {"query": typed}, user="member")
    cb = h.callback()
    assert cb.ephemeral and cb.allowed_mentions == {"parse": []}
    assert effective_pings(cb.data) == {"everyone": False, "users": set(), "roles": set()}
    zw = "\u200b"
    assert cb.content == (
        # The mentions drown "ofsted" (similarity 35, under the suggestion floor of 50):
        # no "did you mean" that is not clearly similar (issue 15).
        f"No petition matches '@{zw}everyone <{zw}@{zw}{mod}> <{zw}@{zw}&{role}> ofsted'."
    )
