"""Renderers: Discord limits, escaping of document/user text, number formats, menus."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.embeds import to_embed
from core.common.cards import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    Card,
    Reply,
)
from core.common.results import FollowUp, Invocation, Result
from core.petitions import render as rp
from core.petitions.results import (
    PetitionCard,
    ResponseText,
    SearchHit,
    SearchResult,
    TableRow,
    Threshold,
    TopTable,
)
from core.petitions.types import CountryRow, PetitionDetail, PetitionRef, ResponseRecord, SeatRow
from core.places.render import choices_per_page, render
from core.places.results import SeatInPetition
from core.places.types import ConstituencyRef, SeatStanding
from core.search.resolver import Resolver
from core.services import Services
from db.database import Database
from tests.support import seed_clock

pytestmark = pytest.mark.both_databases

NASTY = "@everyone **Bold** `code` <@123> <@&456> @here [link](https://evil.example) ~~x~~ |y|"
WHEN = datetime(2024, 1, 4, 20, 30, 10, tzinfo=UTC)


def texts(reply: Reply) -> list[str]:
    """Every string of a reply that Discord would render as Markdown."""
    out = [reply.content or ""]
    for card in [*reply.cards, *reply.pages]:
        out += [card.title or "", card.description or "", card.footer or ""]
        out += [f.name for f in card.fields] + [f.value for f in card.fields]
    return out


def assert_inert(reply: Reply) -> None:
    """Nothing pings and no document markdown survives unescaped."""
    for text in texts(reply):
        assert "@everyone" not in text and "@here" not in text, text
        assert re.search(r"<@[&!]?\d", text) is None, text
        assert "`code`" not in text and "**Bold**" not in text, text
        assert "](https://evil" not in text.replace("\\]", ""), text


def assert_within_limits(reply: Reply) -> None:
    fitted = reply.fitted()
    for card in [*fitted.cards, *fitted.pages]:
        assert len(card.title or "") <= TITLE_LIMIT
        assert len(card.description or "") <= DESCRIPTION_LIMIT
        assert len(card.fields) <= FIELD_COUNT_LIMIT
        assert all(len(f.value) <= FIELD_VALUE_LIMIT for f in card.fields)
        assert card.total_length() <= EMBED_TOTAL_LIMIT
        assert len(to_embed(card)) <= EMBED_TOTAL_LIMIT
    for choice in [*fitted.choices, *fitted.actions]:
        assert 1 <= len(choice.label) <= 100
        assert choice.description is None or len(choice.description) <= 100
    assert len(fitted.choices) <= 25 and len(fitted.actions) <= 5


def detail(title: str = NASTY, **changes: object) -> PetitionDetail:
    values: dict[str, object] = dict(
        id=652057,
        title=title,
        url="https://petition.parliament.uk/petitions/652057",
        state="open",
        total_signatures=1_234_567,
        uk_signatures=1_200_000,
        unknown_signatures=4_321,
        unknown_rank=2,
        refreshed_at=WHEN,
        boundary_set="2010",
        opened_at=WHEN,
        closed_at=None,
        response_threshold_at=WHEN,
        debate_threshold_at=None,
        government_response_at=WHEN,
        departments=(),
    )
    values.update(changes)
    return PetitionDetail(**values)  # type: ignore[arg-type]


def seat(rank: int, name: str = NASTY, mp: str | None = NASTY) -> SeatRow:
    return SeatRow(rank, name, name.lower(), rank, rank, 10_000 - rank, 0.81, mp)


def nasty_card(**changes: object) -> PetitionCard:
    p = detail()
    values: dict[str, object] = dict(
        invocation=Invocation.of("petition show", petition=NASTY),
        now=WHEN,
        petition=p,
        response=ResponseRecord(NASTY * 20, (NASTY + "\n\n") * 300, NASTY, WHEN),
        thresholds=(
            Threshold(10_000, "response", WHEN),
            Threshold(100_000, "debate", None),
        ),
        top_seats=tuple(seat(i) for i in range(1, 6)),
        top_countries=tuple(CountryRow(NASTY, i, 1_000 * i, 12.5) for i in range(1, 6)),
        choices=(
            FollowUp(NASTY * 5, Invocation.of("petition show", petition="x"), NASTY * 5, True),
        ),
        actions=(FollowUp("Constituencies", Invocation.of("petition top", petition="x")),),
    )
    values.update(changes)
    return PetitionCard(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- escaping and limits
def test_petition_card_escapes_document_text_and_fits() -> None:
    reply = render(nasty_card())
    assert_inert(reply)
    assert_within_limits(reply)
    card = reply.cards[0]
    assert card.title is not None and card.title.startswith("@\u200beveryone \\*\\*Bold\\*\\*")
    assert "<\u200b@\u200b123>" in card.title
    assert card.url == "https://petition.parliament.uk/petitions/652057"
    assert card.description == (
        "**1,234,567** signatures (as of 4 Jan 2024)\nOpen\nUK: 1,200,000 (97.20%)"
    )
    fields = {f.name: f.value for f in card.fields}
    assert fields["Thresholds"] == (
        "✅ 10,000 (response) — 4 Jan 2024\n✅ 100,000 (debate) — date not recorded"
    )
    assert fields["Last refreshed"] == "4 Jan 2024, 20:30 UTC"
    assert fields["Top constituencies"].endswith("Unknown (no seat): 4,321")
    assert "**1** " in fields["Top countries"] and "1,000 (12.50%)" in fields["Top countries"]


def test_long_response_is_cut_on_the_card_and_complete_in_its_pages() -> None:
    result = nasty_card()
    fitted = render(result).fitted().cards[0]
    response_field = next(f for f in fitted.fields if f.name.startswith("Government response"))
    assert len(response_field.value) <= FIELD_VALUE_LIMIT
    summary, department = response_field.value.rsplit("\n", 1)
    assert summary.endswith("…")  # the summary is cut, cleanly…
    assert not summary[:-1].endswith("\\")  # …never stranding an escape backslash
    assert department == f"— *{rp.escape(NASTY)}*"  # …and the department line survives

    full = render(
        ResponseText(
            invocation=Invocation.of("x"), petition=result.petition, response=result.response
        )  # type: ignore[arg-type]
    )
    assert len(full.pages) > 1
    assert_within_limits(full)
    assert_inert(full)
    assert [p.footer.rsplit("· ", 1)[1] for p in full.pages if p.footer] == [
        f"page {i} of {len(full.pages)}" for i in range(1, len(full.pages) + 1)
    ]
    # Nothing is lost between pages: every word of the escaped text is there, in order.
    joined = " ".join(p.description or "" for p in full.pages).split()
    expected = (
        f"**{rp.escape(result.response.summary)}**\n\n{rp.escape(result.response.details)}"  # type: ignore[union-attr]
    ).split()
    assert joined == expected


def test_choice_labels_are_plain_and_cut_to_discord_limits() -> None:
    reply = render(nasty_card())
    choice = reply.choices[0]
    assert len(choice.label) <= 100 and choice.label.endswith("…")
    assert choice.label.startswith("@everyone **Bold**")  # menus show plain text, not markdown
    assert choice.description is not None and len(choice.description) <= 100
    assert reply.choices_placeholder == "Did you mean…"
    assert reply.content == "Showing the closest match. Not it? Pick another from the menu."
    assert [(a.label, a.value) for a in reply.actions] == [("Constituencies", "0")]


def test_top_table_pages_and_unknown_row() -> None:
    rows = [TableRow(None, "Unknown", 4_321, 0.35, unknown=True)] + [
        TableRow(i, NASTY, 5_000 - i, 0.4, mp=None if i == 3 else "Ann Example MP")
        for i in range(1, 46)
    ]
    reply = render(
        TopTable(
            invocation=Invocation.of("petition top"),
            petition=detail(),
            by="constituencies",
            rows=tuple(rows),
            listed=649,
        )
    )
    assert len(reply.pages) == 3  # 46 rows at 20 a page
    assert_within_limits(reply)
    assert_inert(reply)
    first = (reply.pages[0].description or "").splitlines()
    assert first[0] == "**–** Unknown (no seat) — 4,321 (0.35%)"
    assert first[1].startswith("**1** @\u200beveryone") and first[1].endswith(
        "— 4,999 (0.40%) · Ann Example MP"
    )
    assert first[3].endswith("· vacant")
    assert reply.pages[0].footer == (
        "Petition 652057 · top 45 of 649 seats (Unknown is not a seat and has no rank)"
        " · Page 1 of 3"
    )


def test_search_pages_line_up_with_the_open_menu() -> None:
    hits = tuple(
        SearchHit(PetitionRef(i, f"{NASTY} {i}", 1_000 * i, "open", WHEN), 90.0)
        for i in range(1, 26)
    )
    result = SearchResult(
        invocation=Invocation.of("petition search"),
        query=NASTY,
        state=None,
        hits=hits,
        choices=tuple(
            FollowUp(h.petition.title, Invocation.of("petition show", petition=h.petition))
            for h in hits
        ),
    )
    reply = render(result)
    assert len(reply.pages) == 3 and len(reply.choices) == 25
    assert choices_per_page(result) == 10
    assert reply.choices_placeholder == "Open one…"
    assert reply.content is None  # an "open one" menu is not a correction
    assert_inert(reply)
    assert_within_limits(reply)
    assert (reply.pages[2].description or "").splitlines()[0].startswith("**21** ")
    assert "25,000 · Open · #25" in (reply.pages[2].description or "")


def test_seat_in_petition_zero_count_and_vacant() -> None:
    p = detail(title="A petition")
    zero = SeatStanding(652057, 9, False, 0, None, 650, 649, 650, None)
    reply = render(
        SeatInPetition(
            invocation=Invocation.of("constituency show"),
            seat=ConstituencyRef(9, NASTY, "2010", None),
            petition=p,
            standing=zero,
        )
    )
    assert_inert(reply)
    fields = {f.name: f.value for f in reply.cards[0].fields}
    assert fields["Signatures"] == "0"
    assert fields["Rank among seats"].startswith("joint last: 650 of 650")
    assert fields["Share of UK signatures"] == "0.00%"
    assert fields["MP named in the petition data"] == "Not listed in this petition"

    vacant = replace(zero, listed=True, signatures=1_234, percent=0.1, seat_rank=12)
    reply = render(
        SeatInPetition(
            invocation=Invocation.of("constituency show"),
            seat=ConstituencyRef(9, "Wellingborough", "2010", None),
            petition=p,
            standing=vacant,
        )
    )
    fields = {f.name: f.value for f in reply.cards[0].fields}
    assert (fields["Signatures"], fields["Rank among seats"]) == ("1,234", "12th of 650")
    assert fields["Share of UK signatures"] == "0.10%"  # 1,234 of 1,200,000 UK signatures
    assert fields["MP named in the petition data"] == "Vacant"


# ---------------------------------------------------------------- every command on the seeds
@pytest.fixture
async def services(db: Database) -> Services:
    return Services(db, await Resolver.load(db, seed_clock))


@pytest.mark.parametrize(
    "invocation",
    [
        Invocation.of("petition search", query="make"),
        Invocation.of("petition show", petition="ofsted"),
        Invocation.of("petition top", petition="652057"),
        Invocation.of("petition top", petition="652057", by="countries"),
        Invocation.of("petition compare", first="ofsted", second="send training"),
        Invocation.of("petition response", petition="575833"),
        Invocation.of("petition history", petition="575833"),
        Invocation.of("constituency show", name="brighton", petition="ofsted"),
        Invocation.of("constituency show", name="Sutton Coldfield"),
        Invocation.of("mp show", name="Sir Geoffrey Cox", petition="575833"),
        Invocation.of("leaderboard"),
        Invocation.of("help"),
        Invocation.of("about"),
    ],
    ids=lambda inv: inv.command,
)
async def test_every_command_renders_within_limits(
    services: Services, invocation: Invocation
) -> None:
    result: Result = await services.run(invocation)
    reply = render(result)
    assert reply.cards or reply.pages
    assert_within_limits(reply)
    assert len(reply.choices) == len(result.choices)
    assert len(reply.actions) == len(result.actions)


async def test_seed_cards_show_source_numbers(services: Services) -> None:
    top = render(await services.petition_top("652057", count=4))
    assert (top.pages[0].description or "").splitlines() == [
        "**1** Sutton Coldfield — 305 (0.63%) · Rt Hon Andrew Mitchell MP",
        "**2** Reading East — 253 (0.52%) · Matt Rodda MP",
        "**3** Garston and Halewood — 231 (0.48%) · Rt Hon Maria Eagle MP",
        "**–** Unknown (no seat) — 226 (0.46%)",
        "**4** Sefton Central — 209 (0.43%) · Bill Esterson MP",
    ]
    about = render(await services.about()).cards[0]
    assert "[petition.parliament.uk](https://petition.parliament.uk)" in (about.description or "")
    assert "Open Government Licence v3.0" in (about.description or "")
    assert {f.name: f.value for f in about.fields}["Newest refresh"] == "4 Jan 2024, 20:30 UTC"
    helped = render(await services.help())
    assert helped.ephemeral is True
    assert [len(page.fields) for page in helped.pages] == [21, 8, 4, 4]
    assert [page.footer for page in helped.pages] == [f"Page {n} of 4" for n in (1, 2, 3, 4)]


def test_paged_empty_list_says_so() -> None:
    cards = rp.paged("T", [], per_page=10)
    assert [(c.description, c.footer) for c in cards] == [("Nothing here.", "Page 1 of 1")]
    assert isinstance(cards[0], Card)
