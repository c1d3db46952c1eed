"""/digest: runtime checks, the commands' replies, Discord errors, and the tick loop."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.checks import MANAGER_ONLY
from bot.settings import Settings
from cogs.digest import Digest
from core.common.errors import UserFacingError
from core.ingest.models import Petition
from db import digests as repo
from db.database import Database
from tests import helpers as h
from tests.digest_support import BASE, OFSTED, ingest_at, seeds
from tests.support import variant

HOUR = timedelta(hours=1)
NINE = BASE + 9 * HOUR
MANAGER = h.mock_member(2, "manager")
OWNER = h.mock_member(1, "owner")
NOBODY = h.mock_member(4, "nobody")
SUBCOMMANDS = ("setup", "show", "preview", "post-now", "pause", "resume", "disable")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def env(
    loaded_db_path: Path, tmp_path: Path
) -> AsyncIterator[tuple[Digest, Any, Any, Clock]]:
    db = await Database.open(loaded_db_path)
    settings = Settings(database_path=loaded_db_path, data_dir=tmp_path, digest_tick_seconds=0.01)
    channel = h.mock_channel(500, h.mock_guild(1))
    bot = await h.mock_bot(db, settings, owners={OWNER.id}, channels={500: channel})
    cog = Digest(bot)  # type: ignore[arg-type]
    clock = Clock(BASE)
    cog.runner.clock = clock
    try:
        yield cog, bot, channel, clock
    finally:
        cog.ticker.cancel()
        await db.close()


def command(cog: Digest, name: str) -> app_commands.Command[Any, Any, Any]:
    found = next(c for c in cog.walk_app_commands() if c.qualified_name == f"digest {name}")
    assert isinstance(found, app_commands.Command)
    return found


async def run(cog: Digest, name: str, interaction: Any, **kwargs: Any) -> None:
    """Checks first, then the callback, as discord.py does."""
    cmd = command(cog, name)
    interaction.command = cmd
    await cmd._check_can_run(interaction)  # type: ignore[arg-type]
    await cmd.callback(cog, interaction, **kwargs)  # type: ignore[arg-type]


def manager(bot: Any) -> Any:
    return h.mock_interaction(bot, OWNER, permissions=discord.Permissions(manage_guild=True))


async def set_up(cog: Digest, bot: Any, channel: Any, **extra: Any) -> Any:
    interaction = manager(bot)
    await run(
        cog, "setup", interaction, channel=channel, time="09:00", timezone="Europe/London", **extra
    )
    return interaction


def audit_rows(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT user_id, guild_id, action, result FROM audit_log ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_every_subcommand_is_checked_at_runtime(env: Any) -> None:
    cog = env[0]
    group = cog.app_command
    assert group.guild_only is True
    assert group.default_permissions == discord.Permissions(manage_guild=True)
    for name in SUBCOMMANDS:
        checks = command(cog, name).checks
        owners = [c for c in checks if c.__qualname__.startswith("server_manager_only")]
        assert len(owners) == 1, name


async def test_non_managers_are_refused(env: Any) -> None:
    cog, bot, _, _ = env
    for name in SUBCOMMANDS:
        interaction = h.mock_interaction(bot, NOBODY)  # no Manage Server, no moderator role
        with pytest.raises(app_commands.CheckFailure, match=MANAGER_ONLY):
            await run(cog, name, interaction)
    assert await repo.get_config(bot.db, 1) is None


async def test_setup_and_show(env: Any, loaded_db_path: Path) -> None:
    cog, bot, channel, clock = env
    clock.now = BASE + 10 * HOUR
    interaction = await set_up(cog, bot, channel, min_signatures=1000, thresholds="50000")
    [reply] = h.replies(interaction)
    assert reply["ephemeral"] is True
    assert reply["content"] == (
        "Digest set up: Daily at 09:00 (Europe/London) in <#500>. Next post "
        f"<t:{int((NINE + 24 * HOUR).timestamp())}:F>, covering changes from "
        f"<t:{int((BASE + 10 * HOUR).timestamp())}:f> on. "
        "`/digest preview` shows what it would contain so far."
    )
    config = await repo.get_config(bot.db, 1)
    assert config is not None
    assert (config.channel_id, config.min_signatures, config.extra_thresholds) == (
        500,
        1000,
        (50_000,),
    )
    assert audit_rows(loaded_db_path) == [(OWNER.id, 1, "digest setup", "created")]

    shown = manager(bot)
    await run(cog, "show", shown)
    [reply] = h.replies(shown)
    (embed,) = reply["embeds"]
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Status"] == "✅ Enabled"
    assert fields["Next post"] == "Thu 02 Jan 2031 09:00"
    assert reply["allowed_mentions"].everyone is False


async def test_setup_refuses_bad_input(env: Any) -> None:
    cog, bot, channel, _ = env
    with pytest.raises(UserFacingError, match="not a time"):
        await run(cog, "setup", manager(bot), channel=channel, time="9am", timezone="Europe/London")
    with pytest.raises(UserFacingError, match="time zone"):
        await run(cog, "setup", manager(bot), channel=channel, time="09:00", timezone="London")
    mute = h.mock_channel(501, channel.guild, permissions=discord.Permissions(view_channel=True))
    h.channels_of(bot)[501] = mute
    with pytest.raises(UserFacingError) as refused:
        await run(cog, "setup", manager(bot), channel=mute, time="09:00", timezone="UTC")
    assert str(refused.value) == (
        "I can't post the digest in <#501>: I need Send Messages, Embed Links there."
    )
    assert await repo.get_config(bot.db, 1) is None


async def test_timezone_autocomplete(env: Any) -> None:
    complete = command(env[0], "setup")._params["timezone"].autocomplete
    choices = await complete(manager(env[1]), "new_y")
    assert [c.value for c in choices] == ["America/New_York"]


async def test_tick_posts_without_pings(env: Any, seed_paths: list[Path]) -> None:
    cog, bot, channel, clock = env
    await set_up(cog, bot, channel)
    seed: dict[int, Petition] = seeds(seed_paths)
    ingest_at(bot.db.path, [variant(seed[OFSTED], hours=1, extra=100)], BASE + HOUR)
    clock.now = NINE
    await cog._tick()
    [message] = h.posted(channel)
    assert message["allowed_mentions"].everyone is False
    assert message["allowed_mentions"].users is False
    assert message["allowed_mentions"].roles is False
    assert [e.title for e in message["embeds"]] == [
        "Petition digest · 01 Jan 2031",
        "📈 Biggest movers",
    ]
    await cog._tick()
    assert len(h.posted(channel)) == 1


async def test_lost_permission_disables_and_shows_why(env: Any, loaded_db_path: Path) -> None:
    cog, bot, channel, clock = env
    await set_up(cog, bot, channel, quiet=True)
    channel.send.side_effect = h.http_error(discord.Forbidden, 403, 50013, "Missing Permissions")
    clock.now = NINE
    await cog._tick()
    config = await repo.get_config(bot.db, 1)
    assert config is not None
    reason = "lost permission to post in channel 500 (Missing Permissions)"
    assert (config.status, config.disabled_reason) == ("disabled", reason)
    assert audit_rows(loaded_db_path)[-1] == (
        None,
        1,
        "digest disabled",
        f"disabled by the bot: {reason}",
    )
    shown = manager(bot)
    await run(cog, "show", shown)
    fields = {f.name: f.value for f in h.replies(shown)[0]["embeds"][0].fields}
    assert fields["Status"] == f"⛔ Disabled: {reason}"
    assert fields["Recent periods"].splitlines()[1] == f"↳ {reason}"


async def test_permissions_are_checked_before_posting(env: Any, loaded_db_path: Path) -> None:
    cog, bot, channel, clock = env
    await set_up(cog, bot, channel, quiet=True)
    no_embeds = discord.Permissions(view_channel=True, send_messages=True)
    channel.permissions_for.return_value = no_embeds
    clock.now = NINE
    await cog._tick()
    assert h.posted(channel) == []
    config = await repo.get_config(bot.db, 1)
    assert config is not None
    assert (config.status, config.disabled_reason) == (
        "disabled",
        "lost permission to post in channel 500 (missing Embed Links)",
    )
    assert audit_rows(loaded_db_path)[-1][2] == "digest disabled"


async def test_deleted_channel_disables(env: Any) -> None:
    cog, bot, channel, clock = env
    await set_up(cog, bot, channel, quiet=True)
    del h.channels_of(bot)[500]
    clock.now = NINE
    await cog._tick()
    config = await repo.get_config(bot.db, 1)
    assert config is not None
    assert (config.status, config.disabled_reason) == (
        "disabled",
        "channel 500 was deleted or is no longer visible",
    )


async def test_post_now_preview_and_status_commands(env: Any, seed_paths: list[Path]) -> None:
    cog, bot, channel, clock = env
    await set_up(cog, bot, channel)
    seed: dict[int, Petition] = seeds(seed_paths)
    ingest_at(bot.db.path, [variant(seed[OFSTED], hours=24, extra=2_000)], BASE + HOUR)
    clock.now = BASE + 2 * HOUR

    preview = manager(bot)
    await run(cog, "preview", preview)
    assert h.responses(preview) == [("defer", {"ephemeral": True, "thinking": True})]
    [shown] = h.followups(preview)
    assert shown["ephemeral"] is True
    assert shown["content"].startswith("**Preview** (only you can see this). Next digest: ")
    assert "+2,000 signatures (+4.1%) since the count of 2024-01-04" in "\n".join(
        e.description or "" for e in shown["embeds"]
    )
    assert h.posted(channel) == []

    posted = manager(bot)
    await run(cog, "post-now", posted)
    assert h.followups(posted)[-1]["content"] == "Posted 1 item(s) in <#500> (1 message(s))."
    assert len(h.posted(channel)) == 1

    again = manager(bot)
    await run(cog, "preview", again)
    assert h.followups(again)[0]["content"].endswith(
        "So far it would be no post (nothing changed so far)."
    )

    for name, expected in [
        ("pause", "Digest paused. `/digest resume` starts it again from then."),
        ("disable", "Digest disabled. `/digest resume` or `/digest setup` turns it back on."),
    ]:
        interaction = manager(bot)
        await run(cog, name, interaction)
        assert h.replies(interaction)[0]["content"] == expected
    resumed = manager(bot)
    await run(cog, "resume", resumed)
    assert h.replies(resumed)[0]["content"].startswith(
        "Digest resumed: Daily at 09:00 (Europe/London) in <#500>, next post <t:"
    )
    assert [row[2] for row in audit_rows(bot.db.path)] == [
        "digest setup",
        "digest post-now",
        "digest pause",
        "digest disable",
        "digest resume",
    ]


async def test_the_loop_ticks_at_the_configured_interval_and_posts_once(env: Any) -> None:
    cog, bot, channel, clock = env
    await set_up(cog, bot, channel, quiet=True)
    clock.now = NINE
    await cog.cog_load()
    assert cog.ticker.seconds == 0.01
    for _ in range(500):
        if h.posted(channel):
            break
        await asyncio.sleep(0.01)
    assert len(h.posted(channel)) == 1
    # Many more ticks at the same moment: still exactly one post.
    ticks = cog.ticker.current_loop
    for _ in range(500):
        if cog.ticker.current_loop >= ticks + 5:
            break
        await asyncio.sleep(0.01)
    assert cog.ticker.current_loop >= ticks + 5
    assert len(h.posted(channel)) == 1
    await cog.cog_unload()
