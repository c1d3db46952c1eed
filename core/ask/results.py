"""The answers of ``/ask``: another command's result with how the question was read."""

from __future__ import annotations

from dataclasses import dataclass

from core.common.results import Invocation, Result


@dataclass(frozen=True, slots=True, kw_only=True)
class AskAnswer(Result):
    """A question answered by an existing command.

    ``answer`` is exactly what ``route`` (the command and its arguments) gives
    when run directly, so the card is the command's own; ``understood`` is how
    the question was read ("Woking × 'Pause Ofsted inspections…'"), shown first.
    ``choices`` start with the other seats / MPs / petitions the question could
    have meant (each re-runs ``route`` with that one), then the answer's own menu.
    """

    question: str
    understood: str
    route: Invocation
    answer: Result
    corrections: int = 0
    """How many of ``choices`` (the first ones) are corrections of the reading."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AskUnanswered(Result):
    """A question the data (or the bot) cannot answer: why, and the closest commands.

    Never a guess: ``actions`` run the closest commands when they can be run as
    they are (a search for the words asked about), ``suggestions`` name the rest.
    """

    question: str
    reason: str
    suggestions: tuple[str, ...] = ()
