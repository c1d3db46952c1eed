"""The packed form of one petition's constituency table (one ``seat_tables`` row).

Why packed: a petition lists ~620 seats, and the archive holds 100,000
petitions — 62 million seat rows. As SQLite rows they cost 48 bytes each
(record header, cell pointer, a REAL percent, the row repeated in a per-seat
index) and ingest paid a B-tree insert per row. Every read of them, though,
wants *one petition's whole table* (its card, a seat's standing, the map, a
chart), so the table is stored as one value: five little-endian arrays in the
source's own order. Reading it is one primary-key look-up and a ``frombytes``;
writing it is one row. The per-seat question ("what did this seat sign most")
is answered by the slim ``seat_ranks`` table instead (see db.seat_tables).

Layout (version 1)::

    byte 0      version (1)
    bytes 1-5   typecodes of the five arrays (ids, ranks, counts, percents, MPs)
    bytes 6-9   n, the number of rows (uint32, little-endian)
    then        ids[n] ranks[n] counts[n] percents[n] mps[n]

Each integer column takes the smallest unsigned type that holds its largest
value (``B``/``H``/``I``/``Q``). Percentages are stored as hundredths in an
integer column when every value has at most two decimals (as both sources
print them), else as doubles (``d``): what was stored is what is read back,
exactly. An MP of 0 means "None" (a vacant seat); alias ids start at 1.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import mul, truediv

VERSION = 1
_HEADER = struct.Struct("<B5sI")
_UNSIGNED = (("B", 0xFF), ("H", 0xFFFF), ("I", 0xFFFFFFFF), ("Q", 0xFFFFFFFFFFFFFFFF))
_SWAP = sys.byteorder != "little"


class PackError(ValueError):
    """A stored seat table that cannot be read (wrong version, truncated)."""


@dataclass(frozen=True, slots=True)
class SeatColumns:
    """One petition's seat rows as columns, in table (source) order.

    ``mp_alias_ids`` holds 0 where the seat was vacant.
    """

    constituency_ids: Sequence[int]
    ranks: Sequence[int]
    counts: Sequence[int]
    percents: Sequence[float]
    mp_alias_ids: Sequence[int]

    def __len__(self) -> int:
        return len(self.constituency_ids)

    def position(self, constituency_id: int) -> int | None:
        """Index of the seat's row, or None when the petition does not list it."""
        try:
            return self.constituency_ids.index(constituency_id)
        except ValueError:
            return None


def _smallest(values: Sequence[int]) -> str:
    top = max(values, default=0)
    if min(values, default=0) < 0:
        raise ValueError("seat tables hold no negative numbers")
    for code, limit in _UNSIGNED:
        if top <= limit:
            return code
    raise OverflowError(f"{top} is too large to store")


def _hundredths(percents: Sequence[float]) -> array | None:
    """Percentages as whole hundredths, or None when one has more decimals.

    Column-wise in C (``map``): this runs for every petition an ingest stores.
    """
    if not percents:
        return array("B")
    scaled = list(map(round, map(mul, percents, repeat(100))))
    if min(scaled) < 0 or list(map(truediv, scaled, repeat(100))) != list(percents):
        return None
    return array(_smallest(scaled), scaled)


def pack(columns: SeatColumns) -> bytes:
    """The stored bytes of ``columns`` (see the module docstring for the layout)."""
    n = len(columns.constituency_ids)
    arrays = [
        array(_smallest(columns.constituency_ids), columns.constituency_ids),
        array(_smallest(columns.ranks), columns.ranks),
        array(_smallest(columns.counts), columns.counts),
        _hundredths(columns.percents) or array("d", columns.percents),
        array(_smallest(columns.mp_alias_ids), columns.mp_alias_ids),
    ]
    if any(len(a) != n for a in arrays):
        raise ValueError("seat columns differ in length")
    codes = "".join(a.typecode for a in arrays).encode("ascii")
    parts = [_HEADER.pack(VERSION, codes, n)]
    for a in arrays:
        if _SWAP:
            a.byteswap()
        parts.append(a.tobytes())
    return b"".join(parts)


def _header(data: bytes) -> tuple[str, int]:
    """The typecodes of the five columns and the row count, checked."""
    if len(data) < _HEADER.size:
        raise PackError("stored seat table is truncated")
    version, codes, n = _HEADER.unpack_from(data)
    if version != VERSION:
        raise PackError(f"stored seat table has unknown version {version}")
    return codes.decode("ascii"), n


def unpack(data: bytes) -> SeatColumns:
    """The columns stored by :func:`pack`."""
    codes, n = _header(data)
    offset = _HEADER.size
    columns: list[array] = []
    for code in codes:
        column = array(code)
        end = offset + n * column.itemsize
        if end > len(data):
            raise PackError("stored seat table is truncated")
        column.frombytes(data[offset:end])
        if _SWAP:
            column.byteswap()
        columns.append(column)
        offset = end
    ids, ranks, counts, percents, mps = columns
    if percents.typecode != "d":
        percents = array("d", [p / 100 for p in percents])
    return SeatColumns(ids, ranks, counts, percents, mps)


def seat_row(data: bytes, constituency_id: int) -> tuple[int, float] | None:
    """One seat's (count, percent) in a stored table, or None when it is not listed.

    "What did this seat sign most" in a small archive reads every petition's table
    for one seat: decoding only the id column and two values is several times
    cheaper than :func:`unpack` (which also turns every percent into a float).
    """
    codes, n = _header(data)
    sizes = [array(code).itemsize for code in codes]
    start = _HEADER.size
    if start + n * sum(sizes) > len(data):
        raise PackError("stored seat table is truncated")
    ids = array(codes[0])
    ids.frombytes(data[start : start + n * sizes[0]])
    if _SWAP:
        ids.byteswap()
    try:
        at = ids.index(constituency_id)
    except ValueError:
        return None
    counts_at = start + n * (sizes[0] + sizes[1])
    percents_at = counts_at + n * sizes[2]
    (count,) = struct.unpack_from("<" + codes[2], data, counts_at + at * sizes[2])
    (percent,) = struct.unpack_from("<" + codes[3], data, percents_at + at * sizes[3])
    return int(count), float(percent) if codes[3] == "d" else percent / 100
