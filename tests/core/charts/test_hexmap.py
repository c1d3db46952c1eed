"""Hex layouts: the shipped HexJSON files, odd-r geometry and name matching."""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path

import pytest

from core.charts.hexmap import (
    HEXJSON_FILES,
    REFERENCE_DIR,
    hex_centre,
    hexjson_path,
    load_hexmap,
    parse_hexjson,
)
from core.common.names import fold
from core.ingest.parser import parse_file

SHARED_HEXMAPS = (
    Path(__file__).resolve().parents[4] / "shared" / "data" / "ref" / "odileeds-hexmaps"
)
SQRT3 = math.sqrt(3)


@pytest.mark.parametrize("boundary", ["2010", "2024"])
def test_each_boundary_set_has_650_distinct_seats(boundary: str) -> None:
    layout = load_hexmap(boundary)
    assert len(layout.hexes) == 650
    assert len(layout.by_key) == 650  # folded names are unique: matching by name is safe
    assert len(layout.by_code) == 650
    assert len({(h.q, h.r) for h in layout.hexes}) == 650


@pytest.mark.parametrize("boundary", ["2010", "2024"])
def test_hexes_tile_without_overlap(boundary: str) -> None:
    """Unit-radius pointy hexes: neighbours are exactly √3 apart, nothing closer."""
    layout = load_hexmap(boundary)
    centres = [layout.centre(h) for h in layout.hexes]
    closest = min(math.dist(a, b) for a, b in combinations(centres, 2))
    assert closest == pytest.approx(SQRT3)


def test_odd_r_shoves_odd_rows_right_including_negative_rows() -> None:
    assert hex_centre(0, 0) == (0.0, 0.0)
    assert hex_centre(0, 1) == pytest.approx((SQRT3 / 2, 1.5))
    assert hex_centre(0, -1) == pytest.approx((SQRT3 / 2, -1.5))
    assert hex_centre(2, 2) == pytest.approx((2 * SQRT3, 3.0))
    assert hex_centre(0, 1, "even-r") == pytest.approx((0.0, 1.5))
    with pytest.raises(ValueError, match="unsupported"):
        hex_centre(0, 0, "odd-q")


def test_known_seat_positions_and_electorates() -> None:
    old = load_hexmap("2010")
    aldershot = old.by_code["E14000530"]
    assert (aldershot.name, aldershot.q, aldershot.r, aldershot.electorate) == (
        "Aldershot",
        -3,
        -11,
        72430,
    )
    assert old.centre(aldershot) == pytest.approx((SQRT3 * -2.5, -16.5))
    assert old.has_electorate
    new = load_hexmap("2024")
    barnsley = new.by_key["barnsley north"]
    assert (barnsley.code, barnsley.q, barnsley.r, barnsley.electorate) == (
        "E14001074",
        57,
        -23,
        None,
    )
    assert not new.has_electorate


def test_scotland_is_north_of_cornwall() -> None:
    """r grows northwards, so y must too (a flipped map would fail this)."""
    layout = load_hexmap("2010")
    _, y_glasgow = layout.centre(layout.by_key["glasgow central"])
    _, y_cornwall = layout.centre(layout.by_key["st ives"])
    assert y_glasgow > y_cornwall


def test_every_seed_seat_finds_its_hex_by_folded_name(seed_paths: list[Path]) -> None:
    layout = load_hexmap("2010")
    for path in seed_paths:
        petition = parse_file(path).petition
        unmatched = [s.name for s in petition.seats if fold(s.name) not in layout.by_key]
        assert unmatched == [], path.name


def test_unknown_boundary_set_is_refused() -> None:
    with pytest.raises(ValueError, match="no hex layout"):
        hexjson_path("1997")


def test_parse_hexjson_reads_both_region_spellings() -> None:
    text = (
        '{"layout":"odd-r","hexes":{'
        '"A1":{"n":"Ynys Môn","q":1,"r":-3,"a":"WA","e":50000},'
        '"B2":{"n":"Brighton, Pavilion","q":0,"r":0,"region":"E12000008"}}}'
    )
    layout = parse_hexjson(text, "2010")
    assert layout.by_key["ynys mon"].region == "WA"
    assert layout.by_key["brighton pavilion"].region == "E12000008"
    assert layout.by_code["B2"].electorate is None
    assert not layout.has_electorate


@pytest.mark.skipif(not SHARED_HEXMAPS.is_dir(), reason="shared reference data not present")
@pytest.mark.parametrize("name", sorted(HEXJSON_FILES.values()))
def test_shipped_files_are_the_upstream_bytes(name: str) -> None:
    assert (REFERENCE_DIR / name).read_bytes() == (SHARED_HEXMAPS / name).read_bytes()
