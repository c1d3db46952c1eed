"""Digest composition over real ingests of seed variants (real parser, real SQLite).

Windows are in ingest time: each test ingests documents with the loader's clock
pinned, then asks what a server's digest for a window would say.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import core.digests.compose as digest_module
from core.digests.compose import (
    ChangeSet,
    Digest,
    FactsCache,
    Section,
    compose,
    compose_many,
    window_facts,
)
from core.ingest.models import HistoryEvent, Petition
from db.database import Database
from db.digests import fetch_changes
from tests.digest_support import (
    BASE,
    OFSTED,
    SEND,
    VERIFIED_ID,
    ingest_at,
    make_config,
    newest_ingest,
    renumbered,
    seeds,
)
from tests.support import at, variant

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def seed(seed_paths: list[Path]) -> dict[int, Petition]:
    return seeds(seed_paths)


@pytest.fixture(autouse=True)
def _seeds_before_base(loaded_db_path: Path) -> None:
    assert newest_ingest(loaded_db_path) < BASE


async def digest_for(path: Path, start: datetime, end: datetime, **config: object) -> Digest:
    db = await Database.open(path)
    try:
        changes = await fetch_changes(db, start, end)
    finally:
        await db.close()
    return compose(window_facts(changes, start, end), make_config(since=start, **config))  # type: ignore[arg-type]


def lines(digest: Digest) -> list[tuple[str, int, int, str]]:
    return [(i.section.value, i.petition_id, i.signatures, i.why) for i in digest.items]


async def test_nothing_changed_is_empty(loaded_db_path: Path) -> None:
    digest = await digest_for(loaded_db_path, BASE, BASE + DAY)
    assert digest.empty
    assert digest.items == ()


async def test_threshold_crossing_reported_once_across_reingests(
    loaded_db_path: Path, seed: dict[int, Petition]
) -> None:
    ofsted = seed[OFSTED]
    day1 = variant(ofsted, hours=24, extra=1_000)  # 49,783
    day2 = variant(ofsted, hours=48, extra=52_000)  # 100,783: crosses 50k and 100k
    day3 = variant(ofsted, hours=72, extra=60_000)  # 108,783
    late_older = variant(ofsted, hours=36, extra=55_000)  # an older refresh, ingested late

    ingest_at(loaded_db_path, [day1], BASE + HOUR)
    report = ingest_at(loaded_db_path, [day2, day1], BASE + DAY + HOUR)
    assert [r.outcome.value for r in report.results] == ["updated", "older"]
    report = ingest_at(loaded_db_path, [day3, late_older, day2], BASE + 2 * DAY + HOUR)
    assert [r.outcome.value for r in report.results] == ["updated", "older", "older"]
    report = ingest_at(loaded_db_path, [day3], BASE + 3 * DAY + HOUR)  # the same document
    assert [r.outcome.value for r in report.results] == ["unchanged"]

    windows = [(BASE + n * DAY, BASE + (n + 1) * DAY) for n in range(4)]
    found = [
        lines(await digest_for(loaded_db_path, s, e, thresholds=(50_000,))) for s, e in windows
    ]
    assert found[0] == [
        (
            "mover",
            OFSTED,
            49_783,
            "+1,000 signatures (+2.0%) since the count of 2024-01-04",
        )
    ]
    assert found[1] == [
        ("threshold", OFSTED, 100_783, "crossed 100,000 (debate) by 2024-01-06 (also 50,000)"),
        (
            "mover",
            OFSTED,
            100_783,
            "+51,000 signatures (+102.4%) since the count of 2024-01-05",
        ),
    ]
    assert found[2] == [
        (
            "mover",
            OFSTED,
            108_783,
            "+8,000 signatures (+7.9%) since the count of 2024-01-06",
        )
    ]
    assert found[3] == []

    # A catch-up window spanning all of it still reports the crossing exactly once.
    catch_up = await digest_for(loaded_db_path, BASE, BASE + 4 * DAY)
    assert [(i.section.value, i.why) for i in catch_up.section(Section.THRESHOLD)] == [
        ("threshold", "crossed 100,000 (debate) by 2024-01-06")
    ]


async def test_crossing_dated_by_the_documents_history(
    loaded_db_path: Path, seed: dict[int, Petition]
) -> None:
    ofsted = variant(seed[OFSTED], hours=48, extra=60_000)
    dated = dataclasses.replace(
        ofsted,
        history=(
            *ofsted.history,
            HistoryEvent("Debate Threshold Reached", at("2024-01-05T23:30:00+00:00")),
        ),
    )
    ingest_at(loaded_db_path, [dated], BASE + HOUR)
    london = await digest_for(loaded_db_path, BASE, BASE + DAY)
    assert lines(london) == [
        ("threshold", OFSTED, 108_783, "crossed 100,000 (debate) on 2024-01-05"),
        (
            "mover",
            OFSTED,
            108_783,
            "+60,000 signatures (+123.0%) since the count of 2024-01-04",
        ),
    ]
    # Dates are the server's local dates.
    tokyo = await digest_for(loaded_db_path, BASE, BASE + DAY, tz="Asia/Tokyo")
    assert tokyo.items[0].why == "crossed 100,000 (debate) on 2024-01-06"


async def test_new_petition_is_listed_once_as_new(
    loaded_db_path: Path, seed: dict[int, Petition]
) -> None:
    fresh = renumbered(seed[VERIFIED_ID], 900_001, "Fresh petition")
    ingest_at(loaded_db_path, [fresh], BASE + HOUR)
    digest = await digest_for(loaded_db_path, BASE, BASE + DAY)
    # 270,294 signatures and a response, but new: one item, not four.
    assert lines(digest) == [
        ("new", 900_001, 270_294, "new: first seen 2031-01-01, opened 2021-03-05"),
    ]
    assert digest.items[0].title == "Fresh petition"
    assert digest.items[0].url == "https://petition.parliament.uk/petitions/900001"
    # A later update of it is a change, not news of a new petition.
    ingest_at(loaded_db_path, [variant(fresh, hours=1, extra=5)], BASE + DAY + HOUR)
    later = await digest_for(loaded_db_path, BASE + DAY, BASE + 2 * DAY)
    assert [i.section for i in later.items] == [Section.MOVER]


async def test_new_government_response(loaded_db_path: Path, seed: dict[int, Petition]) -> None:
    send = seed[SEND]
    no_response = dataclasses.replace(
        variant(send, hours=1),
        government_response=None,
        history=tuple(e for e in send.history if e.event != "Government Response"),
    )
    ingest_at(loaded_db_path, [no_response], BASE + HOUR)
    assert (await digest_for(loaded_db_path, BASE, BASE + DAY)).empty
    ingest_at(loaded_db_path, [variant(send, hours=2)], BASE + DAY + HOUR)
    digest = await digest_for(loaded_db_path, BASE + DAY, BASE + 2 * DAY)
    assert lines(digest) == [
        ("response", SEND, 26_704, "government responded 2022-03-09 (Department for Education)")
    ]
    detail = digest.items[0].detail
    assert detail is not None
    assert detail.startswith("To achieve Qualified Teacher Status, all teachers must already")
    assert len(detail) <= digest_module.SUMMARY_LIMIT


async def test_closed_petition(loaded_db_path: Path, seed: dict[int, Petition]) -> None:
    after_dissolution = variant(seed[OFSTED], hours=24 * 150)  # 2024-06-02, same count
    ingest_at(loaded_db_path, [after_dissolution], BASE + HOUR)
    digest = await digest_for(loaded_db_path, BASE, BASE + DAY)
    assert [(i.section.value, i.why) for i in digest.items] == [
        ("closed", "closed 2024-05-30"),  # the 2024 dissolution closed every open petition
    ]
    # Ingesting a later count of the closed petition does not report it again.
    ingest_at(loaded_db_path, [variant(after_dissolution, hours=5)], BASE + DAY + HOUR)
    assert (await digest_for(loaded_db_path, BASE + DAY, BASE + 2 * DAY)).section(
        Section.CLOSED
    ) == []


async def test_movers_absolute_and_relative(
    loaded_db_path: Path, seed: dict[int, Petition], monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_at(
        loaded_db_path,
        [
            variant(seed[OFSTED], hours=1, extra=1_000),  # +2.0%
            variant(seed[SEND], hours=1, extra=2_000),  # +7.5%
            variant(seed[VERIFIED_ID], hours=1, extra=3_000),  # +1.1%
        ],
        BASE + HOUR,
    )
    monkeypatch.setattr(digest_module, "MOVERS_LIMIT", 1)
    digest = await digest_for(loaded_db_path, BASE, BASE + DAY)
    assert [(i.section.value, i.petition_id, i.signatures) for i in digest.items] == [
        ("mover", VERIFIED_ID, 273_294),
        ("riser", SEND, 28_704),
    ]
    assert digest.items[1].why == ("+2,000 signatures (+7.5%) since the count of 2022-03-26")
    # min_signatures leaves out smaller petitions everywhere.
    big = await digest_for(loaded_db_path, BASE, BASE + DAY, min_signatures=30_000)
    assert [(i.section.value, i.petition_id) for i in big.items] == [
        ("mover", VERIFIED_ID),
        ("riser", OFSTED),
    ]


async def test_section_cap_counts_the_rest(
    loaded_db_path: Path, seed: dict[int, Petition], monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = [renumbered(seed[SEND], 900_000 + n) for n in range(3)]
    ingest_at(loaded_db_path, fresh, BASE + HOUR)
    monkeypatch.setattr(digest_module, "SECTION_LIMIT", 2)
    digest = await digest_for(loaded_db_path, BASE, BASE + DAY)
    assert [i.petition_id for i in digest.items] == [900_000, 900_001]
    assert digest.omitted == ((Section.NEW, 1),)
    assert digest.omitted_in(Section.NEW) == 1


async def test_servers_share_window_facts(loaded_db_path: Path, seed: dict[int, Petition]) -> None:
    ingest_at(loaded_db_path, [variant(seed[OFSTED], hours=24, extra=3_000)], BASE + HOUR)
    db = await Database.open(loaded_db_path)
    try:
        changes = await fetch_changes(db, BASE - DAY, BASE + DAY)
    finally:
        await db.close()
    assert [p.id for p in changes.petitions] == [OFSTED]
    plain = make_config(guild_id=1)
    fifty = make_config(guild_id=2, thresholds=(50_000,))
    picky = make_config(guild_id=3, min_signatures=60_000)
    jobs = [(plain, BASE, BASE + DAY), (fifty, BASE, BASE + DAY), (picky, BASE, BASE + DAY)]
    digests = compose_many(changes, jobs)
    assert [[i.section.value for i in d.items] for d in digests] == [
        ["mover"],
        ["threshold", "mover"],
        [],
    ]
    assert digests[1].items[0].why == "crossed 50,000 by 2024-01-05"
    cache = FactsCache(changes)
    for _, start, end in jobs:
        cache.facts(start, end)
    assert cache.distinct_windows == 1
    # A window starting at another minute before the same ingest is the same window...
    assert cache.facts(BASE + HOUR / 2, BASE + DAY) is cache.facts(BASE, BASE + DAY)
    assert cache.distinct_windows == 1
    # ...one starting after it is not (and has nothing to say).
    assert compose(cache.facts(BASE + 2 * HOUR, BASE + DAY), plain).empty
    assert cache.distinct_windows == 2
    # An earlier window sees nothing of it.
    assert compose(cache.facts(BASE - DAY, BASE), plain).empty


def test_window_outside_the_change_set_is_refused() -> None:
    changes = ChangeSet(BASE, BASE + DAY, ())
    with pytest.raises(ValueError):
        window_facts(changes, BASE - HOUR, BASE + DAY)
