"""``/admin`` end to end: refusals, attachment ingest, settings, audit, confirmation.

Two kinds of power are checked inside the bot, whatever Discord shows: petition data
is for the bot's owners (the application owner, plus ``owner2`` from ``OWNER_IDS``),
server settings for Manage Server or the server's moderator role. Interactions that
Discord would not even send (a member without Manage Server) are injected with
``force=True`` to prove the bot's own checks.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.checks import MANAGE_SERVER_ONLY, MANAGER_ONLY, OWNER_ONLY
from core.ingest.writer import render_document
from tests.reliability.corpus import MENTION_TITLE, OFSTED
from tests.support import seed_petition, variant

from .fake_discord import FakeDiscord, InjectionError, message_text
from .harness import BotProcess
from .scenario_support import (
    COMMANDS,
    assert_clean_output,
    assert_nothing_pings,
    button_id,
    buttons,
    embed,
    query,
)

ZW = "\u200b"


class Admin:
    def __init__(self, discord: FakeDiscord, bot: BotProcess, db: Path) -> None:
        self.discord = discord
        self.bot = bot
        self.db = db

    def audit(self, action: str) -> list[tuple[str, int]]:
        """(result, user id) of every audit row for ``action``, oldest first."""
        return query(
            self.db, "SELECT result, user_id FROM audit_log WHERE action = ? ORDER BY id", (action,)
        )


@pytest.fixture(scope="module")
def admin(
    fake_discord_module: FakeDiscord,
    spawn_bot_module: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Admin]:
    discord = fake_discord_module
    bot: BotProcess = spawn_bot_module(commands=COMMANDS)
    db = Path(bot.extra_env["DATABASE_PATH"])
    yield Admin(discord, bot, db)
    assert bot.stop() == 0
    assert_clean_output(bot)
    assert assert_nothing_pings(discord) > 10
    discord.assert_no_unknown_routes()


def _private_text(handle: Any) -> str:
    cb = handle.callback()
    assert cb.ephemeral, cb.summary()
    return handle.reply_text()


# ----------------------------------------------------------------------------- refusals
def test_members_do_not_see_admin_and_are_refused_when_forced(admin: Admin) -> None:
    d = admin.discord
    with pytest.raises(InjectionError, match="default_member_permissions"):
        d.slash("admin stats", {}, user="member")
    refused = d.slash("admin ingest", {"file": ("x.md", b"# x\n")}, user="member", force=True)
    assert _private_text(refused) == OWNER_ONLY
    stats = d.slash("admin stats", {}, user="member", force=True)
    assert _private_text(stats) == MANAGER_ONLY
    modrole = d.slash("admin modrole set", {"role": "Petitioner"}, user="member", force=True)
    assert _private_text(modrole) == MANAGE_SERVER_ONLY
    # Refusals are audited, with who tried.
    member = d.id("member")
    assert (f"refused: {OWNER_ONLY}", member) in admin.audit("admin ingest")
    assert (f"refused: {MANAGE_SERVER_ONLY}", member) in admin.audit("admin modrole set")


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("admin ingest", {"file": ("x.md", b"# x\n")}),
        ("admin reload", {}),
        ("admin remove", {"petition": "652057"}),
        ("admin sync", {}),
    ],
)
def test_manage_server_is_not_enough_for_petition_data(
    admin: Admin, command: str, options: dict[str, Any]
) -> None:
    h = admin.discord.slash(command, options, user="moderator")
    assert _private_text(h) == OWNER_ONLY


# ----------------------------------------------------------------------------- ingest
def _upload_zip() -> bytes:
    """A seed variant past 50,000, a broken file and a new petition titled with pings."""
    ofsted = seed_petition(OFSTED)
    newer = variant(ofsted, hours=24, extra=1_300)
    hostile = dataclasses.replace(  # a petition id the bundled data does not have
        ofsted,
        id=900_001,
        url="https://petition.parliament.uk/petitions/900001",
        title=MENTION_TITLE,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ofsted-newer.md", render_document(newer))
        archive.writestr("broken.md", "# Half a petition\n\n### Background\n\ncut here")
        archive.writestr("hostile.md", render_document(hostile))
        archive.writestr("notes.pdf", b"%PDF-1.4")
    return buffer.getvalue()


def test_owner_ingests_an_uploaded_zip(admin: Admin) -> None:
    d = admin.discord
    h = d.slash("admin ingest", {"file": ("batch.zip", _upload_zip())}, user="owner")
    cb = h.callback()
    assert cb.callback_type == 5 and cb.ephemeral  # deferred privately: it may take a while
    report = h.reply(timeout=30)
    assert embed(report)["title"] == "Ingest report"
    text = message_text(report)
    assert "4 files: 1 added, 1 updated, 2 rejected" in text
    assert "batch.zip/broken.md:5: missing section '### Signatures'" in text
    assert "batch.zip/notes.pdf: not a petition document type" in text
    assert admin.audit("admin ingest")[-1] == (
        "4 files: 1 added, 1 updated, 2 rejected",
        d.id("owner"),
    )

    # The new counts are live at once, and the search index knows the new petition.
    shown = d.slash("petition show", {"petition": "652057"}, user="member").reply()
    assert embed(shown)["description"].startswith("**50,083** signatures (as of 5 Jan 2024)")
    found = d.slash("petition search", {"query": "please sign"}, user="member").reply()
    assert "#900001" in embed(found)["description"]
    # Its title is shown escaped: no ping, no mention syntax left intact.
    hostile = d.slash("petition show", {"petition": "900001"}, user="member")
    title = embed(hostile.reply())["title"]
    assert title == (
        f"@{ZW}everyone @{ZW}here <{ZW}@{ZW}123456789012345678> "
        f"<{ZW}@{ZW}&234567890123456789> please sign"
    )
    assert hostile.callback().allowed_mentions == {"parse": []}


def test_wrong_file_type_then_cooldown(fake_discord: FakeDiscord, spawn_bot: Any) -> None:
    """The type is checked before downloading; the 15 s cooldown counts the attempt."""
    bot: BotProcess = spawn_bot(commands=COMMANDS)
    d = fake_discord
    pdf = d.slash("admin ingest", {"file": ("notes.pdf", b"%PDF-1.4")}, user="owner")
    assert _private_text(pdf) == (
        "`notes.pdf` is not a petition document: send a .md, .txt, .json or .zip file."
    )
    again = d.slash("admin ingest", {"file": ("x.md", b"# x\n")}, user="owner")
    assert re.fullmatch(r"Slow down: try again in 1[45] s\.", _private_text(again))
    assert bot.stop() == 0
    assert_clean_output(bot)
    assert_nothing_pings(d)


def test_owner_ids_add_owners_without_removing_the_application_owner(
    fake_discord: FakeDiscord, spawn_bot: Any
) -> None:
    d = fake_discord
    d.add_member("owner2", roles=["Moderator"])
    bot: BotProcess = spawn_bot(commands=COMMANDS, env={"OWNER_IDS": str(d.id("owner2"))})
    try:
        extra = d.slash("admin sync", {}, user="owner2")
        assert extra.reply_text() == "Command tree synced."
        app_owner = d.slash("admin reload", {}, user="owner")
        assert embed(app_owner.reply(timeout=30))["title"] == "Reload report"
    finally:
        bot.stop()


# ----------------------------------------------------------------------------- settings
def test_stats_for_managers(admin: Admin) -> None:
    h = admin.discord.slash("admin stats", {}, user="moderator")
    text = _private_text(h)
    assert embed(h.reply())["title"] == "petitionbot stats"
    assert "Constituencies: 650" in text
    assert "Servers: 1" in text
    assert re.search(r"petitionbot \d+\.\d+\.\d+ · discord\.py 2\.\d+\.\d+", text)


def test_moderator_role_grants_and_clearing_revokes(admin: Admin) -> None:
    d = admin.discord
    assert _private_text(
        d.slash("admin modrole set", {"role": "Petitioner"}, user="moderator")
    ) == ("Moderator role set to **Petitioner**.")
    allowed = d.slash("admin stats", {}, user="member", force=True)
    assert embed(allowed.reply())["title"] == "petitionbot stats"
    # ...but the moderator role is about server settings, never petition data
    data = d.slash("admin sync", {}, user="member", force=True)
    assert _private_text(data) == OWNER_ONLY
    cleared = d.slash("admin modrole clear", {}, user="moderator")
    assert _private_text(cleared) == "Moderator role cleared."
    # the moderator role does not let its members change who moderates
    refused = d.slash("admin modrole set", {"role": "Petitioner"}, user="member", force=True)
    assert _private_text(refused) == MANAGE_SERVER_ONLY


def test_audit_channel_gets_server_actions(admin: Admin) -> None:
    d = admin.discord
    h = d.slash("admin auditlog channel", {"channel": "petitions"}, user="moderator")
    assert _private_text(h) == "Admin actions will be posted in #petitions."
    after = d.last_message_id()
    d.slash("admin modrole set", {"role": "Petitioner"}, user="moderator").callback()
    notice = d.wait_channel_message(
        "petitions", lambda m: "modrole set" in message_text(m), after=after
    )
    assert embed(notice)["title"] == "Audit: modrole set"
    assert f"<@{d.id('moderator')}>" in message_text(notice)  # shown, but embeds never ping
    after = d.last_message_id()
    off = d.slash("admin auditlog off", {}, user="moderator")
    assert _private_text(off) == "Audit channel turned off."
    d.slash("admin modrole clear", {}, user="moderator").reply()
    admin.bot.settle()
    later = [m for m in d.channel_messages("petitions") if int(m["id"]) > after]
    assert [embed(m)["title"] for m in later] == ["Audit: auditlog off"]


# ----------------------------------------------------------------------------- data
def test_remove_asks_first(admin: Admin) -> None:
    d = admin.discord
    ask = d.slash("admin remove", {"petition": "607849"}, user="owner")
    prompt = ask.reply()
    assert prompt["content"] == (
        "Remove petition **607849** “Make SEND training mandatory for all teaching staff” "
        "and all its counts? Every server loses it."
    )
    assert [label for label, _ in buttons(prompt)] == ["Confirm", "Cancel"]
    cancel = d.click(ask, button_id(prompt, "Cancel"))
    assert cancel.callback().callback_type == 7
    assert ask.original()["content"] == "Cancelled; nothing changed."  # type: ignore[index]
    assert query(admin.db, "SELECT count(*) FROM petitions WHERE id = 607849") == [(1,)]

    ask = d.slash("admin remove", {"petition": "https://petition.parliament.uk/petitions/607849"},
                  user="owner")  # fmt: skip
    prompt = ask.reply()
    d.click(ask, button_id(prompt, "Confirm")).callback()
    done = ask.wait_original(lambda m: m["content"] == "Petition 607849 removed.")
    assert done["components"] == []
    assert query(admin.db, "SELECT count(*) FROM petitions WHERE id = 607849") == [(0,)]
    gone = d.slash("petition show", {"petition": "607849"}, user="member")
    assert gone.callback().ephemeral
    assert admin.audit("admin remove")[-2:] == [
        ("cancelled", d.id("owner")),
        ("removed", d.id("owner")),
    ]


def test_owner_sync_and_reload(admin: Admin) -> None:
    d = admin.discord
    puts = len(d.requests("PUT", f"/applications/{d.app_id}/commands"))
    synced = d.slash("admin sync", {}, user="owner")
    assert synced.reply_text() == "Command tree synced."
    assert len(d.requests("PUT", f"/applications/{d.app_id}/commands")) == puts + 1
    reload = d.slash("admin reload", {}, user="owner")
    report = reload.reply(timeout=30)
    assert embed(report)["title"] == "Reload report"
    # 607849 was removed above, so the bundled file adds it back; 652057 is newer in the DB.
    assert "3 files: 1 added, 1 unchanged, 1 older" in message_text(report)
