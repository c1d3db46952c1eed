"""The constituency reference: bundled files, loading, linking, zero seats and rates."""

from __future__ import annotations

import copy
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from core.ingest.json_reader import parse_json_bytes
from core.ingest.loader import ingest_documents_sync, ingest_paths_sync
from core.ingest.types import Document, Outcome
from core.ingest.writer import render_document
from core.petitions.lifecycle import BOUNDARIES_2010, BOUNDARIES_2024
from core.places.reference import (
    ELECTORATE_2024,
    REFERENCE_DIR,
    REFERENCE_FILES,
    build_electorate_2024,
    load_reference,
)
from db import reference as ref
from db.connection import connect_sync
from db.database import Database
from tests.db import seat_rows

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "ref"
CANDIDATES = (
    SHARED
    / "dfe-analytical-services-mp-lookup"
    / "candidate-level-results-general-election-04-07-2024.csv"
)
OFSTED = 652057  # seed 000: 649 seats listed, Glasgow North East absent


# --------------------------------------------------------------------- bundled files
def test_both_boundary_sets_have_650_seats_with_electorates_and_hexes() -> None:
    sets = load_reference()
    assert sorted(sets) == [BOUNDARIES_2010, BOUNDARIES_2024]
    for seat_set in sets.values():
        assert len(seat_set.seats) == 650
        assert all(
            s.electorate and s.hex_q is not None and s.hex_r is not None for s in seat_set.seats
        )
    assert sets[BOUNDARIES_2010].total_electorate == 46_354_197
    assert sets[BOUNDARIES_2024].total_electorate == 48_224_212  # July 2024 election
    countries = {s.country for s in sets[BOUNDARIES_2024].seats}
    assert countries == {"England", "Scotland", "Wales", "Northern Ireland"}


def test_reused_names_have_a_code_per_set() -> None:
    sets = load_reference()
    old, new = sets[BOUNDARIES_2010].find("Aldershot"), sets[BOUNDARIES_2024].find("aldershot")
    assert old is not None and new is not None
    assert (old.ons_code, old.electorate) == ("E14000530", 72_430)
    assert (new.ons_code, new.electorate, new.region) == ("E14001063", 78_553, "South East")


def test_stale_scottish_hex_codes_are_matched_by_name() -> None:
    # The 2024 HexJSON says S14000006; the official 2024 code is S14000107.
    seat = load_reference()[BOUNDARIES_2024].get("S14000107")
    assert seat is not None
    assert (seat.name, seat.hex_q, seat.hex_r) == ("Ayr, Carrick and Cumnock", 49, -13)
    assert load_reference()[BOUNDARIES_2024].get("S14000006") is None


def test_name_variants_fold_to_their_seat() -> None:
    old, new = load_reference()[BOUNDARIES_2010], load_reference()[BOUNDARIES_2024]
    assert old.find("Weston-super-Mare") is old.find("Weston-Super-Mare") is old.get("E14001038")
    assert old.find("Ynys Mon") is old.get("W07000041")
    assert new.find("Ynys Mon") is new.get("W07000112")
    assert new.find("Montgomeryshire and Glyndwr") is new.get("W07000102")
    seat = new.get("W07000102")
    assert seat is not None and seat.variants == ("Montgomeryshire and Glyndwr",)


@pytest.mark.skipif(not CANDIDATES.is_file(), reason="shared election results not present")
def test_bundled_electorate_file_is_rebuilt_byte_for_byte() -> None:
    rebuilt = build_electorate_2024(CANDIDATES.read_text(encoding="utf-8-sig"))
    assert rebuilt == (REFERENCE_DIR / ELECTORATE_2024).read_text(encoding="utf-8")


# --------------------------------------------------------------------- loading
def test_ensure_reference_loads_once_and_reloads_on_change(tmp_path: Path, db_path: Path) -> None:
    conn = connect_sync(db_path)
    assert ref.ensure_reference_sync(conn) is True
    assert ref.ensure_reference_sync(conn) is False  # unchanged: no-op
    counts = conn.execute(
        "SELECT boundary_set, count(*), sum(electorate) FROM seat_reference GROUP BY 1"
    ).fetchall()
    assert counts == [("2010", 650, 46_354_197), ("2024", 650, 48_224_212)]
    variants = conn.execute("SELECT count(*) FROM seat_name_variants").fetchone()[0]
    assert variants == 1300 + 4  # canonical names + Weston, Ynys Mon (× 2), Glyndwr
    # A changed file (new electorate for Aldershot 2024) is noticed and reloaded.
    changed = tmp_path / "reference"
    changed.mkdir()
    for name in REFERENCE_FILES:
        shutil.copyfile(REFERENCE_DIR / name, changed / name)
    csv = changed / ELECTORATE_2024
    csv.write_text(
        csv.read_text().replace(
            "E14001063,Aldershot,England,South East,78553",
            "E14001063,Aldershot,England,South East,80000",
        )
    )
    assert ref.ensure_reference_sync(conn, changed) is True
    assert ref.ensure_reference_sync(conn, changed) is False
    row = conn.execute(
        "SELECT electorate FROM seat_reference"
        " WHERE boundary_set = '2024' AND ons_code = 'E14001063'"
    ).fetchone()
    assert row == (80_000,)
    conn.close()


@pytest.mark.both_databases
async def test_seeds_ingested_before_the_reference_are_linked_when_it_loads(db: Database) -> None:
    assert len(await ref.unlinked_seats(db)) == 650  # the seeds' 650 seat rows, none linked
    assert await ref.ensure_reference(db) is True
    assert await ref.unlinked_seats(db) == []
    assert await ref.ensure_reference(db) is False


# --------------------------------------------------------------------- 2024 seats
def seat(name: str, code: str | None, mp: str | None, count: int) -> dict[str, Any]:
    return {"name": name, "ons_code": code, "mp": mp, "signature_count": count}


SEATS_2024 = [
    seat("Aldershot", "E14001063", "Alex Baker MP", 40),
    seat("Ayr, Carrick and Cumnock", "S14000107", "Elaine Stewart MP", 12),
    seat("Ynys Môn", "W07000112", "Llinos Medi MP", 5),
    seat("Weston-super-Mare", "E14001581", "Dan Aldridge MP", 7),
    seat("Belfast East", "N05000001", "Gavin Robinson MP", 3),
]


def petition_2024(petition_id: int, seats: list[dict[str, Any]]) -> dict[str, Any]:
    """A small petition of the 2024 Parliament in the site's JSON shape."""
    uk = sum(s["signature_count"] for s in seats) + 6  # 6 without a seat (Unknown row)
    return {
        "links": {"self": f"https://petition.parliament.uk/petitions/{petition_id}.json"},
        "data": {
            "type": "petition",
            "id": petition_id,
            "attributes": {
                "action": "Plant more hedgerows",
                "background": "Hedgerows shelter wildlife.",
                "additional_details": None,
                "state": "open",
                "signature_count": uk + 2,
                "created_at": "2024-09-02T10:00:00.000Z",
                "opened_at": "2024-09-09T10:00:00.000Z",
                "updated_at": "2024-10-01T12:00:00.000Z",
                "signatures_by_country": [
                    {"name": "France", "code": "FR", "signature_count": 2},
                    {"name": "United Kingdom", "code": "GB", "signature_count": uk},
                ],
                "signatures_by_constituency": seats,
            },
        },
    }


def ref_codes(path: Path, petition_id: int) -> dict[str, str | None]:
    conn = seat_rows.connect(path)
    try:
        rows = conn.execute(
            "SELECT c.name, c.ref_code FROM constituency_counts cc"
            " JOIN constituencies c ON c.id = cc.constituency_id WHERE cc.petition_id = ?",
            (petition_id,),
        ).fetchall()
        return dict(rows)
    finally:
        conn.close()


def test_2024_json_petition_resolves_reused_names_to_2024_codes(db_path: Path) -> None:
    ref.ensure_reference_at(db_path)  # reference first: rows link as they are inserted
    document = Document("700001.json", json.dumps(petition_2024(700001, SEATS_2024)).encode())
    assert ingest_documents_sync(db_path, [document]).counts[Outcome.ADDED] == 1
    assert ref_codes(db_path, 700001) == {
        "Aldershot": "E14001063",  # not E14000530 (2010)
        "Ayr, Carrick and Cumnock": "S14000107",  # not S14000006 (2010)
        "Ynys Môn": "W07000112",  # not W07000041 (2010)
        "Weston-super-Mare": "E14001581",
        "Belfast East": "N05000001",
    }
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT boundary_set FROM petitions").fetchone() == ("2024",)


def test_2024_markdown_petition_resolves_by_name_within_its_set(db_path: Path) -> None:
    # Markdown carries no codes: names (in other spellings) must find the 2024 seats.
    renamed = copy.deepcopy(SEATS_2024)
    renamed[2]["name"], renamed[3]["name"] = "Ynys Mon", "Weston-Super-Mare"
    petition = parse_json_bytes(json.dumps(petition_2024(700002, renamed)).encode()).petition
    markdown = Document("700002.md", render_document(petition).encode())
    assert ingest_documents_sync(db_path, [markdown]).counts[Outcome.ADDED] == 1
    ref.ensure_reference_at(db_path)  # reference after the ingest: relinks existing rows
    assert ref_codes(db_path, 700002) == {
        "Aldershot": "E14001063",
        "Ayr, Carrick and Cumnock": "S14000107",
        "Ynys Mon": "W07000112",
        "Weston-Super-Mare": "E14001581",
        "Belfast East": "N05000001",
    }


def test_a_stale_code_falls_back_to_the_name(db_path: Path) -> None:
    stale = copy.deepcopy(SEATS_2024)
    stale[1]["ons_code"] = "S14000006"  # the HexJSON's pre-2024 code for Ayr
    ref.ensure_reference_at(db_path)
    document = Document("700003.json", json.dumps(petition_2024(700003, stale)).encode())
    assert ingest_documents_sync(db_path, [document]).counts[Outcome.ADDED] == 1
    assert ref_codes(db_path, 700003)["Ayr, Carrick and Cumnock"] == "S14000107"


# --------------------------------------------------------------------- zero seats
@pytest.mark.both_databases
async def test_absent_seat_reads_zero_and_ranks_last(db: Database) -> None:
    await ref.ensure_reference(db)
    seats = await ref.petition_seats(db, OFSTED)
    assert seats is not None
    assert (seats.boundary_set, len(seats.seats), seats.unlinked_signatures) == ("2010", 650, 0)
    assert sum(s.signatures for s in seats.seats) == 48_400  # UK 48,626 − Unknown 226
    first, last = seats.seats[0], seats.seats[-1]
    assert (first.name, first.signatures, first.rank, first.mp, first.listed) == (
        "Sutton Coldfield",
        305,
        1,
        "Rt Hon Andrew Mitchell MP",
        True,
    )
    assert (last.ons_code, last.name, last.signatures, last.listed, last.rank, last.mp) == (
        "S14000032",
        "Glasgow North East",
        0,
        False,
        650,
        None,
    )
    probe = await ref.petition_seat(db, OFSTED, "S14000032")
    assert probe == last
    assert await ref.petition_seat(db, OFSTED, "E14001063") is None  # a 2024 code: not this set
    assert await ref.petition_seat(db, 1, "S14000032") is None  # no such petition


@pytest.mark.both_databases
async def test_seat_listed_in_every_seed_is_found_with_its_count(db: Database) -> None:
    await ref.ensure_reference(db)
    for petition_id, expected in ((652057, 99), (607849, 66), (575833, 514)):
        probe = await ref.petition_seat(db, petition_id, "E14000530")  # Aldershot (2010)
        assert probe is not None and probe.listed
        assert probe.signatures == expected


# --------------------------------------------------------------------- rates
@pytest.mark.both_databases
async def test_seat_rate_is_exact(db: Database) -> None:
    await ref.ensure_reference(db)
    result = await ref.seat_rate(db, OFSTED, "E14000985")  # Sutton Coldfield
    assert result is not None
    assert result.national.signatures == 48_400 and result.national.electorate == 46_354_197
    assert result.rate.per_thousand == 305 * 1000 / 74_956
    assert result.rate.index == 305 * 46_354_197 / (74_956 * 48_400)
    assert (result.rate.rank, result.seats_in_set, result.seat.electorate) == (1, 650, 74_956)
    zero = await ref.seat_rate(db, OFSTED, "S14000032")
    assert zero is not None
    assert (zero.rate.per_thousand, zero.rate.index, zero.seat.signatures) == (0.0, 0.0, 0)


@pytest.mark.both_databases
async def test_top_seats_by_rate(db: Database) -> None:
    await ref.ensure_reference(db)
    table = await ref.top_seats_by_rate(db, OFSTED, limit=3)
    assert table is not None
    assert [(r.rank, r.name, r.signatures) for r in table.rows] == [
        (1, "Sutton Coldfield", 305),
        (2, "Reading East", 253),
        (3, "Garston and Halewood", 231),
    ]
    assert table.national.per_thousand == 48_400 * 1000 / 46_354_197
    assert await ref.top_seats_by_rate(db, 1) is None


# --------------------------------------------------------------------- look-ups
@pytest.mark.both_databases
async def test_reference_lookups(db: Database) -> None:
    await ref.ensure_reference(db)
    ynys = await ref.find_reference_seat(db, "2010", "ynys mon")
    assert ynys is not None
    assert (ynys.ons_code, ynys.name, ynys.variants, ynys.region) == (
        "W07000041",
        "Ynys Môn",
        ("Ynys Mon",),
        "Wales",
    )
    by_code = await ref.find_reference_seat(db, "2024", "e14001063")
    assert by_code is not None and by_code.name == "Aldershot"
    assert await ref.find_reference_seat(db, "2024", "Nowhere") is None
    assert await ref.get_reference_seat(db, "2024", "S14000107") == load_reference()["2024"].get(
        "S14000107"
    )
    assert await ref.seat_electorate(db, "2024", "E14001063") == 78_553
    assert await ref.seat_electorate(db, "2024", "E14000530") is None
    seats_2024 = await ref.reference_seats(db, "2024")
    assert len(seats_2024) == 650 and seats_2024[0].ons_code == "E14001063"
    async with db.conn.execute(
        "SELECT id FROM constituencies WHERE name = 'Sutton Coldfield'"
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    linked = await ref.reference_seat_for_constituency(db, row[0])
    assert linked is not None and linked.ons_code == "E14000985"


def test_all_shared_json_and_seeds_link_completely(tmp_path: Path, seed_paths: list[Path]) -> None:
    scraper = Path(__file__).resolve().parents[1] / "fixtures" / "petition_json" / "petitions"
    if not scraper.is_dir():
        pytest.skip("shared JSON examples not present")
    path = tmp_path / "all.sqlite3"
    report = ingest_paths_sync(path, [*seed_paths, scraper])
    assert report.counts[Outcome.ADDED] == 72
    assert ref.ensure_reference_at(path) is True
    conn = sqlite3.connect(path)
    assert conn.execute(
        "SELECT count(*) FROM constituencies WHERE ref_code IS NULL"
    ).fetchone() == (0,)
    # JSON rows linked by code, Markdown rows by name: one row per 2010 seat, all linked.
    assert conn.execute(
        "SELECT count(*), count(DISTINCT ref_code) FROM constituencies"
    ).fetchone() == (650, 650)


async def test_rate_for_a_constituency_row_even_from_the_other_set(
    db_path: Path, seed_paths: list[Path]
) -> None:
    document = Document("700004.json", json.dumps(petition_2024(700004, SEATS_2024)).encode())
    ingest_paths_sync(db_path, seed_paths)
    ingest_documents_sync(db_path, [document])
    ref.ensure_reference_at(db_path)
    database = await Database.open(db_path)
    try:
        async with database.conn.execute(
            "SELECT boundary_set, id FROM constituencies WHERE name = 'Aldershot'"
        ) as cursor:
            ids = {row[0]: row[1] for row in await cursor.fetchall()}
        assert sorted(ids) == ["2010", "2024"]
        # the 2010 row, asked about a 2024 petition, is the 2024 Aldershot (by name)
        for row_id in ids.values():
            assert await ref.seat_code_for_constituency(database, 700004, row_id) == "E14001063"
        rate = await ref.seat_rate_for_constituency(database, 700004, ids["2010"])
        assert rate is not None
        assert (rate.boundary_set, rate.seat.signatures, rate.seat.electorate) == (
            "2024",
            40,
            78_553,
        )
        assert rate.national.signatures == 67  # the five seats of the fixture
        assert rate.rate.index == 40 * 48_224_212 / (78_553 * 67)
        same = await ref.seat_rate_for_constituency(database, 575833, ids["2010"])
        assert same == await ref.seat_rate(database, 575833, "E14000530")
        assert await ref.seat_rate_for_constituency(database, 1, ids["2010"]) is None
    finally:
        await database.close()
