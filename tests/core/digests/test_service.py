"""The exactly-once protocol end to end, with a fake ``post`` and an injected clock.

Restarts are simulated the way they happen: a new ``DigestRunner`` on the same
database file, which runs ``recover()`` before its first tick.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.admin.audit import AuditLog
from core.admin.types import Caller
from core.common.cards import Card
from core.common.errors import UserFacingError
from core.common.times import utc_text
from core.digests import render as render_digest
from core.digests.render import render_messages
from core.digests.schedule import Period, parse_clock
from core.digests.service import ChannelUnavailable, DigestRunner, parse_thresholds
from core.ingest.models import Petition
from db import digests as repo
from db import guild_settings as guild_repo
from db.database import Database
from tests.digest_support import BASE, OFSTED, SEND, VERIFIED_ID, ingest_at, renumbered, seeds
from tests.support import variant

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
GUILD = 1
CHANNEL = 500
# BASE is 2031-01-01 00:00 UTC (GMT): the 09:00 London slot is 09:00 UTC.
NINE = BASE + 9 * HOUR


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Poster:
    """Records posts; can fail on a chosen call."""

    sent: list[tuple[int, list[Card]]] = field(default_factory=list)
    fail_on: int | None = None
    error: BaseException | None = None
    next_id: int = 9000

    async def __call__(self, channel_id: int, cards: list[Card]) -> int:
        if self.fail_on is not None and len(self.sent) + 1 >= self.fail_on and self.error:
            raise self.error
        self.sent.append((channel_id, cards))
        self.next_id += 1
        return self.next_id

    def titles(self) -> list[str | None]:
        return [card.title for _, cards in self.sent for card in cards]

    def text(self) -> str:
        return "\n".join(card.description or "" for _, cards in self.sent for card in cards)


@pytest.fixture
def seed(seed_paths: list[Path]) -> dict[int, Petition]:
    return seeds(seed_paths)


@pytest.fixture
async def db(loaded_db_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(loaded_db_path)
    try:
        yield database
    finally:
        await database.close()


async def setup_digest(
    runner: DigestRunner, *, quiet: bool = False, thresholds: tuple[int, ...] = ()
) -> None:
    await runner.setup(
        GUILD,
        channel_id=CHANNEL,
        post_time=parse_clock("09:00"),
        timezone="Europe/London",
        cadence="daily",
        weekday=0,
        min_signatures=0,
        extra_thresholds=thresholds,
        quiet=quiet,
        actor=Caller(user_id=7, user_name="manager", guild_id=GUILD, channel_id=3),
    )


def make_runner(db: Database, clock: Clock, poster: Poster, **kwargs: Any) -> DigestRunner:
    return DigestRunner(db, poster, clock=clock, **kwargs)


def audit_rows(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT user_id, guild_id, action, result FROM audit_log ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


async def test_enabling_starts_from_now_and_posts_once(
    db: Database, seed: dict[int, Petition]
) -> None:
    # Changes that happened before the digest was enabled are history: never posted.
    ingest_at(db.path, [variant(seed[SEND], hours=1, extra=500)], BASE + 8 * HOUR)
    clock, poster = Clock(BASE + 10 * HOUR), Poster()
    runner = make_runner(db, clock, poster)
    await setup_digest(runner)
    assert await runner.tick() == []  # today's 09:00 is before "now"
    ingest_at(db.path, [variant(seed[OFSTED], hours=1, extra=1_000)], BASE + 11 * HOUR)
    assert await runner.tick(NINE + DAY - timedelta(seconds=1)) == []

    [outcome] = await runner.tick(NINE + DAY)
    assert (outcome.period_key, outcome.status, outcome.items) == ("daily 2031-01-02", "posted", 1)
    assert outcome.message_ids == (9001,)
    assert [cid for cid, _ in poster.sent] == [CHANNEL]
    assert "Pause Ofsted inspections" in poster.text()
    assert "SEND" not in poster.text()
    # The same slot again, later that hour, or after a restart: nothing.
    assert await runner.tick(NINE + DAY) == []
    assert await runner.tick(NINE + DAY + HOUR) == []
    restarted = make_runner(db, clock, poster)
    assert await restarted.recover() == 0
    assert await restarted.tick(NINE + DAY + 2 * HOUR) == []
    assert len(poster.sent) == 1
    post = await repo.get_post(db, GUILD, "daily 2031-01-02")
    assert post is not None
    assert (post.status, post.message_ids, post.window_start) == (
        "posted",
        (9001,),
        BASE + 10 * HOUR,
    )


async def test_nothing_changed_means_no_post_unless_quiet(db: Database) -> None:
    clock, poster = Clock(BASE), Poster()
    runner = make_runner(db, clock, poster)
    await setup_digest(runner)
    [outcome] = await runner.tick(NINE)
    assert (outcome.status, poster.sent) == ("empty", [])
    config = await repo.get_config(db, GUILD)
    assert config is not None
    assert config.reported_through == NINE

    await setup_digest(runner, quiet=True)
    [outcome] = await runner.tick(NINE + DAY)
    assert outcome.status == "posted"
    assert poster.titles() == ["Petition digest · nothing new"]


async def test_catch_up_after_downtime_posts_one_digest(
    db: Database, seed: dict[int, Petition]
) -> None:
    clock, poster = Clock(BASE + 10 * HOUR), Poster()
    runner = make_runner(db, clock, poster)
    await setup_digest(runner)
    # The bot is down for three days; ingests keep happening.
    ingest_at(db.path, [variant(seed[OFSTED], hours=1, extra=100)], BASE + DAY + 10 * HOUR)
    ingest_at(db.path, [variant(seed[SEND], hours=1, extra=200)], BASE + 2 * DAY + 10 * HOUR)
    ingest_at(db.path, [variant(seed[VERIFIED_ID], hours=1, extra=300)], BASE + 3 * DAY + 8 * HOUR)

    restarted = make_runner(db, clock, poster)
    await restarted.recover()
    [outcome] = await restarted.tick(BASE + 3 * DAY + 10 * HOUR)
    assert (outcome.period_key, outcome.status, outcome.items) == ("daily 2031-01-04", "posted", 3)
    assert len(poster.sent) == 1
    text = poster.text()
    assert all(name in text for name in ("Ofsted", "SEND", "verified ID"))
    for hour in range(1, 23):
        assert await restarted.tick(BASE + 3 * DAY + (10 + hour) * HOUR) == []
    assert len(poster.sent) == 1


async def test_restart_after_claim_before_post_never_reposts(
    db: Database, seed: dict[int, Petition]
) -> None:
    clock, poster = Clock(BASE), Poster()
    runner = make_runner(db, clock, poster)
    await setup_digest(runner)
    ingest_at(db.path, [variant(seed[OFSTED], hours=1, extra=100)], BASE + HOUR)
    # The process is stopped while posting (claim made, nothing recorded after it).
    poster.fail_on, poster.error = 1, asyncio.CancelledError()
    with pytest.raises(asyncio.CancelledError):
        await runner.tick(NINE)
    claimed = await repo.get_post(db, GUILD, "daily 2031-01-01")
    assert claimed is not None
    assert claimed.status == "claimed"

    poster.fail_on = None
    restarted = make_runner(db, clock, poster)
    assert await restarted.recover() == 1
    assert await restarted.tick(NINE + timedelta(minutes=5)) == []
    assert poster.sent == []
    interrupted = await repo.get_post(db, GUILD, "daily 2031-01-01")
    assert interrupted is not None
    assert (interrupted.status, interrupted.error) == ("interrupted", repo.INTERRUPTED)
    # Its news is not lost: the next day's digest reports it.
    [outcome] = await restarted.tick(NINE + DAY)
    assert (outcome.status, outcome.items) == ("posted", 1)
    assert "Ofsted" in poster.text()


async def test_a_claim_without_its_watermark_is_skipped_not_reposted(db: Database) -> None:
    clock, poster = Clock(BASE), Poster()
    runner = make_runner(db, clock, poster)
    await setup_digest(runner)
    await runner.tick(NINE)
    # Pretend the watermark was lost (e.g. restored from an old backup of the settings).
    await db.conn.execute("UPDATE digest_settings SET scheduled_through = ?", (utc_text(BASE),))
    [outcome] = await runner.tick(NINE + HOUR)
    assert (outcome.period_key, outcome.status) == ("daily 2031-01-01", "skipped")
    assert await runner.tick(NINE + 2 * HOUR) == []
    assert poster.sent == []


async def test_permission_loss_disables_with_reason_and_audit(
    db: Database, seed: dict[int, Petition]
) -> None:
    clock, poster = Clock(BASE), Poster()
    mirrored: list[tuple[int, list[Card]]] = []

    async def audit_channel(channel_id: int, cards: list[Card]) -> int:
        mirrored.append((channel_id, cards))
        return len(mirrored)

    await guild_repo.update_config(db, GUILD, audit_channel_id=900)
    runner = make_runner(db, clock, poster, audit=AuditLog(db, audit_channel))
    await setup_digest(runner)
    ingest_at(db.path, [variant(seed[OFSTED], hours=1, extra=100)], BASE + HOUR)
    reason = "lost permission to post in channel 500 (Missing Permissions)"
    poster.fail_on, poster.error = 1, ChannelUnavailable(reason)
    clock.now = NINE
    [outcome] = await runner.tick()
    assert (outcome.status, outcome.error) == ("failed", reason)
    config = await repo.get_config(db, GUILD)
    assert config is not None
    assert (config.status, config.disabled_reason) == ("disabled", reason)
    assert audit_rows(db.path)[-1] == (
        None,
        GUILD,
        "digest disabled",
        f"disabled by the bot: {reason}",
    )
    titles = [(channel, cards[0].title) for channel, cards in mirrored]
    assert titles == [(900, "Audit: digest setup"), (900, "Audit: digest disabled")]
    post = await repo.get_post(db, GUILD, "daily 2031-01-01")
    assert post is not None
    assert (post.status, post.error) == ("failed", reason)
    # Disabled: later slots are not even attempted.
    poster.fail_on = None
    assert await runner.tick(NINE + DAY) == []
    assert poster.sent == []
    # Resuming starts from now; the reason is cleared.
    clock.now = NINE + DAY + HOUR
    resumed = await runner.change_status(GUILD, "resume")
    assert (resumed.status, resumed.disabled_reason, resumed.reported_through) == (
        "enabled",
        None,
        NINE + DAY + HOUR,
    )


async def test_failure_part_way_keeps_ids_and_carries_news_forward(
    db: Database, seed: dict[int, Petition], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, poster = Clock(BASE), Poster()
    runner = make_runner(db, clock, poster)
    await setup_digest(runner)
    fresh = [renumbered(seed[SEND], 800_000 + n, f"Fresh {n}") for n in range(15)]
    ingest_at(db.path, fresh, BASE + HOUR)
    # Small messages, so this digest needs several.
    monkeypatch.setattr(render_digest, "EMBED_TOTAL_LIMIT", 1_000)
    config = await repo.get_config(db, GUILD)
    assert config is not None
    [first_attempt] = await runner.compose([(config, Period("x", BASE, NINE))])
    assert len(render_messages(first_attempt)) >= 2
    poster.fail_on, poster.error = 2, RuntimeError("Discord is having a moment")
    [outcome] = await runner.tick(NINE)
    assert outcome.status == "failed"
    assert outcome.message_ids == (9001,)
    assert outcome.error == "RuntimeError: Discord is having a moment"
    config = await repo.get_config(db, GUILD)
    assert config is not None
    assert (config.status, config.reported_through) == ("enabled", BASE)
    # Not retried for that period; the next digest reports the same news.
    poster.fail_on = None
    assert await runner.tick(NINE + HOUR) == []
    [outcome] = await runner.tick(NINE + DAY)
    assert (outcome.status, outcome.items) == ("posted", 15)


async def test_post_now_and_the_next_scheduled_digest_do_not_overlap(
    db: Database, seed: dict[int, Petition]
) -> None:
    clock, poster = Clock(BASE), Poster()
    runner = make_runner(db, clock, poster)
    await setup_digest(runner)
    ingest_at(db.path, [variant(seed[OFSTED], hours=1, extra=100)], BASE + HOUR)
    clock.now = BASE + 2 * HOUR
    outcome = await runner.post_now(GUILD, Caller(user_id=7, user_name="manager"))
    assert (outcome.status, outcome.items) == ("posted", 1)
    assert "Ofsted" in poster.text()
    ingest_at(db.path, [variant(seed[SEND], hours=1, extra=100)], BASE + 3 * HOUR)
    [scheduled] = await runner.tick(NINE)
    assert (scheduled.status, scheduled.items) == ("posted", 1)
    assert "SEND" in poster.text() and poster.text().count("Ofsted") == 1
    # Nothing new: post-now still answers, with a note.
    clock.now = NINE + HOUR
    quiet = await runner.post_now(GUILD)
    assert (quiet.status, quiet.items) == ("posted", 0)
    assert poster.titles()[-1] == "Petition digest · nothing new"
    assert [row[2:] for row in audit_rows(db.path)] == [
        ("digest setup", "created"),
        ("digest post-now", "posted"),
        ("digest post-now", "posted"),
    ]


async def test_preview_is_what_gets_posted(db: Database, seed: dict[int, Petition]) -> None:
    clock, poster = Clock(BASE), Poster()
    runner = make_runner(db, clock, poster)
    await setup_digest(runner, thresholds=(50_000,))
    ingest_at(db.path, [variant(seed[OFSTED], hours=24, extra=2_000)], BASE + HOUR)
    config, preview = await runner.preview(GUILD, NINE)
    assert config.extra_thresholds == (50_000,)
    assert [(i.section.value, i.why) for i in preview.items] == [
        ("threshold", "crossed 50,000 by 2024-01-05"),
        ("mover", "+2,000 signatures (+4.1%) since the count of 2024-01-04"),
    ]
    await runner.tick(NINE)
    assert poster.sent == [(CHANNEL, cards) for cards in render_messages(preview)]


async def test_no_digest_set_up(db: Database) -> None:
    runner = make_runner(db, Clock(BASE), Poster())
    with pytest.raises(UserFacingError):
        await runner.post_now(GUILD)
    with pytest.raises(UserFacingError):
        await runner.preview(GUILD)
    with pytest.raises(UserFacingError):
        await runner.change_status(GUILD, "pause")


async def test_setup_validation_and_audit(db: Database) -> None:
    clock = Clock(BASE)
    runner = make_runner(db, clock, Poster())
    with pytest.raises(UserFacingError, match="time zone"):
        await runner.setup(
            GUILD,
            channel_id=CHANNEL,
            post_time=parse_clock("09:00"),
            timezone="Mars/Olympus_Mons",
            cadence="daily",
            weekday=0,
            min_signatures=0,
            extra_thresholds=(),
            quiet=False,
        )
    await setup_digest(runner)
    clock.now = BASE + HOUR
    await setup_digest(runner)
    await runner.change_status(GUILD, "pause", Caller(user_id=7))
    await runner.change_status(GUILD, "pause", Caller(user_id=7))
    await runner.change_status(GUILD, "disable", Caller(user_id=7))
    config = await runner.change_status(GUILD, "resume", Caller(user_id=7))
    assert config.status == "enabled"
    assert audit_rows(db.path) == [
        (7, GUILD, "digest setup", "created"),
        (7, GUILD, "digest setup", "changed"),
        (7, GUILD, "digest pause", "ok"),
        (7, GUILD, "digest pause", "unchanged: already paused"),
        (7, GUILD, "digest disable", "ok"),
        (7, GUILD, "digest resume", "ok"),
    ]


async def test_many_servers_share_one_fetch(
    db: Database, seed: dict[int, Petition], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, poster = Clock(BASE), Poster()
    runner = make_runner(db, clock, poster)
    for guild in (1, 2, 3):
        await runner.setup(
            guild,
            channel_id=100 + guild,
            post_time=parse_clock("09:00"),
            timezone="Europe/London",
            cadence="daily",
            weekday=0,
            min_signatures=0,
            extra_thresholds=(),
            quiet=False,
        )
        clock.now += HOUR  # three different windows
    ingest_at(db.path, [variant(seed[OFSTED], hours=1, extra=10)], BASE + timedelta(minutes=30))
    calls: list[tuple[datetime, datetime]] = []
    real = repo.fetch_changes

    async def counting(database: Database, since: datetime, until: datetime) -> Any:
        calls.append((since, until))
        return await real(database, since, until)

    monkeypatch.setattr(repo, "fetch_changes", counting)
    outcomes = await runner.tick(NINE)
    assert calls == [(BASE, NINE)]
    # Guild 1 was enabled before the ingest; 2 and 3 after it.
    assert [(o.guild_id, o.status, o.items) for o in outcomes] == [
        (1, "posted", 1),
        (2, "empty", 0),
        (3, "empty", 0),
    ]


def test_parse_thresholds() -> None:
    assert parse_thresholds(None) == ()
    assert parse_thresholds("  ") == ()
    assert parse_thresholds("50000 250,000; 1000000") == (50_000, 250_000, 1_000_000)
    assert parse_thresholds("5000,20000") == (5_000, 20_000)
    assert parse_thresholds("1,000,000 1000000") == (1_000_000,)
    for bad in ("50k", "-5", "0", "1 2 3 4 5 6", "999999999"):
        with pytest.raises(UserFacingError):
            parse_thresholds(bad)
