"""Follows end to end over a real database: baseline, detection, delivery exactly once.

Restarts are simulated the way they happen: a new ``FollowService`` (a new
instance id) on the same database file. The sender is a fake that records
messages; Discord itself is exercised in ``tests/e2e/test_follows_e2e.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.common.cards import Card
from core.common.errors import UserFacingError
from core.follows.service import (
    MAX_DM_FOLLOWS,
    STALE_AFTER,
    DestinationUnavailable,
    FollowService,
    nonce_for,
    parse_milestones,
)
from core.follows.types import Destination
from core.ingest.models import GovernmentResponse, Petition
from core.search.resolver import Resolver
from db import follows as repo
from db.database import Database
from tests.digest_support import BASE, OFSTED, ingest_at, renumbered, seeds
from tests.support import variant

pytestmark = pytest.mark.both_databases

HOUR = timedelta(hours=1)
USER = 7
GUILD = 1
CHANNEL = 500


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Sender:
    sent: list[tuple[Destination, Card, str]] = field(default_factory=list)
    refuse: set[Destination] = field(default_factory=set)
    next_id: int = 9000

    async def __call__(self, dest: Destination, card: Card, nonce: str) -> int:
        if dest in self.refuse:
            raise DestinationUnavailable("Discord refused the DM (the user closed their DMs)")
        self.sent.append((dest, card, nonce))
        self.next_id += 1
        return self.next_id


async def service(db: Database, clock: Clock, sender: Sender | None = None) -> FollowService:
    follows = FollowService(db, await Resolver.load(db), send=sender or Sender(), clock=clock)
    await follows.start()
    return follows


def ofsted(seed_paths: Sequence[Path]) -> Petition:
    return seeds(seed_paths)[OFSTED]


def responded(petition: Petition) -> Petition:
    response = GovernmentResponse(
        "The Government will review school inspections.",
        "The Government will review school inspections.\n\nDepartment for Education",
        "Department for Education",
        BASE,
    )
    return dataclasses.replace(petition, government_response=response)


def unanswered(petition: Petition, new_id: int) -> Petition:
    """A petition like ``petition`` under a new id, with no government response yet."""
    history = tuple(h for h in petition.history if h.event != "Government Response")
    fresh = dataclasses.replace(petition, government_response=None, history=history)
    return renumbered(fresh, new_id, "Fund hedgehog crossings on every new road")


FRESH = 900_500


async def query(db: Database, sql: str) -> list[tuple[object, ...]]:
    async with db.conn.execute(sql) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def test_petition_follow_alerts_once_per_destination_and_survives_restart(
    db: Database, seed_paths: list[Path]
) -> None:
    first = unanswered(ofsted(seed_paths), FRESH)
    ingest_at(db.target, [first], BASE - HOUR)
    clock = Clock(BASE)
    sender = Sender()
    follows = await service(db, clock, sender)
    dm = await follows.follow("petition", str(FRESH), user_id=USER)
    channel = await follows.follow(
        "petition", "hedgehog crossings", user_id=USER, guild_id=GUILD, channel_id=CHANNEL
    )
    assert dm.follow.by_dm and channel.follow.channel_id == CHANNEL
    assert "48,783 signatures" in dm.now[0]
    assert "not yet" in dm.now[-1]
    assert (await follows.run_pass()).deliveries == ()  # following starts from now

    newer = responded(variant(first, hours=24, extra=60_000))
    ingest_at(db.target, [newer], BASE + HOUR)
    clock.now = BASE + 2 * HOUR
    report = await follows.run_pass()
    assert report.found == 4  # (100,000 + response) × 2 follows
    assert [(d.destination, d.alerts) for d in report.deliveries] == [
        (Destination(None, USER), 2),
        (Destination(CHANNEL, None), 2),
    ]
    for _, card, _ in sender.sent:
        text = card.description or ""
        assert "crossed 100,000 signatures" in text
        assert "got a government response" in text
        assert f"https://petition.parliament.uk/petitions/{FRESH}" in text
        assert "you follow this petition" in text
        assert "10,000" not in text  # crossed before the follow: baseline, never alerted
    assert (await follows.run_pass()).deliveries == ()

    restarted = await service(db, clock, sender)
    assert (await restarted.run_pass()).deliveries == ()
    assert len(sender.sent) == 2
    rows = await restarted.list_follows(USER, GUILD)
    assert [r.alerts_sent for r in rows] == [2, 2]
    assert all(r.follow.last_alert_at == clock.now for r in rows)


async def test_keyword_follow_hears_only_of_new_matching_petitions(
    db: Database, seed_paths: list[Path]
) -> None:
    clock = Clock(BASE)
    sender = Sender()
    follows = await service(db, clock, sender)
    await follows.follow("keyword", "Ofsted inspections", user_id=USER)
    base = ofsted(seed_paths)
    other = seeds(seed_paths)
    unrelated = next(p for pid, p in other.items() if pid != OFSTED)
    ingest_at(
        db.target,
        [
            variant(base, hours=24, extra=5),  # an update of a known petition: not new
            renumbered(base, 900_001),
            renumbered(unrelated, 900_002),
        ],
        BASE + HOUR,
    )
    clock.now = BASE + 2 * HOUR
    report = await follows.run_pass()
    assert report.found == 1
    [(dest, card, _)] = sender.sent
    assert dest == Destination(None, USER)
    assert "petitions/900001" in (card.description or "")
    assert "is a new petition" in (card.description or "")
    assert "matches the keyword “ofsted inspections”" in (card.description or "")


async def test_a_burst_becomes_one_summary(db: Database, seed_paths: list[Path]) -> None:
    clock = Clock(BASE)
    sender = Sender()
    follows = await service(db, clock, sender)
    await follows.follow("keyword", "ofsted", user_id=USER)
    base = ofsted(seed_paths)
    ingest_at(db.target, [renumbered(base, 900_100 + i) for i in range(15)], BASE + HOUR)
    clock.now = BASE + 2 * HOUR
    report = await follows.run_pass()
    assert report.found == 15
    [(_, card, _)] = sender.sent
    assert card.title == "15 follow alerts"
    assert (card.description or "").count("is a new petition") == 10
    assert (card.description or "").endswith("…and 5 more")
    assert await query(db, "SELECT status, count(*) FROM follow_alerts GROUP BY status") == [
        ("sent", 15)
    ]


async def test_seat_follow_alerts_on_crossing(db: Database, seed_paths: list[Path]) -> None:
    base = ofsted(seed_paths)
    top = next(s for s in base.constituencies if not s.is_unknown)
    target = next(t for t in (100, 1_000, 10_000) if t > top.count)
    clock = Clock(BASE)
    sender = Sender()
    follows = await service(db, clock, sender)
    start = await follows.follow("constituency", top.name, user_id=USER)
    assert start.follow.label == top.name
    ingest_at(db.target, [variant(base, hours=24, extra=target - top.count)], BASE + HOUR)
    clock.now = BASE + 2 * HOUR
    await follows.run_pass()
    [(_, card, _)] = sender.sent
    assert f"passed {target:,} signatures" in (card.description or "")
    assert f"you follow {top.name}" in (card.description or "")
    assert (await follows.run_pass()).deliveries == ()


async def test_a_dead_instances_claim_is_recovered_a_live_ones_is_not(
    db: Database, seed_paths: list[Path]
) -> None:
    clock = Clock(BASE)
    first = await service(db, clock, Sender())
    await first.follow("petition", str(OFSTED), user_id=USER)
    ingest_at(db.target, [variant(ofsted(seed_paths), hours=24, extra=60_000)], BASE + HOUR)
    clock.now = BASE + 2 * HOUR
    await first.beat()
    await first.detect(clock.now)
    # the first instance claims, then "dies" before sending (no heartbeat from now on)
    [(_, claimed)] = await repo.claim_open(
        db, first.instance_id, clock.now, clock.now - STALE_AFTER
    )

    sender = Sender()
    second = await service(db, clock, sender)
    assert await second.deliver(clock.now) == []  # the first one is alive: hands off
    clock.now += STALE_AFTER + timedelta(seconds=1)
    await second.beat()
    [delivery] = await second.deliver(clock.now)
    assert delivery.message_id is not None
    [(_, _, nonce)] = sender.sent
    assert nonce == nonce_for([claimed])  # the same nonce the dead one would have used
    assert await second.deliver(clock.now) == []


async def test_refused_dm_pauses_the_follow_and_channel_loss_is_audited(
    db: Database, seed_paths: list[Path]
) -> None:
    clock = Clock(BASE)
    sender = Sender(refuse={Destination(None, USER), Destination(CHANNEL, None)})
    follows = await service(db, clock, sender)
    await follows.follow("petition", str(OFSTED), user_id=USER)
    await follows.follow("petition", str(OFSTED), user_id=USER, guild_id=GUILD, channel_id=CHANNEL)
    ingest_at(db.target, [variant(ofsted(seed_paths), hours=24, extra=60_000)], BASE + HOUR)
    clock.now = BASE + 2 * HOUR
    report = await follows.run_pass()
    assert all(d.error for d in report.deliveries)
    rows = await follows.list_follows(USER, GUILD)
    assert [r.follow.status for r in rows] == ["paused", "paused"]
    assert all("refused the DM" in (r.follow.paused_reason or "") for r in rows)
    audit = await query(db, "SELECT action, guild_id, channel_id FROM audit_log")
    assert audit == [("follow paused", GUILD, CHANNEL)]
    assert await query(
        db, "SELECT DISTINCT status FROM follow_alerts WHERE status != 'baseline'"
    ) == [("failed",)]
    # nothing is retried forever: the next passes send nothing and find nothing
    sender.refuse.clear()
    assert (await follows.run_pass()).deliveries == ()


async def test_limits_duplicates_and_who_may_unfollow(db: Database) -> None:
    follows = await service(db, Clock(BASE))
    first = await follows.follow("keyword", "word0", user_id=USER)
    with pytest.raises(UserFacingError, match="Already following"):
        await follows.follow("keyword", "WORD0", user_id=USER)
    for i in range(1, MAX_DM_FOLLOWS):
        await follows.follow("keyword", f"word{i}", user_id=USER)
    with pytest.raises(UserFacingError, match=f"already have {MAX_DM_FOLLOWS} follows by DM"):
        await follows.follow("keyword", "one more", user_id=USER)
    with pytest.raises(UserFacingError, match="No follow"):
        await follows.unfollow(first.follow.id, user_id=8, guild_id=None, moderator=False)
    server = await follows.follow("keyword", "x", user_id=8, guild_id=GUILD, channel_id=CHANNEL)
    with pytest.raises(UserFacingError, match="needs Manage Server"):
        await follows.unfollow(server.follow.id, user_id=USER, guild_id=GUILD, moderator=False)
    await follows.unfollow(server.follow.id, user_id=USER, guild_id=GUILD, moderator=True)
    await follows.unfollow(first.follow.id, user_id=USER, guild_id=None, moderator=False)
    assert len(await follows.list_follows(USER, GUILD)) == MAX_DM_FOLLOWS - 1


def test_milestones_parse() -> None:
    assert parse_milestones("250000,1000000") == (250_000, 1_000_000)
    assert parse_milestones("250,000 1,000,000") == (250_000, 1_000_000)
    with pytest.raises(UserFacingError, match="not a signature milestone"):
        parse_milestones("lots")


async def test_closing_soon_alerts_follow_the_clock_once_a_deadline_is_stored(
    db: Database, seed_paths: list[Path]
) -> None:
    """With a ``deadline_at`` column (issue 15's migration), closing events are timer-driven."""
    deadline = BASE + timedelta(days=10)
    await db.conn.execute(
        "UPDATE petitions SET state = 'open', deadline_at = ? WHERE id = ?",
        (deadline.isoformat(), OFSTED),
    )
    repo._DEADLINE_COLUMN.clear()
    clock = Clock(BASE)
    sender = Sender()
    follows = await service(db, clock, sender)
    await follows.follow("petition", str(OFSTED), user_id=USER)
    assert (await follows.run_pass()).deliveries == ()
    clock.now = BASE + timedelta(days=4)  # no ingest: the timer pass finds it
    await follows.run_pass()
    clock.now = BASE + timedelta(days=9, hours=12)
    await follows.run_pass()
    clock.now = BASE + timedelta(days=11)
    await follows.run_pass()
    texts = [card.description or "" for _, card, _ in sender.sent]
    assert len(texts) == 3
    assert "closes within 7 days" in texts[0]
    assert "closes within 24 hours" in texts[1]
    assert "closed with 48,783 signatures" in texts[2]


async def test_two_processes_deliver_only_their_shards_destinations(
    db: Database, seed_paths: list[Path]
) -> None:
    """Channel alerts go out from the process owning the server's shard; DM alerts from the
    one the same rule gives the user id. Every destination hears exactly once."""
    from core.common.shards import ShardPlan

    clock = Clock(BASE)
    other_db = await Database.open(db.target)
    try:
        senders = {"a": Sender(), "b": Sender()}
        processes = {}
        for name, conn, ids in (("a", db, (0, 1)), ("b", other_db, (2, 3))):
            process = FollowService(
                conn,
                await Resolver.load(conn),
                send=senders[name],
                clock=clock,
                instance_id=name,
                shards=ShardPlan(ids, 4),
            )
            await process.start()
            processes[name] = process
        user_on = {shard: (shard << 22) | 7 for shard in range(4)}
        guild_on = {shard: (shard << 22) | 1 for shard in range(4)}
        first = processes["a"]
        for shard in range(4):  # a DM follow and a channel follow on every shard
            await first.follow("petition", str(OFSTED), user_id=user_on[shard])
            await first.follow(
                "petition",
                str(OFSTED),
                user_id=USER,
                guild_id=guild_on[shard],
                channel_id=CHANNEL + shard,
            )
        ingest_at(db.target, [variant(ofsted(seed_paths), hours=24, extra=60_000)], BASE + HOUR)
        clock.now = BASE + 2 * HOUR
        for process in processes.values():
            await process.beat()
        for process in (processes["b"], processes["a"], processes["b"]):
            await process.run_pass()
        heard = {
            name: sorted(d.user_id or d.channel_id or 0 for d, _, _ in sender.sent)
            for name, sender in senders.items()
        }
        assert heard == {
            "a": sorted([user_on[0], user_on[1], CHANNEL, CHANNEL + 1]),
            "b": sorted([user_on[2], user_on[3], CHANNEL + 2, CHANNEL + 3]),
        }
    finally:
        await other_db.close()
