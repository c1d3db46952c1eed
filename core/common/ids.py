"""Petition ids: the one pattern for reading them and the one way to link to one.

Users type ``652057``, ``#652057`` or paste a petition URL (also the
``/archived/`` ones); documents carry the URL. Ids on the site are six digits
today; nine leave room while keeping a typed number from being mistaken for
an id however long it is.
"""

from __future__ import annotations

import re

ID_DIGITS = 9
MAX_PETITION_ID = 10**ID_DIGITS - 1
SITE = "https://petition.parliament.uk"

PETITION_URL = re.compile(
    rf"petition\.parliament\.uk/(?:archived/)?petitions/(\d{{1,{ID_DIGITS}}})(?!\d)", re.I
)
TYPED_ID = re.compile(rf"#?\s*(\d{{1,{ID_DIGITS}}})")
HASH_ID = re.compile(rf"(?<![\w#/])#(\d{{5,{ID_DIGITS}}})(?!\d)")
"""An id written in running text: ``#652057``. The ``#`` is required there (a bare
number in a chat message is a count or a year far more often than an id) and five
digits at least, so ``#1`` in "point #1" is not taken for a petition."""


def parse_petition_id(text: str) -> int | None:
    """A petition id typed as ``652057``/``#652057`` or inside a petition URL."""
    text = text.strip()
    match = TYPED_ID.fullmatch(text)
    if match:
        return int(match.group(1))
    url = PETITION_URL.search(text)
    return int(url.group(1)) if url else None


def find_petition_ids(text: str) -> tuple[int, ...]:
    """Every petition a chat message names, by URL or ``#id``, first mention first, once each."""
    found: list[tuple[int, int]] = [
        (m.start(), int(m.group(1))) for m in PETITION_URL.finditer(text)
    ]
    found += [(m.start(), int(m.group(1))) for m in HASH_ID.finditer(text)]
    return tuple(dict.fromkeys(petition_id for _, petition_id in sorted(found)))


def petition_url(petition_id: int) -> str:
    """The petition's page on the site (built from the id, never taken from input)."""
    return f"{SITE}/petitions/{petition_id}"
