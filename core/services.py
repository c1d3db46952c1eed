"""Every user-facing command, composed from the feature packages' command sets.

The cogs (Discord) and the offline console both call :class:`Services` and hand
the typed result to a renderer, so the two can never answer differently. Each
feature owns its commands (``core.petitions.service``, ``core.places.service``,
``core.meta.service``); this class only puts them over one database and one
resolver, and replays an :class:`~core.common.results.Invocation` (a menu pick,
a button press, a console line) through the handler the command registry
(:mod:`core.commands`) names for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.ask.service import AskCommands
from core.commands import REGISTRY
from core.common.cards import escape
from core.common.errors import UserFacingError
from core.common.results import Invocation, Result
from core.meta.service import MetaCommands
from core.petitions.service import PetitionCommands
from core.places.service import PlaceCommands
from core.search.resolver import Resolver
from db.database import Database


class Services(AskCommands, PetitionCommands, PlaceCommands, MetaCommands):
    """The commands, over one database and one resolver (shared by bot and console)."""

    @classmethod
    async def load(cls, db: Database) -> Services:
        return cls(db, await Resolver.load(db))

    async def run(self, invocation: Invocation) -> Result:
        """Replay an invocation (a menu pick or a button press)."""
        spec = REGISTRY.get(invocation.command)
        if spec is None or spec.handler is None:
            raise UserFacingError(f"Unknown command: {escape(invocation.command)}.")
        handler: Callable[..., Awaitable[Result]] = getattr(self, spec.handler)
        return await handler(**invocation.kwargs)
