"""The shared rule for what someone typed: answer it, offer the close others, or say none."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, ParamSpec, TypeVar

from core.common.cards import escape, fmt_int, truncate
from core.common.errors import NotFoundError, UserFacingError
from core.common.results import FollowUp, Invocation
from core.me.types import HomeSeat
from core.petitions.types import PetitionDetail, PetitionRef
from core.places.postcodes import PostcodeLookup, PostcodeServiceDown, looks_like_postcode
from core.places.types import ConstituencyRef, MpRef
from core.search.resolver import Resolution, Resolver
from core.search.results import ECHO_LIMIT, SITE, Chooser, echo
from db import counts, home_seats
from db.database import Database

T = TypeVar("T", PetitionRef, ConstituencyRef, MpRef)


PetitionArg = str | PetitionRef


SeatArg = str | ConstituencyRef


MpArg = str | MpRef


SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class Picked(Generic[T]):
    """A resolved argument: the answer and the close alternatives to offer."""

    ref: T
    alternatives: tuple[T, ...] = ()


def label_of(ref: PetitionRef | ConstituencyRef | MpRef) -> str:
    if isinstance(ref, PetitionRef):
        return ref.title
    return ref.name


def describe_ref(ref: PetitionRef | ConstituencyRef | MpRef) -> str | None:
    if isinstance(ref, PetitionRef):
        return f"#{ref.id} · {fmt_int(ref.total_signatures)} signatures · {ref.state}"
    if isinstance(ref, ConstituencyRef):
        return f"{ref.boundary_set} boundaries"
    return None


def not_found(
    kind: str,
    query: str,
    suggestions: Sequence[PetitionRef | ConstituencyRef | MpRef],
    missing_id: int | None = None,
) -> NotFoundError:
    """ "No petition matches 'x'. Did you mean: …" (escaped: it is shown as is).

    A number is an id: "no petition #N in this archive" with the site's page for it
    (the archive holds only some petitions), never titles that merely look alike.
    """
    if missing_id is not None:
        if missing_id <= 0:
            return NotFoundError(
                f"'{echo(query)}' is not a petition id: ids are whole numbers from 1"
                " (e.g. 652057). To search titles, type words from the title."
            )
        return NotFoundError(
            f"No petition #{missing_id} in this archive. The petition site may have it:"
            f" {SITE}/petitions/{missing_id}"
        )
    names = ", ".join(escape(truncate(label_of(s), ECHO_LIMIT)) for s in suggestions[:SUGGESTIONS])
    hint = f" Did you mean: {names}?" if names else ""
    return NotFoundError(f"No {kind} matches '{echo(query)}'.{hint}")


class ChoiceNeeded(UserFacingError):
    """What was typed fits several equally well (or only weakly): the user must pick.

    Raised while resolving an argument; :func:`offers_choice` turns it into a
    :class:`Chooser` answer of the command being run.
    """

    def __init__(
        self, kind: str, query: str, options: Sequence[PetitionRef | ConstituencyRef | MpRef]
    ):
        self.kind = kind
        self.query = query
        self.options = tuple(options)
        super().__init__(f"'{echo(query)}' matches several {kind}s: pick one.")


def pick_from(query: str, resolution: Resolution[T], kind: str) -> Picked[T]:
    """The shared rule for what someone typed: answer, offer others, or say none."""
    best = resolution.best
    if resolution.status == "none" or best is None:
        raise not_found(kind, query, resolution.suggestions, resolution.missing_id)
    if resolution.weak:
        raise ChoiceNeeded(kind, query, [best, *resolution.alternatives])
    if resolution.status == "ambiguous":
        others = tuple(a for a in resolution.alternatives if a != best)
        return Picked(best, others)
    return Picked(best)


P = ParamSpec("P")
R = TypeVar("R")


def offers_choice(
    method: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[R | Chooser]]:
    """Answer a :class:`ChoiceNeeded` with a :class:`Chooser` of the same command.

    Each option re-runs the command with the ambiguous argument replaced by that
    candidate, so a pick gives exactly the answer a precise query would have.
    """
    signature = inspect.signature(method)
    command = method.__name__.replace("_", " ")

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Chooser:
        try:
            return await method(*args, **kwargs)
        except ChoiceNeeded as needed:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = {k: v for k, v in bound.arguments.items() if k != "self"}
            invocation = Invocation.of(command, **arguments)
            name = next((k for k, v in arguments.items() if v == needed.query), None)
            if name is None:
                raise
            return Chooser(
                invocation=invocation,
                choices=tuple(
                    FollowUp(
                        label_of(ref),
                        invocation.with_arg(name, ref),
                        description=describe_ref(ref),
                        replace=True,
                    )
                    for ref in needed.options
                ),
                kind=needed.kind,
                query=needed.query,
                options=needed.options,
            )

    return wrapper


def did_you_mean(
    invocation: Invocation, arg: str, picked: Picked[T], *, prefix: str = ""
) -> tuple[FollowUp, ...]:
    """ "Did you mean…" options: the same command with ``arg`` replaced by each other pick."""
    return tuple(
        FollowUp(
            label=prefix + label_of(ref),
            invocation=invocation.with_arg(arg, ref),
            description=describe_ref(ref),
            replace=True,
        )
        for ref in picked.alternatives
    )


class Picking:
    """Resolve what the user typed into petitions, seats and MPs (shared by every command)."""

    def __init__(
        self, db: Database, resolver: Resolver, postcodes: PostcodeLookup | None = None
    ) -> None:
        self.db = db
        self.resolver = resolver
        self.postcodes = postcodes
        """None: postcodes are refused with a clear message (names still work)."""

    def now(self) -> datetime:
        """What time it is for every answer (the resolver's clock: one injectable clock)."""
        return self.resolver.clock()

    async def pick_petition(
        self, arg: PetitionArg, *, state: str | None = None
    ) -> Picked[PetitionRef]:
        if isinstance(arg, PetitionRef):
            return Picked(arg)
        return pick_from(arg, await self.resolver.petition(arg, state=state), "petition")

    async def pick_seat(
        self, arg: SeatArg, *, boundary_set: str | None = None
    ) -> Picked[ConstituencyRef]:
        if isinstance(arg, ConstituencyRef):
            return Picked(arg)
        if looks_like_postcode(arg):
            postcode, seats = await self.postcode_seats(arg)
            seat = await self.seat_under(seats, boundary_set)
            if seat is None:
                raise UserFacingError(
                    f"{postcode} is in {escape(seats[0].name)}, which no petition in the archive"
                    " counts yet."
                )
            return Picked(seat)
        resolution = await self.resolver.constituency(arg, boundary_set=boundary_set)
        return pick_from(arg, resolution, "constituency")

    async def pick_mp(self, arg: MpArg) -> Picked[MpRef]:
        if isinstance(arg, MpRef):
            return Picked(arg)
        return pick_from(arg, await self.resolver.mp(arg), "MP")

    async def petition_detail(self, ref: PetitionRef) -> PetitionDetail:
        detail = await counts.get_petition(self.db, ref.id)
        if detail is None:  # removed since the resolver's index was built
            raise NotFoundError(f"Petition {ref.id} is no longer in the archive.")
        return detail

    async def postcode_seats(self, text: str) -> tuple[str, list[HomeSeat]]:
        """The reference seats (one per boundary set the service gives) of a postcode."""
        if self.postcodes is None:
            raise PostcodeServiceDown(
                "Postcode look-ups are not available here. Type the constituency's name instead."
            )
        found = await self.postcodes.codes(text)
        seats = await home_seats.reference_seats_by_code(self.db, found.codes)
        if not seats:
            raise UserFacingError(
                f"{found.postcode} is in a constituency the bot's seat reference does not list."
                " Type the constituency's name instead."
            )
        return found.postcode, seats

    async def seat_under(
        self, seats: Sequence[HomeSeat], boundary_set: str | None = None
    ) -> ConstituencyRef | None:
        """The petitions' seat row for a stored seat, under ``boundary_set`` when given.

        A seat stored under the other boundary set is looked for by name there (most
        seats kept their name in 2024); without a set, the newest set that has a row wins.
        """
        if boundary_set is None:
            wanted = list(seats)
        else:
            same = [s for s in seats if s.boundary_set == boundary_set]
            others = [
                HomeSeat(boundary_set, None, s.name, s.name_key)
                for s in seats
                if s.boundary_set != boundary_set
            ]
            wanted = same + others
        for seat in wanted:
            row = await home_seats.constituency_for(self.db, seat)
            if row is not None:
                return row
        return None
