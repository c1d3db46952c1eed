"""What a weak or generic match answers with, and how user input is quoted back.

Kept apart from :mod:`core.search.picking` (which reads the database) so renderers can
use them without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.common.cards import escape, truncate
from core.common.results import Result
from core.petitions.types import PetitionRef
from core.places.types import ConstituencyRef, MpRef

ECHO_LIMIT = 100
"""Characters of the user's own input a reply repeats (a 6,000-character query is not echoed)."""


SITE = "https://petition.parliament.uk"


def echo(text: str) -> str:
    """What the user typed, on one line, cut to :data:`ECHO_LIMIT` and escaped."""
    return escape(truncate(" ".join(text.split()), ECHO_LIMIT))


@dataclass(frozen=True, slots=True, kw_only=True)
class Chooser(Result):
    """A weak or generic match: the candidates to pick from instead of a guessed answer."""

    kind: str
    query: str
    options: tuple[PetitionRef | ConstituencyRef | MpRef, ...]
