"""Every user-facing command, composed from the feature packages' command sets.

The cogs (Discord) and the offline console both call :class:`Services` and hand
the typed result to a renderer, so the two can never answer differently. Each
feature owns its commands (``core.petitions.service``, ``core.places.service``,
``core.meta.service``); this class only puts them over one database and one
resolver, and replays an :class:`~core.common.results.Invocation` (a menu pick
or a button press) by name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.common.cards import escape
from core.common.errors import UserFacingError
from core.common.results import Invocation, Result
from core.meta.service import MetaCommands
from core.petitions.service import PetitionCommands
from core.places.service import PlaceCommands
from core.search.resolver import Resolver
from db.database import Database


class Services(PetitionCommands, PlaceCommands, MetaCommands):
    """The commands, over one database and one resolver (shared by bot and console)."""

    def __init__(self, db: Database, resolver: Resolver) -> None:
        super().__init__(db, resolver)
        self._commands: dict[str, Callable[..., Awaitable[Result]]] = {
            "petition search": self.petition_search,
            "petition show": self.petition_show,
            "petition top": self.petition_top,
            "petition compare": self.petition_compare,
            "petition response": self.petition_response,
            "petition history": self.petition_history,
            "petition chart": self.petition_chart,
            "constituency show": self.constituency_show,
            "mp show": self.mp_show,
            "leaderboard": self.leaderboard,
            "help": self.help,
            "about": self.about,
        }

    @classmethod
    async def load(cls, db: Database) -> Services:
        return cls(db, await Resolver.load(db))

    async def run(self, invocation: Invocation) -> Result:
        """Replay an invocation (a menu pick or a button press)."""
        handler = self._commands.get(invocation.command)
        if handler is None:
            raise UserFacingError(f"Unknown command: {escape(invocation.command)}.")
        return await handler(**invocation.kwargs)
