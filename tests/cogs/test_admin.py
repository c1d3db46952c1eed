"""/admin: runtime permission checks, ingest of uploads, confirmation, audit rows."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from unittest import mock

import discord
import pytest
from discord import app_commands

from bot.checks import MANAGE_SERVER_ONLY, MANAGER_ONLY, OWNER_ONLY
from bot.settings import Settings
from cogs.admin import Admin
from core.common.errors import UserFacingError
from core.ingest.writer import render_document
from db.database import Database
from db.guild_settings import get_config, update_config
from tests import helpers as h
from tests.db import seat_rows
from tests.support import dump_data, seed_petition, variant

OWNER = h.mock_member(1, "owner")
MANAGER = h.mock_member(2, "manager")
MODERATOR = h.mock_member(3, "mod", roles=[h.mock_role(77)])
NOBODY = h.mock_member(4, "nobody")
MANAGE = discord.Permissions(manage_guild=True)


@pytest.fixture
async def admin(db: Database, tmp_path: Path) -> AsyncIterator[tuple[Admin, Any]]:
    settings = Settings(database_path=db.path, data_dir=tmp_path / "data", max_upload_bytes=10**7)
    fake = await h.mock_bot(db, settings, owners={OWNER.id})
    yield Admin(fake), fake  # type: ignore[arg-type]


def command(cog: Admin, name: str) -> app_commands.Command[Any, Any, Any]:
    found = next(c for c in cog.walk_app_commands() if c.qualified_name == f"admin {name}")
    assert isinstance(found, app_commands.Command)
    return found


async def invoke(cog: Admin, name: str, interaction: Any, **kwargs: Any) -> Any:
    """Run the command like discord.py does: checks first, then the callback."""
    cmd = command(cog, name)
    interaction.command = cmd
    interaction.namespace.__dict__.update(kwargs)
    try:
        await cmd._check_can_run(interaction)  # type: ignore[arg-type]
    except app_commands.AppCommandError as error:
        await cog.cog_app_command_error(interaction, error)  # type: ignore[arg-type]
        raise
    await cmd.callback(cog, interaction, **kwargs)  # type: ignore[arg-type]
    return interaction


def audit_rows(db_path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT user_id, guild_id, action, result, scope FROM audit_log ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# ---------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("user", "permissions"),
    [(NOBODY, discord.Permissions.none()), (MANAGER, MANAGE), (MODERATOR, discord.Permissions())],
    ids=["no-permission", "manage-server-is-not-owner", "moderator-is-not-owner"],
)
async def test_global_data_commands_refuse_non_owners(
    admin: tuple[Admin, Any], user: Any, permissions: discord.Permissions
) -> None:
    cog, fake = admin
    await update_config(fake.db, 1, moderator_role_id=77)
    for name, kwargs in [
        ("ingest", {"file": h.mock_attachment("x.md", b"")}),
        ("reload", {}),
        ("remove", {"petition": "652057"}),
        ("sync", {}),
    ]:
        interaction = h.mock_interaction(fake, user, permissions=permissions)
        with pytest.raises(app_commands.CheckFailure, match="Only the bot's owners"):
            await invoke(cog, name, interaction, **kwargs)
        assert h.responses(interaction) == []  # nothing ran
    rows = audit_rows(fake.db.path)
    assert [r[2] for r in rows] == ["admin ingest", "admin reload", "admin remove", "admin sync"]
    assert all(r[3] == f"refused: {OWNER_ONLY}" and r[0] == user.id for r in rows)


async def test_bypassed_default_permissions_is_still_refused(admin: tuple[Admin, Any]) -> None:
    """The client hid /admin, but a server owner's override let the interaction through."""
    cog, fake = admin
    interaction = h.mock_interaction(fake, NOBODY, permissions=discord.Permissions.none())
    with pytest.raises(app_commands.CheckFailure, match=re.escape(MANAGE_SERVER_ONLY)):
        await invoke(cog, "modrole set", interaction, role=h.mock_role(9))
    assert (await get_config(fake.db, 1)).moderator_role_id is None
    with pytest.raises(app_commands.CheckFailure, match=MANAGER_ONLY):
        await invoke(cog, "stats", h.mock_interaction(fake, NOBODY))


async def test_moderators_cannot_change_the_moderator_role_or_the_audit_log(
    admin: tuple[Admin, Any],
) -> None:
    """Only Manage Server hands out moderation: the role itself is not enough."""
    cog, fake = admin
    await update_config(fake.db, 1, moderator_role_id=77)
    moderator = h.mock_interaction(fake, MODERATOR, permissions=discord.Permissions.none())
    await invoke(cog, "stats", moderator)  # a moderator may do moderator things
    for name, kwargs in [
        ("modrole set", {"role": h.mock_role(78)}),
        ("modrole clear", {}),
        ("auditlog channel", {"channel": h.mock_channel(556)}),
        ("auditlog off", {}),
    ]:
        interaction = h.mock_interaction(fake, MODERATOR, permissions=discord.Permissions.none())
        with pytest.raises(app_commands.CheckFailure, match=re.escape(MANAGE_SERVER_ONLY)):
            await invoke(cog, name, interaction, **kwargs)
    config = await get_config(fake.db, 1)
    assert (config.moderator_role_id, config.audit_channel_id) == (77, None)


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        (h.mock_role(1, "@everyone"), "every member has it"),
        (h.mock_role(88, "Server Booster", managed=True), "managed by a bot"),
    ],
)
async def test_everyone_and_managed_roles_are_refused(
    admin: tuple[Admin, Any], role: Any, reason: str
) -> None:
    cog, fake = admin
    interaction = h.mock_interaction(fake, MANAGER, permissions=MANAGE)
    with pytest.raises(UserFacingError, match=reason):
        await invoke(cog, "modrole set", interaction, role=role)
    assert (await get_config(fake.db, 1)).moderator_role_id is None


async def test_a_moderator_role_equal_to_the_server_id_makes_nobody_a_moderator(
    admin: tuple[Admin, Any],
) -> None:
    """A database from before the rule may hold @everyone: it grants nothing."""
    cog, fake = admin
    await update_config(fake.db, 1, moderator_role_id=1)
    member = h.mock_member(5, "anyone", roles=[h.mock_role(1, "@everyone")])
    with pytest.raises(app_commands.CheckFailure, match=MANAGER_ONLY):
        await invoke(cog, "stats", h.mock_interaction(fake, member))


async def test_redirecting_the_audit_channel_is_announced_in_both(
    admin: tuple[Admin, Any],
) -> None:
    cog, fake = admin
    old, new = h.mock_channel(555, name="old"), h.mock_channel(556, name="new")
    h.channels_of(fake).update({555: old, 556: new})
    await update_config(fake.db, 1, audit_channel_id=555)
    manager = h.mock_interaction(fake, MANAGER, permissions=MANAGE)
    await invoke(cog, "auditlog channel", manager, channel=new)
    for channel in (old, new):
        assert "auditlog channel" in h.posted(channel)[-1]["embeds"][0].title
    assert (await get_config(fake.db, 1)).audit_channel_id == 556


async def test_direct_messages_are_refused(admin: tuple[Admin, Any]) -> None:
    cog, fake = admin
    for name, kwargs in [("stats", {}), ("reload", {})]:
        interaction = h.mock_interaction(fake, OWNER, guild_id=None)
        with pytest.raises(app_commands.NoPrivateMessage):
            await invoke(cog, name, interaction, **kwargs)


# ---------------------------------------------------------------- acceptance
@pytest.mark.parametrize(
    ("user", "permissions"),
    [(OWNER, discord.Permissions.none()), (MANAGER, MANAGE), (MODERATOR, discord.Permissions())],
    ids=["owner", "manage-server", "moderator-role"],
)
async def test_server_settings_accept_managers(
    admin: tuple[Admin, Any], user: Any, permissions: discord.Permissions
) -> None:
    cog, fake = admin
    await update_config(fake.db, 1, moderator_role_id=77)
    interaction = h.mock_interaction(fake, user, permissions=permissions)
    await invoke(cog, "stats", interaction)
    kind, sent = h.responses(interaction)[0]
    assert kind == "send_message" and sent["ephemeral"] is True
    assert sent["allowed_mentions"].to_dict()["parse"] == []


async def test_server_actions_are_posted_to_the_audit_channel(
    admin: tuple[Admin, Any],
) -> None:
    cog, fake = admin
    channel = h.mock_channel(555, name="audit")
    h.channels_of(fake)[555] = channel
    await invoke(
        cog,
        "auditlog channel",
        h.mock_interaction(fake, MANAGER, permissions=MANAGE),
        channel=channel,
    )
    await invoke(
        cog,
        "modrole set",
        h.mock_interaction(fake, MANAGER, permissions=MANAGE),
        role=h.mock_role(77, "mods"),
    )
    assert (await get_config(fake.db, 1)).moderator_role_id == 77
    # The second action lands in the audit channel, without any possible ping.
    posted = h.posted(channel)[-1]
    assert posted["allowed_mentions"].to_dict()["parse"] == []
    assert "modrole set" in posted["embeds"][0].title
    rows = audit_rows(fake.db.path)
    assert [r[2:] for r in rows] == [
        ("auditlog channel", "ok", "server"),
        ("modrole set", "ok", "server"),
    ]


async def test_stats_for_a_manager(admin: tuple[Admin, Any]) -> None:
    cog, fake = admin
    interaction = await invoke(cog, "stats", h.mock_interaction(fake, MANAGER, permissions=MANAGE))
    embed = h.responses(interaction)[0][1]["embeds"][0]
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Petitions"] == "3"
    assert fields["Constituencies"] == "650"
    assert fields["Gateway latency"] == "42 ms"
    assert fields["Shards 0 of 1 (this process)"] == "0: 42 ms"
    assert fields["Uptime"] == "1h 2m 5s"
    assert "discord.py" in embed.footer.text


async def test_stats_show_this_processs_shards_and_each_ones_latency(
    admin: tuple[Admin, Any],
) -> None:
    from core.common.shards import ShardPlan

    cog, fake = admin
    fake.shard_plan = ShardPlan((4, 5, 6), 8)
    fake.latencies = [(4, 0.0314), (5, 0.1)]  # shard 6 has not had its first heartbeat ACK
    interaction = await invoke(cog, "stats", h.mock_interaction(fake, MANAGER, permissions=MANAGE))
    embed = h.responses(interaction)[0][1]["embeds"][0]
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Shards 4-6 of 8 (this process)"] == "4: 31 ms · 5: 100 ms · 6: —"


# ---------------------------------------------------------------- ingest
async def test_owner_ingests_a_good_zip(admin: tuple[Admin, Any], seed_paths: list[Path]) -> None:
    cog, fake = admin
    newer = variant(seed_petition(seed_paths[0]), hours=2, extra=10)
    upload = h.mock_attachment("batch.zip", zip_of({"a/newer.md": render_document(newer).encode()}))
    resolver = fake.services.resolver
    refresh = mock.AsyncMock(wraps=resolver.refresh)
    resolver.refresh = refresh
    interaction = await invoke(cog, "ingest", h.mock_interaction(fake, OWNER), file=upload)
    assert h.responses(interaction)[0][0] == "defer"
    embed = h.followups(interaction)[0]["embeds"][0]
    assert "1 file: 1 updated" in embed.description
    assert refresh.await_count == 1
    assert audit_rows(fake.db.path)[-1][2:] == ("admin ingest", "1 file: 1 updated", "global")


async def test_bad_zip_leaves_database_unchanged(admin: tuple[Admin, Any]) -> None:
    cog, fake = admin
    before = dump_data(fake.db.path, exclude=("ingest_log", "audit_log"))
    upload = h.mock_attachment(
        "bad.zip",
        zip_of({"x.md": b"# Title\n\n### Background\n\nx\n", "img.png": b"\x89PNG", "e.md": b""}),
    )
    interaction = await invoke(cog, "ingest", h.mock_interaction(fake, OWNER), file=upload)
    embed = h.followups(interaction)[0]["embeds"][0]
    assert "3 files: 3 rejected" in embed.description
    problems = embed.fields[0].value
    assert "bad.zip/x.md:5:" in problems.replace("\\", "")
    assert "not a petition document type" in problems
    assert dump_data(fake.db.path, exclude=("ingest_log", "audit_log")) == before


async def test_mixed_zip_keeps_good_and_rejects_bad(
    admin: tuple[Admin, Any], seed_paths: list[Path]
) -> None:
    cog, fake = admin
    seed = seed_petition(seed_paths[1])
    good = variant(seed, hours=3, extra=5)
    text = render_document(variant(seed_petition(seed_paths[2]), hours=3, extra=5))
    truncated = text[: text.index("### Signatures by Constituency") + 200]
    upload = h.mock_attachment(
        "mixed.zip",
        zip_of({"good.md": render_document(good).encode(), "bad.md": truncated.encode()}),
    )
    conn = seat_rows.connect(fake.db.path)
    bad_before = conn.execute(
        "SELECT * FROM constituency_counts WHERE petition_id = 575833 ORDER BY constituency_id"
    ).fetchall()
    interaction = await invoke(cog, "ingest", h.mock_interaction(fake, OWNER), file=upload)
    assert "2 files: 1 updated, 1 rejected" in h.followups(interaction)[0]["embeds"][0].description
    assert conn.execute("SELECT total_signatures FROM petitions WHERE id = 607849").fetchone() == (
        26709,
    )
    assert (
        seat_rows.expand(conn)
        .execute(
            "SELECT * FROM constituency_counts WHERE petition_id = 575833 ORDER BY constituency_id"
        )
        .fetchall()
        == bad_before
    )
    conn.close()


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [("notes.pdf", 10, "not a petition document"), ("big.zip", 10**8, "the limit is")],
)
async def test_upload_refused_before_download(
    admin: tuple[Admin, Any], name: str, size: int, message: str
) -> None:
    cog, fake = admin

    unreadable = h.mock_attachment(name, b"")
    unreadable.size = size
    unreadable.read.side_effect = AssertionError("must not download")
    with pytest.raises(UserFacingError, match=message):
        await invoke(cog, "ingest", h.mock_interaction(fake, OWNER), file=unreadable)


# ---------------------------------------------------------------- remove + confirmation
async def test_remove_needs_the_invokers_confirmation(admin: tuple[Admin, Any]) -> None:
    cog, fake = admin
    interaction = h.mock_interaction(fake, OWNER)
    task = asyncio.create_task(invoke(cog, "remove", interaction, petition="652057"))
    for _ in range(500):  # the command awaits the prompt being sent
        if h.responses(interaction):
            break
        await asyncio.sleep(0.01)
    view = h.responses(interaction)[0][1]["view"]
    stranger = h.mock_interaction(fake, MANAGER, permissions=MANAGE)
    assert await view.interaction_check(stranger) is False
    assert "Only the person who ran this command" in h.responses(stranger)[0][1]["content"]
    assert await view.interaction_check(interaction) is True
    click = h.mock_interaction(fake, OWNER)
    await view.confirm.callback(click)
    await asyncio.wait_for(task, 5)
    conn = seat_rows.connect(fake.db.path)
    assert conn.execute("SELECT count(*) FROM petitions WHERE id = 652057").fetchone() == (0,)
    assert conn.execute(
        "SELECT count(*) FROM constituency_counts WHERE petition_id = 652057"
    ).fetchone() == (0,)
    conn.close()
    assert audit_rows(fake.db.path)[-1][2:] == ("admin remove", "removed", "global")


async def test_remove_times_out_and_changes_nothing(
    admin: tuple[Admin, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cog, fake = admin
    import bot.confirm

    original = bot.confirm.ConfirmView.__init__

    def quick(self: Any, invoker_id: int, *, timeout: float = 60.0) -> None:
        original(self, invoker_id, timeout=0.05)

    monkeypatch.setattr(bot.confirm.ConfirmView, "__init__", quick)
    before = dump_data(fake.db.path, exclude=("ingest_log", "audit_log"))
    interaction = await invoke(cog, "remove", h.mock_interaction(fake, OWNER), petition="652057")
    view = h.responses(interaction)[0][1]["view"]
    assert all(item.disabled for item in view.children)
    prompt = interaction.original_response.return_value
    assert prompt.edit.await_args.kwargs["content"] == "Timed out; nothing changed."
    assert dump_data(fake.db.path, exclude=("ingest_log", "audit_log")) == before
    assert audit_rows(fake.db.path)[-1][2:] == ("admin remove", "timed out", "global")


async def test_owner_sync_forces_a_resync(admin: tuple[Admin, Any]) -> None:
    cog, fake = admin
    await invoke(cog, "sync", h.mock_interaction(fake, OWNER))
    fake.sync_commands_if_changed.assert_awaited_once_with(force=True)


async def test_heavy_commands_have_a_cooldown(admin: tuple[Admin, Any]) -> None:
    cog, fake = admin
    moment = discord.utils.utcnow()
    fake.settings.data_dir.mkdir(parents=True, exist_ok=True)
    await invoke(cog, "reload", h.mock_interaction(fake, OWNER, created_at=moment))
    with pytest.raises(app_commands.CommandOnCooldown):
        await invoke(cog, "reload", h.mock_interaction(fake, OWNER, created_at=moment))
