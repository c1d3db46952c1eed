"""The answers of ``/about`` and ``/help``."""

from __future__ import annotations

from dataclasses import dataclass

from core.common.results import Result
from core.petitions.types import Freshness

SOURCE_NAME = "petition.parliament.uk"


SOURCE_URL = "https://petition.parliament.uk"


LICENCE = "Open Government Licence v3.0"


LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True, slots=True, kw_only=True)
class About(Result):
    freshness: Freshness
    source_name: str = SOURCE_NAME
    source_url: str = SOURCE_URL
    licence: str = LICENCE
    licence_url: str = LICENCE_URL


@dataclass(frozen=True, slots=True)
class CommandHelp:
    name: str
    usage: str
    summary: str
    example: str


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp(
        "petition search",
        "/petition search query [state]",
        "Find petitions by words in the title, an id or a URL; 10 a page.",
        "/petition search query:verified id social media",
    ),
    CommandHelp(
        "petition show",
        "/petition show petition",
        "A petition's card: signatures, thresholds, response, top seats and countries.",
        "/petition show petition:pause ofsted inspections",
    ),
    CommandHelp(
        "petition top",
        "/petition top petition [by] [count]",
        "The petition's signatures ranked by constituency or by country.",
        "/petition top petition:652057 by:countries",
    ),
    CommandHelp(
        "petition compare",
        "/petition compare first second",
        "Two petitions side by side, and the seats where they differ most.",
        "/petition compare first:ofsted second:send training",
    ),
    CommandHelp(
        "constituency show",
        "/constituency show name [petition]",
        "A seat's count, rank and MP in a petition; without one, what it signed most.",
        "/constituency show name:Woking petition:ofsted",
    ),
    CommandHelp(
        "mp show",
        "/mp show name [petition]",
        "An MP's constituency, then the same as /constituency show.",
        "/mp show name:Andrew Mitchell petition:ofsted",
    ),
    CommandHelp(
        "leaderboard",
        "/leaderboard [state]",
        "Petitions by signatures, optionally only open, closed or rejected ones.",
        "/leaderboard state:open",
    ),
    CommandHelp("help", "/help [command]", "This list, or one command in detail.", "/help mp"),
    CommandHelp("about", "/about", "Where the data comes from and how fresh it is.", "/about"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class HelpResult(Result):
    commands: tuple[CommandHelp, ...]
    command: str | None = None
