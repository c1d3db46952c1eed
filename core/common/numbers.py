"""Lists of signature counts typed by people: extra digest thresholds, follow milestones."""

from __future__ import annotations

import re

from core.common.cards import escape
from core.common.errors import UserFacingError

_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")


def parse_signature_counts(
    text: str | None, *, noun: str, maximum: int, most: int
) -> tuple[int, ...]:
    """ "50000 250,000; 1000000" → (50000, 250000, 1000000), sorted and without repeats.

    Spaces and semicolons separate; a comma separates too unless it is a
    thousands separator ("250,000"). ``noun`` names one in the error messages.
    """
    if not text or not text.strip():
        return ()
    values: set[int] = set()
    for token in re.split(r"[\s;]+", text.strip()):
        parts = [token.replace(",", "")] if _GROUPED.fullmatch(token) else token.split(",")
        for part in filter(None, parts):
            if not part.isdigit() or not 0 < int(part) <= maximum:
                raise UserFacingError(
                    f"`{escape(part[:20])}` is not a signature {noun} (a whole number up to "
                    f"{maximum:,})."
                )
            values.add(int(part))
    if len(values) > most:
        raise UserFacingError(f"At most {most} extra {noun}s, please.")
    return tuple(sorted(values))
