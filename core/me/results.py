"""The answers of ``/me``."""

from __future__ import annotations

from dataclasses import dataclass

from core.common.results import Result
from core.me.types import HomeSeat


@dataclass(frozen=True, slots=True, kw_only=True)
class HomeSeatAnswer(Result):
    """The home seat after ``/me seat set`` (``saved``) or as ``/me seat show`` finds it.

    ``postcode`` is the postcode it was found from, shown back once so the user can
    check it; it is only in this answer, never stored.
    """

    seats: tuple[HomeSeat, ...]
    saved: bool = False
    postcode: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Forgotten(Result):
    """``/me forget``: whether there was anything to delete."""

    had_any: bool
