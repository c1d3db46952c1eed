"""Helpers shared by the end-to-end scenarios (test_scenarios/admin/digest).

Mostly readers of what the bot sent through the stand-in (menus, buttons, footers),
plus the one rule every scenario ends with: no message body may allow a mention.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .fake_discord import FakeDiscord, RecordedRequest, effective_pings
from .fake_discord.recorder import walk_components
from .harness import BotProcess

COMMANDS = [
    "Show petition", "about", "admin", "ask", "constituency", "digest", "follow", "help",
    "leaderboard", "me", "mp", "petition", "unfollow",
]  # fmt: skip
"""Every top-level command the bot registers."""

MESSAGE_ROUTES = frozenset(
    {"interaction_callback", "execute_webhook", "edit_webhook_message", "create_message",
     "edit_message"}
)  # fmt: skip
NO_PINGS = {"everyone": False, "users": set(), "roles": set()}
MANAGE_GUILD = str(1 << 5)


def message_requests(discord: FakeDiscord, since: int = 0) -> list[RecordedRequest]:
    """Every recorded request that carries message text or embeds."""
    return [
        r
        for r in discord.requests(since=since)
        if r.route in MESSAGE_ROUTES and (r.data.get("content") or r.data.get("embeds"))
    ]


def assert_nothing_pings(discord: FakeDiscord, since: int = 0) -> int:
    """Every message body says ``allowed_mentions: {"parse": []}`` and would notify no
    one, and no body broke Discord's contract (400 / 50035); returns how many bodies
    were checked."""
    discord.assert_no_violations(since)
    checked = message_requests(discord, since)
    for req in checked:
        mentions = req.allowed_mentions
        assert mentions is not None, f"no allowed_mentions: {req.summary()} {req.data}"
        assert mentions.get("parse") == [], req.summary()
        assert not mentions.get("users") and not mentions.get("roles"), req.summary()
        assert not mentions.get("replied_user"), req.summary()
        assert effective_pings(req.data) == NO_PINGS, req.summary()
    return len(checked)


def assert_clean_output(bot: BotProcess) -> None:
    """No traceback and no error logged by the bot process."""
    text = bot.output()
    assert "Traceback" not in text, text[-4000:]
    assert " ERROR " not in text, text[-4000:]


def component(message: dict[str, Any], custom_id: str) -> dict[str, Any]:
    for comp in walk_components(message.get("components")):
        if comp.get("custom_id") == custom_id:
            return comp
    raise AssertionError(f"no component {custom_id!r} in {custom_ids(message)}")


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for c in walk_components(message.get("components")) if "custom_id" in c]


def menu(message: dict[str, Any], custom_id: str = "reply:menu") -> list[tuple[str, str]]:
    """(label, value) of a select menu's options."""
    return [(o["label"], o["value"]) for o in component(message, custom_id).get("options", [])]


def buttons(message: dict[str, Any]) -> list[tuple[str, bool]]:
    """(label, disabled) of every button, in order."""
    return [
        (c.get("label", ""), bool(c.get("disabled")))
        for c in walk_components(message.get("components"))
        if c.get("type") == 2
    ]


def button_id(message: dict[str, Any], label: str) -> str:
    for comp in walk_components(message.get("components")):
        if comp.get("type") == 2 and comp.get("label") == label:
            return str(comp["custom_id"])
    raise AssertionError(f"no button {label!r} in {buttons(message)}")


def embed(message: dict[str, Any], index: int = 0) -> dict[str, Any]:
    embeds = message.get("embeds") or []
    assert len(embeds) > index, message
    return embeds[index]


def footer(message: dict[str, Any], index: int = 0) -> str:
    return str((embed(message, index).get("footer") or {}).get("text", ""))


def field(message: dict[str, Any], name: str, index: int = 0) -> str:
    for item in embed(message, index).get("fields") or []:
        if item.get("name") == name:
            return str(item.get("value", ""))
    names = [f.get("name") for f in embed(message, index).get("fields") or []]
    raise AssertionError(f"no field {name!r}; fields: {names}")


def is_ephemeral(message: dict[str, Any]) -> bool:
    return bool(int(message.get("flags") or 0) & 64)


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read the bot's database file from the test (WAL lets us read while it runs)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
