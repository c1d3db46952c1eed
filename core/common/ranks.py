"""Competition ranks ("1, 2, =3, =3, 5"): equal counts share a rank, the next one skips.

The source tables number tied rows 1, 2, 3, 4 in an arbitrary order (by ONS code),
so two seats with the same count got different ranks. Every rank the bot shows is a
competition rank instead, and a shared one is marked "=" ("=3rd").
"""

from __future__ import annotations

from collections.abc import Sequence


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 1,001st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def fmt_rank(rank: int | None, tied: bool, *, words: bool = False) -> str:
    """A rank for a list ("=3", "5") or, with ``words``, for a sentence ("=3rd", "5th")."""
    if rank is None:
        return "–"
    text = ordinal(rank) if words else f"{rank:,}"
    return f"={text}" if tied else text


def competition_ranks(values: Sequence[float]) -> list[tuple[int, bool]]:
    """(rank, tied) for values already sorted best first (descending)."""
    out: list[tuple[int, bool]] = []
    for i, value in enumerate(values):
        rank = out[i - 1][0] if i and values[i - 1] == value else i + 1
        after = i + 1 < len(values) and values[i + 1] == value
        tied = (i > 0 and values[i - 1] == value) or after
        out.append((rank, tied))
    return out
