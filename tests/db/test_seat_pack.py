"""The packed seat table: what is stored is what is read back, exactly."""

from __future__ import annotations

import pytest

from core.follows.events import SEAT_THRESHOLDS
from db.seat_pack import PackError, SeatColumns, pack, seat_row, unpack
from db.seat_tables import RANK_FLOOR


def _columns(**overrides: list) -> SeatColumns:
    base = {
        "constituency_ids": [5, 900, 70_000],
        "ranks": [1, 2, 4],
        "counts": [13_698, 250, 0],
        "percents": [5.1, 0.09, 0.0],
        "mp_alias_ids": [3, 0, 12],
    }
    base.update(overrides)
    return SeatColumns(**base)


def test_round_trip_is_exact() -> None:
    columns = _columns()
    back = unpack(pack(columns))
    assert list(back.constituency_ids) == [5, 900, 70_000]
    assert list(back.ranks) == [1, 2, 4]
    assert list(back.counts) == [13_698, 250, 0]
    assert list(back.percents) == [5.1, 0.09, 0.0]  # the same floats, not nearly
    assert list(back.mp_alias_ids) == [3, 0, 12]
    assert back.position(900) == 1 and back.position(6) is None


def test_each_column_takes_the_smallest_type() -> None:
    small = pack(_columns(constituency_ids=[1, 2, 3], counts=[1, 2, 3]))
    assert small[1:6] == b"BBBHB"  # 5.10 % is 510 hundredths
    big = pack(_columns(counts=[2**40, 1, 0]))
    assert big[1:6] == b"IBQHB"


def test_percent_with_more_decimals_is_kept_as_a_double() -> None:
    columns = _columns(percents=[1 / 3, 0.5, 0.0])
    data = pack(columns)
    assert data[4:5] == b"d"
    assert list(unpack(data).percents) == [1 / 3, 0.5, 0.0]


def test_empty_table() -> None:
    empty = SeatColumns([], [], [], [], [])
    assert len(unpack(pack(empty))) == 0


@pytest.mark.parametrize("data", [b"", b"\x01BBBBB", b"\x02BBBBB\x00\x00\x00\x00"])
def test_damaged_value_is_an_error_not_garbage(data: bytes) -> None:
    with pytest.raises(PackError):
        unpack(data if len(data) != 6 else data + b"\x05\x00\x00\x00")


def test_negative_or_mismatched_columns_are_refused() -> None:
    with pytest.raises(ValueError):
        pack(_columns(counts=[-1, 2, 3]))
    with pytest.raises(ValueError):
        pack(_columns(ranks=[1, 2]))


def test_seat_milestones_are_all_in_the_ranking() -> None:
    """Follow alerts find seats crossing a milestone through seat_ranks only."""
    assert min(SEAT_THRESHOLDS) >= RANK_FLOOR


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # percents as hundredths, small integer columns
        {"percents": [5.123, 0.09, 0.0]},  # a third decimal: stored as doubles
        {"counts": [13_698, 250, 5_000_000], "constituency_ids": [5, 900, 2**40]},  # wide ints
    ],
)
def test_one_seat_reads_as_the_whole_table_does(overrides: dict) -> None:
    columns = _columns(**overrides)
    data = pack(columns)
    whole = unpack(data)
    for at, seat in enumerate(columns.constituency_ids):
        assert seat_row(data, seat) == (whole.counts[at], whole.percents[at])
    assert seat_row(data, 6) is None  # not listed
    with pytest.raises(PackError):
        seat_row(data[:-1], 5)
