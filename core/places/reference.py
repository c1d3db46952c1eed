"""The bundled constituency reference: 650 seats per boundary set, as typed objects.

Petition tables list only the seats that signed, by name (Markdown) or by
name and ONS code (JSON). To answer "how did *my* seat do?" with a 0 instead
of "not found", to rank seats per elector and to draw hex maps, we need the
full list of seats of each boundary set with their electorates. It is built
from files shipped in ``data/reference/`` (origins and licences in
``data/reference/ATTRIBUTION.md``):

* ``"2010"`` (seats used 2010–2024): ``constituencies.hexjson`` (Open
  Innovations) gives code, name, region, electorate ``e`` and hex ``q``/``r``.
* ``"2024"`` (seats from the 2024 general election): ``electorate_2024.csv``,
  derived from Parliament's 2024 election results (official codes, names,
  regions, electorates), plus ``uk-constituencies-2023.hexjson`` for the hex
  positions. That HexJSON still carries five pre-2024 Scottish codes
  (e.g. S14000006 for Ayr, Carrick and Cumnock, officially S14000107), so hexes
  are matched by code first and then by folded name.

Everything here is pure file parsing; loading into SQLite lives in
``db/reference.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from core.common.names import fold, strip_accents
from core.ingest.models import UNKNOWN, ConstituencyCount
from core.petitions.lifecycle import BOUNDARIES_2010, BOUNDARIES_2024

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"
HEXJSON_2010 = "constituencies.hexjson"
HEXJSON_2024 = "uk-constituencies-2023.hexjson"
ELECTORATE_2024 = "electorate_2024.csv"
MPS_2024 = "mps_2024.csv"
"""Each 2024 seat's current MP and party (from the UK Parliament MP lookup, see ATTRIBUTION)."""
REFERENCE_FILES: tuple[str, ...] = (HEXJSON_2010, HEXJSON_2024, ELECTORATE_2024, MPS_2024)
"""The files the reference is built from; their bytes make up the fingerprint."""

SEATS_PER_SET = 650
REFERENCE_VERSION = "2"
"""Bump when the way seats are built changes, so databases reload the reference."""

ELECTORATE_COLUMNS = ("ons_code", "name", "country", "region", "electorate")

COUNTRIES: dict[str, str] = {
    "E": "England",
    "S": "Scotland",
    "W": "Wales",
    "N": "Northern Ireland",
}
"""First letter of an ONS code → country."""

REGIONS_2010: dict[str, str] = {
    "NE": "North East",
    "NW": "North West",
    "YH": "Yorkshire and The Humber",
    "EM": "East Midlands",
    "WM": "West Midlands",
    "EA": "East of England",
    "LO": "London",
    "SE": "South East",
    "SW": "South West",
    "SC": "Scotland",
    "WA": "Wales",
    "NI": "Northern Ireland",
}
"""Region codes of the 2010 HexJSON (field ``a``) → the names Parliament uses."""

KNOWN_VARIANTS: dict[tuple[str, str], tuple[str, ...]] = {
    (BOUNDARIES_2010, "E14001038"): ("Weston-super-Mare",),
}
"""Spellings seen in petition data but in no reference file (petition.parliament.uk)."""


class ReferenceDataError(ValueError):
    """A bundled reference file is missing, malformed or inconsistent (a broken install)."""


@dataclass(frozen=True, slots=True)
class ReferenceSeat:
    """One Westminster seat of one boundary set.

    ``variants`` are the other spellings of the name found in the sources
    (case, accents, hyphens: "Ynys Mon", "Weston-Super-Mare"); the canonical
    ``name`` is not repeated there. ``hex_q``/``hex_r`` are the HexJSON grid
    position (odd-r layout), ``None`` only if no hex matched.
    """

    boundary_set: str
    ons_code: str
    name: str
    country: str
    region: str
    electorate: int | None
    hex_q: int | None
    hex_r: int | None
    variants: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Folded name (:func:`core.common.names.fold`), the key names are matched on."""
        return fold(self.name)

    @property
    def spellings(self) -> tuple[str, ...]:
        """The canonical name followed by its variants."""
        return (self.name, *self.variants)


@dataclass(frozen=True, slots=True)
class SeatSet:
    """All seats of one boundary set, with look-ups by code and folded name."""

    boundary_set: str
    seats: tuple[ReferenceSeat, ...]
    by_code: dict[str, ReferenceSeat] = field(repr=False, compare=False)
    by_key: dict[str, ReferenceSeat] = field(repr=False, compare=False)

    @classmethod
    def build(cls, boundary_set: str, seats: Iterable[ReferenceSeat]) -> SeatSet:
        """Index ``seats``; refuses duplicate codes or two seats sharing a folded name."""
        ordered = tuple(sorted(seats, key=lambda s: s.ons_code))
        by_code: dict[str, ReferenceSeat] = {}
        by_key: dict[str, ReferenceSeat] = {}
        for seat in ordered:
            if seat.ons_code in by_code:
                raise ReferenceDataError(f"{boundary_set}: code {seat.ons_code} appears twice")
            by_code[seat.ons_code] = seat
            for spelling in seat.spellings:
                key = fold(spelling)
                other = by_key.setdefault(key, seat)
                if other is not seat:
                    raise ReferenceDataError(
                        f"{boundary_set}: {spelling!r} ({seat.ons_code}) and "
                        f"{other.name!r} ({other.ons_code}) fold to the same name"
                    )
        return cls(boundary_set, ordered, by_code, by_key)

    def get(self, ons_code: str) -> ReferenceSeat | None:
        """The seat with this ONS code, if it belongs to this set."""
        return self.by_code.get(ons_code)

    def find(self, name: str) -> ReferenceSeat | None:
        """The seat whose name or a variant folds like ``name``."""
        return self.by_key.get(fold(name))

    @property
    def total_electorate(self) -> int:
        return sum(seat.electorate or 0 for seat in self.seats)


# --------------------------------------------------------------------- parsing
def _hexes(text: str, source: str) -> dict[str, dict[str, Any]]:
    try:
        raw = json.loads(text)
        hexes = raw["hexes"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{source}: not a HexJSON file ({exc})") from None
    if not isinstance(hexes, dict):
        raise ReferenceDataError(f"{source}: 'hexes' is not an object")
    return hexes


def _variants(name: str, *others: str) -> tuple[str, ...]:
    """Distinct other spellings of ``name``, plus its accent-free form."""
    found: list[str] = []
    for spelling in (*others, strip_accents(name)):
        if spelling and spelling != name and spelling not in found:
            found.append(spelling)
    return tuple(found)


def _country(code: str) -> str:
    try:
        return COUNTRIES[code[:1]]
    except KeyError:
        raise ReferenceDataError(f"ONS code {code!r} names no UK country") from None


def parse_2010(hexjson_text: str) -> SeatSet:
    """Seats of the 2010–2024 boundaries from the Open Innovations HexJSON."""
    seats = []
    for code, item in _hexes(hexjson_text, HEXJSON_2010).items():
        try:
            name, region = str(item["n"]), REGIONS_2010[item["a"]]
            electorate, q, r = int(item["e"]), int(item["q"]), int(item["r"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ReferenceDataError(f"{HEXJSON_2010}: seat {code}: bad or missing {exc}") from None
        extra = KNOWN_VARIANTS.get((BOUNDARIES_2010, code), ())
        seats.append(
            ReferenceSeat(
                BOUNDARIES_2010,
                code,
                name,
                _country(code),
                region,
                electorate,
                q,
                r,
                _variants(name, *extra),
            )
        )
    return SeatSet.build(BOUNDARIES_2010, seats)


def parse_electorate_csv(text: str) -> list[dict[str, str]]:
    """Rows of ``electorate_2024.csv`` (checked header, whole-number electorates)."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != ELECTORATE_COLUMNS:
        raise ReferenceDataError(
            f"{ELECTORATE_2024}: expected columns {', '.join(ELECTORATE_COLUMNS)}"
        )
    rows = list(reader)
    for number, row in enumerate(rows, start=2):
        if not row["electorate"].isdigit():
            raise ReferenceDataError(
                f"{ELECTORATE_2024}:{number}: electorate is not a whole number"
            )
    return rows


def parse_2024(electorate_csv: str, hexjson_text: str) -> SeatSet:
    """Seats of the 2024 boundaries: official rows plus HexJSON positions."""
    hexes = _hexes(hexjson_text, HEXJSON_2024)
    hex_by_key = {fold(str(item["n"])): (code, item) for code, item in hexes.items()}
    seats = []
    for row in parse_electorate_csv(electorate_csv):
        code, name = row["ons_code"], row["name"]
        item = hexes.get(code)
        if item is None:
            _, item = hex_by_key.get(fold(name), (None, None))
        hex_name = str(item["n"]) if item else ""
        seats.append(
            ReferenceSeat(
                BOUNDARIES_2024,
                code,
                name,
                row["country"],
                row["region"],
                int(row["electorate"]),
                int(item["q"]) if item else None,
                int(item["r"]) if item else None,
                _variants(name, hex_name, *KNOWN_VARIANTS.get((BOUNDARIES_2024, code), ())),
            )
        )
    return SeatSet.build(BOUNDARIES_2024, seats)


# --------------------------------------------------------------------- loading
def _read(directory: Path, name: str) -> bytes:
    try:
        return (directory / name).read_bytes()
    except OSError as exc:
        raise ReferenceDataError(
            f"{directory / name}: cannot read: {exc.strerror or exc}"
        ) from None


def reference_fingerprint(directory: Path = REFERENCE_DIR) -> str:
    """Hash of the reference files and the build version: changes → reload the database."""
    digest = hashlib.sha256(REFERENCE_VERSION.encode())
    for name in REFERENCE_FILES:
        digest.update(name.encode())
        digest.update(hashlib.sha256(_read(directory, name)).digest())
    return digest.hexdigest()


def load_reference(directory: Path = REFERENCE_DIR) -> Mapping[str, SeatSet]:
    """Both boundary sets; every set must have 650 seats.

    Parsed once per content (cached by fingerprint), so a changed file is
    re-read even in a long-running process.
    """
    return _load_reference(directory, reference_fingerprint(directory))


@lru_cache(maxsize=4)
def _load_reference(directory: Path, fingerprint: str) -> Mapping[str, SeatSet]:
    text = {name: _read(directory, name).decode("utf-8-sig") for name in REFERENCE_FILES}
    sets = {
        BOUNDARIES_2010: parse_2010(text[HEXJSON_2010]),
        BOUNDARIES_2024: parse_2024(text[ELECTORATE_2024], text[HEXJSON_2024]),
    }
    for name, seat_set in sets.items():
        if len(seat_set.seats) != SEATS_PER_SET:
            raise ReferenceDataError(
                f"boundary set {name}: {len(seat_set.seats)} seats, expected 650"
            )
    return sets


# --------------------------------------------------------------------- checking documents
class SeatNames:
    """Which seat names (and codes) one boundary set knows, for checking a document's table.

    A document of 650 rows must cost a set look-up per row, not a fold: the
    printed names are kept as they are, and only a spelling not seen before is
    folded (then remembered, up to a bound, so one odd spelling costs one fold).
    """

    def __init__(self, seat_set: SeatSet) -> None:
        self.seat_set = seat_set
        self.known: set[str] = {spelling for seat in seat_set.seats for spelling in seat.spellings}
        self.codes = frozenset(seat_set.by_code)
        self._limit = 4 * len(self.known)

    def knows(self, name: str, ons_code: str | None = None) -> bool:
        if name in self.known or (ons_code is not None and ons_code in self.codes):
            return True
        if self.seat_set.find(name) is None:
            return False
        if len(self.known) < self._limit:
            self.known.add(name)
        return True

    def problem(self, seats: Sequence[ConstituencyCount]) -> tuple[int, str] | None:
        """(index of the row, what is wrong) for the first row the reference refutes.

        More rows than the set has seats, or a name (after folding, known
        variants included) that is no seat of the set. The ``Unknown`` row is
        not a seat and is not counted.
        """
        boundary = self.seat_set.boundary_set
        names = {seat.name for seat in seats}
        names.discard(UNKNOWN)
        limit = len(self.seat_set.seats)
        if len(names) > limit:  # names are unique (the readers check that first)
            over = [i for i, seat in enumerate(seats) if seat.name != UNKNOWN][limit]
            return over, (
                f"the constituency table has {len(names):,} seats; the {boundary} boundaries "
                f"have {limit}"
            )
        if names <= self.known:
            return None
        for index, seat in enumerate(seats):
            if seat.name != UNKNOWN and not self.knows(seat.name, seat.ons_code):
                return index, (
                    f"constituency {seat.name!r} is not a seat of the {boundary} boundaries"
                )
        return None


@cache
def seat_names(boundary_set: str) -> SeatNames:
    """The bundled reference's :class:`SeatNames` for ``boundary_set`` (built once a process)."""
    return SeatNames(load_reference()[boundary_set])


# --------------------------------------------------------------------- derived file
def build_electorate_2024(candidate_csv_text: str) -> str:
    """``electorate_2024.csv`` from Parliament's 2024 candidate-level results CSV.

    The results file repeats each seat once per candidate (3.5 MB); we keep one
    row per seat with the columns the reference needs. Non-English seats have
    no English region: their region is the country, as on the petition site.
    """
    reader = csv.DictReader(io.StringIO(candidate_csv_text.lstrip("\ufeff")))
    seats: dict[str, tuple[str, str, str, str]] = {}
    for row in reader:
        code = row["Constituency geographic code"]
        country = row["Country name"]
        region = row["English region name"] or country
        seat = (row["Constituency name"], country, region, row["Electorate"])
        if seats.setdefault(code, seat) != seat:
            raise ReferenceDataError(f"{code}: conflicting rows in the results file")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ELECTORATE_COLUMNS)
    for code in sorted(seats):
        writer.writerow((code, *seats[code]))
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m core.places.reference build-electorate RESULTS.csv OUT.csv``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3 or args[0] != "build-electorate":
        print("usage: python -m core.places.reference build-electorate RESULTS.csv OUT.csv")
        return 2
    source, dest = Path(args[1]), Path(args[2])
    text = build_electorate_2024(source.read_text(encoding="utf-8-sig"))
    dest.write_text(text, encoding="utf-8")
    print(f"wrote {dest} ({text.count(chr(10)) - 1} seats)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


CurrentMpRow = tuple[str, str, str, str, int | None]
"""(ONS code, seat, MP, party, member id) of one 2024 seat."""


def load_current_mps(directory: Path = REFERENCE_DIR) -> list[CurrentMpRow]:
    """(ONS code, seat, MP, party, member id) for every 2024 seat, from ``mps_2024.csv``."""
    text = _read(directory, MPS_2024).decode("utf-8-sig")
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        member = row.get("member_id") or ""
        rows.append(
            (
                row["ons_code"],
                row["constituency"],
                row["mp"],
                row["party"],
                int(member) if member.isdigit() else None,
            )
        )
    if len(rows) != SEATS_PER_SET:
        raise ReferenceDataError(f"{MPS_2024}: expected {SEATS_PER_SET} seats, found {len(rows)}")
    return rows
