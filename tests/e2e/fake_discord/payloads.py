"""Builders for Discord API v10 objects, shaped the way discord.py 2.x parses them.

Every builder returns plain JSON-able dicts (snowflakes as strings), so they can be sent
over the fake gateway / REST API as-is.  Field requirements were taken from discord.py's
parsers (``state.py``, ``guild.py``, ``member.py``, ``role.py``, ``channel.py``,
``message.py``, ``interactions.py``, ``appinfo.py``); keys that discord.py reads with
``data[...]`` (not ``.get``) are always present.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# --- permission bits (https://discord.com/developers/docs/topics/permissions) -------------
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_AUDIT_LOG = 1 << 7
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
MANAGE_WEBHOOKS = 1 << 29
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40
#: Every permission bit discord.py 2.7 knows about (``discord.Permissions.all().value``).
ALL_PERMISSIONS = 8866461766385663

#: What @everyone gets in a freshly created server (close enough to Discord's default).
DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MENTION_EVERYONE
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)

# --- gateway intents -----------------------------------------------------------------------
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# --- enums used below ------------------------------------------------------------------------
CHANNEL_TEXT = 0
CHANNEL_DM = 1
CHANNEL_CATEGORY = 4
CHANNEL_ANNOUNCEMENT = 5

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7

INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_USER = 6
OPTION_CHANNEL = 7
OPTION_ROLE = 8
OPTION_MENTIONABLE = 9
OPTION_NUMBER = 10
OPTION_ATTACHMENT = 11


# --- snowflakes -----------------------------------------------------------------------------
class SnowflakeFactory:
    """Generates real-looking, strictly increasing snowflakes (timestamp in the top bits)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._last = 0

    def __call__(self) -> int:
        with self._lock:
            ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
            value = (ms << 22) | (1 << 17) | (next(self._counter) & 0xFFF)
            if value <= self._last:
                value = self._last + 1
            self._last = value
            return value


snowflake = SnowflakeFactory()


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def sid(value: int | str) -> str:
    return str(value)


# --- core objects ---------------------------------------------------------------------------
def user(
    user_id: int,
    username: str,
    *,
    bot: bool = False,
    global_name: str | None = None,
    avatar: str | None = None,
) -> dict[str, Any]:
    return {
        "id": sid(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": global_name,
        "avatar": avatar,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
    }


def bot_self_user(user_id: int, username: str) -> dict[str, Any]:
    """The ``GET /users/@me`` / READY ``user`` object for the bot."""
    data = user(user_id, username, bot=True)
    data.update({"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None})
    return data


def application(app_id: int, name: str, owner: dict[str, Any], *, flags: int = 0) -> dict[str, Any]:
    """``GET /oauth2/applications/@me``."""
    return {
        "id": sid(app_id),
        "name": name,
        "description": "Local stand-in application",
        "icon": None,
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner,
        "team": None,
        "verify_key": "0" * 64,
        "summary": "",
        "flags": flags,
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": 1,
    }


def role(
    role_id: int,
    name: str,
    *,
    permissions: int = 0,
    position: int = 0,
    color: int = 0,
    hoist: bool = False,
    managed: bool = False,
    mentionable: bool = False,
    tags: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": sid(role_id),
        "name": name,
        "color": color,
        "colors": {"primary_color": color, "secondary_color": None, "tertiary_color": None},
        "hoist": hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": mentionable,
        "flags": 0,
    }
    if tags is not None:
        data["tags"] = tags
    return data


def overwrite(target_id: int, *, kind: str = "role", allow: int = 0, deny: int = 0) -> dict:
    return {
        "id": sid(target_id),
        "type": 0 if kind == "role" else 1,
        "allow": str(allow),
        "deny": str(deny),
    }


def text_channel(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    position: int = 0,
    parent_id: int | None = None,
    topic: str | None = None,
    permission_overwrites: list[dict[str, Any]] | None = None,
    channel_type: int = CHANNEL_TEXT,
    nsfw: bool = False,
) -> dict[str, Any]:
    return {
        "id": sid(channel_id),
        "type": channel_type,
        "guild_id": sid(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": permission_overwrites or [],
        "parent_id": sid(parent_id) if parent_id else None,
        "topic": topic,
        "nsfw": nsfw,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def category_channel(channel_id: int, guild_id: int, name: str, *, position: int = 0) -> dict:
    return {
        "id": sid(channel_id),
        "type": CHANNEL_CATEGORY,
        "guild_id": sid(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": None,
        "nsfw": False,
        "flags": 0,
    }


def dm_channel(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": sid(channel_id),
        "type": CHANNEL_DM,
        "last_message_id": None,
        "recipients": [recipient],
        "flags": 0,
    }


def member(
    user_obj: dict[str, Any],
    *,
    roles: list[int] | None = None,
    nick: str | None = None,
    joined_at: str | None = None,
) -> dict[str, Any]:
    return {
        "user": user_obj,
        "nick": nick,
        "avatar": None,
        "banner": None,
        "roles": [sid(r) for r in roles or []],
        "joined_at": joined_at or iso_now(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def message(
    message_id: int,
    channel_id: int,
    author: dict[str, Any],
    *,
    content: str = "",
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    flags: int = 0,
    message_type: int = 0,
    guild_id: int | None = None,
    webhook_id: int | None = None,
    application_id: int | None = None,
    interaction_metadata: dict[str, Any] | None = None,
    tts: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": sid(message_id),
        "channel_id": sid(channel_id),
        "author": author,
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": tts,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "components": components or [],
        "reactions": [],
        "pinned": False,
        "type": message_type,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = sid(guild_id)
    if webhook_id is not None:
        data["webhook_id"] = sid(webhook_id)
    if application_id is not None:
        data["application_id"] = sid(application_id)
    if interaction_metadata is not None:
        data["interaction_metadata"] = interaction_metadata
    return data


# --- permissions ----------------------------------------------------------------------------
def compute_permissions(
    guild: dict[str, Any],
    member_obj: dict[str, Any],
    channel: dict[str, Any] | None = None,
) -> int:
    """Discord's permission algorithm: base role permissions, then channel overwrites."""
    user_id = member_obj["user"]["id"]
    if str(guild["owner_id"]) == str(user_id):
        return ALL_PERMISSIONS
    roles_by_id = {r["id"]: r for r in guild["roles"]}
    everyone = roles_by_id.get(str(guild["id"]))
    perms = int(everyone["permissions"]) if everyone else 0
    member_roles = [str(r) for r in member_obj.get("roles", [])]
    for role_id in member_roles:
        if role_id in roles_by_id:
            perms |= int(roles_by_id[role_id]["permissions"])
    if perms & ADMINISTRATOR:
        return ALL_PERMISSIONS
    if channel is None:
        return perms
    overwrites = {ow["id"]: ow for ow in channel.get("permission_overwrites", [])}
    parent_overwrites: dict[str, Any] = {}
    if not overwrites and channel.get("parent_id"):
        parent = next(
            (c for c in guild.get("channels", []) if c["id"] == channel["parent_id"]), None
        )
        if parent:  # synced channels inherit their category's overwrites
            parent_overwrites = {ow["id"]: ow for ow in parent.get("permission_overwrites", [])}
    overwrites = overwrites or parent_overwrites
    ow = overwrites.get(str(guild["id"]))
    if ow:
        perms &= ~int(ow["deny"])
        perms |= int(ow["allow"])
    allow = deny = 0
    for role_id in member_roles:
        ow = overwrites.get(role_id)
        if ow and ow["type"] == 0:
            allow |= int(ow["allow"])
            deny |= int(ow["deny"])
    perms &= ~deny
    perms |= allow
    ow = overwrites.get(str(user_id))
    if ow and ow["type"] == 1:
        perms &= ~int(ow["deny"])
        perms |= int(ow["allow"])
    if not perms & VIEW_CHANNEL:
        return 0
    return perms


# --- the default world ------------------------------------------------------------------------
@dataclass
class World:
    """Everything the stand-in knows about: the bot, its application and its guilds.

    Guild dicts are GUILD_CREATE-shaped (``roles``, ``channels``, ``members`` inside).
    ``names`` maps friendly names (``"owner"``, ``"moderator"``, ``"member"``, ``"bot"``,
    ``"general"``, ``"petitions"``, ``"locked"``, ``"Moderator"`` ...) to snowflakes so tests
    can say ``user="moderator"`` instead of juggling ids.
    """

    bot_user: dict[str, Any]
    app: dict[str, Any]
    guilds: dict[int, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    @property
    def app_id(self) -> int:
        return int(self.app["id"])

    @property
    def guild_id(self) -> int:
        """The first (default) guild."""
        return next(iter(self.guilds))

    def resolve(self, ref: int | str | dict[str, Any]) -> int:
        """Turn a friendly name, snowflake (int/str) or object dict into an int id."""
        if isinstance(ref, dict):
            return int(ref["id"])
        if isinstance(ref, int):
            return ref
        if ref in self.names:
            return self.names[ref]
        if ref.isdigit():
            return int(ref)
        raise KeyError(f"unknown world name {ref!r}; known: {sorted(self.names)}")

    def guild(self, ref: int | str | None = None) -> dict[str, Any]:
        gid = self.guild_id if ref is None else self.resolve(ref)
        return self.guilds[gid]

    def channel(self, ref: int | str | dict) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        cid = str(self.resolve(ref))
        for g in self.guilds.values():
            for c in g["channels"]:
                if c["id"] == cid:
                    return g, c
        raise KeyError(f"unknown channel {ref!r}")

    def member(self, guild: dict[str, Any], ref: int | str | dict) -> dict[str, Any] | None:
        uid = str(self.resolve(ref))
        return next((m for m in guild["members"] if m["user"]["id"] == uid), None)

    def add_user(self, name: str, *, bot: bool = False, user_id: int | None = None) -> dict:
        uid = user_id or snowflake()
        obj = user(uid, name, bot=bot, global_name=name.title())
        self.users[uid] = obj
        self.names[name] = uid
        return obj

    def add_guild(
        self,
        name: str,
        *,
        owner: str = "owner",
        key: str | None = None,
        bot_permissions: int | None = None,
        guild_id: int | None = None,
    ) -> dict[str, Any]:
        """Add a guild with the standard cast: owner, moderator (Manage Server via the
        ``Moderator`` role), member (no extra roles), the bot (managed role), and channels
        ``general``, ``petitions`` (category "Petitions"), ``locked`` (bot can't send).

        For a second guild, pass ``key`` (e.g. ``"other"``) so its names get prefixed
        (``"other:general"``...); the default guild uses bare names.
        """
        prefix = f"{key}:" if key else ""
        gid = guild_id if guild_id is not None else snowflake()
        bot_perms = (
            bot_permissions
            if bot_permissions is not None
            else (
                VIEW_CHANNEL
                | SEND_MESSAGES
                | EMBED_LINKS
                | ATTACH_FILES
                | READ_MESSAGE_HISTORY
                | ADD_REACTIONS
                | USE_EXTERNAL_EMOJIS
                | SEND_MESSAGES_IN_THREADS
            )
        )
        everyone = role(gid, "@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS)
        mod_role_id, bot_role_id, member_role_id = snowflake(), snowflake(), snowflake()
        roles = [
            everyone,
            role(member_role_id, "Petitioner", position=1, permissions=0, mentionable=True),
            role(mod_role_id, "Moderator", position=2, permissions=MANAGE_GUILD | MANAGE_MESSAGES),
            role(
                bot_role_id,
                self.bot_user["username"],
                position=3,
                permissions=bot_perms,
                managed=True,
                tags={"bot_id": self.bot_user["id"]},
            ),
        ]
        cat_id, general_id, petitions_id, locked_id = (snowflake() for _ in range(4))
        channels = [
            category_channel(cat_id, gid, "Petitions", position=0),
            text_channel(general_id, gid, "general", position=0),
            text_channel(petitions_id, gid, "petitions", position=1, parent_id=cat_id),
            text_channel(
                locked_id,
                gid,
                "locked",
                position=2,
                topic="The bot may read but not send here",
                permission_overwrites=[overwrite(bot_role_id, deny=SEND_MESSAGES)],
            ),
        ]
        cast = {}
        for who in ("owner", "moderator", "member"):
            uid = self.names.get(who) or int(self.add_user(who)["id"])
            cast[who] = uid
        members = [
            member(self.users[cast["owner"]]),
            member(self.users[cast["moderator"]], roles=[mod_role_id]),
            member(self.users[cast["member"]], roles=[member_role_id]),
            member(self.bot_user, roles=[bot_role_id]),
        ]
        guild = {
            "id": sid(gid),
            "name": name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": sid(self.names[owner] if owner in self.names else cast["owner"]),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": sid(general_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-GB",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "roles": roles,
            "emojis": [],
            "stickers": [],
            # GUILD_CREATE-only fields
            "joined_at": iso_now(),
            "large": False,
            "unavailable": False,
            "member_count": len(members),
            "members": members,
            "channels": channels,
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
        self.guilds[gid] = guild
        names = {
            "guild": gid,
            "Moderator": mod_role_id,
            "Petitioner": member_role_id,
            "bot_role": bot_role_id,
            "everyone": gid,
            "category": cat_id,
            "general": general_id,
            "petitions": petitions_id,
            "locked": locked_id,
        }
        for k, v in names.items():
            self.names[prefix + k] = v
        return guild


def default_world(*, bot_name: str = "PetitionBot", guild_name: str = "Test Server") -> World:
    bot_id = snowflake()
    bot_user = bot_self_user(bot_id, bot_name)
    owner = user(snowflake(), "owner", global_name="Owner")
    world = World(
        bot_user=bot_user,
        # GATEWAY_PRESENCE_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED
        # | APPLICATION_COMMAND_BADGE: an unverified bot allowed to use privileged intents.
        app=application(
            bot_id, bot_name, owner, flags=(1 << 13) | (1 << 15) | (1 << 19) | (1 << 23)
        ),
    )
    world.users[bot_id] = user(bot_id, bot_name, bot=True)
    world.users[int(owner["id"])] = owner
    world.names.update({"bot": bot_id, "owner": int(owner["id"])})
    world.add_guild(guild_name)
    return world


def public_guild(guild: dict[str, Any]) -> dict[str, Any]:
    """``GET /guilds/{id}`` shape: no GUILD_CREATE-only fields."""
    drop = {
        "members",
        "channels",
        "threads",
        "presences",
        "voice_states",
        "stage_instances",
        "guild_scheduled_events",
        "soundboard_sounds",
        "joined_at",
        "large",
        "unavailable",
        "member_count",
    }
    return {k: v for k, v in guild.items() if k not in drop}
