"""The seat and MP commands as plain async functions over the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from core.common.cards import escape, fmt_int
from core.common.errors import NotFoundError, UserFacingError
from core.common.names import fold, person_key
from core.common.results import FollowUp, Invocation
from core.petitions.lifecycle import BOUNDARIES_2010, BOUNDARIES_2024
from core.petitions.service import petition_ref
from core.petitions.types import PetitionDetail
from core.places.results import SeatInPetition, SeatOverview
from core.places.types import ConstituencyRef, CurrentMp, MpRef, MpSeat, SeatHolder
from core.search.picking import (
    MpArg,
    PetitionArg,
    Picked,
    Picking,
    SeatArg,
    did_you_mean,
    offers_choice,
)
from db import counts, home_seats, reference

SEAT_PETITIONS = 10
SPEAKER = frozenset({"speaker", "the speaker"})


def _holder_at(holders: Sequence[SeatHolder], at: datetime) -> SeatHolder | None:
    """Who held the seat at ``at``: seen around then, else the last seen before it."""
    for holder in holders:
        if holder.first_seen_at <= at <= holder.last_seen_at:
            return holder
    before = [h for h in holders if h.last_seen_at <= at]
    return max(before, key=lambda h: h.last_seen_at) if before else None


class PlaceCommands(Picking):
    """The seat and MP commands: ``/constituency show`` and ``/mp show``."""

    @offers_choice
    async def constituency_show(
        self,
        name: SeatArg | None = None,
        petition: PetitionArg | None = None,
        *,
        user_id: int | None = None,
    ) -> SeatInPetition | SeatOverview:
        """A seat (a name, a postcode, or the asker's home seat) in a petition, or its top."""
        if name is None or (isinstance(name, str) and not name.strip()):
            name = await self._home_seat(user_id, petition)
        invocation = Invocation.of("constituency show", name=name, petition=petition)
        if petition is None:
            picked_seat = await self._pick_seat_or_explain(name)
            return await self._overview(
                invocation, picked_seat.ref, did_you_mean(invocation, "name", picked_seat)
            )
        picked_petition = await self.pick_petition(petition)
        detail = await self.petition_detail(picked_petition.ref)
        picked_seat = await self._pick_seat_or_explain(name, detail.boundary_set)
        seat = await self._same_seat_in(picked_seat.ref, detail)
        choices = did_you_mean(invocation, "name", picked_seat) + did_you_mean(
            invocation, "petition", picked_petition
        )
        return await self._in_petition(invocation, seat, detail, choices)

    async def _pick_seat_or_explain(
        self, name: SeatArg, boundary_set: str | None = None
    ) -> Picked[ConstituencyRef]:
        """A seat; a 2024 seat name unknown to this (earlier-boundary) data is explained,
        with the nearest earlier seats by name, instead of "no match"."""
        try:
            return await self.pick_seat(name, boundary_set=boundary_set)
        except NotFoundError:
            if not isinstance(name, str) or boundary_set == BOUNDARIES_2024:
                raise
            links = await reference.nearest_seats(self.db, name, BOUNDARIES_2024, BOUNDARIES_2010)
            known = await reference.nearest_seats(
                self.db, name, BOUNDARIES_2024, BOUNDARIES_2024, 1
            )
            if not known:
                raise
            nearest = "; ".join(f"{escape(link.name)} ({link.how})" for link in links)
            raise UserFacingError(
                f"{escape(known[0].name)} is a seat of the 2024 boundaries; the petitions here"
                " count signatures by the 2010–2024 boundaries, which had no seat of that name."
                + (
                    f" Nearest earlier seats by name: {nearest}."
                    if nearest
                    else " No earlier seat shares a word of its name."
                )
            ) from None

    async def _home_seat(self, user_id: int | None, petition: PetitionArg | None) -> SeatArg:
        """The asker's home seat, under the petition's boundaries when there is one."""
        seats = await home_seats.home_seats(self.db, user_id) if user_id is not None else []
        if not seats:
            raise UserFacingError(
                "Name a constituency or a postcode, or remember yours with /me seat set"
                " so /constituency show works without one."
            )
        boundary_set = None
        if petition is not None:
            detail = await self.petition_detail((await self.pick_petition(petition)).ref)
            boundary_set = detail.boundary_set
        seat = await self.seat_under(seats, boundary_set)
        if seat is None:
            raise UserFacingError(
                f"Your seat, {escape(seats[0].name)}, is not counted by any archived petition."
            )
        return seat

    async def _same_seat_in(
        self, seat: ConstituencyRef, petition: PetitionDetail
    ) -> ConstituencyRef:
        """The seat under the petition's boundaries (a picked id may be of the other set)."""
        if seat.boundary_set == petition.boundary_set:
            return seat
        key = await counts.seat_key(self.db, seat.id)
        same = await counts.seat_in_set(self.db, key or "", petition.boundary_set)
        if same is None:
            raise UserFacingError(
                f"{escape(seat.name)} ({seat.boundary_set} boundaries) has no seat of that name"
                f" under the {petition.boundary_set} boundaries petition {petition.id} uses."
            )
        return same

    @offers_choice
    async def mp_show(
        self, name: MpArg, petition: PetitionArg | None = None
    ) -> SeatInPetition | SeatOverview:
        """The MP's seat (latest, or under the petition's boundaries), then as above."""
        invocation = Invocation.of("mp show", name=name, petition=petition)
        picked_mp = await self._pick_mp_or_office(name)
        mp = picked_mp.ref
        if mp.id < 0:  # an MP of today only (2024 reference), not named in petition data
            return await self._current_only(invocation, mp, petition)
        seats = await counts.mp_seats(self.db, mp.id)
        if not seats:
            raise UserFacingError(f"{escape(mp.name)} is not recorded as holding any seat.")
        choices = did_you_mean(invocation, "name", picked_mp)
        if petition is None:
            overview = await self._overview(invocation, seats[0].seat, choices)
            return replace(overview, mp=mp, mp_seats=tuple(seats))
        picked_petition = await self.pick_petition(petition)
        detail = await self.petition_detail(picked_petition.ref)
        seat = await self._seat_for(mp, seats, detail)
        choices += did_you_mean(invocation, "petition", picked_petition)
        result = await self._in_petition(invocation, seat, detail, choices)
        return replace(result, mp=mp, mp_seats=tuple(seats))

    async def _pick_mp_or_office(self, name: MpArg) -> Picked[MpRef]:
        """An MP by name; "Mr Speaker" means the Speaker of today (2024 reference)."""
        if isinstance(name, str) and person_key(name) in SPEAKER:
            speaker = await reference.speaker(self.db)
            if speaker is not None:
                return await self.pick_mp(speaker.name)
        return await self.pick_mp(name)

    async def _current_only(
        self, invocation: Invocation, mp: MpRef, petition: PetitionArg | None
    ) -> SeatInPetition | SeatOverview:
        """An MP elected in 2024 whom no petition document names: their seat today, and
        the nearest earlier seat whose petition counts the archive holds (said how)."""
        current = await reference.current_mp_by_member(self.db, -mp.id)
        if current is None:
            raise UserFacingError(f"{escape(mp.name)} is not recorded as holding any seat.")
        intro = (
            f"{escape(current.name)} ({escape(current.party)}) is MP for"
            f" {escape(current.constituency)}, a seat of the 2024 boundaries"
            " (from the 2024 reference data)."
        )
        seat, how = await self._earlier_seat(current.constituency)
        if seat is None:
            raise UserFacingError(
                intro + " No petition in this archive counts a seat of that name on the"
                " earlier boundaries."
            )
        note = (
            f"{intro} The petitions here count signatures by the 2010–2024 boundaries, so"
            f" this shows the nearest earlier seat, {escape(seat.name)} ({how})."
        )
        if petition is None:
            overview = await self._overview(invocation, seat, ())
            return replace(overview, mp=mp, note=note)
        picked_petition = await self.pick_petition(petition)
        detail = await self.petition_detail(picked_petition.ref)
        same = await self._same_seat_in(seat, detail)
        result = await self._in_petition(
            invocation, same, detail, did_you_mean(invocation, "petition", picked_petition)
        )
        return replace(result, mp=mp, note=note)

    async def _earlier_seat(self, name: str) -> tuple[ConstituencyRef | None, str]:
        """The 2010-boundary seat with petition data nearest to 2024 seat ``name``."""
        for link in await reference.nearest_seats(self.db, name, BOUNDARIES_2024, BOUNDARIES_2010):
            seat = await counts.seat_in_set(self.db, fold(link.name), BOUNDARIES_2010)
            if seat is not None:
                return seat, link.how
        return None, ""

    async def _current_for(self, seat: ConstituencyRef) -> tuple[CurrentMp | None, str | None]:
        """Today's MP for ``seat``: itself when a 2024 seat, else its 2024 namesake."""
        if seat.boundary_set == BOUNDARIES_2024:
            code = seat.ons_code or await reference.seat_ref_code(self.db, seat.id)
            return (await reference.current_mp(self.db, code) if code else None), None
        links = await reference.nearest_seats(
            self.db, seat.name, seat.boundary_set, BOUNDARIES_2024, limit=1
        )
        if not links:
            return None, None
        link = links[0]
        how = f"MP now for {link.name} (nearest 2024 seat: {link.how})"
        if link.how == "same name":
            how = f"MP now for {link.name} (the 2024 seat of the same name)"
        return await reference.current_mp(self.db, link.ons_code), how

    async def _seat_for(
        self, mp: MpRef, seats: Sequence[MpSeat], petition: PetitionDetail
    ) -> ConstituencyRef:
        """The MP's seat under the petition's boundaries (or the same-named seat there)."""
        for held in seats:
            if held.seat.boundary_set == petition.boundary_set:
                return held.seat
        for held in seats:
            key = await counts.seat_key(self.db, held.seat.id)
            same = await counts.seat_in_set(self.db, key or "", petition.boundary_set)
            if same is not None:
                return same
        raise UserFacingError(
            f"{escape(mp.name)} held no seat under the {petition.boundary_set} boundaries"
            f" that petition {petition.id} is counted by."
        )

    async def _in_petition(
        self,
        invocation: Invocation,
        seat: ConstituencyRef,
        petition: PetitionDetail,
        choices: tuple[FollowUp, ...],
    ) -> SeatInPetition:
        standing = await counts.seat_standing(self.db, petition, seat.id)
        holder = None
        if not standing.listed:
            holder = _holder_at(await counts.seat_holders(self.db, seat.id), petition.refreshed_at)
        rate = await reference.seat_rate_for_constituency(self.db, petition.id, seat.id)
        current, current_how = await self._current_for(seat)
        return SeatInPetition(
            current=current,
            current_how=current_how,
            invocation=invocation,
            choices=choices,
            rate=rate,
            actions=(
                FollowUp(
                    "Open petition", Invocation.of("petition show", petition=petition_ref(petition))
                ),
            ),
            seat=seat,
            petition=petition,
            standing=standing,
            holder=holder,
        )

    async def _overview(
        self, invocation: Invocation, seat: ConstituencyRef, choices: tuple[FollowUp, ...]
    ) -> SeatOverview:
        rows = await counts.seat_top_petitions(self.db, seat.id, SEAT_PETITIONS)
        opens = tuple(
            FollowUp(
                r.title,
                Invocation.of("constituency show", name=seat, petition=str(r.petition_id)),
                description=f"#{r.petition_id} · {fmt_int(r.signatures)} here",
            )
            for r in rows
        )
        current, current_how = await self._current_for(seat)
        return SeatOverview(
            current=current,
            current_how=current_how,
            invocation=invocation,
            choices=choices or opens,
            seat=seat,
            petitions=tuple(rows),
            holders=tuple(await counts.seat_holders(self.db, seat.id)),
        )
