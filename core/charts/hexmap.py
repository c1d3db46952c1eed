"""Hex-map positions of the 650 Westminster seats, from Open Innovations' HexJSON.

One hexagon per seat, all the same size, arranged roughly like the UK: every
seat is equally visible, which a geographic map (tiny London seats, huge
Highland ones) cannot give. The layouts are odileeds/hexmaps files (MIT,
© Open Innovations) shipped in ``data/reference/``:

* ``"2010"`` boundaries (used 2010–2024) → ``constituencies.hexjson``, which
  also carries each seat's electorate ``e`` (for per-electorate rates);
* ``"2024"`` boundaries → ``uk-constituencies-2023.hexjson`` (no electorate).

Both use the ``odd-r`` layout: pointy-topped hexagons in rows, odd rows shoved
half a hex right, ``r`` growing northwards. Seats are matched to petition data
by folded name (:func:`core.common.names.fold`) because Markdown documents carry no
ONS codes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core.common.names import fold
from core.places.reference import REFERENCE_DIR

HEXJSON_FILES: dict[str, str] = {
    "2010": "constituencies.hexjson",
    "2024": "uk-constituencies-2023.hexjson",
}
"""Boundary set → HexJSON file name."""

ATTRIBUTION = "Hex layout: Open Innovations (MIT)"

SQRT3 = math.sqrt(3.0)


@dataclass(frozen=True, slots=True)
class Hex:
    """One seat's hexagon: its code, name, grid position and electorate if known."""

    code: str
    name: str
    key: str  # core.common.names.fold(name)
    q: int
    r: int
    electorate: int | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class HexLayout:
    """All hexes of one boundary set, with look-ups by folded name and code."""

    boundary_set: str
    layout: str
    hexes: tuple[Hex, ...]
    by_key: dict[str, Hex] = field(repr=False, compare=False)
    by_code: dict[str, Hex] = field(repr=False, compare=False)

    @property
    def has_electorate(self) -> bool:
        """True when every seat has an electorate, so rates can be drawn."""
        return all(h.electorate for h in self.hexes)

    def centre(self, item: Hex) -> tuple[float, float]:
        """Centre of ``item`` for hexagons of circumradius 1 (y grows north)."""
        return hex_centre(item.q, item.r, self.layout)


def hex_centre(q: int, r: int, layout: str = "odd-r") -> tuple[float, float]:
    """Offset coordinates → Cartesian centre, for pointy-topped hexes of circumradius 1.

    Follows Open Innovations' renderer: ``odd-r``/``even-r`` shove odd/even
    rows half a hex to the right (hex width √3, row pitch 1.5) and ``r`` grows
    upwards. Parity is ``r % 2 != 0``, which also holds for negative odd rows.
    The column layouts (``odd-q``/``even-q``, flat-topped) are not used by the
    seat maps and are refused rather than drawn wrongly.
    """
    if layout not in ("odd-r", "even-r"):
        raise ValueError(f"unsupported HexJSON layout {layout!r}")
    odd = r % 2 != 0
    shove = odd if layout == "odd-r" else not odd
    return (SQRT3 * (q + (0.5 if shove else 0.0)), 1.5 * r)


def hexjson_path(boundary_set: str, reference_dir: Path | None = None) -> Path:
    """The HexJSON file for ``boundary_set`` ("2010" or "2024")."""
    try:
        name = HEXJSON_FILES[boundary_set]
    except KeyError:
        raise ValueError(f"no hex layout for boundary set {boundary_set!r}") from None
    return (reference_dir or REFERENCE_DIR) / name


def parse_hexjson(text: str, boundary_set: str) -> HexLayout:
    """Build a :class:`HexLayout` from HexJSON text (pure; no file access)."""
    raw = json.loads(text)
    layout = str(raw.get("layout", "odd-r"))
    hexes: list[Hex] = []
    for code, item in raw["hexes"].items():
        electorate = item.get("e")
        hexes.append(
            Hex(
                code=code,
                name=item["n"],
                key=fold(item["n"]),
                q=int(item["q"]),
                r=int(item["r"]),
                electorate=int(electorate) if electorate else None,
                region=item.get("a") or item.get("region"),
            )
        )
    return HexLayout(
        boundary_set=boundary_set,
        layout=layout,
        hexes=tuple(hexes),
        by_key={h.key: h for h in hexes},
        by_code={h.code: h for h in hexes},
    )


@lru_cache(maxsize=8)
def _load_cached(path: Path, boundary_set: str) -> HexLayout:
    return parse_hexjson(path.read_text(encoding="utf-8"), boundary_set)


def load_hexmap(boundary_set: str, reference_dir: Path | None = None) -> HexLayout:
    """The hex layout of ``boundary_set``, read once per process and then cached.

    Raises ``FileNotFoundError`` when the reference file is missing (a broken
    install, not a user error).
    """
    return _load_cached(hexjson_path(boundary_set, reference_dir), boundary_set)
