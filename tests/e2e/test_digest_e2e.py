"""``/digest`` end to end: set up, preview, post now, restart without reposting.

The scheduled time is put twelve hours away from now, so no scheduled slot can fall
inside the test and every channel post here comes from ``/digest post-now``. The
scheduler still ticks every 0.2 s (``DIGEST_TICK_SECONDS``), so a repost after the
restart would show up.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.checks import MANAGER_ONLY
from core.ingest.writer import render_document
from tests.reliability.corpus import OFSTED
from tests.support import seed_petition, variant

from .fake_discord import FakeDiscord, InjectionError, message_text
from .harness import BotProcess
from .scenario_support import (
    COMMANDS,
    assert_clean_output,
    assert_nothing_pings,
    embed,
    query,
)

TICK = "0.2"


def _private(handle: Any) -> str:
    cb = handle.callback()
    assert cb.ephemeral, cb.summary()
    return handle.reply_text()


def _far_time() -> str:
    """A London wall-clock time twelve hours from now (never due during the test)."""
    return (datetime.now(ZoneInfo("Europe/London")) + timedelta(hours=12)).strftime("%H:%M")


def _digest_messages(d: FakeDiscord) -> list[dict[str, Any]]:
    return [
        m
        for m in d.channel_messages("petitions")
        if embed(m)["title"].startswith("Petition digest")
    ]


def test_digest_setup_post_now_and_restart(
    fake_discord: FakeDiscord, spawn_bot: Any, tmp_path: Path
) -> None:
    d = fake_discord
    bot: BotProcess = spawn_bot(commands=COMMANDS, env={"DIGEST_TICK_SECONDS": TICK})
    db = tmp_path / "bot.db"
    at = _far_time()
    petitions = d.id("petitions")

    # -- refusals and validation ------------------------------------------------------------
    with pytest.raises(InjectionError):
        d.slash("digest show", {}, user="member")
    forced = d.slash("digest show", {}, user="member", force=True)
    assert _private(forced) == MANAGER_ONLY
    none_yet = d.slash("digest show", {}, user="moderator")
    assert _private(none_yet) == "No digest is set up here yet: use `/digest setup`."
    base = {"channel": "petitions", "time": at, "timezone": "Europe/London"}
    locked = d.slash("digest setup", {**base, "channel": "locked"}, user="moderator")
    assert _private(locked) == (
        f"I can't post the digest in <#{d.id('locked')}>: I need Send Messages, Embed Links there."
    )
    bad_zone = d.slash("digest setup", {**base, "timezone": "Mars/Olympus"}, user="moderator")
    assert _private(bad_zone).startswith("Pick a time zone from the list")
    bad_time = d.slash("digest setup", {**base, "time": "25:00"}, user="moderator")
    assert _private(bad_time) == "'25:00' is not a time of day (00:00 to 23:59)."
    zones = d.autocomplete("digest setup", {**base, "timezone": "new york"}, focused="timezone",
                           user="moderator")  # fmt: skip
    assert zones.choices() == [{"name": "America/New_York", "value": "America/New_York"}]
    assert query(db, "SELECT count(*) FROM digest_settings") == [(0,)]

    # -- set up, then news arrives -------------------------------------------------------------
    setup = d.slash("digest setup", {**base, "thresholds": "50000"}, user="moderator")
    text = _private(setup)
    assert re.fullmatch(
        rf"Digest set up: Daily at {at} \(Europe/London\) in <#{petitions}>\. "
        r"Next post <t:\d+:F>, covering changes from <t:\d+:f> on\. "
        r"`/digest preview` shows what it would contain so far\.",
        text,
    ), text
    time.sleep(1.1)  # news must be strictly after the setup instant (whole seconds)
    newer = render_document(variant(seed_petition(OFSTED), hours=24, extra=1_300))
    ingest = d.slash("admin ingest", {"file": ("ofsted.md", newer.encode())}, user="owner")
    assert "1 file: 1 updated" in ingest.reply_text(timeout=30)

    preview = d.slash("digest preview", {}, user="moderator")
    assert preview.callback().ephemeral
    shown = preview.reply_text()
    assert shown.startswith("**Preview** (only you can see this).")
    assert "crossed 50,000 by 2024-01-05" in shown
    assert _digest_messages(d) == []  # a preview posts nothing in the channel

    # -- post now lands in the configured channel ----------------------------------------------
    posted = d.slash("digest post-now", {}, user="moderator")
    assert re.fullmatch(
        rf"Posted 2 item\(s\) in <#{petitions}> \(1 message\(s\)\)\.", _private(posted)
    )
    [digest] = _digest_messages(d)
    assert digest["channel_id"] == str(petitions)
    assert embed(digest)["title"].startswith("Petition digest · ")
    body = message_text(digest)
    link = (
        "**[Pause Ofsted inspections and reform how school performance is evaluated]"
        "(https://petition.parliament.uk/petitions/652057)** — 50,083 signatures"
    )
    assert f"🎯 Thresholds crossed\n{link}\n↳ crossed 50,000 by 2024-01-05" in body
    assert f"{link}\n↳ \\+1,300 signatures (+2.7%) since the count of 2024-01-04" in body
    rows = query(db, "SELECT period_key, status, message_ids FROM digest_posts")
    assert len(rows) == 1
    assert rows[0][0].startswith("manual ") and rows[0][1] == "posted"
    assert rows[0][2] == f"[{digest['id']}]"
    # a second click (anyone's) within the minute is refused by the per-server cooldown
    twice = d.slash("digest post-now", {}, user="moderator")
    assert re.fullmatch(r"Slow down: try again in (59|60) s\.", _private(twice)), _private(twice)
    assert len(_digest_messages(d)) == 1

    # -- restart: settings kept, nothing reposted ---------------------------------------------
    settings_before = query(db, "SELECT * FROM digest_settings")
    assert bot.stop() == 0
    bot.start()
    bot.wait_ready()
    show = d.slash("digest show", {}, user="moderator")
    card = _private(show)
    assert f"Schedule: Daily at {at} (Europe/London)" in card
    assert f"Channel: <#{petitions}>" in card
    assert "Status: ✅ Enabled" in card
    time.sleep(10 * float(TICK))  # ten scheduler ticks
    bot.settle()
    assert len(_digest_messages(d)) == 1
    assert query(db, "SELECT * FROM digest_settings") == settings_before
    assert len(query(db, "SELECT * FROM digest_posts")) == 1
    # a fresh process has a fresh cooldown: nothing new since the first post, so a note
    again = d.slash("digest post-now", {}, user="moderator")
    assert _private(again) == (
        f"Nothing new since the last digest: posted a short note in <#{petitions}>."
    )
    assert len(_digest_messages(d)) == 2
    assert len(query(db, "SELECT * FROM digest_posts")) == 2

    # -- pause / resume / disable ---------------------------------------------------------------
    assert _private(d.slash("digest pause", {}, user="moderator")) == (
        "Digest paused. `/digest resume` starts it again from then."
    )
    paused = _private(d.slash("digest show", {}, user="moderator"))
    assert "Status: ⏸️ Paused" in paused
    assert "Next post: — (use `/digest resume`)" in paused
    resumed = _private(d.slash("digest resume", {}, user="moderator"))
    assert resumed.startswith(f"Digest resumed: Daily at {at} (Europe/London) in <#{petitions}>")
    assert _private(d.slash("digest disable", {}, user="moderator")) == (
        "Digest disabled. `/digest resume` or `/digest setup` turns it back on."
    )
    assert query(db, "SELECT status FROM digest_settings") == [("disabled",)]

    assert bot.stop() == 0
    assert_clean_output(bot)
    assert assert_nothing_pings(d) > 10
    d.assert_no_unknown_routes()
