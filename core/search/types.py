"""What the resolver indexes: every petition, seat and MP, loaded once from the database."""

from __future__ import annotations

from dataclasses import dataclass

from core.petitions.types import PetitionRef
from core.places.types import ConstituencyRef, MpRef


@dataclass(frozen=True, slots=True)
class SearchData:
    """Everything the resolver indexes, with the stored folded keys alongside.

    ``petitions`` are ordered most-signed first, so ties in matching fall to the
    better-known petition and the empty query's suggestions are a prefix.
    ``boundary_sets`` lists the sets with seats, the one with the most recent
    petition data first (the default when a seat name exists in both).
    """

    petitions: list[PetitionRef]
    petition_keys: list[str]
    constituencies: list[ConstituencyRef]
    constituency_keys: list[str]
    boundary_sets: list[str]
    mps: list[MpRef]
    mp_keys: list[str]
