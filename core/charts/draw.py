"""Draw petition charts as PNG images: top-N bars, history over time, hex map.

Pure functions: plain data in, PNG bytes out; no database, no Discord, no
global state. They use matplotlib's object API (``Figure`` + Agg canvas,
never ``pyplot``) so renders can run in worker threads side by side.

Style: one light neutral card (grey background, near-black text) that reads
on Discord's dark *and* light themes: the opaque background means the image
never relies on the theme behind it, and the grey keeps its edge visible on a
white theme. Discord shows images at roughly half size, so fonts are large.

Text from documents (petition titles, seat and country names) is drawn with
``$`` escaped: matplotlib would otherwise read ``$...$`` as maths.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.charts.hexmap import ATTRIBUTION, HexLayout
from core.charts.types import DATA_SOURCE
from core.petitions.lifecycle import DEBATE_THRESHOLD, RESPONSE_THRESHOLD

if TYPE_CHECKING:  # imported for real by preload(): see there
    import matplotlib
    from matplotlib import colors as mcolors
    from matplotlib import dates as mdates
    from matplotlib import ticker
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.colorbar import Colorbar
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch


DPI = 100
BAR_SIZE = (1000, 600)
HISTORY_SIZE = (1000, 600)
MAP_SIZE = (1200, 900)

MAP_SOURCE = f"{DATA_SOURCE} · {ATTRIBUTION}"

BACKGROUND = "#E9ECF0"
TEXT = "#1C1E22"
MUTED = "#4A505A"
GRID = "#C6CBD3"
BAR = "#2F5DA8"
LINE = "#2F5DA8"
RESPONSE_COLOUR = "#C46A12"
DEBATE_COLOUR = "#B3261E"
ZERO_FILL = "#C3C7CE"
ZERO_HATCH = "#6E747E"
HEX_EDGE = BACKGROUND
COLOURMAP = "viridis_r"  # light = few, dark = many; colour-blind safe

TITLE_CHARS = 64  # characters of bold title per line in a 1000 px figure
MAP_TITLE_CHARS = 78  # ... and in the 1200 px map
LABEL_CHARS = 32  # longest bar label that fits the left margin at LABEL_SIZE
TITLE_SIZE = 18
SUBTITLE_SIZE = 12.5
LABEL_SIZE = 12
SMALL_SIZE = 10.5

THRESHOLDS: tuple[tuple[int, str], ...] = (
    (RESPONSE_THRESHOLD, "10,000\nresponse"),
    (DEBATE_THRESHOLD, "100,000\ndebate"),
)


# ---------------------------------------------------------------- data in
@dataclass(frozen=True, slots=True)
class BarItem:
    """One bar: a label (seat or country), its value and the text printed at its end."""

    label: str
    value: float
    value_text: str


@dataclass(frozen=True, slots=True)
class BarChart:
    """A horizontal bar chart, largest first."""

    title: str
    subtitle: str
    axis_label: str
    items: tuple[BarItem, ...]


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """A known count at a moment: a stored snapshot or a dated event.

    ``label`` is ``None`` for snapshots and names the event otherwise
    ("Opened", "10,000 reached"), which draws it with a different marker.
    """

    at: datetime
    signatures: int
    label: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryChart:
    """Signatures over time; points need not be sorted."""

    title: str
    subtitle: str
    points: tuple[HistoryPoint, ...]
    closes_at: datetime | None = None
    """Where the time axis ends when the data runs past the deadline (a "closed" line)."""
    joined: bool = True
    """False with a single stored count: a line between two dated facts is not data."""


@dataclass(frozen=True, slots=True)
class MapChart:
    """Seat values to colour on a hex layout.

    ``values`` maps ONS code → value; a seat missing from it (or 0) is drawn
    as a zero-signature seat. ``highlights`` are (name, value text) pairs
    listed beside the map, e.g. the top seats.
    """

    title: str
    subtitle: str
    layout: HexLayout
    values: Mapping[str, float]
    value_label: str
    value_format: str = "{:,.0f}"
    highlights: tuple[tuple[str, str], ...] = ()
    highlights_title: str = "Highest"


# ---------------------------------------------------------------- result out
@dataclass(frozen=True, slots=True)
class Rendered:
    """A finished PNG plus facts tests and callers can check without decoding it.

    ``hex_count`` is how many hexagons the map drew; ``hex_colours`` maps each
    seat code to the fill colour it was given (``#rrggbb``).
    """

    png: bytes
    width: int
    height: int
    hex_count: int = 0
    hex_colours: Mapping[str, str] = field(default_factory=dict)
    zero_seats: int = 0


# ---------------------------------------------------------------- helpers
def literal(text: str) -> str:
    """Text drawn exactly as given: escape ``$`` so matplotlib never parses maths."""
    return text.replace("$", r"\$")


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap_title(title: str, width: int, lines: int = 2) -> str:
    """Wrap a long petition title onto at most ``lines`` lines."""
    wrapped = textwrap.wrap(title, width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], shorten(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


_loaded = False


def preload() -> None:
    """Import matplotlib, once: on the first chart, or earlier from a warm-up thread.

    matplotlib is ~0.35 s of imports — a third of the bot's cold start — and only
    charts need it, so start-up leaves it out (the bot warms it up in a thread
    once it is ready, and a chart that comes first simply pays for it).
    """
    global _loaded, matplotlib, mcolors, mdates, ticker, Axes, FigureCanvasAgg
    global PolyCollection, Colorbar, Figure, Patch
    if _loaded:
        return
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import colors as mcolors
    from matplotlib import dates as mdates
    from matplotlib import ticker
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.colorbar import Colorbar
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    _loaded = True


def _figure(size: tuple[int, int]) -> Figure:
    width, height = size
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor=BACKGROUND)
    return buffer.getvalue()


def _header(fig: Figure, title: str, subtitle: str, width: int, source: str) -> float:
    """Title and subtitle at the top left, source line at the bottom left.

    Returns the figure fraction just below the subtitle, so plots start under
    a one- or two-line title alike.
    """
    pixel = 1.0 / fig.bbox.height
    top = 1.0 - 14 * pixel
    wrapped = wrap_title(title, width)
    lines = wrapped.count("\n") + 1
    fig.text(
        0.02,
        top,
        literal(wrapped),
        ha="left",
        va="top",
        fontsize=TITLE_SIZE,
        fontweight="bold",
        color=TEXT,
    )
    subtitle_y = top - (lines * TITLE_SIZE * 1.25 * DPI / 72 + 8) * pixel
    fig.text(
        0.02,
        subtitle_y,
        literal(subtitle),
        ha="left",
        va="top",
        fontsize=SUBTITLE_SIZE,
        color=MUTED,
    )
    fig.text(0.02, 10 * pixel, source, ha="left", va="bottom", fontsize=SMALL_SIZE, color=MUTED)
    return subtitle_y - (SUBTITLE_SIZE * 1.3 * DPI / 72 + 6) * pixel


def _style_axes(ax: Axes) -> None:
    ax.set_facecolor(BACKGROUND)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=TEXT, labelsize=LABEL_SIZE)
    ax.xaxis.label.set_color(TEXT)
    ax.yaxis.label.set_color(TEXT)


def _thousands(value: float, _pos: object = None) -> str:
    return f"{value:,.0f}"


def _decimal(value: float, _pos: object = None) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- top-N bars
def render_bars(chart: BarChart) -> Rendered:
    """Horizontal bars, largest at the top, each labelled with its value."""
    preload()
    fig = _figure(BAR_SIZE)
    below = _header(fig, chart.title, chart.subtitle, TITLE_CHARS, DATA_SOURCE)
    ax = fig.add_axes((0.33, 0.11, 0.58, below - 0.04 - 0.11))
    _style_axes(ax)
    items = chart.items
    positions = list(range(len(items)))
    values = [item.value for item in items]
    ax.barh(positions, values, color=BAR, height=0.72, zorder=2)
    ax.set_yticks(positions, [literal(shorten(item.label, LABEL_CHARS)) for item in items])
    ax.invert_yaxis()
    ax.set_ylim(len(items) - 0.5, -0.5)
    peak = max(values, default=0.0) or 1.0
    ax.set_xlim(0, peak * 1.14)
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(_thousands_or_decimal(peak)))
    ax.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
    ax.set_xlabel(chart.axis_label, fontsize=LABEL_SIZE)
    label_size = LABEL_SIZE if len(items) <= 20 else SMALL_SIZE
    ax.tick_params(axis="y", length=0, labelsize=label_size)
    for position, item in zip(positions, items, strict=True):
        ax.text(
            item.value + peak * 0.01,
            position,
            literal(item.value_text),
            va="center",
            ha="left",
            fontsize=label_size - 1,
            color=TEXT,
        )
    if not items:
        ax.text(0.5, 0.5, "No data", transform=ax.transAxes, ha="center", color=MUTED)
    return Rendered(_png(fig), *BAR_SIZE)


def _thousands_or_decimal(peak: float) -> Callable[[float, object], str]:
    """Axis labels: integers with separators, or up to two decimals for small rates."""
    return _thousands if peak >= 20 else _decimal


# ---------------------------------------------------------------- history
def thresholds_to_draw(peak: int) -> tuple[tuple[int, str], ...]:
    """Every threshold already reached plus the next one to aim for.

    A 300-signature petition gets only the 10,000 line (drawing 100,000 too
    would flatten its curve onto the axis); one past 10,000 gets both.
    """
    drawn: list[tuple[int, str]] = []
    for value, label in THRESHOLDS:
        drawn.append((value, label))
        if peak < value:
            break
    return tuple(drawn)


def render_history(chart: HistoryChart) -> Rendered:
    """A line through the known counts, with the 10k/100k thresholds as dashed lines."""
    preload()
    points = sorted(chart.points, key=lambda p: p.at)
    fig = _figure(HISTORY_SIZE)
    below = _header(fig, chart.title, chart.subtitle, TITLE_CHARS, DATA_SOURCE)
    ax = fig.add_axes((0.10, 0.11, 0.78, below - 0.05 - 0.11))
    _style_axes(ax)
    times = [mdates.date2num(p.at) for p in points]
    counts = [p.signatures for p in points]
    if chart.joined:
        ax.plot(times, counts, color=LINE, linewidth=2.4, zorder=3)
    if chart.closes_at is not None:
        ax.axvline(
            mdates.date2num(chart.closes_at), color=TEXT, linestyle=":", linewidth=1.4, zorder=2
        )
        ax.annotate(
            "closed",
            xy=(mdates.date2num(chart.closes_at), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-4, -4),
            textcoords="offset points",
            va="top",
            ha="right",
            fontsize=SMALL_SIZE,
            color=TEXT,
        )
    snapshots = [p for p in points if p.label is None]
    events = [p for p in points if p.label is not None]
    ax.scatter(
        [mdates.date2num(p.at) for p in snapshots],
        [p.signatures for p in snapshots],
        s=46,
        color=LINE,
        zorder=4,
        label="stored count",
    )
    if events:
        ax.scatter(
            [mdates.date2num(p.at) for p in events],
            [p.signatures for p in events],
            s=60,
            marker="D",
            facecolor=BACKGROUND,
            edgecolor=LINE,
            linewidth=1.8,
            zorder=4,
            label="event (opened, threshold reached)",
        )
    peak = max(counts, default=0)
    top = peak
    for value, label in thresholds_to_draw(peak):
        colour = RESPONSE_COLOUR if value == RESPONSE_THRESHOLD else DEBATE_COLOUR
        ax.axhline(value, color=colour, linestyle="--", linewidth=1.6, zorder=2)
        ax.annotate(
            label,
            xy=(1.0, value),
            xycoords=("axes fraction", "data"),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=SMALL_SIZE,
            color=colour,
            annotation_clip=False,
        )
        top = max(top, value)
    ax.set_ylim(0, top * 1.08 or 1)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(_thousands))
    ax.grid(axis="y", color=GRID, linewidth=0.8, zorder=0)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    legend = ax.legend(loc="upper left", fontsize=SMALL_SIZE, frameon=False)
    for text in legend.get_texts():
        text.set_color(TEXT)
    return Rendered(_png(fig), *HISTORY_SIZE)


# ---------------------------------------------------------------- hex map
def hexagon(cx: float, cy: float, radius: float = 1.0) -> list[tuple[float, float]]:
    """The six corners of a pointy-topped hexagon centred on (cx, cy)."""
    return [
        (
            cx + radius * math.cos(math.radians(90 + 60 * k)),
            cy + radius * math.sin(math.radians(90 + 60 * k)),
        )
        for k in range(6)
    ]


def colour_norm(values: Sequence[float]) -> mcolors.Normalize | None:
    """Log scale when the positive values span ≥ 20×, linear otherwise; None if none.

    Petition counts are heavy-tailed (a few seats with 10× the median), so a
    linear scale would paint almost every seat the same pale colour.
    """
    preload()
    positive = [v for v in values if v > 0]
    if not positive:
        return None
    low, high = min(positive), max(positive)
    if high / low >= 20:
        return mcolors.LogNorm(vmin=low, vmax=high)
    if high == low:
        return mcolors.Normalize(vmin=0, vmax=high)
    return mcolors.Normalize(vmin=low, vmax=high)


def nice_log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks between ``low`` and ``high`` (inclusive), for a log colour bar."""
    ticks: list[float] = []
    exponent = math.floor(math.log10(low))
    while 10**exponent <= high:
        for step in (1, 2, 5):
            value = step * 10**exponent
            if low <= value <= high:
                ticks.append(float(value))
        exponent += 1
    return ticks


def render_map(chart: MapChart) -> Rendered:
    """Every seat as a hexagon coloured by its value; zero seats grey and hatched."""
    preload()
    fig = _figure(MAP_SIZE)
    below = _header(fig, chart.title, chart.subtitle, MAP_TITLE_CHARS, MAP_SOURCE)
    ax = fig.add_axes((0.01, 0.04, 0.64, below - 0.02 - 0.04))
    ax.set_axis_off()
    ax.set_aspect("equal")
    layout = chart.layout
    norm = colour_norm([chart.values.get(h.code, 0.0) for h in layout.hexes])
    cmap = matplotlib.colormaps[COLOURMAP]
    coloured: list[list[tuple[float, float]]] = []
    fills: list[str] = []
    zero: list[list[tuple[float, float]]] = []
    hex_colours: dict[str, str] = {}
    for item in layout.hexes:
        polygon = hexagon(*layout.centre(item), radius=0.97)
        value = chart.values.get(item.code, 0.0)
        if value > 0 and norm is not None:
            colour = mcolors.to_hex(cmap(norm(value)))
            coloured.append(polygon)
            fills.append(colour)
        else:
            colour = ZERO_FILL
            zero.append(polygon)
        hex_colours[item.code] = colour
    ax.add_collection(
        PolyCollection(coloured, facecolors=fills, edgecolors=HEX_EDGE, linewidths=0.5)
    )
    if zero:
        ax.add_collection(
            PolyCollection(
                zero, facecolors=ZERO_FILL, edgecolors=ZERO_HATCH, linewidths=0.4, hatch="////"
            )
        )
    xs = [x for poly in coloured + zero for x, _ in poly]
    ys = [y for poly in coloured + zero for _, y in poly]
    if xs:
        ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
        ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    _map_legend(fig, chart, norm, len(zero))
    drawn = len(coloured) + len(zero)
    return Rendered(_png(fig), *MAP_SIZE, drawn, hex_colours, len(zero))


def _map_legend(fig: Figure, chart: MapChart, norm: mcolors.Normalize | None, zeros: int) -> None:
    """Colour bar, the zero-seat key and the highlights list, right of the map."""
    if norm is not None:
        cax = fig.add_axes((0.68, 0.76, 0.28, 0.025))
        mappable = matplotlib.cm.ScalarMappable(norm=norm, cmap=COLOURMAP)
        bar = Colorbar(cax, mappable, orientation="horizontal")
        if isinstance(norm, mcolors.LogNorm):
            low, high = float(norm.vmin or 1), float(norm.vmax or 1)
            ticks = nice_log_ticks(low, high)
            bar.set_ticks(ticks)
            bar.minorticks_off()
        bar.ax.xaxis.set_major_formatter(
            ticker.FuncFormatter(_thousands_or_decimal(float(norm.vmax or 0)))
        )
        bar.ax.tick_params(colors=TEXT, labelsize=SMALL_SIZE)
        bar.outline.set_edgecolor(MUTED)
        scale = " (log scale)" if isinstance(norm, mcolors.LogNorm) else ""
        fig.text(0.68, 0.80, chart.value_label + scale, fontsize=LABEL_SIZE, color=TEXT)
    key = Patch(facecolor=ZERO_FILL, edgecolor=ZERO_HATCH, hatch="////", linewidth=0.6)
    seats = "seat" if zeros == 1 else "seats"
    fig.legend(
        handles=[key],
        labels=[f"no signatures ({zeros} {seats})"],
        loc="upper left",
        bbox_to_anchor=(0.675, 0.70),
        frameon=False,
        fontsize=LABEL_SIZE,
        labelcolor=TEXT,
        handlelength=1.6,
        handleheight=1.2,
    )
    if chart.highlights:
        lines = [chart.highlights_title]
        for rank, (name, value) in enumerate(chart.highlights, start=1):
            # Figure spaces (digit-wide) keep "9." and "10." aligned.
            number = f"{rank}.".rjust(len(f"{len(chart.highlights)}."), "\u2007")
            lines.append(f"{number} {shorten(name, 30)}  {value}")
        fig.text(
            0.68,
            0.62,
            literal("\n".join(lines)),
            ha="left",
            va="top",
            fontsize=LABEL_SIZE,
            color=TEXT,
            linespacing=1.5,
        )


# ---------------------------------------------------------------- files
def write_png(data: bytes, path: Path) -> Path:
    """Write ``data`` to ``path`` atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
