"""Issue 15 on the real data: the 69 petitions' JSON in ../shared plus the three seeds.

Every answer must be true *today* (a fixed, injected clock) and never mislead:
states and deadlines, debates, response dates, joint ranks, regions, MPs in time,
momentum, and how loosely typed input is answered.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.common.cards import reply_to_text
from core.common.errors import NotFoundError, UserFacingError
from core.ingest.loader import ingest_paths_sync
from core.petitions.results import PetitionCard
from core.petitions.types import PetitionSummary
from core.places.render import render
from core.search.results import Chooser
from core.services import Services
from db import counts
from db.database import Database
from tests.conftest import SEEDS_DIR, SHARED

PETITIONS = SHARED / "data" / "ref" / "mysociety-uk-parl-petitions-scraper" / "petitions"
TODAY = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(not PETITIONS.is_dir(), reason="../shared petition JSON absent")


@pytest.fixture(scope="module")
def _archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive") / "archive.sqlite3"
    paths = sorted(PETITIONS.glob("*.json")) + sorted(SEEDS_DIR.glob("*.txt"))
    report = ingest_paths_sync(path, paths)
    assert report.counts["added"] == 72, report.summary()
    return path


async def _services(tmp_path: Path, archive: Path, now: datetime) -> AsyncIterator[Services]:
    copy = tmp_path / "archive.sqlite3"
    shutil.copyfile(archive, copy)
    db = await Database.open(copy)
    try:
        yield await Services.load(db, clock=lambda: now)
    finally:
        await db.close()


@pytest.fixture
async def services(tmp_path: Path, _archive: Path) -> AsyncIterator[Services]:
    async for s in _services(tmp_path, _archive, TODAY):
        yield s


async def text(services: Services, result_coro: object) -> str:
    result = await result_coro  # type: ignore[misc]
    return reply_to_text(render(result).fitted())


# ---------------------------------------------------------------- joint ranks
async def test_tied_seats_share_a_rank_everywhere(services: Services) -> None:
    """Central Devon and Bristol South both have 359 on 563943: joint 5th, not 5th and 6th."""
    table = await services.petition_top("563943", count=8)
    ranks = {row.name: (row.rank, row.tied) for row in table.rows if not row.unknown}
    assert ranks["Bristol South"] == ranks["Central Devon"] == (5, True)
    assert ranks["Norwich South"] == (7, False)  # the next rank skips: 1, 2, 3, 4, =5, =5, 7
    shown = await text(services, services.petition_top("563943", count=8))
    assert "**=5** Bristol South — 359" in shown and "**=5** Central Devon — 359" in shown
    for seat in ("central devon", "bristol south"):
        answer = await text(services, services.constituency_show(seat, "563943"))
        assert "=5th of 650 (joint: another seat has the same count)" in answer
    card = await services.petition_show("563943")
    assert isinstance(card, PetitionCard)


# ---------------------------------------------------------------- state as of now
async def test_open_in_the_data_but_past_its_deadline_is_closed(services: Services) -> None:
    """619334: the JSON (3 Jan 2023) says open; it closed 5 Jan 2023 (opened 5 Jul 2022)."""
    card = await services.petition_show("619334")
    assert isinstance(card, PetitionCard)
    assert card.petition.state == "open"  # what the data says, kept
    assert card.petition.deadline_at == datetime(2023, 1, 5, 23, 59, 59, tzinfo=UTC)
    shown = await text(services, services.petition_show("619334"))
    assert "Closed on 5 Jan 2023 (the data, as of 3 Jan 2023, still called it open)" in shown
    closed = await text(services, services.petition_show("300000"))
    assert "Closed on 3 Sep 2020" in closed  # the JSON's closed_at


async def test_open_before_the_deadline_says_when_it_closes(tmp_path: Path, _archive: Path) -> None:
    async for services in _services(tmp_path, _archive, datetime(2022, 12, 24, tzinfo=UTC)):
        shown = await text(services, services.petition_show("619334"))
        assert "Open — closes 5 Jan 2023 (in 12 days)" in shown
        board = await services.leaderboard("open")
        assert 619334 in [r.id for r in board.rows]
        assert all(r.state == "open" for r in board.rows)


async def test_leaderboard_and_search_filter_use_the_same_rule(services: Services) -> None:
    """On 3 Dec 2026 nothing in the archive is open, though six documents say so."""
    board = await services.leaderboard("open")
    assert (board.rows, board.total) == ((), 0)
    closed = await services.leaderboard("closed")
    assert closed.total == 72 and all(r.state == "closed" for r in closed.rows)
    with pytest.raises(UserFacingError, match="No open petition matches 'abortion', but 1 in"):
        await services.petition_search("abortion", "open")
    found = await services.petition_search("abortion", "closed")
    assert [h.petition.id for h in found.hits] == [619334]
    assert found.hits[0].petition.state == "closed"


async def test_markdown_deadline_is_six_months_after_opening(services: Services) -> None:
    """The verified-ID seed (Markdown) opened 5 Mar 2021: closes 5 Sep 2021, UK midnight."""
    card = await services.petition_show("575833")
    assert isinstance(card, PetitionCard)
    assert card.petition.deadline_at == datetime(2021, 9, 5, 22, 59, 59, tzinfo=UTC)
    ofsted = await services.petition_show("652057")  # open at the 2024 dissolution
    assert isinstance(ofsted, PetitionCard)
    assert ofsted.petition.deadline_at == datetime(2024, 5, 30, tzinfo=UTC)


# ---------------------------------------------------------------- debates and responses
async def test_debates_on_the_card_and_in_the_history(services: Services) -> None:
    debated = await text(services, services.petition_show("619334"))
    assert "Debated on 28 Nov 2022" in debated
    assert "[Transcript](https://hansard.parliament.uk/commons/2022-11-28/" in debated
    assert "[Debate pack](https://commonslibrary.parliament.uk/research-briefings/" in debated
    assert "youtube" not in debated  # not a parliament domain: dropped
    scheduled = await text(services, services.petition_show("600593"))
    assert "Debate scheduled for 9 Jan 2023" in scheduled
    history = await text(services, services.petition_history("619334"))
    assert "Debated on 28 Nov 2022" in history


async def test_response_date_is_the_day_the_government_responded(services: Services) -> None:
    """Hammersmith Bridge (549607): responded_on 3 Nov 2020, published 24 Sep 2020."""
    shown = await text(services, services.petition_show("549607"))
    assert "[Government response (3 Nov 2020)]" in shown


# ---------------------------------------------------------------- never mislead
async def test_a_generic_word_gives_a_chooser(services: Services) -> None:
    chooser = await services.petition_show("ban")
    assert isinstance(chooser, Chooser)
    assert len(chooser.options) >= 10
    assert all("ban" in o.title.lower() for o in chooser.options)  # type: ignore[union-attr]
    shown = await text(services, services.petition_show("ban"))
    assert shown.count("Which petition?") == 1
    picked = await services.run(chooser.choices[0].invocation)
    assert isinstance(picked, PetitionCard)


@pytest.mark.parametrize("query", ["0", "-1", "#0"])
async def test_zero_and_negative_numbers_are_not_title_words(
    services: Services, query: str
) -> None:
    with pytest.raises(NotFoundError, match="is not a petition id"):
        await services.petition_show(query)
    with pytest.raises(NotFoundError, match="is not a petition id"):
        await services.petition_search(query)


async def test_an_unknown_id_says_so_and_links_the_site(services: Services) -> None:
    for run in (services.petition_show, services.petition_search):
        with pytest.raises(NotFoundError) as caught:
            await run("999999")
        message = str(caught.value)
        assert message == (
            "No petition #999999 in this archive. The petition site may have it:"
            " https://petition.parliament.uk/petitions/999999"
        )


async def test_show_and_search_resolve_a_typo_the_same_way(services: Services) -> None:
    card = await services.petition_show("snears")
    assert isinstance(card, PetitionCard) and card.petition.id == 600593
    found = await services.petition_search("snears")
    assert found.hits[0].petition.id == 600593


async def test_suggestions_only_above_a_similarity_floor(services: Services) -> None:
    with pytest.raises(NotFoundError) as caught:
        await services.petition_show("qqqq zzzz xxxx")
    assert "Did you mean" not in str(caught.value)


async def test_long_input_is_not_echoed_whole(services: Services) -> None:
    query = "zq" * 3000  # 6,000 characters
    for run in (services.petition_show, services.petition_search):
        with pytest.raises(NotFoundError) as caught:
            await run(query)
        assert len(str(caught.value)) < 200


async def test_momentum_says_when_stored_counts_do_not_allow_it(services: Services) -> None:
    shown = await text(services, services.petition_show("619334"))
    assert "Last 24 hours: no stored count from then to compare" in shown
    assert "Last 7 days: no stored count from then to compare" in shown
    assert "Closed: no forecast" in shown


async def test_history_chart_stops_at_the_deadline_and_is_honest_with_one_count(
    services: Services,
) -> None:
    """300473 closed 11 Sep 2020; its only stored count is from 10 Feb 2022."""
    from core.charts.draw import HistoryChart
    from core.charts.service import chart_spec

    spec = await chart_spec(services.db, 300473, "history")
    figure = spec.figure
    assert isinstance(figure, HistoryChart)
    assert figure.closes_at == datetime(2020, 9, 11, 22, 59, 59, tzinfo=UTC)
    assert max(p.at for p in figure.points) == figure.closes_at  # nothing past closing
    assert figure.joined is False  # one stored count: points are not joined by a line
    assert any("later counts are drawn at the deadline" in note for note in spec.notes)


# ---------------------------------------------------------------- regions
async def test_regions_summed_from_seats_match_the_sites_own_counts(
    services: Services,
) -> None:
    """For every JSON petition: seats summed by the reference region == signatures_by_region."""
    import json

    from db.reference import ensure_reference, region_counts

    await ensure_reference(services.db)
    for path in sorted(PETITIONS.glob("*.json")):
        data = json.loads(path.read_bytes())["data"]
        by_region = data["attributes"]["signatures_by_region"]
        stated = {r["name"]: r["signature_count"] for r in by_region}
        summed = {r.region: r.signatures for r in await region_counts(services.db, data["id"])}
        assert len(summed) == 12, path.name
        assert {k: v for k, v in summed.items() if v or k in stated} == stated, path.name


async def test_top_by_region_and_a_region_chart(services: Services) -> None:
    from core.charts.draw import BarChart
    from core.charts.service import chart_spec
    from db.reference import ensure_reference

    await ensure_reference(services.db)
    table = await services.petition_top("619334", by="region")
    assert [(r.rank, r.name, r.signatures) for r in table.rows[:3]] == [
        (1, "South East", 27_925),
        (2, "London", 23_250),
        (3, "North West", 17_855),
    ]
    assert len(table.rows) == table.listed == 12
    shown = await text(services, services.petition_top("619334", by="region"))
    assert "Regions: Include abortion rights" in shown
    spec = await chart_spec(services.db, 619334, "top", by="region")
    assert isinstance(spec.figure, BarChart) and len(spec.figure.items) == 12
    # Markdown reports print no regions: summed from seats all the same.
    seeds = await services.petition_top("ofsted", by="region")
    assert sum(r.signatures for r in seeds.rows) > 0 and len(seeds.rows) == 12


# ---------------------------------------------------------------- MPs in time
async def test_mps_in_time_and_current_mps(services: Services) -> None:
    from db.reference import ensure_reference

    await ensure_reference(services.db)
    await services.resolver.refresh()  # today's MPs join the index with the reference
    seat = await text(services, services.constituency_show("central devon", "563943"))
    assert "[MP named in the petition data]\nRt Hon Mel Stride MP\n(as the document" in seat
    assert "[MP now (2024 reference)]\nMel Stride (Conservative)" in seat
    medi = await text(services, services.mp_show("Llinos Medi"))
    assert medi.startswith("Llinos Medi — MP for Ynys Môn")
    assert "Llinos Medi (Plaid Cymru) is MP for Ynys Môn, a seat of the 2024 boundaries" in medi
    assert "nearest earlier seat, Ynys Môn (same name)" in medi
    speaker = await text(services, services.mp_show("Mr Speaker"))
    assert speaker.startswith("Lindsay Hoyle — MP for Chorley")
    assert "Lindsay Hoyle (Speaker)" in speaker


async def test_a_2024_seat_on_2010_data_is_explained(services: Services) -> None:
    from db.reference import ensure_reference

    await ensure_reference(services.db)
    with pytest.raises(UserFacingError) as caught:
        await services.constituency_show("Aberafan Maesteg", "563943")
    assert str(caught.value) == (
        "Aberafan Maesteg is a seat of the 2024 boundaries; the petitions here count"
        " signatures by the 2010–2024 boundaries, which had no seat of that name. Nearest"
        " earlier seats by name: Aberavon (same region, shares the name word aberafan)."
    )


async def test_every_reply_to_a_6000_character_query_fits_discord(services: Services) -> None:
    """Cards, content and menus stay within Discord's limits whatever was typed."""
    from core.common.cards import CONTENT_LIMIT, EMBED_TOTAL_LIMIT

    query = ("ban " * 1500)[:6000]
    for run in (services.petition_search, services.petition_show):
        try:
            reply = render(await run(query)).fitted()
        except UserFacingError as error:
            assert len(str(error)) <= CONTENT_LIMIT
            continue
        assert all(c.total_length() <= EMBED_TOTAL_LIMIT for c in reply.cards + reply.pages)
        assert all(len(c.title or "") <= 256 for c in reply.cards + reply.pages)
        assert len(reply.content or "") <= CONTENT_LIMIT
        assert all(len(choice.label) <= 100 for choice in reply.choices)
        assert query[:200] not in reply_to_text(reply)  # echoed input is capped


@pytest.mark.parametrize("limit", [1, 3, 10, 100])
async def test_closed_leaderboard_merges_stored_and_lapsed_in_signature_order(
    services: Services, limit: int
) -> None:
    """The closed board is read as two index walks (stored closed; open past the deadline),
    merged: the same rows, in the same order, as filtering every petition by hand."""
    stamp = TODAY.isoformat()
    every = await counts.leaderboard(services.db, None, 1_000, now=stamp)

    def closed_today(r: PetitionSummary) -> bool:
        lapsed = r.state == "open" and r.deadline_at is not None and r.deadline_at <= TODAY
        return r.state == "closed" or lapsed

    expected = [r.id for r in every if closed_today(r)]
    assert any(r.state == "open" for r in every)  # the merge has both halves to merge
    board = await counts.leaderboard(services.db, "closed", limit, now=stamp)
    assert [r.id for r in board] == expected[:limit]
    assert await counts.count_by_state(services.db, "closed", now=stamp) == len(expected)
    assert await counts.count_by_state(services.db, "open", now=stamp) == len(every) - len(expected)
