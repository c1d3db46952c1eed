"""A home seat as stored: the seat under one boundary set, never how it was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HomeSeat:
    """The user's seat under one boundary set ('2010' or '2024').

    ``ons_code`` is the reference seat's code when known (always, when the seat came
    from a postcode); ``name_key`` finds the seat among a petition's rows otherwise.
    """

    boundary_set: str
    ons_code: str | None
    name: str
    name_key: str
