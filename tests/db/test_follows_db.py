"""The follows repository (follows, ledger, instances, petition states) on both databases.

The same calls with the same expected answers on SQLite and PostgreSQL. The seat
count functions read issue 22's packed seat storage and are tested on both
databases next to it: ``seed_seat``, ``seat_crossings`` and ``seat_summary`` in
``tests/db/test_read_both.py``, ``charts.seat_counts`` in
``tests/db/test_answers_unchanged.py``, ``see_new_seat_rows`` through the
follow service's passes in ``tests/core/follows/test_service.py``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.follows.types import Alert, SeatCrossing
from db import follows as repo
from db.database import Database
from tests.digest_support import OFSTED, SEND, VERIFIED_ID

pytestmark = pytest.mark.both_databases

NOW = datetime(2031, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
BIG = 1_234_567_890_123_456_789  # Discord snowflakes need 64 bits


async def _follow(db: Database, **changes: object) -> int:
    fields: dict[str, object] = {
        "kind": "petition",
        "target": str(OFSTED),
        "label": "Ofsted",
        "user_id": BIG,
        "guild_id": None,
        "channel_id": None,
        "milestones": (),
        "now": NOW,
    } | changes
    return (await repo.add_follow(db, **fields)).id  # type: ignore[arg-type]


async def test_follows_round_trip_and_limits(db: Database) -> None:
    made = await repo.add_follow(
        db,
        kind="petition",
        target=str(OFSTED),
        label="Ofsted",
        user_id=BIG,
        guild_id=BIG + 1,
        channel_id=BIG + 2,
        milestones=[50_000, 20_000],
        now=NOW,
    )
    assert (made.user_id, made.guild_id, made.channel_id) == (BIG, BIG + 1, BIG + 2)
    assert made.milestones == (20_000, 50_000) and made.created_at == NOW
    assert await repo.get_follow(db, made.id) == made
    dm = await _follow(db, kind="keyword", target="ofsted", label="ofsted")
    assert await repo.find_same(db, "petition", str(OFSTED), BIG, BIG + 2) == made
    assert (await repo.find_same(db, "keyword", "ofsted", BIG, None)).id == dm  # type: ignore[union-attr]
    assert await repo.find_same(db, "keyword", "ofsted", BIG + 5, None) is None
    assert await repo.count_dm_follows(db, BIG) == 1
    assert await repo.count_server_follows(db, BIG + 1) == 1
    assert [f.id for f in await repo.visible_follows(db, BIG, BIG + 1)] == [made.id, dm]
    assert [f.id for f in await repo.visible_follows(db, BIG, None)] == [dm]
    assert await repo.pause_follows(db, [made.id, dm, 999], "channel deleted") == [made.id, dm]
    assert await repo.pause_follows(db, [made.id], "again") == []
    paused = await repo.get_follow(db, made.id)
    assert paused is not None and (paused.status, paused.paused_reason) == (
        "paused",
        "channel deleted",
    )
    assert await repo.active_follows(db) == []
    assert await repo.delete_follow(db, made.id) is True
    assert await repo.delete_follow(db, made.id) is False


async def test_petition_states_texts_and_watermark(db: Database) -> None:
    states = await repo.petition_states(db, [OFSTED, SEND, 1])
    assert sorted(states) == sorted([OFSTED, SEND])
    ofsted = states[OFSTED]
    assert (ofsted.total_signatures, ofsted.state, ofsted.has_response) == (48_783, "open", True)
    assert ofsted.deadline is not None and ofsted.first_seen_at is not None
    latest = await repo.latest_update(db)
    assert latest is not None
    assert sorted(await repo.touched_since(db, latest)) != []
    assert sorted(await repo.touched_since(db, None)) == sorted([OFSTED, SEND, VERIFIED_ID])
    assert await repo.touched_since(db, "9999") == {}
    texts = await repo.petition_texts(db, [SEND])
    assert texts[SEND][0] == "Make SEND training mandatory for all teaching staff"
    assert await repo.get_watermark(db) is None
    await repo.set_watermark(db, "2031-01-02")
    await repo.set_watermark(db, "2031-01-01")  # never moves back
    assert await repo.get_watermark(db) == "2031-01-02"
    await repo.set_watermark(db, "2031-01-03")
    assert await repo.get_watermark(db) == "2031-01-03"


async def test_seat_names_and_mp_seats(db: Database) -> None:
    names = await repo.seat_names(db, ["woking", "sutton coldfield", "nowhere"])
    assert names == {"woking": "Woking", "sutton coldfield": "Sutton Coldfield"}
    async with db.conn.execute("SELECT id FROM mps WHERE name = ?", ("Jonathan Lord",)) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    assert await repo.mp_seat_keys(db, [row[0], 10**9]) == {row[0]: ["woking"]}
    crossing = SeatCrossing("woking", "Woking", OFSTED, None, 81, 287)
    await repo.remember_seats(db, [crossing])
    await repo.remember_seats(db, [crossing.__class__("woking", "Woking", OFSTED, 81, 90, 200)])
    async with db.conn.execute(
        "SELECT seat_key, petition_id, signatures FROM follow_seat_seen"
    ) as cursor:
        assert [tuple(r) for r in await cursor.fetchall()] == [("woking", OFSTED, 90)]


async def test_ledger_claims_once_and_recovers_only_dead_instances(db: Database) -> None:
    one, two = await _follow(db), await _follow(db, user_id=BIG + 9)
    alerts = [
        Alert(one, "petition:652057:signatures:10000", OFSTED, "crossed 10,000"),
        Alert(two, "petition:652057:signatures:10000", OFSTED, "crossed 10,000"),
        Alert(one, "petition:652057:response", OFSTED, "responded", status="baseline"),
        Alert(10**9, "orphan", OFSTED, "a follow deleted meanwhile"),
    ]
    assert await repo.record_alerts(db, alerts, NOW) == 3
    assert await repo.record_alerts(db, alerts, NOW) == 0  # each (follow, event) once
    assert await repo.ledger_keys(db, [one, two]) == {
        one: {"petition:652057:signatures:10000", "petition:652057:response"},
        two: {"petition:652057:signatures:10000"},
    }
    await repo.register_instance(db, "a", 100, NOW)
    await repo.register_instance(db, "b", 200, NOW)
    claimed = await repo.claim_open(db, "a", NOW, NOW - MINUTE)
    assert sorted((f.id, a.event_key, a.claimed_by) for f, a in claimed) == [
        (one, "petition:652057:signatures:10000", "a"),
        (two, "petition:652057:signatures:10000", "a"),
    ]
    assert await repo.claim_open(db, "b", NOW, NOW - MINUTE) == []  # "a" is alive
    first = claimed[0][1]
    assert await repo.mark_sent(db, [first], "a", BIG, NOW) == 1
    assert await repo.mark_sent(db, [first], "b", BIG, NOW) == 0  # not b's claim
    # "a" stops beating: after the stale time its unsent claim is b's to send.
    later = NOW + 10 * MINUTE
    await repo.heartbeat(db, "b", later)
    assert await repo.forget_dead_instances(db, later - MINUTE) == 1
    recovered = await repo.claim_open(db, "b", later, later - MINUTE)
    assert [(a.follow_id, a.claimed_by) for _, a in recovered] == [(claimed[1][1].follow_id, "b")]
    await repo.mark_failed(db, [recovered[0][1]], "b", "refused", retry=True)
    again = await repo.claim_open(db, "b", later, later - MINUTE)
    assert [a.attempts for _, a in again] == [1]
    await repo.mark_failed(db, [again[0][1]], "b", "refused for good", retry=False)
    assert await repo.claim_open(db, "b", later, later - MINUTE) == []
    assert await repo.alert_counts(db, [one, two]) == {claimed[0][1].follow_id: 1}
    sent = await repo.get_follow(db, claimed[0][1].follow_id)
    assert sent is not None and sent.last_alert_at == NOW
    await repo.unregister_instance(db, "b")
    assert await repo.forget_dead_instances(db, later + MINUTE) == 0


async def test_two_instances_claiming_at_once_never_share_an_alert(db: Database) -> None:
    follow = await _follow(db)
    await repo.record_alerts(
        db, [Alert(follow, f"event:{n}", OFSTED, f"line {n}") for n in range(50)], NOW
    )
    await repo.register_instance(db, "a", 1, NOW)
    await repo.register_instance(db, "b", 2, NOW)
    a, b = await asyncio.gather(
        repo.claim_open(db, "a", NOW, NOW - MINUTE), repo.claim_open(db, "b", NOW, NOW - MINUTE)
    )
    keys_a = {alert.event_key for _, alert in a}
    keys_b = {alert.event_key for _, alert in b}
    assert not keys_a & keys_b
    assert len(keys_a | keys_b) == 50
