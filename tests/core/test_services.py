"""Every user-facing command's service on the three real seeds (real SQLite, real resolver)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.commands import REGISTRY, Kind
from core.common.cards import reply_to_text
from core.common.errors import NotFoundError, UserFacingError
from core.common.results import Invocation
from core.petitions.results import Comparison, PetitionCard
from core.petitions.service import seat_differences, seat_table_rows
from core.petitions.types import PetitionDetail, PetitionRef, SeatRow
from core.places.render import render
from core.places.results import SeatInPetition, SeatOverview
from core.places.types import ConstituencyRef, MpRef
from core.search.resolver import Resolver
from core.search.results import Chooser
from core.services import Services
from db import counts
from db.database import Database
from db.reference import ensure_reference
from tests.support import seed_clock

pytestmark = pytest.mark.both_databases

OFSTED = 652057
SEND = 607849
VERIFIED_ID = 575833
OFSTED_TITLE = "Pause Ofsted inspections and reform how school performance is evaluated"


@pytest.fixture
async def services(db: Database) -> Services:
    return Services(db, await Resolver.load(db, seed_clock))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ---------------------------------------------------------------- /petition show
@pytest.mark.parametrize(
    "query",
    [
        "652057",
        "https://petition.parliament.uk/petitions/652057",
        "pause ofsted inspectons",  # typo
        "ofsted",
    ],
)
async def test_show_resolves_id_url_and_misspelled_title(services: Services, query: str) -> None:
    card = await services.petition_show(query)
    assert card.petition.id == OFSTED
    assert card.petition.title == OFSTED_TITLE
    assert card.choices == ()  # a clear answer offers no "Did you mean…"


async def test_show_card_content(services: Services) -> None:
    card = await services.petition_show("ofsted")
    p = card.petition
    assert (p.total_signatures, p.uk_signatures, p.state) == (48_783, 48_626, "open")
    assert p.refreshed_at == at("2024-01-04T20:30:10")
    assert [(t.signatures, t.label, t.reached_at) for t in card.thresholds] == [
        (10_000, "response", at("2023-12-08T17:53:50"))
    ]
    assert card.response is not None
    assert card.response.department == "Department for Education"
    assert card.response.summary.startswith("The government remains committed")
    assert [(s.seat_rank, s.name, s.signatures) for s in card.top_seats] == [
        (1, "Sutton Coldfield", 305),
        (2, "Reading East", 253),
        (3, "Garston and Halewood", 231),
        (4, "Sefton Central", 209),  # source rank 5: the Unknown row (rank 4) is not a seat
        (5, "Lichfield", 207),
    ]
    assert [(c.name, c.signatures, c.percent) for c in card.top_countries][:2] == [
        ("United Kingdom", 48_626, 99.68),
        ("Spain", 25, 0.05),
    ]
    assert [a.label for a in card.actions] == [
        "Constituencies",
        "Countries",
        "Government response",
        "History",
    ]


async def test_show_thresholds_with_debate(services: Services) -> None:
    card = await services.petition_show(str(VERIFIED_ID))
    assert [(t.signatures, t.reached_at) for t in card.thresholds] == [
        (10_000, at("2021-03-10T17:12:35")),
        (100_000, at("2021-03-11T18:36:45")),
    ]


async def test_show_actions_replay_to_tables_response_and_history(services: Services) -> None:
    card = await services.petition_show("ofsted")
    countries = await services.run(card.actions[1].invocation)
    assert countries.by == "countries"  # type: ignore[attr-defined]
    assert countries.rows[0].name == "United Kingdom"  # type: ignore[attr-defined]
    response = await services.run(card.actions[2].invocation)
    assert response.response.details.rstrip().endswith("Department for Education")  # type: ignore[attr-defined]
    history = await services.run(card.actions[3].invocation)
    assert [e.event for e in history.events] == [  # type: ignore[attr-defined]
        "Created",
        "Moderation Threshold Reached",
        "Opened",
        "Response Threshold Reached",
        "Government Response",
        "Updated",
    ]
    assert [s.total_signatures for s in history.snapshots] == [48_783]  # type: ignore[attr-defined]


async def test_generic_petition_word_gives_a_chooser_not_a_card(services: Services) -> None:
    # "make" starts two seed titles: a topic word, not a pick (issue 15: no confident card).
    chooser = await services.petition_show("make")
    assert isinstance(chooser, Chooser)
    assert [(c.label, c.replace) for c in chooser.choices] == [
        ("Make verified ID a requirement for opening a social media account.", True),
        ("Make SEND training mandatory for all teaching staff", True),
    ]
    assert chooser.choices[1].description == f"#{SEND} · 26,704 signatures · open"
    # Choosing one re-runs the same command for that pick.
    picked = await services.run(chooser.choices[1].invocation)
    assert isinstance(picked, PetitionCard)
    assert picked.petition.id == SEND
    assert picked.choices == ()


async def test_no_petition_matches(services: Services) -> None:
    with pytest.raises(NotFoundError, match=r"^No petition matches 'zzzz qqqq'\.$"):
        await services.petition_show("zzzz qqqq")


async def test_not_found_message_escapes_the_query(services: Services) -> None:
    with pytest.raises(NotFoundError) as caught:
        await services.petition_show("@everyone **zzqq** <@123>")
    message = str(caught.value)
    assert "@everyone" not in message and "<@123>" not in message
    assert "@\u200beveryone" in message and "\\*\\*zzqq\\*\\*" in message


# ---------------------------------------------------------------- /petition search
async def test_search_ranks_matches_and_offers_to_open_them(services: Services) -> None:
    result = await services.petition_search("verified id social media")
    assert result.hits[0].petition.id == VERIFIED_ID
    assert result.choices[0].invocation == Invocation.of(
        "petition show", petition=result.hits[0].petition
    )
    assert result.choices[0].replace is False  # opening is a new message
    opened = await services.run(result.choices[0].invocation)
    assert opened.petition.id == VERIFIED_ID  # type: ignore[attr-defined]


@pytest.mark.parametrize("query", ["652057", "https://petition.parliament.uk/petitions/652057"])
async def test_search_by_id_or_url(services: Services, query: str) -> None:
    result = await services.petition_search(query)
    assert [h.petition.id for h in result.hits] == [OFSTED]


async def test_search_state_filter(services: Services) -> None:
    result = await services.petition_search("make", "open")
    assert {h.petition.id for h in result.hits} == {VERIFIED_ID, SEND}
    assert result.state == "open"
    # Every seed is open (on the seed clock): the filter hides both matches and says so.
    with pytest.raises(UserFacingError, match="No closed petition matches 'make', but 2 in"):
        await services.petition_search("make", "closed")
    with pytest.raises(UserFacingError, match="State must be one of"):
        await services.petition_search("make", "pending")


async def test_search_nothing(services: Services) -> None:
    with pytest.raises(NotFoundError, match="No petition matches 'qqqq zzzz'"):
        await services.petition_search("qqqq zzzz")


# ---------------------------------------------------------------- /petition top
async def test_top_constituencies_places_unknown_without_a_rank(services: Services) -> None:
    table = await services.petition_top("ofsted", "constituencies", 6)
    assert [(r.rank, r.name, r.signatures, r.percent) for r in table.rows] == [
        (1, "Sutton Coldfield", 305, 0.63),
        (2, "Reading East", 253, 0.52),
        (3, "Garston and Halewood", 231, 0.48),
        (None, "Unknown", 226, 0.46),
        (4, "Sefton Central", 209, 0.43),
        (5, "Lichfield", 207, 0.43),
        (6, "Brighton, Pavilion", 205, 0.42),
    ]
    assert table.rows[0].mp == "Rt Hon Andrew Mitchell MP"
    assert table.listed == 649


async def test_top_full_table_and_countries(services: Services) -> None:
    seats = await services.petition_top(str(OFSTED))
    assert len(seats.rows) == 650  # 649 seats + the Unknown row
    assert (seats.rows[-1].rank, seats.rows[-1].tied) == (648, True)  # "=648": ties share
    countries = await services.petition_top(str(OFSTED), "countries")
    assert len(countries.rows) == 41
    assert (countries.rows[-1].rank, countries.rows[-1].name) == (26, "Ukraine")
    # For 575833 the Unknown row is the largest (source rank 1).
    verified = await services.petition_top(str(VERIFIED_ID), count=2)
    assert [(r.rank, r.name, r.signatures) for r in verified.rows] == [
        (None, "Unknown", 13_698),
        (1, verified.rows[1].name, verified.rows[1].signatures),
        (2, verified.rows[2].name, verified.rows[2].signatures),
    ]


async def test_top_rejects_bad_options(services: Services) -> None:
    with pytest.raises(UserFacingError, match="Rank by"):
        await services.petition_top("ofsted", "regions")
    with pytest.raises(UserFacingError, match="at least 1"):
        await services.petition_top("ofsted", count=0)


def test_seat_table_rows_leaves_unknown_out_when_beyond_count() -> None:
    detail = _detail(unknown_rank=4, unknown_signatures=10)
    rows = [SeatRow(i, f"Seat {i}", f"seat {i}", i, i, 100 - i, 1.0, None) for i in (1, 2)]
    assert [r.name for r in seat_table_rows(detail, rows)] == ["Seat 1", "Seat 2"]
    rows.append(SeatRow(3, "Seat 3", "seat 3", 3, 3, 50, 1.0, None))
    assert [r.name for r in seat_table_rows(detail, rows)] == [
        "Seat 1",
        "Seat 2",
        "Seat 3",
        "Unknown",
    ]


def _detail(**changes: object) -> PetitionDetail:
    values: dict[str, object] = dict(
        id=1,
        title="T",
        url="https://petition.parliament.uk/petitions/1",
        state="open",
        total_signatures=1000,
        uk_signatures=900,
        unknown_signatures=None,
        unknown_rank=None,
        refreshed_at=at("2024-01-01T00:00:00"),
        boundary_set="2010",
        opened_at=None,
        closed_at=None,
        response_threshold_at=None,
        debate_threshold_at=None,
        government_response_at=None,
        departments=(),
    )
    values.update(changes)
    return PetitionDetail(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- /petition compare
async def test_compare(services: Services) -> None:
    result = await services.petition_compare("ofsted", "send training")
    assert isinstance(result, Comparison)
    assert (result.first.id, result.second.id) == (OFSTED, SEND)
    assert [s.name for s in result.first_top] == [
        "Sutton Coldfield",
        "Reading East",
        "Garston and Halewood",
        "Sefton Central",
        "Lichfield",
    ]
    assert result.second_top[0].name == "Wantage"
    top = result.differences[0]
    assert (top.name, top.first_signatures, top.second_signatures) == ("Sutton Coldfield", 305, 49)
    assert top.first_share == pytest.approx(100 * 305 / 48_626)
    assert top.second_share == pytest.approx(100 * 49 / 26_625)
    assert len(result.differences) == 10
    gaps = [abs(d.difference) for d in result.differences]
    assert gaps == sorted(gaps, reverse=True)


async def test_compare_counts_a_seat_missing_from_one_table_as_zero(services: Services) -> None:
    result = await services.petition_compare(str(OFSTED), str(SEND))
    # All differences are computed over the union of seats: Glasgow North East is absent
    # from 652057's table but present (5) in 607849's.
    seats_a = await counts.constituency_table(services.db, OFSTED)
    seats_b = await counts.constituency_table(services.db, SEND)
    every = {d.name: d for d in seat_differences(result.first, seats_a, result.second, seats_b)}
    assert len(every) == 650
    glasgow = every["Glasgow North East"]
    assert (glasgow.first_signatures, glasgow.second_signatures) == (0, 5)
    assert glasgow.first_share == 0.0


async def test_compare_same_petition_is_refused(services: Services) -> None:
    with pytest.raises(UserFacingError, match="pick two different petitions"):
        await services.petition_compare("ofsted", "652057")


# ---------------------------------------------------------------- /constituency show
async def test_constituency_zero_count_seat_ranks_last(services: Services) -> None:
    result = await services.constituency_show("Glasgow North East", "652057")
    assert isinstance(result, SeatInPetition)
    s = result.standing
    assert (s.listed, s.signatures, s.percent) == (False, 0, None)
    assert (s.seat_rank, s.seats_listed, s.seats_total) == (650, 649, 650)
    assert result.uk_share == 0.0
    # The table cannot say who held an absent seat: the last holder seen before is offered.
    assert result.holder is not None and result.holder.mp.name == "Anne McLaughlin"


async def test_constituency_vacant_seat(services: Services) -> None:
    result = await services.constituency_show("wellingborough", "ofsted")
    assert isinstance(result, SeatInPetition)
    s = result.standing
    assert (s.listed, s.signatures, s.seat_rank, s.mp_printed) == (True, 86, 251, None)
    assert result.holder is None
    # …but the same seat had an MP at an earlier refresh.
    earlier = await services.constituency_show("Wellingborough", str(SEND))
    assert earlier.standing.mp_printed == "Mr Peter Bone MP"  # type: ignore[union-attr]


async def test_constituency_in_petition(services: Services) -> None:
    result = await services.constituency_show("woking", str(VERIFIED_ID))
    assert isinstance(result, SeatInPetition)
    assert result.seat.name == "Woking"
    s = result.standing
    # Source rank 95; the Unknown row is rank 1 in this petition, so 94th in the source's
    # seat order, but a seat with the same count comes first there: joint 93rd.
    assert (s.signatures, s.percent, s.seat_rank, s.seats_total) == (503, 0.19, 93, 650)
    assert s.tied
    assert s.mp_printed == "Mr Jonathan Lord MP"
    assert result.uk_share == pytest.approx(100 * 503 / 268_513)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Ynys Mon", "Ynys Môn"),
        ("weston super mare", "Weston-super-Mare"),
        ("Brighton Pavilion", "Brighton, Pavilion"),
        ("SUTTON COLDFEILD", "Sutton Coldfield"),
    ],
)
async def test_constituency_names_typed_loosely(services: Services, typed: str, name: str) -> None:
    result = await services.constituency_show(typed, "ofsted")
    assert result.seat.name == name
    assert result.choices == ()


async def test_constituency_without_petition_lists_what_it_signed_most(
    services: Services,
) -> None:
    result = await services.constituency_show("Sutton Coldfield")
    assert isinstance(result, SeatOverview)
    assert [(r.petition_id, r.signatures) for r in result.petitions] == [
        (VERIFIED_ID, 436),
        (OFSTED, 305),
        (SEND, 49),
    ]
    assert [h.mp.name for h in result.holders] == ["Andrew Mitchell"]
    # Its menu opens the seat in one of those petitions.
    opened = await services.run(result.choices[1].invocation)
    assert isinstance(opened, SeatInPetition)
    assert (opened.petition.id, opened.standing.signatures) == (OFSTED, 305)


async def test_ambiguous_constituency(services: Services) -> None:
    result = await services.constituency_show("brighton", "ofsted")
    assert result.seat.name == "Brighton, Kemptown"
    assert [(c.label, c.replace) for c in result.choices] == [("Brighton, Pavilion", True)]
    picked = await services.run(result.choices[0].invocation)
    assert isinstance(picked, SeatInPetition)
    assert (picked.seat.name, picked.standing.signatures) == ("Brighton, Pavilion", 205)


async def test_no_constituency_matches(services: Services) -> None:
    with pytest.raises(NotFoundError, match=r"^No constituency matches 'Qqqxxz'"):
        await services.constituency_show("Qqqxxz")


async def test_seat_picked_from_another_boundary_set_is_refused(services: Services) -> None:
    other = ConstituencyRef(-1, "Nowhere New", "2024", None)
    with pytest.raises(UserFacingError, match="no seat of that name under the 2010 boundaries"):
        await services.constituency_show(other, "ofsted")


# ---------------------------------------------------------------- /mp show
async def test_mp_typo_without_petition(services: Services) -> None:
    result = await services.mp_show("Andrew Mitchel")
    assert isinstance(result, SeatOverview)
    assert result.mp == MpRef(result.mp.id, "Andrew Mitchell")  # type: ignore[union-attr]
    assert result.seat.name == "Sutton Coldfield"
    assert [s.seat.name for s in result.mp_seats] == ["Sutton Coldfield"]
    assert result.petitions[0].signatures == 436


async def test_mp_with_honorifics_in_petition(services: Services) -> None:
    result = await services.mp_show("Mr Jonathan Lord MP", "ofsted")
    assert isinstance(result, SeatInPetition)
    assert result.mp is not None and result.mp.name == "Jonathan Lord"
    assert result.seat.name == "Woking"
    s = result.standing
    assert (s.signatures, s.seat_rank, s.mp_printed) == (81, 281, "Mr Jonathan Lord MP")


async def test_mp_printed_as_at_each_refresh(services: Services) -> None:
    """Sir Geoffrey Cox was "QC" in 2021 and "KC" by 2024: each petition says which."""
    older = await services.mp_show("Sir Geoffrey Cox", str(VERIFIED_ID))
    newer = await services.mp_show("Sir Geoffrey Cox", str(OFSTED))
    assert isinstance(older, SeatInPetition) and isinstance(newer, SeatInPetition)
    assert older.seat.name == newer.seat.name == "Torridge and West Devon"
    assert older.standing.mp_printed == "Rt Hon Sir Geoffrey Cox QC MP"
    assert newer.standing.mp_printed == "Rt Hon Sir Geoffrey Cox KC MP"
    assert (newer.standing.signatures, newer.standing.seat_rank) == (118, 95)


async def test_ambiguous_mp(services: Services) -> None:
    result = await services.mp_show("Maria", "ofsted")
    assert result.mp is not None and result.mp.name == "Maria Caulfield"
    assert [c.label for c in result.choices] == ["Maria Eagle", "Maria Miller"]
    picked = await services.run(result.choices[0].invocation)
    assert isinstance(picked, SeatInPetition)
    assert picked.seat.name == "Garston and Halewood"
    assert picked.standing.signatures == 231


async def test_no_mp_matches(services: Services) -> None:
    with pytest.raises(NotFoundError, match=r"^No MP matches 'Xyzzy Plugh'"):
        await services.mp_show("Xyzzy Plugh")


# ---------------------------------------------------------------- /leaderboard, /about, /help
async def test_leaderboard(services: Services) -> None:
    board = await services.leaderboard()
    assert [(r.id, r.total_signatures) for r in board.rows] == [
        (VERIFIED_ID, 270_294),
        (OFSTED, 48_783),
        (SEND, 26_704),
    ]
    assert (board.state, board.total) == (None, 3)
    assert board.choices[1].invocation == Invocation.of(
        "petition show",
        petition=PetitionRef(
            OFSTED,
            OFSTED_TITLE,
            48_783,
            "open",
            at("2024-01-04T20:30:10"),
            at("2024-05-30T00:00:00"),  # the 2024 dissolution closed it
        ),
    )
    closed = await services.leaderboard("closed")
    assert (closed.rows, closed.total, closed.state) == ((), 0, "closed")
    assert (await services.leaderboard("all")).total == 3


async def test_about(services: Services) -> None:
    about = await services.about()
    f = about.freshness
    assert (f.petitions, f.by_state) == (3, {"open": 3})
    assert f.newest_refresh == at("2024-01-04T20:30:10")
    assert f.oldest_refresh == at("2021-07-12T15:00:10")
    assert about.licence == "Open Government Licence v3.0"
    assert about.source_name == "petition.parliament.uk"


async def test_help(services: Services) -> None:
    everything = await services.help()
    assert everything.commands == REGISTRY.slash_commands()
    assert [c.name for c in everything.commands][:15] == [
        "ask",
        "petition search",
        "petition show",
        "Show petition",
        "petition top",
        "petition chart",
        "petition compare",
        "constituency show",
        "mp show",
        "me seat set",
        "me seat show",
        "me forget",
        "leaderboard",
        "help",
        "about",
    ]
    assert {c.name.split()[0] for c in everything.commands} >= {"digest", "admin"}
    assert all(c.example.startswith("/") for c in everything.commands if c.kind is Kind.SLASH)
    assert REGISTRY["Show petition"].example.startswith("Right-click a message")
    assert [c.name for c in (await services.help("/petition")).commands][:2] == [
        "petition search",
        "petition show",
    ]
    assert [c.name for c in (await services.help("mp")).commands] == ["mp show"]
    with pytest.raises(NotFoundError, match="No command 'dance'"):
        await services.help("dance")


async def test_run_rejects_unknown_command(services: Services) -> None:
    with pytest.raises(UserFacingError, match="Unknown command"):
        await services.run(Invocation.of("petition delete"))


async def test_response_missing_is_user_facing(services: Services) -> None:
    """A petition without a response: the button is not offered and the command explains."""
    await services.db.conn.execute(
        "DELETE FROM government_responses WHERE petition_id = ?", (SEND,)
    )
    card = await services.petition_show(str(SEND))
    assert "Government response" not in [a.label for a in card.actions]
    with pytest.raises(UserFacingError, match="has not responded to petition 607849"):
        await services.petition_response(str(SEND))


# ---------------------------------------------------------------- rates and charts (issue 9/10)
async def _services(db: Database) -> Services:
    await ensure_reference(db)
    return await Services.load(db, clock=seed_clock)


async def test_top_by_rate_ranks_seats_per_thousand_electors(db: Database) -> None:
    services = await _services(db)
    table = await services.petition_top("652057", "rate", 3)
    assert [row.name for row in table.rows] == [
        "Sutton Coldfield",
        "Reading East",
        "Garston and Halewood",
    ]
    assert table.rows[0].signatures == 305
    assert table.rows[0].per_thousand == pytest.approx(4.07, abs=0.005)
    assert table.listed == 650
    assert table.national is not None
    text = reply_to_text(render(table))
    assert "4.07 per 1,000 electors" in text and "UK rate" in text


async def test_seat_in_petition_carries_its_rate(db: Database) -> None:
    services = await _services(db)
    result = await services.constituency_show("Sutton Coldfield", "652057")
    assert isinstance(result, SeatInPetition)
    assert result.rate is not None
    assert "4.07 per 1,000 electors · 3.9× the UK rate" in reply_to_text(render(result))


async def test_chart_service_returns_a_png_card(db: Database, tmp_path: Path) -> None:
    services = await _services(db)
    result = await services.petition_chart("ofsted", "top", "count")
    assert result.chart.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    reply = render(result)
    assert reply.cards[0].image_file == str(result.chart.path)


async def test_chart_of_unknown_petition_is_a_clear_error(db: Database) -> None:
    services = await _services(db)
    with pytest.raises(NotFoundError):
        await services.petition_chart("zzzzqqqq xxyy", "map")
