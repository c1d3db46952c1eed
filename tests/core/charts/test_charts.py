"""Charts: the pure renderers, the service (data, errors, cache) and the reply renderer."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image

from core.charts import draw as charts
from core.charts import service as chart_service
from core.charts.hexmap import load_hexmap
from core.charts.render import render_chart
from core.charts.service import chart, chart_spec
from core.charts.types import ChartResult
from core.common.cards import Card
from core.common.errors import NotFoundError, UserFacingError
from core.ingest.loader import ingest_paths_sync
from core.ingest.models import ConstituencyCount, HistoryEvent, Petition
from core.ingest.parser import parse_file
from core.ingest.writer import render_document
from db.database import Database

pytestmark = pytest.mark.both_databases

OFSTED, SEND, VERIFIED_ID = 652057, 607849, 575833
SEEDS = (OFSTED, SEND, VERIFIED_ID)


# ---------------------------------------------------------------- helpers
def png_facts(data: bytes) -> tuple[tuple[int, int], int]:
    """(pixel size, number of distinct colours) of a PNG."""
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        return rgb.size, len(colours)


def seed(seed_paths: list[Path], petition_id: int) -> Petition:
    for path in seed_paths:
        petition = parse_file(path).petition
        if petition.id == petition_id:
            return petition
    raise AssertionError(petition_id)


def write_doc(directory: Path, petition: Petition, name: str) -> Path:
    path = directory / name
    path.write_text(render_document(petition), encoding="utf-8")
    return path


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def open_db(path: Path) -> Database:
    return await Database.open(path)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "charts"


@pytest.fixture
async def db_with(tmp_path: Path) -> AsyncIterator[list[Database]]:
    """Collects databases a test opens so they are closed afterwards."""
    opened: list[Database] = []
    yield opened
    for database in opened:
        await database.close()


# ---------------------------------------------------------------- pure renderers
def test_bar_chart_png_has_the_size_and_is_not_blank() -> None:
    items = tuple(
        charts.BarItem(f"Seat {i}", 1000 - 37 * i, f"{1000 - 37 * i:,}") for i in range(20)
    )
    rendered = charts.render_bars(charts.BarChart("A title", "a subtitle", "signatures", items))
    size, colours = png_facts(rendered.png)
    assert size == (1000, 600) == (rendered.width, rendered.height)
    assert colours > 50
    assert rendered.hex_count == 0


def test_history_png_has_the_size_and_is_not_blank() -> None:
    points = (
        charts.HistoryPoint(at("2023-12-06T17:20:55"), 0, "Opened"),
        charts.HistoryPoint(at("2023-12-08T17:53:50"), 10_000, "10,000 reached"),
        charts.HistoryPoint(at("2024-01-04T20:30:10"), 48_783),
    )
    rendered = charts.render_history(charts.HistoryChart("Title", "Subtitle", points))
    size, colours = png_facts(rendered.png)
    assert size == (1000, 600)
    assert colours > 50


def test_map_draws_650_hexes_zero_seats_apart_and_distinct_colours() -> None:
    layout = load_hexmap("2010")
    codes = [h.code for h in layout.hexes]
    values = {codes[0]: 1.0, codes[1]: 10.0, codes[2]: 100.0, codes[3]: 1000.0}
    rendered = charts.render_map(charts.MapChart("Title", "Subtitle", layout, values, "signatures"))
    size, colours = png_facts(rendered.png)
    assert size == (1200, 900)
    assert colours > 50
    assert rendered.hex_count == 650
    assert rendered.zero_seats == 646
    fills = [rendered.hex_colours[code] for code in codes[:4]]
    assert len(set(fills)) == 4
    assert charts.ZERO_FILL not in fills
    assert {rendered.hex_colours[code] for code in codes[4:]} == {charts.ZERO_FILL}


def test_dollar_signs_in_document_text_are_drawn_not_parsed_as_maths() -> None:
    """Unescaped, "$5 \\notacommand $" is invalid mathtext and the render would raise."""
    item = charts.BarItem(r"Costs $5 \notacommand $", 5.0, "$5")
    chart = charts.BarChart(r"Cut $\frac$ now", "sub $", "signatures", (item,))
    rendered = charts.render_bars(chart)
    assert png_facts(rendered.png)[0] == (1000, 600)


def test_thresholds_drawn_are_those_reached_plus_the_next() -> None:
    assert [v for v, _ in charts.thresholds_to_draw(300)] == [10_000]
    assert [v for v, _ in charts.thresholds_to_draw(10_000)] == [10_000, 100_000]
    assert [v for v, _ in charts.thresholds_to_draw(270_294)] == [10_000, 100_000]


def test_colour_scale_is_logarithmic_only_for_wide_ranges() -> None:
    wide = charts.colour_norm([0, 1, 305])
    narrow = charts.colour_norm([2.0, 10.96])
    assert type(wide).__name__ == "LogNorm"
    assert (wide.vmin, wide.vmax) == (1, 305)  # type: ignore[union-attr]
    assert type(narrow).__name__ == "Normalize"
    assert charts.colour_norm([0, 0]) is None
    assert charts.nice_log_ticks(1, 305) == [1, 2, 5, 10, 20, 50, 100, 200]
    assert charts.nice_log_ticks(60, 814) == [100, 200, 500]


def test_long_titles_wrap_to_two_lines_and_labels_shorten() -> None:
    title = "word " * 40
    assert charts.wrap_title(title, 30).count("\n") == 1
    assert charts.wrap_title(title, 30).endswith("…")
    assert charts.shorten("Cumbernauld, Kilsyth and Kirkintilloch East", 32) == (
        "Cumbernauld, Kilsyth and Kirkin…"
    )


def test_write_png_is_atomic_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.png"
    charts.write_png(b"\x89PNG data", target)
    assert target.read_bytes() == b"\x89PNG data"
    assert [p.name for p in target.parent.iterdir()] == ["b.png"]


# ---------------------------------------------------------------- service on the seeds
@pytest.mark.parametrize("petition_id", SEEDS)
@pytest.mark.parametrize(
    ("kind", "metric", "by", "size"),
    [
        ("top", "count", "constituencies", (1000, 600)),
        ("top", "rate", "constituencies", (1000, 600)),
        ("top", "count", "countries", (1000, 600)),
        ("history", "count", "constituencies", (1000, 600)),
        ("map", "count", "constituencies", (1200, 900)),
        ("map", "rate", "constituencies", (1200, 900)),
    ],
)
async def test_every_seed_renders_every_kind(
    db: Database,
    cache_dir: Path,
    petition_id: int,
    kind: str,
    metric: str,
    by: str,
    size: tuple[int, int],
) -> None:
    result = await chart(db, petition_id, kind, metric, by, cache_dir=cache_dir)
    assert result.path.parent.name == cache_dir.name
    assert result.path.is_absolute()
    assert not result.cached
    png_size, colours = png_facts(result.path.read_bytes())
    assert png_size == size
    assert colours > 50
    assert result.url == f"https://petition.parliament.uk/petitions/{petition_id}"


async def test_map_of_a_seed_places_all_seats_and_greys_the_absent_one(db: Database) -> None:
    spec = await chart_spec(db, OFSTED, "map", "count")
    figure = spec.figure
    assert isinstance(figure, charts.MapChart)
    rendered = chart_service.render(figure)
    assert rendered.hex_count == 650
    assert rendered.zero_seats == 1
    layout = load_hexmap("2010")
    assert rendered.hex_colours["S14000032"] == charts.ZERO_FILL  # Glasgow North East
    assert spec.notes[0] == (
        "All 650 seats (2010–2024 boundaries) coloured by signatures. "
        "1 seat with no signatures is grey and hatched."
    )
    # Equal counts share a colour; counts ≥ 5 % apart never do.
    by_count: dict[float, set[str]] = {}
    for code, value in figure.values.items():
        by_count.setdefault(value, set()).add(rendered.hex_colours[code])
    assert all(len(colours) == 1 for colours in by_count.values())
    counts = sorted(by_count)
    for low, high in pairwise(counts):
        if high >= low * 1.05:
            assert by_count[low] != by_count[high], (low, high)
    sutton = layout.by_key["sutton coldfield"].code
    reading = layout.by_key["reading east"].code
    assert (figure.values[sutton], figure.values[reading]) == (305, 253)
    assert figure.highlights[:2] == (("Sutton Coldfield", "305"), ("Reading East", "253"))


async def test_top_constituencies_by_count_and_by_rate(db: Database) -> None:
    spec = await chart_spec(db, VERIFIED_ID, "top", "count", count=3)
    assert isinstance(spec.figure, charts.BarChart)
    assert [(i.label, i.value) for i in spec.figure.items] == [
        ("Salford and Eccles", 814),
        ("Manchester Central", 709),
        ("Worsley and Eccles South", 679),
    ]
    rated = await chart_spec(db, VERIFIED_ID, "top", "rate", count=2)
    assert isinstance(rated.figure, charts.BarChart)
    first = rated.figure.items[0]
    electorate = load_hexmap("2010").by_key["salford and eccles"].electorate
    assert electorate is not None
    assert first.label == "Salford and Eccles"
    assert first.value == pytest.approx(814 * 1000 / electorate)
    assert first.value_text == "10.96 (814)"
    assert rated.figure.items[1].value_text == "9.41 (679)"


async def test_top_countries_leave_out_the_uk_and_say_so(db: Database) -> None:
    spec = await chart_spec(db, OFSTED, "top", "rate", "countries", count=3)
    assert isinstance(spec.figure, charts.BarChart)
    assert [(i.label, i.value) for i in spec.figure.items] == [
        ("Spain", 25),
        ("France", 20),
        ("Australia", 15),
    ]
    assert spec.notes == (
        "Top 3 countries by signatures.",
        "Rates are per electorate, which only constituencies have: showing counts.",
        "United Kingdom (48,626) is left out so other countries show.",
    )


async def test_history_of_a_seed_uses_threshold_and_opening_dates(db: Database) -> None:
    spec = await chart_spec(db, VERIFIED_ID, "history")
    assert isinstance(spec.figure, charts.HistoryChart)
    points = sorted(spec.figure.points, key=lambda p: p.at)
    assert [(p.at.isoformat(), p.signatures, p.label) for p in points] == [
        ("2021-03-05T11:05:39+00:00", 0, "Opened"),
        ("2021-03-10T17:12:35+00:00", 10_000, "10,000 reached"),
        ("2021-03-11T18:36:45+00:00", 100_000, "100,000 reached"),
        ("2021-07-12T15:00:10+00:00", 270_294, None),
    ]
    assert spec.notes == (
        "Signatures over time from 1 stored count, plus when it was opened, "
        "10,000 was reached and 100,000 was reached.",
        "Dashed lines: 10,000 (government response), 100,000 (debate).",
        "Only one count is stored, so the points are not joined: how the count grew"
        " between them is unknown.",
    )
    assert spec.figure.joined is False
    assert spec.figure.closes_at is None  # refreshed before its deadline (5 Sep 2021)


async def test_history_with_one_count_and_no_thresholds_is_a_clear_error(
    tmp_path: Path, seed_paths: list[Path], db_with: list[Database]
) -> None:
    petition = seed(seed_paths, OFSTED)
    bare = replace(
        petition,
        history=tuple(e for e in petition.history if "Threshold" not in e.event),
    )
    path = tmp_path / "one.sqlite3"
    ingest_paths_sync(path, [write_doc(tmp_path, bare, "bare.txt")])
    database = await open_db(path)
    db_with.append(database)
    with pytest.raises(UserFacingError) as error:
        await chart(database, OFSTED, "history", cache_dir=tmp_path / "c")
    assert str(error.value) == (
        "Only one count of petition 652057 is stored (48,783 on 4 Jan 2024 20:30 UTC): "
        "a history chart needs at least two. It fills in as newer refreshes are ingested."
    )
    assert not (tmp_path / "c").exists()


async def test_history_with_no_snapshots_is_a_clear_error(
    loaded_db_path: Path, db_with: list[Database], cache_dir: Path
) -> None:
    with sqlite3.connect(loaded_db_path) as conn:
        conn.execute("DELETE FROM snapshots WHERE petition_id = ?", (SEND,))
    database = await open_db(loaded_db_path)
    db_with.append(database)
    with pytest.raises(UserFacingError) as error:
        await chart(database, SEND, "history", cache_dir=cache_dir)
    assert str(error.value) == (
        "No counts of petition 607849 are stored yet, so there is no history to draw."
    )


async def test_an_older_refresh_adds_a_point_and_a_new_cache_entry(
    loaded_db_path: Path, seed_paths: list[Path], tmp_path: Path, db_with: list[Database]
) -> None:
    petition = seed(seed_paths, SEND)
    database = await open_db(loaded_db_path)
    db_with.append(database)
    before = await chart(database, SEND, "history", cache_dir=tmp_path / "c")
    older = replace(
        petition,
        total_signatures=6_500,
        refreshed_at=at("2022-02-20T09:00:00"),
        history=tuple(e for e in petition.history if e.event in ("Created", "Opened")),
    )
    report = ingest_paths_sync(loaded_db_path, [write_doc(tmp_path, older, "older.txt")])
    assert report.counts["older"] == 1, report.results
    spec = await chart_spec(database, SEND, "history")
    assert isinstance(spec.figure, charts.HistoryChart)
    snapshots = sorted((p.at, p.signatures) for p in spec.figure.points if p.label is None)
    assert snapshots == [
        (at("2022-02-20T09:00:00"), 6_500),
        (at("2022-03-26T14:00:15"), 26_704),
    ]
    after = await chart(database, SEND, "history", cache_dir=tmp_path / "c")
    assert after.path != before.path
    assert not after.cached
    assert "from 2 stored counts" in after.description


# ---------------------------------------------------------------- cache
async def test_cache_hit_returns_the_same_file_without_rendering(
    db: Database, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[type] = []
    real = chart_service.render

    def counting(figure: chart_service.Figure) -> charts.Rendered:
        calls.append(type(figure))
        return real(figure)

    monkeypatch.setattr(chart_service, "render", counting)
    first = await chart(db, OFSTED, "map", "rate", cache_dir=cache_dir)
    stamp = first.path.stat().st_mtime_ns
    second = await chart(db, OFSTED, "map", "rate", cache_dir=cache_dir)
    assert calls == [charts.MapChart]
    assert (first.cached, second.cached) == (False, True)
    assert second.path == first.path
    assert second.path.stat().st_mtime_ns == stamp
    assert (second.title, second.description) == (first.title, first.description)
    other = await chart(db, OFSTED, "map", "count", cache_dir=cache_dir)
    assert other.path != first.path
    assert len(calls) == 2
    top5 = await chart(db, OFSTED, "top", count=5, cache_dir=cache_dir)
    top6 = await chart(db, OFSTED, "top", count=6, cache_dir=cache_dir)
    assert top5.path != top6.path
    assert len(calls) == 4


async def test_the_cache_keeps_the_most_recently_used_pngs(
    db: Database, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chart_service, "CACHE_MAX_FILES", 3)
    first = await chart(db, OFSTED, "top", count=5, cache_dir=cache_dir)
    second = await chart(db, OFSTED, "top", count=6, cache_dir=cache_dir)
    third = await chart(db, OFSTED, "top", count=7, cache_dir=cache_dir)
    assert (await chart(db, OFSTED, "top", count=5, cache_dir=cache_dir)).cached  # used again
    fourth = await chart(db, OFSTED, "top", count=8, cache_dir=cache_dir)
    assert pngs(cache_dir) == sorted(p.path.name for p in (first, third, fourth))
    assert second.path.name not in pngs(cache_dir)


def pngs(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*.png"))


async def test_a_refresh_replaces_the_petitions_cached_pngs(
    loaded_db_path: Path, seed_paths: list[Path], tmp_path: Path, db_with: list[Database]
) -> None:
    cache = tmp_path / "c"
    database = await open_db(loaded_db_path)
    db_with.append(database)
    old = await chart(database, OFSTED, "top", cache_dir=cache)
    other_petition = await chart(database, SEND, "top", cache_dir=cache)
    petition = seed(seed_paths, OFSTED)
    newer = replace(petition, total_signatures=50_001, refreshed_at=at("2024-01-05T08:00:00"))
    report = ingest_paths_sync(loaded_db_path, [write_doc(tmp_path, newer, "newer.txt")])
    assert report.counts["updated"] == 1, report.results
    new = await chart(database, OFSTED, "top", cache_dir=cache)
    assert new.path.name.startswith("652057_20240105T080000_")
    assert not old.path.exists()
    assert new.path.exists() and other_petition.path.exists()


# ---------------------------------------------------------------- 2024 boundaries
def petition_2024(petition: Petition) -> Petition:
    """The Ofsted seed moved after the 2024 election, signed in the first 40 new seats."""
    layout = load_hexmap("2024")
    seats = tuple(
        ConstituencyCount(i + 1, h.name, f"Member {i} MP", 400 - 9 * i, 0.5)
        for i, h in enumerate(layout.hexes[:40])
    )
    return replace(
        petition,
        refreshed_at=at("2024-10-01T12:00:00"),
        history=(
            HistoryEvent("Created", at("2024-08-01T10:00:00")),
            HistoryEvent("Opened", at("2024-08-05T10:00:00")),
        ),
        constituencies=seats,
        government_response=None,
    )


async def test_2024_map_uses_the_new_layout_and_falls_back_from_rate(
    tmp_path: Path, seed_paths: list[Path], db_with: list[Database]
) -> None:
    path = tmp_path / "new.sqlite3"
    document = write_doc(tmp_path, petition_2024(seed(seed_paths, OFSTED)), "new.txt")
    report = ingest_paths_sync(path, [document])
    assert report.counts["added"] == 1, report.results
    database = await open_db(path)
    db_with.append(database)
    spec = await chart_spec(database, OFSTED, "map", "rate")
    assert isinstance(spec.figure, charts.MapChart)
    assert spec.figure.layout.boundary_set == "2024"
    assert spec.figure.value_label == "signatures"
    assert spec.notes == (
        "All 650 seats (2024 boundaries) coloured by signatures. "
        "610 seats with no signatures are grey and hatched.",
        "No electorate figures for the 2024 boundaries: coloured by count instead.",
    )
    rendered = chart_service.render(spec.figure)
    assert (rendered.hex_count, rendered.zero_seats) == (650, 610)
    top = await chart_spec(database, OFSTED, "top", "rate", count=2)
    assert top.notes == (
        "Top 2 constituencies by signatures (2024 boundaries).",
        "No electorate figures for the 2024 boundaries: showing counts.",
    )
    result = await chart(database, OFSTED, "map", "rate", cache_dir=tmp_path / "c")
    assert png_facts(result.path.read_bytes())[0] == (1200, 900)


# ---------------------------------------------------------------- options and errors
async def test_unknown_petition_and_bad_options_are_user_facing(db: Database) -> None:
    with pytest.raises(NotFoundError, match=r"No petition with id 1 is stored\."):
        await chart_spec(db, 1, "map")
    with pytest.raises(UserFacingError, match=r"Choose between 1 and 30 bars\."):
        await chart_spec(db, OFSTED, "top", count=31)
    with pytest.raises(UserFacingError, match="Unknown chart kind 'pie'"):
        await chart_spec(db, OFSTED, "pie")
    with pytest.raises(UserFacingError, match="Unknown metric 'share'"):
        await chart_spec(db, OFSTED, "map", "share")


# ---------------------------------------------------------------- reply renderer
def test_render_chart_is_one_escaped_card_with_the_image(tmp_path: Path) -> None:
    result = ChartResult(
        path=tmp_path / "x.png",
        title="Map — Ban *all* the @everyone things",
        description="1 seat with no signatures is grey and hatched.",
        url="https://petition.parliament.uk/petitions/1",
        footer=charts.MAP_SOURCE,
    )
    reply = render_chart(result)
    assert not reply.ephemeral
    assert len(reply.cards) == 1
    card = reply.cards[0]
    assert isinstance(card, Card)
    assert card.image_file == str(tmp_path / "x.png")
    assert card.title == "Map — Ban \\*all\\* the @\u200beveryone things"
    assert card.url == "https://petition.parliament.uk/petitions/1"
    assert card.footer == (
        "Data: petition.parliament.uk (OGL v3) · Hex layout: Open Innovations (MIT)"
    )
    assert card.description == "1 seat with no signatures is grey and hatched."
