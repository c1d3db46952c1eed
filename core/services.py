"""Every user-facing command, composed from the feature packages' command sets.

The cogs (Discord) and the offline console both call :class:`Services` and hand
the typed result to a renderer, so the two can never answer differently. Each
feature owns its commands (``core.petitions.service``, ``core.places.service``,
``core.meta.service``, ``core.admin.service``, ``core.digests.manage``); this
class puts them over one database, one resolver and one audit log, and runs an
:class:`~core.common.results.Invocation` (a menu pick, a button press, a
console line) through the handler the command registry (:mod:`core.commands`)
names for it.

The admin and digest commands need a :class:`~core.admin.host.Host` (the bot,
or the console's printing stand-in) to post to channels; without one they are
not available (tests and benchmarks of the member commands need none).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from core.admin.audit import AuditLog
from core.admin.host import Host
from core.admin.service import AdminCommands
from core.admin.types import Caller
from core.ask.service import AskCommands
from core.commands import REGISTRY, Access, Command
from core.common.cards import escape
from core.common.errors import UserFacingError
from core.common.results import Invocation, Result
from core.common.shards import ShardPlan, ShardStatus
from core.digests.manage import DigestCommands
from core.digests.service import DigestRunner
from core.me.service import MeCommands
from core.meta.service import MetaCommands
from core.petitions.service import PetitionCommands
from core.places.postcodes import PostcodeLookup
from core.places.service import PlaceCommands
from core.places.types import ConstituencyRef
from core.search.resolver import Resolver, utc_now
from db import home_seats
from db.database import Database

Handler = Callable[..., Awaitable[Result]]


class Services(AskCommands, PetitionCommands, PlaceCommands, MetaCommands, MeCommands):
    """The commands, over one database and one resolver (shared by bot and console)."""

    admin: AdminCommands | None
    digests: DigestCommands | None

    def __init__(
        self,
        db: Database,
        resolver: Resolver,
        host: Host | None = None,
        postcodes: PostcodeLookup | None = None,
        *,
        instance_id: str | None = None,
        shards: ShardPlan | None = None,
    ) -> None:
        """``instance_id`` names this process in the instance registry (its digest claims
        carry it); ``shards`` limits scheduled digests to the servers this process owns."""
        super().__init__(db, resolver, postcodes)
        self.host = host
        self.audit = AuditLog(db, host.post if host is not None else None)
        self.admin = self.digests = None
        if host is not None:
            self.admin = AdminCommands(db, resolver, self.audit, host)
            runner = DigestRunner(
                db,
                host.post,
                audit=self.audit,
                instance_id=instance_id,
                owns_guild=shards.owns_guild if shards is not None else None,
            )
            self.digests = DigestCommands(runner, host)

    def shard_status(self) -> ShardStatus | None:
        """This process's shards and their latencies, from the host (the bot knows them)."""
        return self.host.runtime().shards if self.host is not None else None

    async def home_seat_of(self, user_id: int | None) -> ConstituencyRef | None:
        """/ask's "my constituency": the asker's home seat (``/me seat set``), if stored."""
        seats = await home_seats.home_seats(self.db, user_id) if user_id is not None else []
        return await self.seat_under(seats) if seats else None

    @classmethod
    async def load(
        cls,
        db: Database,
        host: Host | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        postcodes_base: str | None = None,
    ) -> Services:
        """Services over ``db``; ``clock`` is "now" for every answer (tests fix it);
        ``postcodes_base`` the postcodes.io to ask (None: postcodes are not looked up)."""
        postcodes = PostcodeLookup(db, postcodes_base) if postcodes_base else None
        return cls(db, await Resolver.load(db, clock), host, postcodes)

    def handler(self, command: Command) -> Handler:
        """The bound method that answers ``command`` (``"admin.stats"`` → ``self.admin.stats``)."""
        target: Any = self
        for part in (command.handler or "").split("."):
            target = getattr(target, part, None) if part else None
            if target is None:
                raise UserFacingError(f"`/{escape(command.name)}` is not available here.")
        handler: Handler = target
        return handler

    async def run(
        self, invocation: Invocation, caller: Caller | None = None, *, user_id: int | None = None
    ) -> Result:
        """Run an invocation; moderator and owner commands also get who runs them.

        A personal command (one that reads the asker's home seat) gets ``user_id`` (the
        caller's, if not given); it is never part of the invocation, so a shared message
        cannot carry it.
        """
        command = REGISTRY.get(invocation.command)
        if command is None:
            raise UserFacingError(f"Unknown command: {escape(invocation.command)}.")
        kwargs = invocation.kwargs
        if command.access is not Access.EVERYONE:
            if caller is None:
                raise UserFacingError(f"`/{escape(command.name)}` needs to know who runs it.")
            kwargs["caller"] = caller
        if command.personal:
            kwargs["user_id"] = user_id if user_id is not None or caller is None else caller.user_id
        return await self.handler(command)(**kwargs)
