"""What the resolver loads from SQLite: every title, seat and MP, in a useful order."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.common.names import fold
from core.petitions.types import PetitionRef
from db.database import Database
from db.search import get_petition_ref, load_search_data

pytestmark = pytest.mark.both_databases


async def test_loads_petitions_most_signed_first(db: Database) -> None:
    data = await load_search_data(db)
    assert [(p.id, p.total_signatures) for p in data.petitions] == [
        (575833, 270_294),
        (652057, 48_783),
        (607849, 26_704),
    ]
    assert data.petition_keys == [fold(p.title) for p in data.petitions]
    assert data.petitions[1] == PetitionRef(
        id=652057,
        title="Pause Ofsted inspections and reform how school performance is evaluated",
        total_signatures=48_783,
        state="open",
        refreshed_at=datetime(2024, 1, 4, 20, 30, 10, tzinfo=UTC),
        deadline_at=datetime(2024, 5, 30, tzinfo=UTC),  # the 2024 dissolution closed it
    )


async def test_loads_every_seat_and_mp_with_their_keys(db: Database) -> None:
    data = await load_search_data(db)
    assert len(data.constituencies) == len(data.constituency_keys) == 650
    assert len(data.mps) == len(data.mp_keys) == 667
    assert data.boundary_sets == ["2010"]
    seats = dict(zip(data.constituency_keys, data.constituencies, strict=True))
    assert seats["ynys mon"].name == "Ynys Môn"
    assert seats["brighton pavilion"].boundary_set == "2010"
    mps = dict(zip(data.mp_keys, data.mps, strict=True))
    assert mps["jonathan lord"].name == "Jonathan Lord"
    assert mps["geoffrey cox"].name == "Geoffrey Cox"  # one person for the QC and KC forms


async def test_boundary_sets_rank_by_newest_petition_data(db: Database) -> None:
    await db.conn.execute(
        "INSERT INTO constituencies (name, name_key, boundary_set) VALUES ('Bath', 'bath', '2024')"
    )
    assert (await load_search_data(db)).boundary_sets == ["2010", "2024"]  # no 2024 data yet
    await db.conn.execute(
        "UPDATE petitions SET boundary_set = '2024', refreshed_at = '2024-09-01T10:00:00+00:00'"
        " WHERE id = 607849"
    )
    assert (await load_search_data(db)).boundary_sets == ["2024", "2010"]


async def test_single_petition_by_id(db: Database) -> None:
    ref = await get_petition_ref(db, 607849)
    assert ref is not None
    assert (ref.title, ref.total_signatures, ref.state) == (
        "Make SEND training mandatory for all teaching staff",
        26_704,
        "open",
    )
    assert await get_petition_ref(db, 1) is None


async def test_empty_database_loads_empty(db_path: Path) -> None:
    database = await Database.open(db_path)
    try:
        data = await load_search_data(database)
    finally:
        await database.close()
    assert (data.petitions, data.constituencies, data.mps, data.boundary_sets) == ([], [], [], [])
