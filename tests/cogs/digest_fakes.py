"""Stand-ins for the discord.py objects the digest cog touches.

They record what the cog sent, carry real ``discord.Permissions``, and raise
real ``discord.Forbidden``/``discord.NotFound`` when told to, so the cog's
error handling runs exactly as it would against Discord.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import discord

from bot.settings import Settings
from db.database import Database
from tests.cogs.admin_fakes import FakeMember

_ids = itertools.count(10_000)
_minutes = itertools.count()
_START = datetime(2031, 1, 1, tzinfo=UTC)


def http_error(kind: type[discord.HTTPException], status: int, code: int, text: str) -> Any:
    """A real discord.py HTTP error, as the library raises it."""
    response = SimpleNamespace(status=status, reason=text)
    return kind(response, {"code": code, "message": text})  # type: ignore[arg-type]


class FakeMessage:
    def __init__(self) -> None:
        self.id = next(_ids)


class FakeGuild:
    def __init__(self, guild_id: int) -> None:
        self.id = guild_id
        self.me = FakeMember(999, "petitionbot")


class FakeChannel(discord.abc.Messageable):
    """A text channel: records sends, or raises the error it was given."""

    def __init__(
        self, channel_id: int, guild: FakeGuild, perms: discord.Permissions | None = None
    ) -> None:
        self.id = channel_id
        self.name = f"chan-{channel_id}"
        self.guild = guild
        self.perms = (
            perms
            if perms is not None
            else discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
        )
        self.sent: list[dict[str, Any]] = []
        self.error: Exception | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def permissions_for(self, member: Any) -> discord.Permissions:
        return self.perms

    async def _get_channel(self) -> Any:  # pragma: no cover - send is overridden
        return self

    async def send(self, content: str | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.error is not None:
            raise self.error
        self.sent.append({"content": content, **kwargs})
        return FakeMessage()


class FakeBot:
    """The parts of PetitionBot the digest cog uses."""

    def __init__(self, db: Database, settings: Settings, owners: set[int] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.owners = owners or set()
        self.channels: dict[int, FakeChannel] = {}
        self.deleted: set[int] = set()

    def get_channel(self, channel_id: int) -> FakeChannel | None:
        return self.channels.get(channel_id)

    async def fetch_channel(self, channel_id: int) -> FakeChannel:
        if channel_id in self.deleted or channel_id not in self.channels:
            raise http_error(discord.NotFound, 404, 10003, "Unknown Channel")
        return self.channels[channel_id]

    async def wait_until_ready(self) -> None:
        return None

    async def is_owner(self, user: Any) -> bool:
        return user.id in self.owners


class FakeResponse:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def is_done(self) -> bool:
        return bool(self.calls)

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self.calls.append(("send_message", {"content": content, **kwargs}))

    async def defer(self, **kwargs: Any) -> None:
        self.calls.append(("defer", kwargs))


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: Any = None, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


class FakeInteraction:
    def __init__(
        self,
        client: FakeBot,
        user: FakeMember,
        *,
        guild_id: int | None = 1,
        permissions: discord.Permissions | None = None,
        created_at: datetime | None = None,
    ) -> None:
        self.id = next(_ids)
        # Minutes apart, so the per-server cooldowns only bite where a test pins the time.
        self.created_at = created_at or _START + timedelta(minutes=5 * next(_minutes))
        self.client = client
        self.user = user
        self.guild_id = guild_id
        self.channel_id = 55
        self.permissions = permissions or discord.Permissions.none()
        self.command: Any = None
        self.namespace = SimpleNamespace()
        self.response = FakeResponse()
        self.followup = FakeFollowup()

    def replies(self) -> list[dict[str, Any]]:
        """Everything the user was shown, in order."""
        first = [kwargs for name, kwargs in self.response.calls if name == "send_message"]
        return first + self.followup.sent
