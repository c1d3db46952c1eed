"""The slash tree from the registry: a cog names a registry entry, this fills in the rest.

A cog method keeps only what Discord needs from Python — its parameter types
(``str``, ``discord.Attachment``, ``app_commands.Range[int, 1, 700]`` …) — and
``@slash.command("petition top")`` reads everything else from
:data:`core.commands.REGISTRY`: the name, description, option descriptions,
choices, autocompletion and the runtime access check. ``tests/bot/test_registry.py``
compares the tree the bot would sync with the registry (types, ranges and
required-ness included), so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.checks import bot_owner_only, manage_server_only, per_guild_cooldown, server_manager_only
from core.commands import REGISTRY, Access, Kind
from core.digests.schedule import timezone_matches

T = TypeVar("T")
Callback = Callable[..., Coroutine[Any, Any, None]]
Completer = Callable[
    [discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]

_CHECKS = {
    Access.MODERATOR: server_manager_only,
    Access.MANAGE_SERVER: manage_server_only,
    Access.OWNER: bot_owner_only,
}

MessageCallback = Callable[[discord.Interaction[Any], discord.Message], Coroutine[Any, Any, None]]


def installs(
    user_install: bool,
) -> tuple[app_commands.AppInstallationType, app_commands.AppCommandContext]:
    """Where a top-level command can be installed and used, stated for every command.

    A user install (the app added to someone's account) reaches DMs, group DMs and any
    server; everything else is for servers that installed the bot. Stating it always
    matters: left out, Discord applies whatever the Developer Portal enables, which
    would offer the admin and digest commands to user installs too.
    """
    if user_install:
        return (
            app_commands.AppInstallationType(guild=True, user=True),
            app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
        )
    return (
        app_commands.AppInstallationType(guild=True, user=False),
        app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False),
    )


async def _complete(
    interaction: discord.Interaction[Any], kind: str, current: str
) -> list[app_commands.Choice[str]]:
    from bot.views import app_choices  # views imports the services; keep this module light

    if kind == "timezone":
        return [app_commands.Choice(name=n, value=n) for n in timezone_matches(current)]
    if kind == "command":
        wanted = current.lower().lstrip("/")
        return [
            app_commands.Choice(name=f"/{c.name}", value=c.name)
            for c in REGISTRY.slash_commands()
            if wanted in c.name.lower()
        ][:25]
    resolver = interaction.client.services.resolver
    complete = {
        "petition": resolver.complete_petition,
        "constituency": resolver.complete_constituency,
        "mp": resolver.complete_mp,
    }[kind]
    return app_choices(await complete(current))


def completer(kind: str) -> Completer:
    """The autocomplete callback for a registry option's ``autocomplete`` kind."""

    async def autocomplete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await _complete(interaction, kind, current)

    autocomplete.__name__ = f"complete_{kind}"
    return autocomplete


def command(
    name: str,
    *,
    group: app_commands.Group | None = None,
    cooldown: float | None = None,
    guild_cooldown: tuple[int, float] | None = None,
) -> Callable[[Callback], app_commands.Command[Any, Any, Any]]:
    """Make a cog method the registry's command ``name``.

    ``group``: the cog's subcommand group it belongs in (a ``GroupCog``'s own
    group needs no mention); ``cooldown``: seconds between uses per user;
    ``guild_cooldown``: (uses, seconds) per server, whoever asks.
    """
    spec = REGISTRY[name]

    def decorate(func: Callback) -> app_commands.Command[Any, Any, Any]:
        described = {o.name: o.description for o in spec.options}
        if described:
            func = app_commands.describe(**described)(func)
        choices = {
            o.name: [app_commands.Choice(name=label, value=value) for label, value in o.choices]
            for o in spec.options
            if o.choices
        }
        if choices:
            func = app_commands.choices(**choices)(func)
        check = _CHECKS.get(spec.access)
        if check is not None:
            func = check()(func)
        if cooldown is not None:
            func = app_commands.checks.cooldown(1, cooldown, key=_user_key)(func)
        if guild_cooldown is not None:
            func = per_guild_cooldown(guild_cooldown)(func)
        made: app_commands.Command[Any, Any, Any] = app_commands.command(
            name=spec.leaf, description=spec.summary
        )(func)
        if spec.parent is None:
            made.allowed_installs, made.allowed_contexts = installs(spec.user_install)
            made.guild_only = spec.guild_only
        for option in spec.options:
            if option.autocomplete is not None:
                made.autocomplete(option.name)(completer(option.autocomplete))
        if group is not None:
            group.add_command(made)
        return made

    return decorate


def message_command(name: str, callback: MessageCallback) -> app_commands.ContextMenu:
    """The registry's message command ``name`` (a cog adds it to the tree itself)."""
    spec = REGISTRY[name]
    if spec.kind is not Kind.MESSAGE:
        raise ValueError(f"{name!r} is not declared as a message command")
    menu = app_commands.ContextMenu(name=spec.name, callback=callback)
    menu.allowed_installs, menu.allowed_contexts = installs(spec.user_install)
    menu.guild_only = spec.guild_only
    return menu


def group(name: str) -> app_commands.Group:
    """A subcommand group (``/constituency``, ``/admin modrole``) as the registry declares it."""
    spec = REGISTRY.group(name)
    if " " in spec.name:  # a subgroup: Discord takes installs and contexts from the top
        return app_commands.Group(name=spec.name.split()[-1], description=spec.summary)
    allowed_installs, allowed_contexts = installs(spec.user_install)
    return app_commands.Group(
        name=spec.name,
        description=spec.summary,
        guild_only=spec.guild_only,
        allowed_installs=allowed_installs,
        allowed_contexts=allowed_contexts,
    )


def group_cog(name: str) -> dict[str, Any]:
    """Class keywords for a ``commands.GroupCog`` that is the registry's group ``name``."""
    spec = REGISTRY.group(name)
    return {"group_name": spec.name, "group_description": spec.summary}


def group_settings(name: str) -> Callable[[T], T]:
    """Class decorator: guild-only and who the client shows the group to, from the registry."""
    spec = REGISTRY.group(name)

    allowed_installs, allowed_contexts = installs(spec.user_install)

    def decorate(cls: T) -> T:
        cls = app_commands.allowed_installs(
            guilds=allowed_installs.guild, users=allowed_installs.user
        )(cls)
        cls = app_commands.allowed_contexts(
            guilds=allowed_contexts.guild,
            dms=allowed_contexts.dm_channel,
            private_channels=allowed_contexts.private_channel,
        )(cls)
        if spec.guild_only:
            cls = app_commands.guild_only()(cls)
        if spec.access is not Access.EVERYONE:
            cls = app_commands.default_permissions(manage_guild=True)(cls)
        return cls

    return decorate


def _user_key(interaction: discord.Interaction[Any]) -> int:
    return interaction.user.id
