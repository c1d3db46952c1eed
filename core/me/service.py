"""The home seat: set by name or postcode, shown, forgotten — plain async functions."""

from __future__ import annotations

from core.common.cards import escape
from core.common.errors import UserFacingError
from core.common.results import FollowUp, Invocation
from core.me.results import Forgotten, HomeSeatAnswer
from core.me.types import HomeSeat
from core.places.postcodes import looks_like_postcode
from core.search.picking import Picking, SeatArg, did_you_mean
from db import home_seats


def who(user_id: int | None) -> int:
    """The asking user (every /me command is personal: Services.run passes the id)."""
    if user_id is None:
        raise UserFacingError("This command needs to know who is asking.")
    return user_id


class MeCommands(Picking):
    """``/me seat set|show`` and ``/me forget``."""

    async def me_seat_set(self, seat: SeatArg, *, user_id: int | None = None) -> HomeSeatAnswer:
        """Store the seat a name or postcode leads to (the postcode itself is dropped here)."""
        user = who(user_id)
        invocation = Invocation.of("me seat set", seat=seat)
        postcode = None
        choices: tuple[FollowUp, ...] = ()
        if isinstance(seat, str) and looks_like_postcode(seat):
            postcode, seats = await self.postcode_seats(seat)
        else:
            picked = await self.pick_seat(seat)
            seats = [await home_seats.reference_seat_of(self.db, picked.ref)]
            choices = did_you_mean(invocation, "seat", picked)
        await home_seats.set_home_seat(self.db, user, seats)
        return HomeSeatAnswer(
            invocation=invocation,
            choices=choices,
            seats=tuple(seats),
            saved=True,
            postcode=postcode,
        )

    async def me_seat_show(self, *, user_id: int | None = None) -> HomeSeatAnswer:
        seats = await home_seats.home_seats(self.db, who(user_id))
        return HomeSeatAnswer(invocation=Invocation.of("me seat show"), seats=tuple(seats))

    async def me_forget(self, *, user_id: int | None = None) -> Forgotten:
        had_any = await home_seats.forget(self.db, who(user_id))
        return Forgotten(invocation=Invocation.of("me forget"), had_any=had_any)

    async def home_seat_list(self, user_id: int | None) -> list[HomeSeat]:
        """The user's stored seat ([] without a user or a seat)."""
        return [] if user_id is None else await home_seats.home_seats(self.db, user_id)


def no_home_seat() -> UserFacingError:
    return UserFacingError(
        "Name a constituency (or a postcode), or remember yours with /me seat set"
        " so this works without one."
    )


def seat_names(seats: tuple[HomeSeat, ...]) -> str:
    return ", ".join(f"{escape(s.name)} ({s.boundary_set})" for s in seats)
