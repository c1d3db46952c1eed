"""The command registry is the one list: the synced tree, ``/help`` and the console follow it.

The tree is taken from the real bot (``PetitionBot`` with every cog loaded,
``bot.tree_payload()`` — exactly what ``sync`` would send), and compared
field by field with what the registry declares.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from discord import app_commands

from bot.client import PetitionBot, discover_extensions
from bot.console_parse import parse
from bot.host import DiscordHost
from bot.settings import Settings
from core.commands import REGISTRY, Access, Command, Group, Kind, Option, OptionType
from core.common.cards import Card
from core.places.render import render
from core.search.resolver import Resolver
from core.services import Services
from db.database import Database

DISCORD_TYPES = {
    OptionType.STRING: 3,
    OptionType.INTEGER: 4,
    OptionType.BOOLEAN: 5,
    OptionType.CHANNEL: 7,
    OptionType.ROLE: 8,
    OptionType.ATTACHMENT: 11,
}
TEXT_CHANNELS = [0, 5]  # text and announcement channels
MANAGE_GUILD = 32


@pytest.fixture
async def bot(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[PetitionBot]:
    """The real bot with every cog loaded, not connected (the digest scheduler waits)."""

    async def never_ready(self: PetitionBot) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(PetitionBot, "wait_until_ready", never_ready)
    settings = Settings(database_path=db.path, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    client = PetitionBot(settings)
    client.db = db
    client.services = Services(db, await Resolver.load(db), DiscordHost(client))
    for extension in discover_extensions():
        await client.load_extension(extension)
    yield client
    for extension in discover_extensions():
        await client.unload_extension(extension)


def expected_option(option: Option) -> dict[str, Any]:
    """The option as the registry declares it, in Discord's payload form."""
    wanted: dict[str, Any] = {
        "type": DISCORD_TYPES[option.type],
        "name": option.name,
        "description": option.description,
        "required": option.required,
    }
    if option.choices:
        wanted["choices"] = [{"name": label, "value": value} for label, value in option.choices]
    if option.autocomplete:
        wanted["autocomplete"] = True
    if option.type is OptionType.CHANNEL:
        wanted["channel_types"] = TEXT_CHANNELS
    bounds = {
        "min_value": option.min_value,
        "max_value": option.max_value,
        "min_length": option.min_length,
        "max_length": option.max_length,
    }
    wanted.update({k: v for k, v in bounds.items() if v is not None})
    return wanted


def expected_command(command: Command) -> dict[str, Any]:
    if command.kind is Kind.MESSAGE:
        return {"name": command.name, "description": "", "type": 3, "options": []}
    return {
        "name": command.leaf,
        "description": command.summary,
        "type": 1,
        "options": [expected_option(o) for o in command.options],
    }


def leaves(payload: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(qualified name, payload) of every command and subcommand the bot would sync."""

    def walk(prefix: str, node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        name = f"{prefix} {node['name']}".strip()
        children = [o for o in node.get("options", []) if o["type"] in (1, 2)]
        if not children:
            yield name, node
        for child in children:
            yield from walk(name, child)

    for top in payload:
        yield from walk("", top)


def synced_names(bot: PetitionBot) -> list[str]:
    return [name for name, _ in leaves(bot.tree_payload())]


def test_every_synced_command_is_the_registry_declaration(bot: PetitionBot) -> None:
    synced = dict(leaves(bot.tree_payload()))
    declared = {c.name: c for c in REGISTRY.slash_commands()}
    assert sorted(synced) == sorted(declared)
    for name, node in synced.items():
        wanted = expected_command(declared[name])
        got = {k: node.get(k, "") for k in ("name", "description", "type")}
        got["options"] = [dict(o) for o in node.get("options", [])]
        assert got == wanted, name


USER_INSTALL = {"integration_types": [0, 1], "contexts": [0, 1, 2]}
GUILD_INSTALL = {"integration_types": [0], "contexts": [0]}


def test_read_only_commands_are_user_installable_and_the_rest_guild_only(bot: PetitionBot) -> None:
    """Every top-level entry states where it may be installed and used (none left to defaults)."""
    where = {}
    for top in bot.tree_payload():
        name = top["name"]
        spec = REGISTRY.group(name) if name in {g.name for g in REGISTRY.groups} else REGISTRY[name]
        wanted = USER_INSTALL if spec.user_install else GUILD_INSTALL
        got = {k: top.get(k) for k in wanted}
        assert got == wanted, name
        where[name] = spec.user_install
    assert {n for n, user in where.items() if user} == {
        "ask",
        "petition",
        "Show petition",
        "constituency",
        "mp",
        "me",
        "leaderboard",
        "help",
        "about",
    }
    # A follow may name a channel of the server: guild-only like admin and digest.
    guild_only = {"digest", "admin", "follow", "unfollow"}
    assert {n for n, user in where.items() if not user} == guild_only


def test_groups_are_the_registry_declaration(bot: PetitionBot) -> None:
    def check(group: Group, node: dict[str, Any]) -> None:
        assert node["description"] == group.summary, group.name

    for top in bot.tree_payload():
        if top["name"] not in {g.name for g in REGISTRY.groups}:
            assert top["dm_permission"] is True and top["default_member_permissions"] is None
            continue
        if top["type"] != 1:
            continue
        group = REGISTRY.group(top["name"])
        check(group, top)
        assert top["dm_permission"] is (not group.guild_only), group.name
        manage = MANAGE_GUILD if group.access is not Access.EVERYONE else None
        assert top["default_member_permissions"] == manage, group.name
        for sub in top["options"]:
            if sub["type"] == 2:
                check(REGISTRY.group(f"{top['name']} {sub['name']}"), sub)


def test_every_command_is_checked_as_declared(bot: PetitionBot) -> None:
    """Who may run it is enforced at runtime by exactly the declared check."""
    wanted_check = {
        Access.EVERYONE: None,
        Access.MODERATOR: "server_manager_only",
        Access.MANAGE_SERVER: "manage_server_only",
        Access.OWNER: "bot_owner_only",
    }
    seen = 0
    for command in bot.tree.walk_commands():
        if not isinstance(command, app_commands.Command):
            continue
        spec = REGISTRY[command.qualified_name]
        access_checks = [
            c.__qualname__.split(".")[0] for c in command.checks if "cooldown" not in c.__qualname__
        ]
        wanted = wanted_check[spec.access]
        assert access_checks == ([wanted] if wanted else []), spec.name
        seen += 1
    menus = [c for c in REGISTRY.slash_commands() if c.kind is Kind.MESSAGE]
    assert all(c.access is Access.EVERYONE for c in menus)
    assert seen == len(REGISTRY.slash_commands()) - len(menus)


def help_fields(reply_pages: list[Card]) -> dict[str, str]:
    return {f.name: f.value for page in reply_pages for f in page.fields}


async def test_help_lists_every_synced_command_with_who_may_run_it(bot: PetitionBot) -> None:
    reply = render(await bot.services.help())
    fields = help_fields(reply.pages)
    listed = set(fields)
    for name in synced_names(bot):
        spec = REGISTRY[name]
        assert spec.usage in listed, name
        assert spec.example in fields[spec.usage], name
    who = {page.description or "" for page in reply.pages}
    assert any("For Manage Server or the server's moderator role." in w for w in who)
    assert any("For the bot's owners." in w for w in who)
    for name in ("petition chart", "digest setup", "admin ingest", "admin modrole set"):
        assert REGISTRY[name].usage in fields


async def test_help_for_one_group_names_who_may_run_it(bot: PetitionBot) -> None:
    reply = render(await bot.services.help("digest"))
    (page,) = reply.pages
    assert page.title == "Help: /digest"
    assert (page.description or "").startswith("For Manage Server or the server's moderator role.")
    assert len(page.fields) == 7


def test_the_registry_refuses_a_second_declaration() -> None:
    twice = (*REGISTRY.commands, REGISTRY["about"])
    with pytest.raises(ValueError, match="declared twice"):
        type(REGISTRY)(REGISTRY.groups, twice)
    orphan = Command("nowhere thing", "No group")
    with pytest.raises(ValueError, match="has no group"):
        type(REGISTRY)(REGISTRY.groups, (*REGISTRY.commands, orphan))


async def test_every_handler_is_a_services_method(bot: PetitionBot) -> None:
    for command in REGISTRY:
        if command.handler is not None:
            assert callable(bot.services.handler(command)), command.name


SAMPLES = {"petition": "652057", "constituency": "woking", "mp": "andrew mitchell"}


def sample_line(command: Command, upload: Path) -> str:
    """The command typed with a plausible value for each required option."""
    values = {
        OptionType.INTEGER: lambda o: str(o.min_value or 1),
        OptionType.BOOLEAN: lambda o: "yes",
        OptionType.CHANNEL: lambda o: "here",
        OptionType.ROLE: lambda o: "123",
        OptionType.ATTACHMENT: lambda o: str(upload),
        OptionType.STRING: lambda o: SAMPLES.get(o.autocomplete or "", "x"),
    }
    words = [values[o.type](o) for o in command.options if o.required]
    return " ".join([command.name, *words])


async def test_every_synced_command_runs_in_the_console(bot: PetitionBot, tmp_path: Path) -> None:
    """The console parses every command a member or moderator can run, to its handler."""
    upload = tmp_path / "petition.md"
    upload.write_text("# not really a petition\n")
    discord_only = []
    for name in synced_names(bot):
        command = REGISTRY[name]
        if command.handler is None:
            discord_only.append(name)
            continue
        invocation = await parse(sample_line(command, upload), bot.services)
        assert invocation.command == name
        assert callable(bot.services.handler(command))
    # Only the owners' tree sync has no offline meaning. The follow commands reach the
    # console through its own follow/unfollow lines (tests/bot/test_console.py): they need
    # the user, which Services.run passes only to moderator and owner commands so far.
    follows = [n for n in discord_only if n.split()[0] in ("follow", "unfollow")]
    assert sorted(discord_only) == sorted(["admin sync", *follows]) and len(follows) == 6
    assert REGISTRY["admin sync"].access is Access.OWNER
