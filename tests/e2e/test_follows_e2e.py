"""``/follow`` end to end: a channel follow and a DM follow, one alert each, none after a restart.

A petition without a response is ingested first (a renumbered seed), followed in
``#petitions`` by a moderator and by DM by a member; then a newer document that
crosses 100,000 signatures and carries a government response is ingested. Each
destination gets exactly one message naming both events; after a restart (and
many follow ticks) nothing is repeated. A second test rate-limits the stand-in's
message route during a burst: the burst still arrives as exactly one message.
"""

from __future__ import annotations

import dataclasses
import io
import re
import sqlite3
import time
import zipfile
from typing import Any

from core.ingest.loader import ingest_documents_sync
from core.ingest.models import GovernmentResponse, Petition
from core.ingest.types import Document
from core.ingest.writer import render_document
from tests.conftest import REPO
from tests.reliability.corpus import OFSTED
from tests.support import seed_petition, variant

from .fake_discord import FakeDiscord, message_text
from .harness import BotProcess
from .scenario_support import COMMANDS, assert_clean_output, assert_nothing_pings, query

TICK = "0.2"
FRESH = 900_500


def _private(handle: Any) -> str:
    cb = handle.callback()
    assert cb.ephemeral, cb.summary()
    return handle.reply_text()


def _fresh() -> Petition:
    """The Ofsted seed as a new petition without a government response."""
    base = seed_petition(OFSTED)
    history = tuple(h for h in base.history if h.event != "Government Response")
    return dataclasses.replace(
        base,
        id=FRESH,
        url=f"https://petition.parliament.uk/petitions/{FRESH}",
        title="Fund hedgehog crossings on every new road",
        government_response=None,
        history=history,
    )


def _renumbered(petition: Petition, new_id: int) -> Petition:
    url = f"https://petition.parliament.uk/petitions/{new_id}"
    return dataclasses.replace(petition, id=new_id, url=url)


def _answered(petition: Petition) -> Petition:
    response = GovernmentResponse(
        "The Government will fund hedgehog crossings.",
        "The Government will fund hedgehog crossings.\n\nDepartment for Transport",
        "Department for Transport",
        petition.refreshed_at,
    )
    newer = variant(petition, hours=24, extra=60_000)
    return dataclasses.replace(newer, government_response=response)


def _ingest(d: FakeDiscord, name: str, petitions: list[Petition]) -> str:
    """``/admin ingest`` of one document, or of a zip of several."""
    if len(petitions) == 1:
        data = render_document(petitions[0]).encode()
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for p in petitions:
                archive.writestr(f"{p.id}.md", render_document(p))
        data = buffer.getvalue()
    files = {"file": (name, data)}
    return d.slash("admin ingest", files, user="owner").reply_text(timeout=30)


def _alerts(d: FakeDiscord, channel: int | str) -> list[dict[str, Any]]:
    return [
        m
        for m in d.channel_messages(channel)
        if (m.get("embeds") or [{}])[0].get("title", "").endswith(("follow alert", "follow alerts"))
        or (m.get("embeds") or [{}])[0].get("title") == "Follow alert"
    ]


def _dm(d: FakeDiscord, user: str) -> int:
    return int(d.dm_channels[d.id(user)]["id"])


def _dm_alerts(d: FakeDiscord, user: str) -> list[dict[str, Any]]:
    """Alerts in the user's DMs with the bot (none before the bot opened the DM)."""
    return _alerts(d, _dm(d, user)) if d.id(user) in d.dm_channels else []


def test_follow_in_a_channel_and_by_dm_exactly_once_across_a_restart(
    fake_discord: FakeDiscord, spawn_bot: Any, tmp_path: Any
) -> None:
    d = fake_discord
    db = tmp_path / "bot.db"
    first = _fresh()
    seeds = sorted((REPO / "data" / "petitions").glob("*.txt"))
    report = ingest_documents_sync(
        db,
        [Document(p.name, p.read_bytes()) for p in seeds]
        + [Document("fresh.md", render_document(first).encode())],
    )
    assert report.counts["added"] == 4
    bot: BotProcess = spawn_bot(commands=COMMANDS, env={"FOLLOW_TICK_SECONDS": TICK})

    # -- who may follow where -------------------------------------------------------------
    refused = d.slash(
        "follow petition", {"petition": str(FRESH), "channel": "petitions"}, user="member"
    )
    assert _private(refused).startswith("Alerts in a channel need Manage Server")
    locked = d.slash(
        "follow petition", {"petition": str(FRESH), "channel": "locked"}, user="moderator"
    )
    assert _private(locked).startswith(f"I can't post alerts in <#{d.id('locked')}>")

    in_channel = _private(
        d.slash(
            "follow petition",
            {"petition": "hedgehog crossings", "channel": "petitions"},
            user="moderator",
        )
    )
    assert re.match(
        rf"Following petition {FRESH} \(Fund hedgehog crossings on every new road\) \(id \d+\): "
        rf"alerts in <#{d.id('petitions')}>, from now on\.",
        in_channel,
    ), in_channel
    assert "48,783 signatures" in in_channel and "not yet" in in_channel
    by_dm = _private(d.slash("follow petition", {"petition": str(FRESH)}, user="member"))
    assert "alerts by DM, from now on." in by_dm
    listed = _private(d.slash("follow list", {}, user="member"))
    assert "· DM · last alert never" in listed and f"<#{d.id('petitions')}>" in listed

    # -- the news arrives: one message per destination ----------------------------------
    time.sleep(1.1)
    assert "1 updated" in _ingest(d, "newer.md", [_answered(first)])
    d.wait_until(lambda: len(_alerts(d, "petitions")) == 1 or None, 10, "channel alert")
    d.wait_until(lambda: _dm_alerts(d, "member") or None, 10, "DM alert")
    for message in (_alerts(d, "petitions")[0], _alerts(d, _dm(d, "member"))[0]):
        text = message_text(message)
        assert f"https://petition.parliament.uk/petitions/{FRESH}" in text
        assert "crossed 100,000 signatures" in text
        assert "got a government response" in text
        assert "you follow this petition" in text
        assert "10,000 signatures" not in text  # crossed before the follow
    time.sleep(10 * float(TICK))

    # -- restart: nothing repeated ---------------------------------------------------------
    assert bot.stop() == 0
    bot.start()
    bot.wait_ready()
    time.sleep(10 * float(TICK))
    bot.settle()
    assert len(_alerts(d, "petitions")) == 1
    assert len(_alerts(d, _dm(d, "member"))) == 1
    assert query(db, "SELECT status, count(*) FROM follow_alerts GROUP BY status") == [
        ("baseline", 4),
        ("sent", 4),
    ]
    # Already true when followed, so never alerted: 10,000 crossed, and closed (its
    # deadline passed long before today).
    baselines = query(db, "SELECT DISTINCT event_key FROM follow_alerts WHERE status = 'baseline'")
    keys = sorted(key for (key,) in baselines)
    assert len(keys) == 2 and any("closed" in k for k in keys), keys
    assert any("10000" in k for k in keys), keys
    listed = _private(d.slash("follow list", {}, user="member"))
    assert "last alert <t:" in listed

    # -- a claim left by a dead process is recovered, and not posted twice -----------------
    # As if the bot died after Discord created the messages but before it recorded them:
    # the claims belong to an instance that no longer beats. The next bot takes them over
    # and re-sends with the same nonce, which Discord answers with the message it has.
    assert bot.stop() == 0
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE follow_alerts SET status = 'claimed', claimed_by = 'dead-instance',"
            " sent_at = NULL, message_id = NULL WHERE status = 'sent'"
        )
    seq = d.recorder.last_seq
    bot.start()
    bot.wait_ready()
    sent = "SELECT count(*) FROM follow_alerts WHERE status = 'sent'"
    d.wait_until(lambda: query(db, sent) == [(4,)] or None, 10, "recovered claims")
    bot.settle()
    assert len(_alerts(d, "petitions")) == 1
    assert len(_alerts(d, _dm(d, "member"))) == 1
    posts = re.compile(r"/channels/\d+/messages")
    resent = [r for r in d.requests("POST", posts, since=seq) if r.data.get("embeds")]
    assert len(resent) == 2 and all(r.data.get("enforce_nonce") for r in resent)
    shown = {int(m["id"]) for m in _alerts(d, "petitions") + _alerts(d, _dm(d, "member"))}
    recorded = query(db, "SELECT DISTINCT message_id FROM follow_alerts WHERE status = 'sent'")
    assert {int(str(row[0])) for row in recorded} == shown

    # -- unfollow -----------------------------------------------------------------------------
    ids = [int(row[0]) for row in query(db, "SELECT id FROM follows ORDER BY id")]
    no = _private(d.slash("unfollow", {"id": ids[0]}, user="member"))
    assert no == "Stopping a channel follow needs Manage Server or this server's moderator role."
    assert _private(d.slash("unfollow", {"id": ids[1]}, user="member")) == (
        f"Stopped follow {ids[1]}; no more alerts from it."
    )

    assert bot.stop() == 0
    assert_clean_output(bot)
    assert assert_nothing_pings(d) > 5
    d.assert_no_unknown_routes()


def test_a_rate_limited_burst_arrives_once_as_one_summary(
    fake_discord: FakeDiscord, spawn_bot: Any, tmp_path: Any
) -> None:
    d = fake_discord
    bot: BotProcess = spawn_bot(commands=COMMANDS, env={"FOLLOW_TICK_SECONDS": TICK})
    followed = _private(
        d.slash("follow keyword", {"words": "hedgehog", "channel": "petitions"}, user="moderator")
    )
    assert followed.startswith("Following keyword “hedgehog”")
    d.block_dms("member")
    by_dm = _private(d.slash("follow keyword", {"words": "hedgehog"}, user="member"))
    assert "alerts by DM" in by_dm
    time.sleep(1.1)
    burst = [_renumbered(_fresh(), FRESH + i) for i in range(14)]
    channel = d.id("petitions")
    d.rate_limit("POST", f"/channels/{channel}/messages", retry_after=0.3)
    assert "14 added" in _ingest(d, "burst.zip", burst)
    d.wait_until(lambda: _alerts(d, "petitions") or None, 15, "burst alert")
    time.sleep(10 * float(TICK))
    bot.settle()
    [message] = _alerts(d, "petitions")
    text = message_text(message)
    assert "14 follow alerts" in text
    assert text.count("is a new petition") == 10 and "…and 4 more" in text
    rate_limited = d.requests("POST", f"/channels/{channel}/messages")
    assert len(rate_limited) == 2  # the 429, then the retry that landed
    statuses = "SELECT status, count(*) FROM follow_alerts GROUP BY status ORDER BY status"
    assert query(tmp_path / "bot.db", statuses) == [("failed", 14), ("sent", 14)]
    # the refused DM paused the member's follow, with the reason, and nothing is retried
    listed = _private(d.slash("follow list", {}, user="member"))
    assert "⏸️ paused: Discord refused the DM (Cannot send messages to this user)" in listed
    assert bot.stop() == 0
    assert_clean_output(bot)
    assert_nothing_pings(d)
