"""``/ask``: route a question to the command that answers it, and run that command.

The answer is always an existing command's result (looked up in the command
registry and run through the same :class:`~core.services.Services` method the
slash command calls), wrapped with how the question was read. Nothing here
computes an answer of its own, so ``/ask`` can never disagree with the commands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.ask.results import AskAnswer, AskUnanswered
from core.ask.route import NoAnswer, Plan, Router
from core.ask.usage import usage
from core.commands import REGISTRY
from core.common.errors import UserFacingError
from core.common.results import Invocation, Result
from core.places.types import ConstituencyRef
from core.search.picking import Picking

MAX_QUESTION_CHARS = 300


class AskCommands(Picking):
    """``/ask question``: plain-English questions over the other commands."""

    async def home_seat_of(self, user_id: int | None) -> ConstituencyRef | None:
        """The asker's own seat for "my constituency" (None: not known).

        The extension point for a stored home seat (``/me seat``): a feature
        that stores one overrides this; until then "my constituency" asks the
        user to name it.
        """
        return None

    async def ask(self, question: str, user_id: int | None = None) -> AskAnswer | AskUnanswered:
        """Read the question, run the command it asks for, say how it was read."""
        text = " ".join(question.split())[:MAX_QUESTION_CHARS]
        invocation = Invocation.of("ask", question=question)  # never the asker: shareable
        if not text:
            raise UserFacingError("Ask a question, e.g. how many people in Woking signed ofsted?")

        async def home() -> ConstituencyRef | None:
            return await self.home_seat_of(user_id)

        outcome = await Router(self.resolver, home).route(text)
        if isinstance(outcome, NoAnswer):
            return AskUnanswered(
                invocation=invocation,
                actions=outcome.actions,
                question=text,
                reason=outcome.reason,
                suggestions=outcome.suggestions,
            )
        return await self._answer(invocation, text, outcome)

    async def _answer(
        self, invocation: Invocation, text: str, plan: Plan
    ) -> AskAnswer | AskUnanswered:
        route = plan.route
        try:
            answer = await self._run_route(route)
        except UserFacingError as error:
            if plan.fallback is None:
                # Understood, but the command has nothing to show (no electorates for a
                # rate, an MP with no seat…): its own words, and the question as read.
                return AskUnanswered(
                    invocation=invocation,
                    question=text,
                    reason=f"Understood: {plan.understood}. {error}",
                    suggestions=(usage(route),),
                )
            route = plan.fallback
            answer = await self._run_route(route)
        return AskAnswer(
            invocation=invocation,
            choices=plan.corrections + answer.choices,
            actions=answer.actions,
            question=text,
            understood=plan.understood,
            route=route,
            answer=answer,
            corrections=len(plan.corrections),
        )

    async def _run_route(self, route: Invocation) -> Result:
        """Run a registry command exactly as its slash command would."""
        spec = REGISTRY[route.command]
        if spec.handler is None:  # pragma: no cover - routes only name answered commands
            raise UserFacingError(f"/{route.command} can't be asked for.")
        handler: Callable[..., Awaitable[Result]] = getattr(self, spec.handler)
        return await handler(**route.kwargs)
