"""How to get an answer directly: the slash command a routed question amounts to."""

from __future__ import annotations

from core.common.results import Invocation
from core.petitions.types import PetitionRef
from core.places.types import ConstituencyRef, MpRef


def _value(value: object) -> str:
    if isinstance(value, PetitionRef):
        return str(value.id)
    if isinstance(value, ConstituencyRef | MpRef):
        return value.name
    return str(value)


def usage(route: Invocation) -> str:
    """``/constituency show name:Woking petition:652057`` for a routed question."""
    args = " ".join(f"{k}:{_value(v)}" for k, v in route.args if v is not None)
    return f"/{route.command} {args}".strip()
