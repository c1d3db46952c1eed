"""The home seat (/me) and the message command's services, on the real seeds.

Petitions here are counted on the 2010 boundaries; a postcode from the stand-in gives
Woking's 2010 and 2024 codes, or only the 2024 one (as postcodes.io does today), and the
seat is found under the petition's boundaries either way.
"""

from __future__ import annotations

import pytest

from core.common.errors import NotFoundError, UserFacingError
from core.common.results import Invocation
from core.me.results import Forgotten, HomeSeatAnswer
from core.petitions.results import PetitionCard, PetitionsInMessage
from core.places.postcodes import MalformedPostcode, PostcodeLookup, PostcodeServiceDown
from core.places.render import render
from core.places.results import SeatOverview
from core.search.resolver import Resolver
from core.services import Services
from db import reference
from db.database import Database

from ..postcode_support import CHANGEOVER, CURRENT, DOWN, WOKING_2010, WOKING_2024, serve_postcodes

pytestmark = pytest.mark.both_databases

OFSTED = "Pause Ofsted inspections and reform how school performance is evaluated"
ME, SOMEONE = 42, 43


@pytest.fixture
async def services(db: Database) -> Services:
    return Services(db, await Resolver.load(db))


async def with_postcodes(db: Database, url: str) -> Services:
    await reference.ensure_reference(db)  # the bundled seat reference, as at start-up
    return Services(db, await Resolver.load(db), postcodes=PostcodeLookup(db, url, backoff=0.01))


async def test_seat_by_name_shows_on_the_card_for_that_user_only(services: Services) -> None:
    saved = await services.me_seat_set("woking", user_id=ME)
    assert isinstance(saved, HomeSeatAnswer) and saved.saved and saved.postcode is None
    assert [(s.boundary_set, s.name) for s in saved.seats] == [("2010", "Woking")]
    mine = await services.petition_show("652057", user_id=ME)
    assert mine.home_seat is not None and mine.home_seat.name == "Woking"
    assert mine.home_standing is not None and mine.home_standing.signatures == 81
    description = render(mine).cards[0].description or ""
    assert "Your seat, Woking: **81** signed (=281st of 650)" in description
    theirs = await services.petition_show("652057", user_id=SOMEONE)
    assert theirs.home_seat is None
    assert "Your seat" not in (render(theirs).cards[0].description or "")
    assert mine.shared().home_seat is None  # "Post in channel" drops it


async def test_seat_from_a_postcode_in_either_boundary_set(db: Database) -> None:
    async with serve_postcodes() as service:
        services = await with_postcodes(db, service.url)
        saved = await services.me_seat_set(CHANGEOVER.lower(), user_id=ME)
        assert saved.postcode == CHANGEOVER
        assert {(s.boundary_set, s.ons_code) for s in saved.seats} == {
            ("2010", WOKING_2010),
            ("2024", WOKING_2024),
        }
        current = await services.me_seat_set(CURRENT, user_id=SOMEONE)
        assert [(s.boundary_set, s.ons_code) for s in current.seats] == [("2024", WOKING_2024)]
    for user in (ME, SOMEONE):  # the 2024-only seat is found by name under 2010 boundaries
        card = await services.petition_show("652057", user_id=user)
        assert card.home_seat is not None and card.home_seat.name == "Woking"
        assert card.home_seat.boundary_set == "2010"


async def test_constituency_show_without_a_name_uses_the_home_seat(services: Services) -> None:
    with pytest.raises(UserFacingError, match="/me seat set"):
        await services.constituency_show(user_id=ME)
    await services.me_seat_set("woking", user_id=ME)
    overview = await services.constituency_show(user_id=ME)
    assert isinstance(overview, SeatOverview) and overview.seat.name == "Woking"
    in_petition = await services.constituency_show(None, "ofsted", user_id=ME)
    assert in_petition.seat.name == "Woking"
    replay = await services.run(Invocation.of("constituency show", name=None), user_id=ME)
    assert isinstance(replay, SeatOverview)


async def test_postcodes_wherever_a_seat_is_asked(db: Database) -> None:
    async with serve_postcodes() as service:
        services = await with_postcodes(db, service.url)
        shown = await services.constituency_show(CHANGEOVER, "652057")
        assert shown.seat.name == "Woking" and shown.seat.boundary_set == "2010"
        with pytest.raises(MalformedPostcode):
            await services.constituency_show("GU21 6X")
        with pytest.raises(PostcodeServiceDown):
            await services.constituency_show(DOWN)
        with pytest.raises(UserFacingError, match="knows no constituency"):
            await services.me_seat_set("ZZ9 9ZZ", user_id=ME)
        assert (await services.constituency_show("Woking")).seat.name == "Woking"
    assert await services.me_seat_show(user_id=ME) == HomeSeatAnswer(
        invocation=Invocation.of("me seat show"), seats=()
    )


async def test_without_a_postcode_service_names_still_work(services: Services) -> None:
    with pytest.raises(PostcodeServiceDown, match="not available here"):
        await services.constituency_show(CHANGEOVER)
    assert (await services.constituency_show("woking")).seat.name == "Woking"


async def test_forget_deletes_the_seat(services: Services) -> None:
    assert (await services.me_forget(user_id=ME)) == Forgotten(
        invocation=Invocation.of("me forget"), had_any=False
    )
    await services.me_seat_set("woking", user_id=ME)
    assert (await services.me_forget(user_id=ME)).had_any
    assert (await services.me_seat_show(user_id=ME)).seats == ()
    assert (await services.petition_show("652057", user_id=ME)).home_seat is None


async def test_personal_commands_need_a_user(services: Services) -> None:
    with pytest.raises(UserFacingError, match="who is asking"):
        await services.run(Invocation.of("me seat show"))


async def test_the_message_command(services: Services) -> None:
    one = await services.petitions_in_message(
        "look https://petition.parliament.uk/petitions/652057", user_id=ME
    )
    assert isinstance(one, PetitionCard) and one.petition.title == OFSTED
    several = await services.petitions_in_message("#652057 #575833 #999999 #652057")
    assert isinstance(several, PetitionsInMessage)
    assert [p.id for p in several.petitions] == [652057, 575833]
    assert several.missing == (999999,)
    assert [c.invocation.command for c in several.choices] == ["petition show"] * 2
    card = render(several).cards[0]
    assert card.title == "2 petitions in that message"
    assert "Not in the archive: #999999" in (card.description or "")
    with pytest.raises(UserFacingError, match="no petition in it"):
        await services.petitions_in_message("nothing here, not even 652057")
    with pytest.raises(NotFoundError, match="Petition 999999 is not in the archive"):
        await services.petitions_in_message("#999999")
    with pytest.raises(NotFoundError, match="None of the petitions"):
        await services.petitions_in_message("#999999 #999998")
