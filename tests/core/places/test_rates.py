"""Per-electorate rates: exact arithmetic, ranking ties and wording."""

from __future__ import annotations

import pytest

from core.places.rates import (
    NationalRate,
    SeatRate,
    Tally,
    describe,
    describe_national,
    fmt_index,
    fmt_per_thousand,
    national_rate,
    per_thousand,
    rate_index,
    seat_rates,
)


def test_per_thousand_is_exact() -> None:
    assert per_thousand(150, 75_000) == 2.0
    assert per_thousand(0, 75_000) == 0.0
    assert per_thousand(1, 3) == 1000 / 3  # the nearest float to 333.33…
    with pytest.raises(ValueError, match="electorate must be positive, got 0"):
        per_thousand(5, 0)


def test_index_against_the_national_rate() -> None:
    national = NationalRate(signatures=100, electorate=100_000)  # 1 per 1,000
    assert national.per_thousand == 1.0
    assert rate_index(23, 10_000, national) == 2.3  # 2.3 per 1,000 → "2.3× the UK rate"
    assert rate_index(0, 10_000, national) == 0.0
    assert rate_index(5, None, national) is None
    assert rate_index(5, 10_000, NationalRate(0, 100_000)) is None  # nobody signed
    assert NationalRate(0, 0).per_thousand is None


def test_national_rate_counts_only_seats_with_an_electorate() -> None:
    seats = [
        Tally("A", "Alpha", 150, 75_000),
        Tally("B", "Beta", 50, 25_000),
        Tally("C", "Gamma", 0, 100_000),
        Tally("D", "Delta", 999, None),  # no electorate: out of numerator and denominator
    ]
    assert national_rate(seats) == NationalRate(signatures=200, electorate=200_000)


def test_seat_rates_rank_ties_and_put_unknown_electorates_last() -> None:
    seats = [
        Tally("C", "Gamma", 0, 100_000),
        Tally("D", "Delta", 999, None),
        Tally("B", "Beta", 50, 25_000),
        Tally("A", "Alpha", 150, 75_000),
        Tally("E", "Epsilon", 0, 50_000),
    ]
    assert seat_rates(seats) == [
        # UK rate 200 / 250,000 = 0.8 per 1,000 (Delta has no electorate: left out).
        # Alpha and Beta both sign at 2 per 1,000: same rank, more signatures first.
        SeatRate("A", "Alpha", 150, 75_000, 2.0, 2.5, 1),
        SeatRate("B", "Beta", 50, 25_000, 2.0, 2.5, 1),
        # zero seats share the last rank, by name
        SeatRate("E", "Epsilon", 0, 50_000, 0.0, 0.0, 3),
        SeatRate("C", "Gamma", 0, 100_000, 0.0, 0.0, 3),
        SeatRate("D", "Delta", 999, None, None, None, None),
    ]


def test_seat_rates_against_a_given_national_rate() -> None:
    rates = seat_rates([Tally("X", "Seat", 7, 70_000)], NationalRate(35, 700_000))
    assert rates == [SeatRate("X", "Seat", 7, 70_000, 0.1, 2.0, 1)]


def test_weighted_mean_index_is_one() -> None:
    seats = [Tally(str(i), f"S{i}", s, e) for i, (s, e) in enumerate([(3, 70), (9, 41), (0, 55)])]
    rates = seat_rates(seats)
    weighted = sum((r.index or 0) * (r.electorate or 0) for r in rates)
    assert weighted / sum(s.electorate or 0 for s in seats) == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (0.0, "0"),
        (0.04, "0.04"),
        (4.2149, "4.21"),
        (12.46, "12.5"),
        (1234.4, "1,234"),
    ],
)
def test_fmt_per_thousand(value: float | None, text: str) -> None:
    assert fmt_per_thousand(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (0.0, "0×"),
        (0.054, "0.05×"),
        (0.46, "0.5×"),
        (2.3, "2.3×"),
        (1234.0, "1,234.0×"),
    ],
)
def test_fmt_index(value: float | None, text: str) -> None:
    assert fmt_index(value) == text


def test_describe_lines() -> None:
    national = NationalRate(100, 100_000)
    (rate,) = seat_rates([Tally("X", "Seat", 23, 10_000)], national)
    assert describe(rate) == "2.30 per 1,000 electors · 2.3× the UK rate"
    (nobody,) = seat_rates([Tally("X", "Seat", 0, 10_000)], NationalRate(0, 10_000))
    assert describe(nobody) == "0 per 1,000 electors"
    assert describe(SeatRate("X", "Seat", 3, None, None, None, None)) == (
        "no electorate figure for this seat"
    )
    assert describe_national(national) == "UK rate: 1.00 per 1,000 electors"
