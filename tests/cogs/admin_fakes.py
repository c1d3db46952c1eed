"""Small, realistic stand-ins for the discord.py objects the admin cog touches.

They record what the cog sent (kwargs of every response/followup call) so tests
assert on exactly what a user would see, and they carry real
``discord.Permissions`` so the runtime checks run unmodified.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import discord

from bot.settings import Settings
from db.database import Database

_ids = itertools.count(1000)
_minutes = itertools.count()
_START = datetime(2030, 1, 1, tzinfo=UTC)


@dataclass
class FakeRole:
    id: int
    name: str = "Moderators"
    managed: bool = False


@dataclass
class FakeMember:
    id: int
    name: str = "member"
    roles: list[FakeRole] = field(default_factory=list)

    def __str__(self) -> str:
        return self.name


class FakeMessage:
    def __init__(self) -> None:
        self.edits: list[dict[str, Any]] = []

    async def edit(self, **kwargs: Any) -> None:
        self.edits.append(kwargs)


class FakeResponse:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def is_done(self) -> bool:
        return bool(self.calls)

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self.calls.append(("send_message", {"content": content, **kwargs}))
        view = kwargs.get("view")
        if view is not None:
            # discord.py starts a view's timeout when the sent message registers it.
            view._start_listening_from_store(SimpleNamespace(remove_view=lambda v: None))

    async def defer(self, **kwargs: Any) -> None:
        self.calls.append(("defer", kwargs))

    async def edit_message(self, **kwargs: Any) -> None:
        self.calls.append(("edit_message", kwargs))


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


class FakeChannel(discord.abc.Messageable):
    """Messageable so the cog's isinstance check accepts it; records sends."""

    def __init__(self, channel_id: int) -> None:
        self.id = channel_id
        self.name = "audit"
        self.sent: list[dict[str, Any]] = []

    async def _get_channel(self) -> Any:  # pragma: no cover - not used by send below
        return self

    async def send(self, content: str | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
        self.sent.append({"content": content, **kwargs})
        return FakeMessage()


class FakeBot:
    """The parts of PetitionBot the admin cog uses."""

    def __init__(self, db: Database, settings: Settings, owners: set[int]) -> None:
        self.db = db
        self.settings = settings
        self.owners = owners
        self.channels: dict[int, FakeChannel] = {}
        self.guilds = [SimpleNamespace(id=1)]
        self.latency = 0.042
        self.uptime_seconds = 3725.0
        self.synced = 0
        self.refreshed = 0
        self.services = SimpleNamespace(resolver=SimpleNamespace(refresh=self._refresh))

    async def _refresh(self) -> None:
        self.refreshed += 1

    async def data_changed(self) -> None:
        """As PetitionBot.data_changed: the resolver is rebuilt."""
        await self.services.resolver.refresh()

    async def is_owner(self, user: Any) -> bool:
        return user.id in self.owners

    def get_channel(self, channel_id: int) -> FakeChannel | None:
        return self.channels.get(channel_id)

    async def sync_commands_if_changed(self, *, force: bool = False) -> bool:
        self.synced += 1
        return True


class FakeInteraction:
    def __init__(
        self,
        client: FakeBot,
        user: FakeMember,
        *,
        guild_id: int | None = 1,
        permissions: discord.Permissions | None = None,
        command: Any = None,
        namespace: dict[str, Any] | None = None,
        created_at: datetime | None = None,
    ) -> None:
        self.id = next(_ids)
        # Each fake interaction happens minutes after the last, so cooldowns only bite
        # where a test pins the time on purpose.
        self.created_at = created_at or _START + timedelta(minutes=5 * next(_minutes))
        self.client = client
        self.user = user
        self.guild_id = guild_id
        self.channel_id = 55
        self.permissions = permissions or discord.Permissions.none()
        self.command = command
        self.namespace = SimpleNamespace(**(namespace or {}))
        self.response = FakeResponse()
        self.followup = FakeFollowup()
        self.original = FakeMessage()
        self.original_edits: list[dict[str, Any]] = []

    async def original_response(self) -> FakeMessage:
        return self.original

    async def edit_original_response(self, **kwargs: Any) -> None:
        self.original_edits.append(kwargs)


@dataclass
class FakeAttachment:
    filename: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    async def read(self) -> bytes:
        return self.data
