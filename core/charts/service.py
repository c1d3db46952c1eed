"""The chart service: pick the data for a chart, render it off the event loop, cache it.

``await chart(db, petition_id, kind, metric)`` is the whole surface for the
``/petition chart`` command and the console: it returns a :class:`ChartResult`
(PNG path + title + description) or raises :class:`UserFacingError` with a
message worth showing.

Queries are cheap (one petition, ≤ 650 rows) and always run, so the title and
notes are current; only the matplotlib render (~0.1–0.5 s of CPU) is cached.
A PNG is cached under ``cache_dir`` by (petition id, refresh time, content
hash, kind, metric, by, count) and, for history, the number of snapshots: an
older document adds a snapshot without changing the petition's refresh time.
When a petition is refreshed its older PNGs are deleted, so the cache holds at
most one generation per petition, and at most ``CACHE_MAX_FILES`` PNGs in all:
past that, the least recently used go (a hit marks a PNG used via its access
time, set explicitly, so it works on ``noatime`` mounts too).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from core.charts import draw as charts
from core.charts.hexmap import HexLayout, load_hexmap
from core.charts.types import DATA_SOURCE, ChartPetition, ChartResult, ChartSeat, CountPoint
from core.common.cards import fmt_int
from core.common.errors import NotFoundError, UserFacingError
from core.petitions.lifecycle import DEBATE_THRESHOLD, RESPONSE_THRESHOLD
from db import charts as queries
from db import counts, reference
from db.database import Database

Figure = charts.BarChart | charts.HistoryChart | charts.MapChart
By = Literal["constituencies", "countries", "region"]

KINDS: tuple[str, ...] = ("top", "history", "map")
METRICS: tuple[str, ...] = ("count", "rate")
BYS: tuple[str, ...] = ("constituencies", "countries", "region")

DEFAULT_CACHE_DIR = Path("var/charts")
"""Default PNG cache, relative to the working directory (no setting needed)."""
CACHE_MAX_FILES = 2_000
"""PNGs kept at most (≈50–150 KB each, so ≈200 MB at worst)."""
RENDER_VERSION = 1
"""Bump when the drawing changes so cached PNGs of the old style are not reused."""
MAX_COUNT = 30
MAP_HIGHLIGHTS = 10
RATE_PER = 1_000
"""Rates are signatures per 1,000 electors."""

BOUNDARY_NAMES = {"2010": "2010–2024 boundaries", "2024": "2024 boundaries"}


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """What to draw, decided from the data, and the name of its cached PNG.

    Building one costs a few small queries; rendering ``figure`` is the slow
    part (see :func:`render`). The benchmark times exactly that split.
    """

    figure: Figure
    title: str
    notes: tuple[str, ...]
    url: str
    cache_name: str
    petition_id: int
    footer: str = DATA_SOURCE


async def chart(
    db: Database,
    petition_id: int,
    kind: str = "top",
    metric: str = "count",
    by: str = "constituencies",
    count: int = 20,
    *,
    cache_dir: Path | None = None,
    reference_dir: Path | None = None,
) -> ChartResult:
    """Draw (or reuse) one chart of a stored petition.

    ``kind``: ``top`` (bars of the top ``count`` seats or countries, per
    ``by``), ``history`` (signatures over time) or ``map`` (hex map of every
    seat). ``metric``: ``count`` or ``rate`` (signatures per 1,000 electors;
    seats only, and only where the electorate is known — otherwise counts are
    drawn and the description says so). The PNG is rendered in a worker
    thread and cached under ``cache_dir`` (default ``var/charts``).
    """
    spec = await chart_spec(db, petition_id, kind, metric, by, count, reference_dir=reference_dir)
    directory = (cache_dir or DEFAULT_CACHE_DIR).resolve()
    path = directory / spec.cache_name
    cached = _mark_used(path)
    if not cached:
        await asyncio.to_thread(_render_to_file, spec.figure, path)
        await asyncio.to_thread(_prune, directory, spec.petition_id, spec.cache_name)
    return ChartResult(
        path=path,
        title=spec.title,
        description=" ".join(spec.notes),
        url=spec.url,
        footer=spec.footer,
        cached=cached,
    )


async def chart_spec(
    db: Database,
    petition_id: int,
    kind: str = "top",
    metric: str = "count",
    by: str = "constituencies",
    count: int = 20,
    *,
    reference_dir: Path | None = None,
) -> ChartSpec:
    """Check the options, read the data and decide what to draw (no rendering)."""
    _check_options(kind, metric, by, count)
    petition = await queries.chart_petition(db, petition_id)
    if petition is None:
        raise NotFoundError(f"No petition with id {petition_id} is stored.")
    if kind == "history":
        return await _history_spec(db, petition)
    if kind == "map":
        return await _map_spec(db, petition, metric, reference_dir)
    return await _top_spec(db, petition, metric, by, count, reference_dir)


def _check_options(kind: str, metric: str, by: str, count: int) -> None:
    if kind not in KINDS:
        raise UserFacingError(f"Unknown chart kind {kind!r}: choose top, history or map.")
    if metric not in METRICS:
        raise UserFacingError(f"Unknown metric {metric!r}: choose count or rate.")
    if by not in BYS:
        raise UserFacingError(
            f"Unknown grouping {by!r}: choose constituencies, countries or region."
        )
    if not 1 <= count <= MAX_COUNT:
        raise UserFacingError(f"Choose between 1 and {MAX_COUNT} bars.")


# ---------------------------------------------------------------- rendering + cache
def render(figure: Figure) -> charts.Rendered:
    """Render any chart spec (blocking: call it in a worker thread)."""
    if isinstance(figure, charts.BarChart):
        return charts.render_bars(figure)
    if isinstance(figure, charts.HistoryChart):
        return charts.render_history(figure)
    return charts.render_map(figure)


_RENDER_LOCK = threading.Lock()


def _render_to_file(figure: Figure, path: Path) -> None:
    """Render and write one PNG; one render at a time per process.

    matplotlib does not promise thread safety even with separate figures
    (shared font and text caches), and a render is CPU-bound under the GIL,
    so serialising costs nothing real and rules out a class of rare crashes.
    """
    with _RENDER_LOCK:
        rendered = render(figure)
    charts.write_png(rendered.png, path)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _cache_name(petition: ChartPetition, variant: Sequence[str]) -> str:
    """File name of one cached PNG: ``<id>_<refresh>_<hash8>_<variant...>_v<N>.png``.

    The first three parts are the petition's generation (see :func:`_prune`).
    """
    generation = [str(petition.id), _stamp(petition.refreshed_at), petition.content_hash[:8]]
    return "_".join([*generation, *variant, f"v{RENDER_VERSION}"]) + ".png"


def _spec(
    petition: ChartPetition,
    figure: Figure,
    label: str,
    notes: Sequence[str],
    variant: Sequence[str],
    footer: str = DATA_SOURCE,
) -> ChartSpec:
    return ChartSpec(
        figure=figure,
        title=f"{label} — {petition.title}",
        notes=tuple(notes),
        url=petition.url,
        cache_name=_cache_name(petition, variant),
        petition_id=petition.id,
        footer=footer,
    )


def _mark_used(path: Path) -> bool:
    """True when ``path`` is cached; it then becomes the most recently used.

    Only the access time moves (the modification time still says when it was drawn).
    """
    try:
        drawn = path.stat().st_mtime_ns
        os.utime(path, ns=(time.time_ns(), drawn))
    except OSError:
        return False
    return True


def _prune(directory: Path, petition_id: int, keep: str) -> None:
    """Delete this petition's PNGs of earlier generations, then the least recently used."""
    generation = "_".join(keep.split("_")[:3]) + "_"
    used: list[tuple[int, Path]] = []
    for png in directory.glob("*.png"):
        if png.name.startswith(f"{petition_id}_") and not png.name.startswith(generation):
            png.unlink(missing_ok=True)
            continue
        with contextlib.suppress(FileNotFoundError):  # another render pruned it meanwhile
            used.append((png.stat().st_atime_ns, png))
    if len(used) > CACHE_MAX_FILES:
        used.sort()
        for _, old in used[: len(used) - CACHE_MAX_FILES]:
            if old.name != keep:
                old.unlink(missing_ok=True)


# ---------------------------------------------------------------- text helpers
def _when(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def _subtitle(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _zeros(zero: int) -> str:
    if zero == 0:
        return "Every seat has signatures."
    if zero == 1:
        return "1 seat with no signatures is grey and hatched."
    return f"{zero} seats with no signatures are grey and hatched."


def _rate_text(rate: float) -> str:
    return f"{rate:.2f}"


def _layout(boundary_set: str, reference_dir: Path | None) -> HexLayout:
    try:
        return load_hexmap(boundary_set, reference_dir)
    except ValueError:
        raise UserFacingError(
            f"There is no hex map for the {boundary_set!r} boundary set this petition uses."
        ) from None


def _rates(
    seats: Sequence[ChartSeat], layout: HexLayout
) -> tuple[list[tuple[ChartSeat, float]], int]:
    """(seat, signatures per 1,000 electors) for seats with a known electorate; misses."""
    rated: list[tuple[ChartSeat, float]] = []
    missing = 0
    for seat in seats:
        place = layout.by_key.get(seat.name_key) or (
            layout.by_code.get(seat.ons_code) if seat.ons_code else None
        )
        if place is None or not place.electorate:
            missing += 1
            continue
        rated.append((seat, seat.signatures * RATE_PER / place.electorate))
    return rated, missing


# ---------------------------------------------------------------- top
async def _top_spec(
    db: Database,
    petition: ChartPetition,
    metric: str,
    by: str,
    count: int,
    reference_dir: Path | None,
) -> ChartSpec:
    refreshed = f"refreshed {_when(petition.refreshed_at)}"
    notes: list[str] = []
    if by == "region":
        return await _region_spec(db, petition, metric, refreshed)
    if by == "countries":
        if metric == "rate":
            notes.append(
                "Rates are per electorate, which only constituencies have: showing counts."
            )
        rows = await queries.country_counts(db, petition.id, count)
        items = tuple(charts.BarItem(r.name, r.signatures, fmt_int(r.signatures)) for r in rows)
        uk = petition.uk_signatures
        if uk is not None:
            notes.append(f"United Kingdom ({fmt_int(uk)}) is left out so other countries show.")
        if not items:
            raise UserFacingError("This petition has no signatures from outside the UK to chart.")
        subtitle = _subtitle(f"Top {len(items)} countries outside the UK by signatures", refreshed)
        figure = charts.BarChart(petition.title, subtitle, "signatures", items)
        notes.insert(0, f"Top {len(items)} countries by signatures.")
        return _spec(petition, figure, "Top countries", notes, ("top", metric, by, str(count)))

    boundary = BOUNDARY_NAMES.get(petition.boundary_set, petition.boundary_set)
    use_rate = metric == "rate"
    layout: HexLayout | None = None
    if use_rate:
        layout = _layout(petition.boundary_set, reference_dir)
        if not layout.has_electorate:
            use_rate = False
            notes.append(f"No electorate figures for the {boundary}: showing counts.")
    if use_rate and layout is not None:
        rated, missing = _rates(await queries.seat_counts(db, petition.id), layout)
        rated.sort(key=lambda pair: (-pair[1], pair[0].name_key))
        top = rated[:count]
        items = tuple(
            charts.BarItem(seat.name, rate, f"{_rate_text(rate)} ({fmt_int(seat.signatures)})")
            for seat, rate in top
        )
        if missing:
            notes.append(f"{missing} seats without a known electorate are left out.")
        axis = "signatures per 1,000 electors"
        what = "by signatures per 1,000 electors"
    else:
        seats = await queries.seat_counts(db, petition.id, limit=count)
        items = tuple(charts.BarItem(s.name, s.signatures, fmt_int(s.signatures)) for s in seats)
        axis = "signatures"
        what = "by signatures"
    if not items:
        raise UserFacingError("This petition has no signatures by constituency to chart.")
    subtitle = _subtitle(f"Top {len(items)} constituencies {what}", boundary, refreshed)
    figure = charts.BarChart(petition.title, subtitle, axis, items)
    notes.insert(0, f"Top {len(items)} constituencies {what} ({boundary}).")
    return _spec(petition, figure, "Top constituencies", notes, ("top", metric, by, str(count)))


async def _region_spec(
    db: Database, petition: ChartPetition, metric: str, refreshed: str
) -> ChartSpec:
    """The 12 UK regions and nations by signatures (summed from seats via the reference)."""
    regions = await reference.region_counts(db, petition.id)
    if not any(r.signatures for r in regions):
        raise UserFacingError("This petition has no signatures by constituency to sum by region.")
    notes = [f"The {len(regions)} UK regions and nations by signatures, summed from seats."]
    if metric == "rate":
        notes.append("Rates by region are not drawn: showing counts.")
    items = tuple(charts.BarItem(r.region, r.signatures, fmt_int(r.signatures)) for r in regions)
    subtitle = _subtitle("Signatures by UK region and nation", refreshed)
    figure = charts.BarChart(petition.title, subtitle, "signatures", items)
    return _spec(petition, figure, "Regions", notes, ("top", metric, "region"))


# ---------------------------------------------------------------- history
async def _history_spec(db: Database, petition: ChartPetition) -> ChartSpec:
    """Snapshots plus the dated facts that fix a count: opened, 10k and 100k reached.

    A threshold event is an exact count at an exact time, so a petition with a
    single stored refresh still has a curve once it crossed 10,000. The
    "Opened" point is drawn at 0 (only the sponsors had signed).
    """
    snaps = [
        CountPoint(s.refreshed_at, s.total_signatures)
        for s in await counts.snapshots(db, petition.id)
    ]
    if not snaps:
        raise UserFacingError(
            f"No counts of petition {petition.id} are stored yet, so there is no history to draw."
        )
    events = {e.event: e.at for e in await counts.history(db, petition.id)}
    points = [charts.HistoryPoint(s.at, s.signatures) for s in snaps]
    known = {s.at for s in snaps}
    for event, value, label in (
        ("Response Threshold Reached", RESPONSE_THRESHOLD, "10,000 reached"),
        ("Debate Threshold Reached", DEBATE_THRESHOLD, "100,000 reached"),
    ):
        at = events.get(event)
        if at is not None and at not in known:
            points.append(charts.HistoryPoint(at, value, label))
            known.add(at)
    if len(known) < 2:
        raise UserFacingError(
            f"Only one count of petition {petition.id} is stored "
            f"({fmt_int(snaps[0].signatures)} on {_when(snaps[0].at)}): a history chart "
            "needs at least two. It fills in as newer refreshes are ingested."
        )
    closes = petition.deadline_at
    if closes is not None and any(p.at > closes for p in points):
        # No signatures after closing: a count refreshed later is the final count, at the
        # deadline; the time axis stops there instead of running on past it.
        points = [charts.HistoryPoint(min(p.at, closes), p.signatures, p.label) for p in points]
        known = {p.at for p in points}
    else:
        closes = None
    opened = events.get("Opened")
    if opened is not None and opened < min(known):
        points.append(charts.HistoryPoint(opened, 0, "Opened"))
    subtitle = _subtitle(
        f"Signatures over time · {len(snaps)} stored " + ("count" if len(snaps) == 1 else "counts"),
        f"latest {fmt_int(snaps[-1].signatures)} on {_when(snaps[-1].at)}",
    )
    joined = len(snaps) >= 2
    figure = charts.HistoryChart(petition.title, subtitle, tuple(points), closes, joined)
    stored = f"{len(snaps)} stored " + ("count" if len(snaps) == 1 else "counts")
    dated = sorted({p.label for p in points if p.label is not None}, key=_event_order)
    extra = f", plus when it was {_and([_EVENT_WORDS[d] for d in dated])}" if dated else ""
    lines = ", ".join(f"{fmt_int(v)} ({w})" for v, w in _LINE_WORDS if v in _drawn(points))
    notes = [f"Signatures over time from {stored}{extra}.", f"Dashed lines: {lines}."]
    if not joined:
        notes.append(
            "Only one count is stored, so the points are not joined: how the count grew"
            " between them is unknown."
        )
    if closes is not None:
        notes.append(f"Closed {_when(closes)}: later counts are drawn at the deadline.")
    # An older document adds a snapshot without changing the refresh time: key on the count.
    return _spec(petition, figure, "History", notes, ("history", f"s{len(snaps)}"))


_EVENT_WORDS = {
    "Opened": "opened",
    "10,000 reached": "10,000 was reached",
    "100,000 reached": "100,000 was reached",
}
_LINE_WORDS = ((RESPONSE_THRESHOLD, "government response"), (DEBATE_THRESHOLD, "debate"))


def _event_order(label: str) -> int:
    return list(_EVENT_WORDS).index(label)


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _drawn(points: Sequence[charts.HistoryPoint]) -> set[int]:
    """The threshold lines :func:`core.charts.draw.render_history` will draw."""
    peak = max(p.signatures for p in points)
    return {value for value, _ in charts.thresholds_to_draw(peak)}


# ---------------------------------------------------------------- map
async def _map_spec(
    db: Database, petition: ChartPetition, metric: str, reference_dir: Path | None
) -> ChartSpec:
    layout = _layout(petition.boundary_set, reference_dir)
    boundary = BOUNDARY_NAMES.get(petition.boundary_set, petition.boundary_set)
    seats = await queries.seat_counts(db, petition.id)
    notes: list[str] = []
    use_rate = metric == "rate" and layout.has_electorate
    if metric == "rate" and not use_rate:
        notes.append(f"No electorate figures for the {boundary}: coloured by count instead.")
    values: dict[str, float] = {}
    names: dict[str, str] = {}
    unplaced = 0
    for seat in seats:
        place = layout.by_key.get(seat.name_key) or (
            layout.by_code.get(seat.ons_code) if seat.ons_code else None
        )
        if place is None:
            unplaced += 1
            continue
        value = float(seat.signatures)
        if use_rate and place.electorate:
            value = seat.signatures * RATE_PER / place.electorate
        values[place.code] = value
        names[place.code] = place.name
    zero = sum(1 for h in layout.hexes if values.get(h.code, 0) <= 0)
    ranked = sorted(values.items(), key=lambda kv: (-kv[1], names[kv[0]]))[:MAP_HIGHLIGHTS]
    label = "signatures per 1,000 electors" if use_rate else "signatures"
    value_format = "{:.2f}" if use_rate else "{:,.0f}"
    highlights = tuple((names[code], value_format.format(v)) for code, v in ranked)
    subtitle = _subtitle(
        f"{'Signatures per 1,000 electors' if use_rate else 'Signatures'} by constituency",
        boundary,
        f"refreshed {_when(petition.refreshed_at)}",
    )
    figure = charts.MapChart(
        petition.title,
        subtitle,
        layout,
        values,
        label,
        value_format=value_format,
        highlights=highlights,
        highlights_title=f"Highest {len(highlights)}",
    )
    notes.insert(
        0, f"All {len(layout.hexes)} seats ({boundary}) coloured by {label}. {_zeros(zero)}"
    )
    if unplaced:
        notes.append(f"{unplaced} seats could not be placed on the map.")
    return _spec(petition, figure, "Map", notes, ("map", metric), footer=charts.MAP_SOURCE)
