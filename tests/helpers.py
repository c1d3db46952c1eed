"""Test doubles built from discord.py's real classes, in one place.

Every mock here is ``spec_set`` on the discord.py class (or a real
``PetitionBot`` instance) it stands for, so reading or setting an attribute
the real object does not have — a misspelt ``interaction.respnse`` or
``channel.sned`` — raises ``AttributeError`` instead of quietly passing.
Coroutine methods are ``AsyncMock``s; the few behaviours the code relies on are
built in the way Discord behaves: an interaction can be answered once
(``InteractionResponded`` after that) and ``is_done()`` says whether it was; a
channel the bot lacks permissions in says so through ``permissions_for``.

What the code sent is read back through the mocks' own call records with the
small functions at the end (:func:`responses`, :func:`sent`, :func:`followups`,
:func:`replies`, :func:`edits`, :func:`posted`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from unittest import mock

import discord

from bot.client import PetitionBot
from bot.host import DiscordHost
from bot.settings import Settings
from core.search.resolver import Resolver
from core.services import Services
from db.database import Database

_ids = itertools.count(9000)
_minutes = itertools.count()
_START = datetime(2030, 1, 1, tzinfo=UTC)
EMBEDS_OK = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
RESPONSE_METHODS = ("send_message", "defer", "edit_message")


def _specced(spec: Any, **attributes: Any) -> mock.MagicMock:
    """A MagicMock limited to ``spec``'s attributes, with these ones set."""
    double = mock.MagicMock(spec_set=spec)
    for name, value in attributes.items():
        setattr(double, name, value)
    return double


def http_error(kind: type[discord.HTTPException], status: int, code: int, text: str) -> Any:
    """A real discord.py HTTP error, as the library raises it."""
    response = SimpleNamespace(status=status, reason=text)
    return kind(response, {"code": code, "message": text})  # type: ignore[arg-type]


# ---------------------------------------------------------------- people and places
def mock_role(
    role_id: int, name: str = "moderators", *, managed: bool = False, guild_id: int = 1
) -> mock.MagicMock:
    """A role of server ``guild_id``; the server's own id is its @everyone role."""
    role = _specced(discord.Role, id=role_id, name=name, managed=managed)
    role.is_default.return_value = role_id == guild_id
    return role


def mock_member(
    member_id: int, name: str = "someone", roles: list[Any] | None = None
) -> mock.MagicMock:
    member = _specced(discord.Member, id=member_id, name=name, roles=roles or [], _roles=[])
    member.__str__.return_value = name
    return member


def mock_guild(guild_id: int = 1, name: str = "A server") -> mock.MagicMock:
    return _specced(discord.Guild, id=guild_id, name=name, me=mock_member(999, "petitionbot"))


def mock_message(message_id: int | None = None) -> mock.MagicMock:
    return _specced(discord.Message, id=message_id if message_id is not None else next(_ids))


def mock_channel(
    channel_id: int,
    guild: Any | None = None,
    *,
    name: str | None = None,
    permissions: discord.Permissions = EMBEDS_OK,
) -> mock.MagicMock:
    """A text channel: ``send`` returns a message; the bot has ``permissions`` there."""
    channel = _specced(
        discord.TextChannel,
        id=channel_id,
        name=name or f"chan-{channel_id}",
        guild=guild if guild is not None else mock_guild(),
        mention=f"<#{channel_id}>",
    )
    channel.permissions_for.return_value = permissions
    channel.send.side_effect = lambda *args, **kwargs: mock_message()
    return channel


def mock_attachment(filename: str, data: bytes) -> mock.MagicMock:
    attachment = _specced(discord.Attachment, filename=filename, size=len(data))
    attachment.read.return_value = data
    return attachment


# ---------------------------------------------------------------- the bot
async def mock_bot(
    db: Database,
    settings: Settings | None = None,
    *,
    owners: set[int] | None = None,
    channels: dict[int, Any] | None = None,
    resolver: Resolver | None = None,
) -> mock.MagicMock:
    """A ``PetitionBot`` that is not connected: real services over ``db``, mocked Discord.

    ``get_channel`` looks in ``channels``; ``fetch_channel`` raises Discord's
    "Unknown Channel" for anything not there; ``is_owner`` is true for ``owners``.
    """
    settings = settings or Settings(database_path=db.path, _env_file=None)  # type: ignore[call-arg]
    real = PetitionBot(settings)
    real.db = db
    real.services = mock.sentinel.services  # type: ignore[assignment]  # only to be in the spec
    bot = _specced(
        real,
        settings=settings,
        db=db,
        latency=0.042,
        latencies=[(0, 0.042)],
        shard_plan=real.shard_plan,
        instance_id=real.instance_id,
        guilds=[mock_guild()],
    )
    bot.uptime_seconds = 3725.0
    known = channels if channels is not None else {}
    bot.get_channel.side_effect = known.get

    async def fetch_channel(channel_id: int) -> Any:
        if channel_id not in known:
            raise http_error(discord.NotFound, 404, 10003, "Unknown Channel")
        return known[channel_id]

    bot.fetch_channel.side_effect = fetch_channel
    bot.is_owner.side_effect = lambda user: user.id in (owners or set())
    bot.wait_until_ready.return_value = None
    bot.sync_commands_if_changed.return_value = True
    bot.services = Services(db, resolver or await Resolver.load(db), DiscordHost(bot))
    return bot


def channels_of(bot: Any) -> dict[int, Any]:
    """The channels a :func:`mock_bot` knows (add one to make ``get_channel`` find it)."""
    known: dict[int, Any] = bot.get_channel.side_effect.__self__
    return known


# ---------------------------------------------------------------- interactions
def mock_response(on_defer: Callable[[], None] | None = None) -> mock.MagicMock:
    """``interaction.response``: answers once, then raises ``InteractionResponded``."""
    response = mock.MagicMock(spec_set=discord.InteractionResponse)

    def answered() -> bool:
        return any(getattr(response, name).await_count for name in RESPONSE_METHODS)

    def once(name: str) -> Callable[..., None]:
        def side_effect(*args: Any, **kwargs: Any) -> None:
            # The await being made is already counted: more than one means answered twice.
            if sum(getattr(response, other).await_count for other in RESPONSE_METHODS) > 1:
                raise discord.InteractionResponded(mock.sentinel.interaction)
            if name == "defer" and on_defer is not None:
                on_defer()
            view = kwargs.get("view")
            if name == "send_message" and isinstance(view, discord.ui.View):
                # discord.py starts a view's timeout when the sent message registers it.
                view._start_listening_from_store(SimpleNamespace(remove_view=lambda v: None))

        return side_effect

    response.is_done.side_effect = answered
    for name in RESPONSE_METHODS:
        getattr(response, name).side_effect = once(name)
    return response


def mock_interaction(
    bot: Any,
    user: Any,
    *,
    guild_id: int | None = 1,
    permissions: discord.Permissions | None = None,
    command: Any = None,
    namespace: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    on_defer: Callable[[], None] | None = None,
    created_at: datetime | None = None,
) -> mock.MagicMock:
    """A slash-command (or, with ``data``, component) interaction from ``user``."""
    original = _specced(discord.InteractionMessage, id=next(_ids))
    interaction = _specced(
        discord.Interaction,
        id=next(_ids),
        client=bot,
        user=user,
        guild_id=guild_id,
        guild=mock_guild(guild_id) if guild_id is not None else None,
        channel_id=55,
        permissions=permissions or discord.Permissions.none(),
        command=command,
        namespace=SimpleNamespace(**(namespace or {})),
        data=data or {},
        response=mock_response(on_defer),
        followup=_specced(discord.Webhook),
        # Each interaction happens minutes after the last, so cooldowns only bite
        # where a test pins the time on purpose.
        created_at=created_at or _START + timedelta(minutes=5 * next(_minutes)),
    )
    interaction.original_response.return_value = original
    return interaction


def component(bot: Any, user: Any, *, values: list[str] | None = None) -> mock.MagicMock:
    """A button press (no values) or a menu pick (``values``) by ``user``."""
    data: dict[str, Any] = {"component_type": 3 if values is not None else 2}
    if values is not None:
        data["values"] = values
    return mock_interaction(bot, user, data=data)


# ---------------------------------------------------------------- what was sent
def _kwargs(call: Any) -> dict[str, Any]:
    args, kwargs = call.args, dict(call.kwargs)
    if args:
        kwargs = {"content": args[0], **kwargs}
    return kwargs


def responses(interaction: Any) -> list[tuple[str, dict[str, Any]]]:
    """The answers given, in order: ("send_message" | "defer" | "edit_message", kwargs)."""
    return [
        (call[0], _kwargs(call))
        for call in interaction.response.mock_calls
        if call[0] in RESPONSE_METHODS
    ]


def sent(interaction: Any) -> dict[str, Any]:
    """The kwargs of the one answer (asserts there was exactly one)."""
    answers = responses(interaction)
    assert len(answers) == 1, answers
    return answers[0][1]


def kind(interaction: Any) -> str:
    answers = responses(interaction)
    assert len(answers) == 1, answers
    return answers[0][0]


def followups(interaction: Any) -> list[dict[str, Any]]:
    return [_kwargs(call) for call in interaction.followup.send.await_args_list]


def replies(interaction: Any) -> list[dict[str, Any]]:
    """Everything the user was shown, in order (the answer, then follow-ups)."""
    first = [kwargs for name, kwargs in responses(interaction) if name == "send_message"]
    return first + followups(interaction)


def edits(interaction: Any) -> list[dict[str, Any]]:
    """What ``edit_original_response`` changed, call by call."""
    return [_kwargs(call) for call in interaction.edit_original_response.await_args_list]


def posted(channel: Any) -> list[dict[str, Any]]:
    """What was sent to a channel, message by message."""
    return [_kwargs(call) for call in channel.send.await_args_list]
