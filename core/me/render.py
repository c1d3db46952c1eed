"""Replies of ``/me``: always private (they are about the person asking)."""

from __future__ import annotations

from core.common.cards import Card, Reply, escape
from core.me.results import Forgotten, HomeSeatAnswer
from core.petitions.render import finish

ME_COLOUR = 0x8E44AD


def home_seat(result: HomeSeatAnswer) -> Reply:
    if not result.seats:
        return Reply(
            content="No home seat is remembered for you. Set one with /me seat set"
            " (a constituency name or a postcode).",
            ephemeral=True,
        )
    newest = result.seats[0]
    card = Card(
        title=f"Your seat: {escape(newest.name)}",
        description=(
            "Saved. /petition show now adds this seat's count and rank, and /constituency show"
            " without a name shows it."
            if result.saved
            else "/petition show adds this seat's count and rank."
        ),
        colour=ME_COLOUR,
    )
    for seat in result.seats:
        card.add_field(f"{seat.boundary_set} boundaries", escape(seat.name), inline=True)
    if result.postcode:
        card.footer = (
            f"Found from {result.postcode} via postcodes.io. Only the seat is stored, never the"
            " postcode. /me forget deletes it."
        )
    else:
        card.footer = "Only the seat is stored. /me forget deletes it."
    return finish(Reply(cards=[card], ephemeral=True), result)


def forgotten(result: Forgotten) -> Reply:
    text = (
        "Done: your home seat is deleted; nothing about you is kept."
        if result.had_any
        else "Nothing was kept about you (no home seat was set)."
    )
    return Reply(content=text, ephemeral=True)
