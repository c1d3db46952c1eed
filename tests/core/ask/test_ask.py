"""/ask: answers are the commands' own cards, headed by the reading, with corrections."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.console import Console, parse
from core.ask.render import WRONG_GUESS
from core.ask.results import AskAnswer, AskUnanswered
from core.ask.understand import Intent, normalise, readings
from core.common.errors import UserFacingError
from core.common.results import Invocation
from core.petitions.render import LIST_PAGE
from core.places.render import choices_per_page, render
from core.places.results import SeatInPetition
from core.places.types import ConstituencyRef
from core.services import Services


async def _answer(services: Services, question: str) -> AskAnswer:
    result = await services.ask(question)
    assert isinstance(result, AskAnswer), result
    return result


def test_normalise_forgives_case_quotes_apostrophes_and_trailing_punctuation() -> None:
    assert normalise("  Which petitions did Andrew Mitchell’s constituents sign MOST?!  ") == (
        "which petitions did andrew mitchells constituents sign most"
    )
    assert normalise("how many siggnatures does it have, please?") == (
        "how many signatures does it have"
    )
    url = "https://petition.parliament.uk/petitions/652057"
    assert normalise(f"Show {url}?") == f"show {url}"


def test_readings_name_the_spans() -> None:
    first = readings("How many people in Woking signed the Ofsted petition?")[0]
    assert first.intent is Intent.SEAT_COUNT
    assert first.spans == {"place": "woking", "p": "the ofsted petition"}
    where = readings("where is the snares petition strongest per 1,000 electors")[0]
    assert (where.intent, where.by, where.spans["p"]) == (Intent.WHERE, "rate", "snares petition")


async def test_the_answer_is_the_commands_own_card(services: Services) -> None:
    asked = await _answer(services, "how many people in Woking signed the Ofsted petition?")
    direct = await services.constituency_show("Woking", "652057")
    assert asked.route.command == "constituency show"
    assert isinstance(asked.answer, SeatInPetition)
    assert render(asked.answer).cards == render(direct).cards
    reply = render(asked)
    assert reply.cards == render(direct).cards
    assert reply.content is not None
    assert reply.content.startswith("**Understood:** Woking × 'Pause Ofsted inspections")
    assert "/constituency show name:Woking petition:652057" in reply.content


async def test_a_doubtful_guess_offers_the_others_and_they_run(services: Services) -> None:
    asked = await _answer(services, "how many in brighton signed ofsted")
    assert asked.corrections >= 1
    reply = render(asked)
    assert reply.choices_placeholder == WRONG_GUESS
    other = asked.choices[0]
    assert other.replace and other.label.startswith("Seat: Brighton")
    picked = await services.run(other.invocation)
    assert isinstance(picked, SeatInPetition)
    assert picked.seat.name != asked.answer.seat.name  # type: ignore[attr-defined]
    assert picked.seat.name.startswith("Brighton")


async def test_unanswerable_gets_the_closest_command_privately(services: Services) -> None:
    result = await services.ask("how many people signed the petition about the moon landing?")
    assert isinstance(result, AskUnanswered)
    reply = render(result)
    assert reply.ephemeral
    assert "moon landing" in (reply.cards[0].description or "")
    assert "/petition search" in reply.cards[0].fields[0].value
    search = result.actions[0].invocation
    assert search.command == "petition search"


async def test_my_constituency_uses_the_home_seat_hook(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = await services.ask("how many people in my constituency signed the ofsted petition")
    assert isinstance(unknown, AskUnanswered)
    assert "your constituency" in unknown.reason
    woking = (await services.resolver.constituency("Woking")).best
    assert isinstance(woking, ConstituencyRef)
    seen: list[int | None] = []

    async def home(user_id: int | None) -> ConstituencyRef:
        seen.append(user_id)
        return woking

    monkeypatch.setattr(services, "home_seat_of", home)
    asked = await services.ask("how many in my constituency signed ofsted?", user_id=7)
    assert isinstance(asked, AskAnswer)
    assert asked.answer.seat.name == "Woking"  # type: ignore[attr-defined]
    assert seen == [7]


async def test_a_command_with_nothing_to_show_is_an_honest_no(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_rates(*args: object, **kwargs: object) -> None:
        raise UserFacingError("No electorate figures are known for this petition's seats.")

    monkeypatch.setattr(services, "petition_top", no_rates)
    result = await services.ask("where is the ofsted petition strongest per 1000 electors")
    assert isinstance(result, AskUnanswered)
    assert result.reason.startswith("Understood: 'Pause Ofsted")
    assert "No electorate figures" in result.reason


async def test_no_response_yet_shows_the_card(services: Services) -> None:
    asked = await _answer(services, "has the government responded to the speeding petition?")
    assert asked.route.command == "petition show"


async def test_list_answers_keep_their_paged_menu(services: Services) -> None:
    asked = await _answer(services, "biggest open petitions")
    assert asked.route == Invocation.of("leaderboard", state="open")
    assert choices_per_page(asked) == LIST_PAGE


async def test_replayed_through_the_registry_and_the_console(
    services: Services, tmp_path: Path
) -> None:
    invocation = await parse("ask how many people in Woking signed ofsted?", services)
    assert invocation == Invocation.of("ask", question="how many people in Woking signed ofsted?")
    assert isinstance(await services.run(invocation), AskAnswer)
    out = tmp_path / "out.txt"
    with out.open("w") as stream:
        await Console(services, stream).run_lines(["ask what did woking sign most?"])
    text = out.read_text()
    assert "Understood: Woking · petitions signed most there" in text
    with pytest.raises(UserFacingError):
        await parse("ask", services)
