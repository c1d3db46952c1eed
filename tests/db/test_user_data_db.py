"""Home seats, the postcode cache, the audit log and bot_meta on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.admin.types import AuditEntry
from core.me.types import HomeSeat
from db import audit, home_seats, postcodes
from db import petitions as petition_repo
from db.database import Database
from db.reference import current_mp, current_mp_by_member, ensure_reference, nearest_seats
from db.reference import speaker as current_speaker

pytestmark = pytest.mark.both_databases

BIG = 987_654_321_098_765_432
NOW = datetime(2031, 1, 1, tzinfo=UTC)


async def test_home_seats(db: Database) -> None:
    await ensure_reference(db)
    seats = await home_seats.reference_seats_by_code(db, ["E14001063", "E14000530", "X"])
    assert [(s.boundary_set, s.ons_code, s.name) for s in seats] == [
        ("2024", "E14001063", "Aldershot"),
        ("2010", "E14000530", "Aldershot"),
    ]
    assert await home_seats.reference_seats_by_code(db, []) == []
    await home_seats.set_home_seat(db, BIG, seats)
    assert await home_seats.home_seats(db, BIG) == seats
    woking = HomeSeat("2010", None, "Woking", "woking")
    await home_seats.set_home_seat(db, BIG, [woking])  # replaces, all at once
    assert await home_seats.home_seats(db, BIG) == [woking]
    row = await home_seats.constituency_for(db, woking)
    assert row is not None and (row.name, row.boundary_set) == ("Woking", "2010")
    linked = await home_seats.reference_seat_of(db, row)
    assert (linked.boundary_set, linked.name, linked.name_key) == ("2010", "Woking", "woking")
    assert linked.ons_code is not None
    by_code = await home_seats.constituency_for(db, linked)
    assert by_code == row
    assert await home_seats.forget(db, BIG) is True
    assert await home_seats.forget(db, BIG) is False
    assert await home_seats.home_seats(db, BIG) == []


async def test_a_failed_home_seat_change_keeps_the_old_seat(db: Database) -> None:
    old = HomeSeat("2010", None, "Woking", "woking")
    await home_seats.set_home_seat(db, BIG, [old])
    clash = [HomeSeat("2024", None, "A", "a"), HomeSeat("2024", None, "B", "b")]  # same key
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await home_seats.set_home_seat(db, BIG, clash)
    assert await home_seats.home_seats(db, BIG) == [old]


async def test_postcode_cache(db: Database) -> None:
    assert await postcodes.cached_codes(db, "h1", NOW) is None
    await postcodes.store_codes(db, "h1", ["E14001063", "E14000530"], NOW + timedelta(days=30))
    assert await postcodes.cached_codes(db, "h1", NOW) == ("E14001063", "E14000530")
    await postcodes.store_codes(db, "h1", [], NOW + timedelta(days=30))  # known unknown
    assert await postcodes.cached_codes(db, "h1", NOW) == ()
    assert await postcodes.cached_codes(db, "h1", NOW + timedelta(days=31)) is None  # expired


async def test_audit_log(db: Database) -> None:
    first = await audit.record(
        db,
        AuditEntry(
            "admin modrole set",
            "ok",
            "server",
            user_id=BIG,
            user_name="mod",
            guild_id=BIG + 1,
            channel_id=BIG + 2,
            arguments={"role": BIG + 3},
            at=NOW,
        ),
    )
    second = await audit.record(db, AuditEntry("admin ingest", "ok", "global", at=NOW))
    assert second > first > 0
    server = await audit.recent(db, guild_id=BIG + 1)
    assert [(e.action, e.user_id, e.channel_id, e.arguments, e.at) for e in server] == [
        ("admin modrole set", BIG, BIG + 2, {"role": BIG + 3}, NOW)
    ]
    assert [e.action for e in await audit.recent(db)] == ["admin ingest", "admin modrole set"]
    assert [e.action for e in await audit.recent(db, limit=1)] == ["admin ingest"]


async def test_bot_meta(db: Database) -> None:
    assert await petition_repo.get_meta(db, "k") is None
    await petition_repo.set_meta(db, "k", "one")
    await petition_repo.set_meta(db, "k", "two")
    assert await petition_repo.get_meta(db, "k") == "two"


async def test_current_mps_and_nearest_seats(db: Database) -> None:
    await ensure_reference(db)
    speaker = await current_speaker(db)
    assert speaker is not None and speaker.party == "Speaker"
    assert await current_mp(db, speaker.ons_code) == speaker
    assert speaker.member_id is not None
    assert await current_mp_by_member(db, speaker.member_id) == speaker
    assert await current_mp(db, "nowhere") is None
    same = await nearest_seats(db, "Aldershot", "2010", "2024")
    assert [(s.name, s.ons_code, s.how) for s in same] == [("Aldershot", "E14001063", "same name")]
    moved = await nearest_seats(db, "Bridgwater", "2024", "2010")
    assert [(s.name, s.how) for s in moved[:1]] == [
        ("Bridgwater and West Somerset", "same region, shares the name word bridgwater")
    ]
