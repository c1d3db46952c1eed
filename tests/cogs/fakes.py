"""A small, realistic stand-in for ``discord.Interaction`` for the user-facing cogs.

It records every call the code under test makes (``response.send_message``,
``defer``, ``edit_message``, ``followup.send``, ``edit_original_response``)
with their keyword arguments, and exposes what handlers read: ``user``,
``guild``, ``namespace``, ``command``, ``client`` and, for component
interactions, ``data``. Tests then assert on exactly what a user would see.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import discord

from core.services import Services

_ids = itertools.count(9000)


@dataclass
class FakeUser:
    id: int
    name: str = "someone"

    def __str__(self) -> str:
        return self.name


@dataclass
class FakeGuild:
    id: int = 1
    name: str = "A server"


class FakeResponse:
    """``interaction.response``: records calls; done after the first one."""

    def __init__(self, on_defer: Callable[[], None] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._on_defer = on_defer

    def is_done(self) -> bool:
        return bool(self.calls)

    def _record(self, name: str, kwargs: dict[str, Any]) -> None:
        if self.calls:
            raise discord.InteractionResponded(None)  # type: ignore[arg-type]
        self.calls.append((name, kwargs))

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self._record("send_message", {"content": content, **kwargs})

    async def defer(self, **kwargs: Any) -> None:
        self._record("defer", kwargs)
        if self._on_defer is not None:
            self._on_defer()

    async def edit_message(self, **kwargs: Any) -> None:
        self._record("edit_message", kwargs)


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


class FakeBot:
    """The parts of PetitionBot the user-facing cogs use."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.db = services.db


class FakeInteraction:
    """One slash-command or component interaction from ``user``."""

    def __init__(
        self,
        client: FakeBot,
        user: FakeUser,
        *,
        command: Any = None,
        namespace: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        on_defer: Callable[[], None] | None = None,
    ) -> None:
        self.id = next(_ids)
        self.client = client
        self.user = user
        self.guild = FakeGuild()
        self.guild_id = self.guild.id
        self.channel_id = 55
        self.command = command
        self.namespace = SimpleNamespace(**(namespace or {}))
        self.data = data or {}
        self.response = FakeResponse(on_defer)
        self.followup = FakeFollowup()
        self.original_edits: list[dict[str, Any]] = []

    async def edit_original_response(self, **kwargs: Any) -> None:
        self.original_edits.append(kwargs)

    # ------------------------------------------------------------ conveniences for tests
    @property
    def sent(self) -> dict[str, Any]:
        """The kwargs of the one response call (asserts there was exactly one)."""
        assert len(self.response.calls) == 1, self.response.calls
        return self.response.calls[0][1]

    @property
    def kind(self) -> str:
        assert len(self.response.calls) == 1, self.response.calls
        return self.response.calls[0][0]


def component(
    client: FakeBot, user: FakeUser, *, values: list[str] | None = None
) -> FakeInteraction:
    """A button press (no values) or a menu pick (``values``) by ``user``."""
    data: dict[str, Any] = {"component_type": 3 if values is not None else 2}
    if values is not None:
        data["values"] = values
    return FakeInteraction(client, user, data=data)
