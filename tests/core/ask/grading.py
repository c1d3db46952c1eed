"""Grading /ask against the question set: did it route right, and is the answer the data's?"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.ask.results import AskAnswer, AskUnanswered
from core.common.errors import UserFacingError
from core.common.names import fold, person_key
from core.petitions.results import (
    ChartCard,
    Comparison,
    Leaderboard,
    PetitionCard,
    ResponseText,
    SearchResult,
    TopTable,
)
from core.petitions.types import PetitionRef
from core.places.results import SeatInPetition, SeatOverview
from core.places.types import ConstituencyRef, MpRef
from core.services import Services

QUESTIONS = Path(__file__).resolve().parents[2] / "fixtures" / "ask_questions.jsonl"


def load_questions() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]


@dataclass
class Graded:
    row: dict[str, Any]
    ok: bool
    confident: bool  # an answer was given (not "I can't answer that")
    why: str = ""


def _id(value: object) -> int | None:
    return value.id if isinstance(value, PetitionRef) else None


def _name(value: object) -> str | None:
    if isinstance(value, ConstituencyRef | MpRef):
        return value.name
    return None


def _check_route(expect: dict[str, Any], result: AskAnswer) -> str:
    route = result.route
    args = route.kwargs
    if route.command != expect["command"]:
        return f"routed to {route.command}"
    for key in ("petition", "first", "second"):
        if key in expect and expect[key] is not None and _id(args.get(key)) != expect[key]:
            return f"{key} was {_id(args.get(key))}"
        if key in expect and expect[key] is None and args.get(key) is not None:
            return f"{key} should be empty"
    if "name" in expect and fold(_name(args.get("name")) or "") != fold(expect["name"]):
        return f"seat was {_name(args.get('name'))}"
    if "mp" in expect and person_key(_name(args.get("name")) or "") != person_key(expect["mp"]):
        return f"MP was {_name(args.get('name'))}"
    for key in ("by", "kind", "metric", "state"):
        if key in expect and args.get(key) != expect[key]:
            return f"{key} was {args.get(key)}"
    return ""


def _check_answer(answer: dict[str, Any] | None, result: AskAnswer) -> str:
    """The card's facts against the source data."""
    card = result.answer
    if answer is None:
        return ""
    if "signatures" in answer:
        if not isinstance(card, SeatInPetition):
            return f"answer is a {type(card).__name__}"
        if card.standing.signatures != answer["signatures"]:
            return f"count {card.standing.signatures} != {answer['signatures']}"
        if "seat" in answer and fold(card.seat.name) != fold(answer["seat"]):
            return f"seat {card.seat.name} != {answer['seat']}"
    if "total" in answer:
        petition = getattr(card, "petition", None)
        if not isinstance(card, PetitionCard | ResponseText) or petition is None:
            return f"answer is a {type(card).__name__}"
        if petition.total_signatures != answer["total"]:
            return f"total {petition.total_signatures} != {answer['total']}"
    if "first" in answer:
        if isinstance(card, TopTable):
            first = next(r.name for r in card.rows if not r.unknown)
            if fold(first) != fold(answer["first"]):
                return f"first row {first} != {answer['first']}"
        elif isinstance(card, Leaderboard):
            if not card.rows:
                return "the leaderboard is empty"
            if card.rows[0].id != answer["first"]:
                return f"first {card.rows[0].id} != {answer['first']}"
        else:
            return f"answer is a {type(card).__name__}"
    if "hit" in answer:
        if not isinstance(card, SearchResult):
            return f"answer is a {type(card).__name__}"
        if answer["hit"] not in [h.petition.id for h in card.hits[:3]]:
            return f"{answer['hit']} not in the first 3 hits"
    return ""


_CARDS = {
    "constituency show": (SeatInPetition, SeatOverview),
    "mp show": (SeatInPetition, SeatOverview),
    "petition show": (PetitionCard,),
    "petition response": (ResponseText,),
    "petition top": (TopTable,),
    "petition compare": (Comparison,),
    "petition chart": (ChartCard,),
    "petition search": (SearchResult,),
    "leaderboard": (Leaderboard,),
}


async def grade(services: Services, row: dict[str, Any]) -> Graded:
    try:
        result = await services.ask(row["q"])
    except UserFacingError as error:
        return Graded(row, row["expect"] is None, False, f"error: {error}")
    if isinstance(result, AskUnanswered):
        ok = row["expect"] is None
        return Graded(row, ok, False, "" if ok else f"unanswered: {result.reason}")
    if row["expect"] is None:
        return Graded(row, False, True, f"answered {result.route.command}: {result.understood}")
    why = _check_route(row["expect"], result)
    if not why and not isinstance(result.answer, _CARDS[result.route.command]):
        why = f"card {type(result.answer).__name__}"
    why = why or _check_answer(row["answer"], result)
    return Graded(row, not why, True, why)
