"""Proves the Discord stand-in with a tiny real discord.py bot (tests/e2e/sample_bot.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from .fake_discord import FakeDiscord, InjectionError, effective_pings
from .harness import BotProcess

pytestmark = pytest.mark.e2e

SAMPLE = "tests.e2e.sample_bot:main"
SAMPLE_COMMANDS = ["config", "echo", "feedback", "post", "slow", "upload"]


@pytest.fixture(scope="module")
def sample(
    fake_discord_module: FakeDiscord, spawn_bot_module: Any
) -> Iterator[tuple[FakeDiscord, BotProcess]]:
    proc = spawn_bot_module(target=SAMPLE, commands=SAMPLE_COMMANDS)
    proc.wait_for_output("SAMPLE READY")
    yield fake_discord_module, proc
    assert proc.stop() == 0
    assert "Traceback" not in proc.output()
    fake_discord_module.assert_no_unknown_routes()


def _http(
    discord: FakeDiscord, method: str, path: str, body: Any = None, *, auth: bool = True
) -> tuple[int, Any]:
    req = urllib.request.Request(
        discord.api_base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    if auth:
        req.add_header("Authorization", f"Bot {discord.token}")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def test_login_ready_guild_create_and_sync(sample: tuple[FakeDiscord, BotProcess]) -> None:
    discord, proc = sample
    me = discord.requests("GET", "/users/@me")[0]
    assert me.headers["Authorization"] == f"Bot {discord.token}"
    assert discord.requests("GET", "/oauth2/applications/@me")
    put = discord.requests("PUT", f"/applications/{discord.app_id}/commands")[0]
    assert sorted(c["name"] for c in put.body) == SAMPLE_COMMANDS
    assert all(c["id"] and c["application_id"] == str(discord.app_id) for c in put.response)
    config = next(c for c in put.response if c["name"] == "config")
    assert config["default_member_permissions"] == "32"  # Manage Server (sent as int 32)

    session = discord.active_session()
    assert session is not None and session.connection is not None
    assert session.connection.compress == "zlib-stream"  # what discord.py 2.7 asks for
    assert session.intents & (1 << 1)  # members intent requested by the sample bot
    sent = [f.t for f in discord.gateway_log if f.direction == "send" and f.op == 0]
    assert sent[:2] == ["READY", "GUILD_CREATE"]
    assert any(f.op == 1 for f in discord.gateway_log if f.direction == "recv")  # heartbeat
    assert any(f.op == 11 for f in discord.gateway_log if f.direction == "send")  # ACK
    # discord.py parsed GUILD_CREATE: 4 members (owner, moderator, member, bot), 3 text channels
    proc.wait_for_output(
        rf"SAMPLE GUILD Test Server members=4 owner={discord.id('owner')} channels=3"
    )
    discord.assert_no_unknown_routes()


def test_slash_autocomplete_button_and_channel_message(
    sample: tuple[FakeDiscord, BotProcess],
) -> None:
    discord, _ = sample
    mod = discord.id("moderator")

    h = discord.slash("echo", {"text": "apple", "times": 2}, user="moderator")
    cb = h.callback()
    assert cb.status == 200 and cb.callback_type == 4
    assert cb.content == f"echo: apple apple <@{mod}>"
    assert cb.allowed_mentions == {"parse": []}
    assert effective_pings(cb.data) == {"everyone": False, "users": set(), "roles": set()}
    assert cb.custom_ids() == ["sample:again", "sample:done"]
    assert h.ack_latency is not None and h.ack_latency < 3
    sent = h.payload
    assert sent["member"]["permissions"] and sent["channel"]["name"] == "general"

    ac = discord.autocomplete("echo", {"text": "ap"}, focused="text")
    assert ac.choices() == [
        {"name": "Apple", "value": "apple"},
        {"name": "Apricot", "value": "apricot"},
    ]

    before = discord.last_message_id()
    click = discord.click(h, "sample:again")
    assert click.payload["message"]["id"] == str(h.record.original_id)
    first = click.next_response()
    assert first.route == "interaction_callback" and first.callback_type == 7
    assert first.content == "again: apple" and first.components == []
    assert h.original()["content"] == "again: apple"  # type: ignore[index]
    posted = discord.wait_channel_message(
        "general", lambda m: "pressed again" in m["content"], after=before
    )
    assert posted["content"] == f"<@{mod}> pressed again"
    req = discord.wait_request("POST", f"/channels/{discord.id('general')}/messages")
    assert req.allowed_mentions == {"parse": []}
    assert effective_pings(req.data)["users"] == set()
    # a second click on the now component-less message is impossible on real Discord
    with pytest.raises(InjectionError, match="no component 'sample:again'"):
        discord.click(h, "sample:again", timeout=0)

    # type 6 (deferred update) + PATCH @original edits the message the button is on
    h2 = discord.slash("echo", {"text": "pear"}, user="member")
    done = discord.click(h2, "sample:done")
    assert done.payload["member"]["user"]["id"] == str(discord.id("member"))
    assert done.reply()["content"] == "done: pear"
    assert [r.callback_type or r.route for r in done.responses()] == [6, "edit_webhook_message"]
    assert h2.original()["components"] == []  # type: ignore[index]


def test_defer_edit_with_file_and_followup(sample: tuple[FakeDiscord, BotProcess]) -> None:
    discord, _ = sample
    h = discord.slash("slow", user="member", channel="petitions")
    cb = h.next_response()
    assert cb.callback_type == 5 and cb.ephemeral
    edit = h.next_response()
    assert (edit.method, edit.route) == ("PATCH", "edit_webhook_message")
    assert edit.path.endswith("/messages/@original") and edit.multipart
    assert edit.content == "slow done"
    assert [(f.filename, f.data) for f in edit.files] == [("hello.txt", b"hello file")]
    followup = h.next_response()
    assert followup.route == "execute_webhook" and followup.content == "extra"
    reply = h.reply()
    assert reply["content"] == "slow done" and reply["flags"] & 64
    [att] = reply["attachments"]
    with urllib.request.urlopen(att["url"], timeout=5) as resp:
        assert resp.read() == b"hello file"
    [extra] = h.followups()
    assert extra["content"] == "extra" and extra["flags"] & 64
    # ephemeral messages are not part of channel history
    assert all(m["content"] != "slow done" for m in discord.channel_messages("petitions"))


async def test_modal_submit_from_async_test(sample: tuple[FakeDiscord, BotProcess]) -> None:
    discord, _ = sample
    h = discord.slash("feedback", user="member")
    assert (await h.callback_async()).callback_type == 9
    assert h.modal is not None and h.modal["title"] == "Feedback"
    sub = discord.submit_modal(h, {"fb:text": "great bot"})
    cb = await sub.callback_async(timeout=5)
    assert cb.callback_type == 4 and cb.content == "thanks: great bot" and cb.ephemeral
    assert cb.multipart and [(f.filename, f.data) for f in cb.files] == [
        ("feedback.txt", b"great bot")
    ]
    assert sub.original()["attachments"][0]["filename"] == "feedback.txt"  # type: ignore[index]


def test_attachment_option(sample: tuple[FakeDiscord, BotProcess]) -> None:
    discord, _ = sample
    h = discord.slash("upload", {"file": ("notes.csv", b"a,b\n1,2")}, user="owner")
    [att] = h.payload["data"]["resolved"]["attachments"].values()
    assert h.payload["data"]["options"][0] == {"name": "file", "type": 11, "value": att["id"]}
    assert h.reply_text() == "got notes.csv 7 text/csv a,b\n1,2"


def test_permissions_and_forbidden_channel(sample: tuple[FakeDiscord, BotProcess]) -> None:
    discord, _ = sample
    with pytest.raises(InjectionError, match="default_member_permissions"):
        discord.slash("config", user="member")
    text = discord.slash("config", user="moderator").reply_text()
    assert text.startswith("config ok manage_guild=True bot_send=True guild=Test Server")
    assert "channel=general" in text
    locked = discord.slash("config", user="owner", channel="locked").reply_text()
    assert "manage_guild=True bot_send=False" in locked
    # bypassing Discord's gate shows what the bot itself sees for a plain member
    forced = discord.slash("config", user="member", force=True).reply_text()
    assert "manage_guild=False" in forced

    refused = discord.slash("post", {"channel": "locked", "text": "hi"}, user="moderator")
    assert refused.reply_text() == "forbidden 50013"
    assert discord.requests("POST", f"/channels/{discord.id('locked')}/messages")[0].status == 403
    ok = discord.slash("post", {"channel": "petitions", "text": "hello <@&1>"}, user="moderator")
    assert ok.reply_text() == "posted"
    assert discord.channel_messages("petitions")[-1]["content"] == "hello <@&1>"
    with pytest.raises(InjectionError, match="not registered"):
        discord.slash("nope")


@pytest.mark.invalid_bodies
def test_rest_errors_without_bot(fake_discord: FakeDiscord) -> None:
    d = fake_discord
    status, body = _http(d, "GET", "/nope/123")
    assert status == 404 and body == {"message": "404: Not Found", "code": 0}
    assert [r.path for r in d.unknown_requests()] == ["/nope/123"]
    assert _http(d, "GET", "/users/@me", auth=False)[0] == 401
    general = d.id("general")
    status, body = _http(d, "POST", f"/channels/{general}/messages", {"content": "x" * 2001})
    assert status == 400 and body["code"] == 50035
    assert body["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    status, body = _http(d, "POST", f"/channels/{general}/messages", {"content": ""})
    assert (status, body["code"]) == (400, 50006)
    embeds = [{"title": "t" * 257}]
    status, body = _http(d, "POST", f"/channels/{general}/messages", {"embeds": embeds})
    assert "title" in body["errors"]["embeds"]["0"]
    status, body = _http(d, "POST", "/channels/1/messages", {"content": "hi"})
    assert (status, body["code"]) == (404, 10003)
    bad = [{"name": "Bad Name", "description": "x", "type": 1}]
    status, body = _http(d, "PUT", f"/applications/{d.app_id}/commands", bad)
    assert status == 400 and body["code"] == 50035
    status, body = _http(d, "GET", f"/guilds/{d.guild_id}/members/{d.id('moderator')}")
    assert status == 200 and body["roles"] == [str(d.id("Moderator"))]
    d.rate_limit("POST", f"/channels/{general}/messages")
    status, body = _http(d, "POST", f"/channels/{general}/messages", {"content": "hi"})
    assert status == 429 and body["retry_after"] == 0.2


def test_resume_restart_and_clean_stop(fake_discord: FakeDiscord, spawn_bot: Any) -> None:
    d = fake_discord
    proc = spawn_bot(target=SAMPLE, commands=SAMPLE_COMMANDS)
    first_ids = {c["name"]: c["id"] for c in d.commands[None]}

    # op 7 RECONNECT -> discord.py reconnects and RESUMEs the same session
    session = d.active_session()
    assert session is not None
    d.reconnect_gateway()
    d.wait_until(lambda: session.resumes == 1 and d.active_session() is session, 10, "RESUME")
    assert d.slash("echo", {"text": "kiwi"}).callback().content.startswith("echo: kiwi")

    # crash + restart: a fresh IDENTIFY, commands re-synced with stable ids
    proc.restart(kill=True)
    assert d.ready_count == 2
    d.wait_commands_synced(SAMPLE_COMMANDS, after=proc.started_at)
    assert {c["name"]: c["id"] for c in d.commands[None]} == first_ids
    assert d.slash("echo", {"text": "fig"}).callback().content.startswith("echo: fig")

    # zlib payloads split over two websocket frames + a slash command from a DM
    session = d.active_session()
    assert session is not None and session.connection is not None
    session.connection.split_frames = True
    dm = d.slash("echo", {"text": "lime"}, user="owner", channel="dm")
    assert dm.payload["user"]["id"] == str(d.id("owner")) and "member" not in dm.payload
    assert dm.reply()["content"] == f"echo: lime <@{d.id('owner')}>"

    # SIGINT -> Client.close(): websocket closed with 1000, exit code 0
    assert proc.stop() == 0
    assert d.wait_gateway_closed().close_code == 1000
    assert "Traceback" not in proc.output()
    d.assert_no_unknown_routes()
