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

import discord
import pytest
from discord import app_commands

from bot.checks import MANAGE_SERVER_ONLY, OWNER_ONLY
from bot.settings import Settings
from cogs.admin import Admin
from core.common.errors import UserFacingError
from core.ingest.writer import render_document
from db.database import Database
from db.guild_settings import get_config, update_config
from tests.cogs.admin_fakes import (
    FakeAttachment,
    FakeBot,
    FakeChannel,
    FakeInteraction,
    FakeMember,
    FakeRole,
)
from tests.support import dump_data, seed_petition, variant

OWNER = FakeMember(1, "owner")
MANAGER = FakeMember(2, "manager")
MODERATOR = FakeMember(3, "mod", roles=[FakeRole(77)])
NOBODY = FakeMember(4, "nobody")
MANAGE = discord.Permissions(manage_guild=True)


@pytest.fixture
async def admin(db: Database, tmp_path: Path) -> AsyncIterator[tuple[Admin, FakeBot]]:
    settings = Settings(database_path=db.path, data_dir=tmp_path / "data", max_upload_bytes=10**7)
    fake = FakeBot(db, settings, owners={OWNER.id})
    yield Admin(fake), fake  # type: ignore[arg-type]


def command(cog: Admin, name: str) -> app_commands.Command[Any, Any, Any]:
    found = next(c for c in cog.walk_app_commands() if c.qualified_name == f"admin {name}")
    assert isinstance(found, app_commands.Command)
    return found


async def invoke(
    cog: Admin, name: str, interaction: FakeInteraction, **kwargs: Any
) -> FakeInteraction:
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
    admin: tuple[Admin, FakeBot], user: FakeMember, permissions: discord.Permissions
) -> None:
    cog, fake = admin
    await update_config(fake.db, 1, moderator_role_id=77)
    for name, kwargs in [
        ("ingest", {"file": FakeAttachment("x.md", b"")}),
        ("reload", {}),
        ("remove", {"petition": "652057"}),
        ("sync", {}),
    ]:
        interaction = FakeInteraction(fake, user, permissions=permissions)
        with pytest.raises(app_commands.CheckFailure, match="Only the bot's owners"):
            await invoke(cog, name, interaction, **kwargs)
        assert interaction.response.calls == []  # nothing ran
    rows = audit_rows(fake.db.path)
    assert [r[2] for r in rows] == ["admin ingest", "admin reload", "admin remove", "admin sync"]
    assert all(r[3] == f"refused: {OWNER_ONLY}" and r[0] == user.id for r in rows)


async def test_bypassed_default_permissions_is_still_refused(admin: tuple[Admin, FakeBot]) -> None:
    """The client hid /admin, but a server owner's override let the interaction through."""
    cog, fake = admin
    interaction = FakeInteraction(fake, NOBODY, permissions=discord.Permissions.none())
    with pytest.raises(app_commands.CheckFailure, match=re.escape(MANAGE_SERVER_ONLY)):
        await invoke(cog, "modrole set", interaction, role=FakeRole(9))
    assert (await get_config(fake.db, 1)).moderator_role_id is None


async def test_direct_messages_are_refused(admin: tuple[Admin, FakeBot]) -> None:
    cog, fake = admin
    for name, kwargs in [("stats", {}), ("reload", {})]:
        interaction = FakeInteraction(fake, OWNER, guild_id=None)
        with pytest.raises(app_commands.NoPrivateMessage):
            await invoke(cog, name, interaction, **kwargs)


# ---------------------------------------------------------------- acceptance
async def test_server_settings_accept_managers(admin: tuple[Admin, FakeBot]) -> None:
    cog, fake = admin
    await update_config(fake.db, 1, moderator_role_id=77)
    interaction = FakeInteraction(fake, MANAGER, permissions=MANAGE)
    await invoke(cog, "auditlog channel", interaction, channel=FakeChannel(555))
    assert (await get_config(fake.db, 1)).audit_channel_id == 555
    kind, sent = interaction.response.calls[0]
    assert kind == "send_message" and sent["ephemeral"] is True
    assert sent["allowed_mentions"].to_dict()["parse"] == []


@pytest.mark.parametrize(
    ("user", "permissions"),
    [(OWNER, discord.Permissions.none()), (MODERATOR, discord.Permissions())],
    ids=["bot-owner", "moderator-role"],
)
async def test_only_manage_server_changes_who_moderates_and_the_audit_log(
    admin: tuple[Admin, FakeBot], user: FakeMember, permissions: discord.Permissions
) -> None:
    """A moderator could once replace the moderator role or redirect the audit log."""
    cog, fake = admin
    await update_config(fake.db, 1, moderator_role_id=77, audit_channel_id=555)
    for name, kwargs in [
        ("modrole set", {"role": FakeRole(78)}),
        ("modrole clear", {}),
        ("auditlog channel", {"channel": FakeChannel(556)}),
        ("auditlog off", {}),
    ]:
        interaction = FakeInteraction(fake, user, permissions=permissions)
        with pytest.raises(app_commands.CheckFailure, match=re.escape(MANAGE_SERVER_ONLY)):
            await invoke(cog, name, interaction, **kwargs)
    config = await get_config(fake.db, 1)
    assert (config.moderator_role_id, config.audit_channel_id) == (77, 555)
    # The moderator role still manages the rest (stats here).
    await invoke(cog, "stats", FakeInteraction(fake, MODERATOR))


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (FakeRole(1, "@everyone"), "every member has it"),
        (FakeRole(90, "Server Booster", managed=True), "managed by a bot or an integration"),
    ],
    ids=["default-role", "managed-role"],
)
async def test_moderator_role_refuses_everyone_and_managed_roles(
    admin: tuple[Admin, FakeBot], role: FakeRole, message: str
) -> None:
    cog, fake = admin
    with pytest.raises(UserFacingError, match=message):
        interaction = FakeInteraction(fake, MANAGER, permissions=MANAGE)
        await invoke(cog, "modrole set", interaction, role=role)
    assert (await get_config(fake.db, 1)).moderator_role_id is None


async def test_a_stored_everyone_role_makes_nobody_a_moderator(
    admin: tuple[Admin, FakeBot],
) -> None:
    """A database from before the rule may hold the default role (id = the server's id)."""
    cog, fake = admin
    await update_config(fake.db, 1, moderator_role_id=1)
    everyone = FakeMember(9, "anyone", roles=[FakeRole(1, "@everyone")])
    with pytest.raises(app_commands.CheckFailure):
        await invoke(cog, "stats", FakeInteraction(fake, everyone))


async def test_redirecting_the_audit_log_is_announced_in_both_channels(
    admin: tuple[Admin, FakeBot],
) -> None:
    cog, fake = admin
    old, new = FakeChannel(555), FakeChannel(556)
    fake.channels.update({555: old, 556: new})
    await update_config(fake.db, 1, audit_channel_id=555)
    await invoke(
        cog, "auditlog channel", FakeInteraction(fake, MANAGER, permissions=MANAGE), channel=new
    )
    assert (await get_config(fake.db, 1)).audit_channel_id == 556
    for channel in (old, new):
        assert len(channel.sent) == 1
        assert "auditlog channel" in channel.sent[0]["embed"].title


async def test_server_actions_are_posted_to_the_audit_channel(
    admin: tuple[Admin, FakeBot],
) -> None:
    cog, fake = admin
    channel = FakeChannel(555)
    fake.channels[555] = channel
    await invoke(
        cog, "auditlog channel", FakeInteraction(fake, MANAGER, permissions=MANAGE), channel=channel
    )
    await invoke(
        cog,
        "modrole set",
        FakeInteraction(fake, MANAGER, permissions=MANAGE),
        role=FakeRole(77, "@everyone"),
    )
    assert (await get_config(fake.db, 1)).moderator_role_id == 77
    # The second action lands in the audit channel, without any possible ping.
    posted = channel.sent[-1]
    assert posted["allowed_mentions"].to_dict()["parse"] == []
    assert "modrole set" in posted["embed"].title
    rows = audit_rows(fake.db.path)
    assert [r[2:] for r in rows] == [
        ("auditlog channel", "ok", "server"),
        ("modrole set", "ok", "server"),
    ]


async def test_stats_for_a_manager(admin: tuple[Admin, FakeBot]) -> None:
    cog, fake = admin
    interaction = await invoke(cog, "stats", FakeInteraction(fake, MANAGER, permissions=MANAGE))
    embed = interaction.response.calls[0][1]["embeds"][0]
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Petitions"] == "3"
    assert fields["Constituencies"] == "650"
    assert fields["Gateway latency"] == "42 ms"
    assert fields["Uptime"] == "1h 2m 5s"
    assert "discord.py" in embed.footer.text


# ---------------------------------------------------------------- ingest
async def test_owner_ingests_a_good_zip(
    admin: tuple[Admin, FakeBot], seed_paths: list[Path]
) -> None:
    cog, fake = admin
    newer = variant(seed_petition(seed_paths[0]), hours=2, extra=10)
    upload = FakeAttachment("batch.zip", zip_of({"a/newer.md": render_document(newer).encode()}))
    interaction = await invoke(cog, "ingest", FakeInteraction(fake, OWNER), file=upload)
    assert interaction.response.calls[0][0] == "defer"
    embed = interaction.followup.sent[0]["embeds"][0]
    assert "1 file: 1 updated" in embed.description
    assert fake.refreshed == 1
    assert audit_rows(fake.db.path)[-1][2:] == ("admin ingest", "1 file: 1 updated", "global")


async def test_bad_zip_leaves_database_unchanged(admin: tuple[Admin, FakeBot]) -> None:
    cog, fake = admin
    before = dump_data(fake.db.path, exclude=("ingest_log", "audit_log"))
    upload = FakeAttachment(
        "bad.zip",
        zip_of({"x.md": b"# Title\n\n### Background\n\nx\n", "img.png": b"\x89PNG", "e.md": b""}),
    )
    interaction = await invoke(cog, "ingest", FakeInteraction(fake, OWNER), file=upload)
    embed = interaction.followup.sent[0]["embeds"][0]
    assert "3 files: 3 rejected" in embed.description
    problems = embed.fields[0].value
    assert "bad.zip/x.md:5:" in problems.replace("\\", "")
    assert "not a petition document type" in problems
    assert dump_data(fake.db.path, exclude=("ingest_log", "audit_log")) == before


async def test_mixed_zip_keeps_good_and_rejects_bad(
    admin: tuple[Admin, FakeBot], seed_paths: list[Path]
) -> None:
    cog, fake = admin
    seed = seed_petition(seed_paths[1])
    good = variant(seed, hours=3, extra=5)
    text = render_document(variant(seed_petition(seed_paths[2]), hours=3, extra=5))
    truncated = text[: text.index("### Signatures by Constituency") + 200]
    upload = FakeAttachment(
        "mixed.zip",
        zip_of({"good.md": render_document(good).encode(), "bad.md": truncated.encode()}),
    )
    conn = sqlite3.connect(fake.db.path)
    bad_before = conn.execute(
        "SELECT * FROM constituency_counts WHERE petition_id = 575833 ORDER BY constituency_id"
    ).fetchall()
    interaction = await invoke(cog, "ingest", FakeInteraction(fake, OWNER), file=upload)
    assert "2 files: 1 updated, 1 rejected" in interaction.followup.sent[0]["embeds"][0].description
    assert conn.execute("SELECT total_signatures FROM petitions WHERE id = 607849").fetchone() == (
        26709,
    )
    assert (
        conn.execute(
            "SELECT * FROM constituency_counts WHERE petition_id = 575833 ORDER BY constituency_id"
        ).fetchall()
        == bad_before
    )
    conn.close()


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [("notes.pdf", 10, "not a petition document"), ("big.zip", 10**8, "the limit is")],
)
async def test_upload_refused_before_download(
    admin: tuple[Admin, FakeBot], name: str, size: int, message: str
) -> None:
    cog, fake = admin

    class Unreadable(FakeAttachment):
        @property
        def size(self) -> int:
            return size

        async def read(self) -> bytes:
            raise AssertionError("must not download")

    with pytest.raises(UserFacingError, match=message):
        await invoke(cog, "ingest", FakeInteraction(fake, OWNER), file=Unreadable(name, b""))


# ---------------------------------------------------------------- remove + confirmation
async def test_remove_needs_the_invokers_confirmation(admin: tuple[Admin, FakeBot]) -> None:
    cog, fake = admin
    interaction = FakeInteraction(fake, OWNER)
    task = asyncio.create_task(invoke(cog, "remove", interaction, petition="652057"))
    for _ in range(500):  # the command awaits the prompt being sent
        if interaction.response.calls:
            break
        await asyncio.sleep(0.01)
    view = interaction.response.calls[0][1]["view"]
    stranger = FakeInteraction(fake, MANAGER, permissions=MANAGE)
    assert await view.interaction_check(stranger) is False
    assert "Only the person who ran this command" in stranger.response.calls[0][1]["content"]
    assert await view.interaction_check(interaction) is True
    click = FakeInteraction(fake, OWNER)
    await view.confirm.callback(click)
    await asyncio.wait_for(task, 5)
    conn = sqlite3.connect(fake.db.path)
    assert conn.execute("SELECT count(*) FROM petitions WHERE id = 652057").fetchone() == (0,)
    assert conn.execute(
        "SELECT count(*) FROM constituency_counts WHERE petition_id = 652057"
    ).fetchone() == (0,)
    conn.close()
    assert audit_rows(fake.db.path)[-1][2:] == ("admin remove", "removed", "global")


async def test_remove_times_out_and_changes_nothing(
    admin: tuple[Admin, FakeBot], monkeypatch: pytest.MonkeyPatch
) -> None:
    cog, fake = admin
    import bot.confirm

    original = bot.confirm.ConfirmView.__init__

    def quick(self: Any, invoker_id: int, *, timeout: float = 60.0) -> None:
        original(self, invoker_id, timeout=0.05)

    monkeypatch.setattr(bot.confirm.ConfirmView, "__init__", quick)
    before = dump_data(fake.db.path, exclude=("ingest_log", "audit_log"))
    interaction = await invoke(cog, "remove", FakeInteraction(fake, OWNER), petition="652057")
    view = interaction.response.calls[0][1]["view"]
    assert all(item.disabled for item in view.children)
    assert interaction.original.edits[-1]["content"] == "Timed out; nothing changed."
    assert dump_data(fake.db.path, exclude=("ingest_log", "audit_log")) == before
    assert audit_rows(fake.db.path)[-1][2:] == ("admin remove", "timed out", "global")


async def test_owner_sync_forces_a_resync(admin: tuple[Admin, FakeBot]) -> None:
    cog, fake = admin
    await invoke(cog, "sync", FakeInteraction(fake, OWNER))
    assert fake.synced == 1


async def test_heavy_commands_have_a_cooldown(admin: tuple[Admin, FakeBot]) -> None:
    cog, fake = admin
    moment = discord.utils.utcnow()
    fake.settings.data_dir.mkdir(parents=True, exist_ok=True)
    await invoke(cog, "reload", FakeInteraction(fake, OWNER, created_at=moment))
    with pytest.raises(app_commands.CommandOnCooldown):
        await invoke(cog, "reload", FakeInteraction(fake, OWNER, created_at=moment))


# ---------------------------------------------------------------- ingest failures are audited
async def test_a_bad_document_in_a_zip_is_listed_and_audited(
    admin: tuple[Admin, FakeBot], seed_paths: list[Path]
) -> None:
    cog, fake = admin
    newer = variant(seed_petition(seed_paths[0]), hours=2, extra=10)
    huge = seed_paths[1].read_text(encoding="utf-8")
    huge = huge.replace("petitions/607849", "petitions/" + "9" * 5000)
    upload = FakeAttachment(
        "batch.zip", zip_of({"good.md": render_document(newer).encode(), "huge.md": huge.encode()})
    )
    interaction = await invoke(cog, "ingest", FakeInteraction(fake, OWNER), file=upload)
    embed = interaction.followup.sent[0]["embeds"][0]
    assert "2 files: 1 updated, 1 rejected" in embed.description
    assert "batch.zip/huge.md:11: petition id" in embed.fields[0].value.replace("\\", "")
    assert audit_rows(fake.db.path)[-1][2:] == (
        "admin ingest",
        "2 files: 1 updated, 1 rejected",
        "global",
    )


async def test_an_ingest_that_fails_outright_is_still_audited(
    admin: tuple[Admin, FakeBot], monkeypatch: pytest.MonkeyPatch
) -> None:
    import core.admin.ingest

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(core.admin.ingest, "ingest_documents", broken)
    cog, fake = admin
    upload = FakeAttachment("one.md", b"# x\n")
    with pytest.raises(UserFacingError, match="The ingest stopped with an unexpected error"):
        await invoke(cog, "ingest", FakeInteraction(fake, OWNER), file=upload)
    assert audit_rows(fake.db.path)[-1][2:] == (
        "admin ingest",
        "failed: OperationalError: database or disk is full",
        "global",
    )
