"""How a command is declared: the one description the slash tree, ``/help`` and the console share.

A feature declares its commands once, in ``core/<feature>/commands.py``, as
:class:`Command` values (name, options, help text, examples, who may run it,
the :class:`~core.services.Services` method that answers it).
:mod:`core.commands` collects them into the :data:`~core.commands.REGISTRY`;
``bot.slash`` reads names, descriptions, choices, autocompletion and checks
from it for the cogs, ``/help`` lists it, and the console parses lines by it.
A test compares the tree the bot would sync with the registry, so they cannot
drift apart. No Discord types here: option types are plain names that
``bot.slash`` maps to Discord's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class OptionType(StrEnum):
    """What an option holds (``bot.slash`` maps each to Discord's option type)."""

    STRING = "string"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    ATTACHMENT = "attachment"  # the console takes a file path
    ROLE = "role"  # the console takes a role id
    CHANNEL = "channel"  # a text channel; the console has one local channel


class Kind(StrEnum):
    """Where Discord offers a command."""

    SLASH = "slash"
    MESSAGE = "message"
    """A message command: right-click (long-press) a message → Apps. It takes no options;
    its handler gets the message's text as ``text``."""


class Access(StrEnum):
    """Who may run a command (checked at runtime in the bot; the console user is the owner)."""

    EVERYONE = "everyone"
    MODERATOR = "moderator"
    MANAGE_SERVER = "manage_server"  # who moderates and where the audit log goes
    OWNER = "owner"

    @property
    def label(self) -> str:
        """How ``/help`` names who may run it."""
        return _ACCESS_LABELS[self]


_ACCESS_LABELS = {
    Access.EVERYONE: "everyone",
    Access.MODERATOR: "Manage Server or the server's moderator role",
    Access.MANAGE_SERVER: "Manage Server (the moderator role is not enough)",
    Access.OWNER: "the bot's owners",
}

Scalar = str | int | bool


@dataclass(frozen=True, slots=True)
class Option:
    """One argument of a command, as Discord shows it and the console parses it."""

    name: str
    type: OptionType
    description: str
    required: bool = True
    default: Scalar | None = None
    choices: tuple[tuple[str, Scalar], ...] = ()
    """(label, value) pairs: Discord shows the label and sends the value."""
    min_value: int | None = None
    max_value: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    autocomplete: str | None = None
    """Kind of autocompletion: petition, constituency, mp, timezone or command."""

    @property
    def values(self) -> tuple[Scalar, ...]:
        """The values its choices stand for (what a handler receives)."""
        return tuple(value for _, value in self.choices)

    def usage(self) -> str:
        return self.name if self.required else f"[{self.name}]"


@dataclass(frozen=True, slots=True)
class Group:
    """A slash command group (``/petition``, ``/admin modrole``): it only holds commands."""

    name: str
    summary: str
    guild_only: bool = False
    access: Access = Access.EVERYONE
    """Who the client shows the group to (the commands are still checked one by one)."""
    user_install: bool = False
    """Also usable from a user install: in DMs, group DMs and any server (read-only commands)."""


@dataclass(frozen=True, slots=True)
class Command:
    """One command: the single declaration every surface reads."""

    name: str
    """Qualified name: ``"petition search"``, ``"admin modrole set"``, ``"about"``."""
    summary: str
    """Discord's description (at most 100 characters)."""
    handler: str | None = None
    """The :class:`~core.services.Services` method that answers it (``None``: Discord only)."""
    options: tuple[Option, ...] = ()
    help: str | None = None
    """The longer text ``/help`` shows (default: the summary)."""
    examples: tuple[str, ...] = ()
    access: Access = Access.EVERYONE
    guild_only: bool = False
    slash: bool = True
    """False: reached from buttons and the console only, not synced to Discord."""
    console: str | None = None
    """How to type it in the console when that differs from the slash usage."""
    kind: Kind = Kind.SLASH
    user_install: bool = False
    """A top-level command also usable from a user install (in a group: the group's flag)."""
    personal: bool = False
    """The answer depends on who asks (their home seat): the handler takes ``user_id``."""

    def option(self, name: str) -> Option:
        """The declared option called ``name`` (KeyError naming the command if none)."""
        for option in self.options:
            if option.name == name:
                return option
        raise KeyError(f"/{self.name} has no option {name!r}")

    @property
    def words(self) -> tuple[str, ...]:
        if self.kind is Kind.MESSAGE:
            return (self.name,)
        return tuple(self.name.split())

    @property
    def leaf(self) -> str:
        """The last word: the name Discord shows inside its group."""
        return self.words[-1]

    @property
    def parent(self) -> str | None:
        """The group it belongs to (``"admin modrole"``), or None for a top-level command."""
        return " ".join(self.words[:-1]) or None

    @property
    def usage(self) -> str:
        """``/petition top petition [by] [count]`` (a message command: where to find it)."""
        if self.kind is Kind.MESSAGE:
            return f"{self.name} (on a message: Apps → {self.name})"
        return " ".join([f"/{self.name}", *(o.usage() for o in self.options)])

    @property
    def console_usage(self) -> str:
        """``petition top <petition> [by] [count]``: how to type it in the console."""
        typed = (f"<{o.name}>" if o.required else f"[{o.name}]" for o in self.options)
        return self.console or " ".join([self.name, *typed])

    @property
    def example(self) -> str:
        return self.examples[0] if self.examples else f"/{self.name}"

    @property
    def help_text(self) -> str:
        return self.help or self.summary


@dataclass(frozen=True)
class Registry:
    """Every group and command, looked up by qualified name, in declaration order."""

    groups: tuple[Group, ...]
    commands: tuple[Command, ...]
    _by_name: dict[str, Command] = field(init=False, repr=False, compare=False)
    _by_typed_name: dict[str, Command] = field(init=False, repr=False, compare=False)
    """The same, keyed as people type names (lower case: "show petition")."""

    def __post_init__(self) -> None:
        by_name: dict[str, Command] = {}
        group_names = {g.name for g in self.groups}
        for command in self.commands:
            if command.name in by_name or command.name in group_names:
                raise ValueError(f"command {command.name!r} is declared twice")
            if command.parent is not None and command.parent not in group_names:
                raise ValueError(f"command {command.name!r} has no group {command.parent!r}")
            if len(command.summary) > 100:
                raise ValueError(f"summary of {command.name!r} is over 100 characters")
            by_name[command.name] = command
        object.__setattr__(self, "_by_name", by_name)
        typed = {name.lower(): command for name, command in by_name.items()}
        object.__setattr__(self, "_by_typed_name", typed)

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Command:
        return self._by_name[name]

    def get(self, name: str) -> Command | None:
        return self._by_name.get(name)

    def group(self, name: str) -> Group:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)

    def slash_commands(self) -> tuple[Command, ...]:
        """What Discord gets (and ``/help`` lists)."""
        return tuple(c for c in self.commands if c.slash)

    def matching(self, text: str) -> tuple[Command, ...]:
        """Slash commands named ``text`` or starting with it (``"petition"``, ``"mp"``)."""
        wanted = " ".join(text.lower().lstrip("/").split())
        return tuple(
            c
            for c in self.slash_commands()
            if c.name.lower() == wanted or c.name.lower().startswith(wanted)
        )

    def longest_prefix(self, words: Iterable[str]) -> Command | None:
        """The command whose name starts the typed words (``petition show ofsted``)."""
        typed = " ".join(w.lower() for w in words).split()
        for size in range(min(len(typed), 3), 0, -1):
            found = self._by_typed_name.get(" ".join(typed[:size]))
            if found is not None:
                return found
        return None
