"""``/ask`` replies: the answering command's own card, after how the question was read."""

from __future__ import annotations

from collections.abc import Callable

from core.ask.results import AskAnswer, AskUnanswered
from core.ask.usage import usage
from core.common.cards import Card, Reply, escape
from core.common.results import Result
from core.petitions.render import COLOUR, finish, follow_up_choice

WRONG_GUESS = "Not what you meant? Pick another…"


def answer(result: AskAnswer, draw: Callable[[Result], Reply]) -> Reply:
    """The routed command's reply, headed by the reading and its corrections."""
    reply = draw(result.answer)
    header = f"**Understood:** {escape(result.understood)} · `{escape(usage(result.route))}`"
    own = result.answer.choices and result.answer.choices[0].replace
    body = reply.content if own else None  # the answer's own "closest match" note, if any
    reply.content = f"{header}\n{body}" if body else header
    reply.choices = [follow_up_choice(i, f) for i, f in enumerate(result.choices)]
    reply.actions = [follow_up_choice(i, f) for i, f in enumerate(result.actions)]
    if result.corrections:
        reply.choices_placeholder = WRONG_GUESS
    return reply


def unanswered(result: AskUnanswered) -> Reply:
    """Why not, and the closest commands (never a guessed answer)."""
    card = Card(
        title="I can't answer that from the petition data",
        description=escape(result.reason),
        colour=COLOUR,
    )
    if result.suggestions:
        card.add_field("Closest commands", "\n".join(f"`{escape(s)}`" for s in result.suggestions))
    card.footer = f"You asked: {escape(result.question)}"
    return finish(Reply(cards=[card], ephemeral=True), result)
