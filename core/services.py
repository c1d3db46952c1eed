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

from core.commands import REGISTRY
from core.common.cards import escape
from core.common.errors import UserFacingError
from core.common.results import Invocation, Result
from core.me.service import MeCommands
from core.meta.service import MetaCommands
from core.petitions.service import PetitionCommands
from core.places.postcodes import PostcodeLookup
from core.places.service import PlaceCommands
from core.search.resolver import Resolver
from db.database import Database


class Services(PetitionCommands, PlaceCommands, MetaCommands, MeCommands):
    """The commands, over one database and one resolver (shared by bot and console)."""

    @classmethod
    async def load(cls, db: Database, *, postcodes_base: str | None = None) -> Services:
        """``postcodes_base``: the postcodes.io to ask (None: postcodes are not looked up)."""
        postcodes = PostcodeLookup(db, postcodes_base) if postcodes_base else None
        return cls(db, await Resolver.load(db), postcodes)

    async def run(self, invocation: Invocation, *, user_id: int | None = None) -> Result:
        """Replay an invocation (a menu pick or a button press) for the user pressing it.

        A personal command (one that reads the asker's home seat) gets ``user_id``;
        it is never part of the invocation, so a shared message cannot carry it.
        """
        spec = REGISTRY.get(invocation.command)
        if spec is None or spec.handler is None:
            raise UserFacingError(f"Unknown command: {escape(invocation.command)}.")
        handler: Callable[..., Awaitable[Result]] = getattr(self, spec.handler)
        if spec.personal:
            return await handler(**invocation.kwargs, user_id=user_id)
        return await handler(**invocation.kwargs)
