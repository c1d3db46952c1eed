"""What changed between two watermarks: the pure composition of a digest.

Time basis: a digest reports what the *bot learned* in its window, i.e. by
ingest time (``snapshots.ingested_at``, ``petitions.first_seen_at``,
``government_responses.first_seen_at``), not by the dates printed in the
documents. Archives are ingested long after the fact and out of order; an
event time would put their news into windows that were already posted. The
dates shown to people ("crossed 100,000 on 2024-01-03") are the documents'
own dates.

Every kind of news is tied to the first ingest that revealed it, so it lands
in exactly one window however often the petition is re-ingested:

- new petition: its first snapshot was ingested in the window;
- threshold T crossed: the highest count known before the window was below T
  and a count ingested in the window is at least T;
- new government response: the response was first stored in the window;
- closed: the petition is closed and the first refresh at or after its
  closing time was ingested in the window;
- movers: the latest known count at the window end versus at its start.

A petition new in the window appears only as new (its thresholds, response
and closure are not news about a change). Composition is split in two so
many servers share the work: :func:`window_facts` computes the per-petition
facts once per distinct window, :func:`compose` filters them per server
(minimum signatures, extra thresholds, time zone).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum
from functools import lru_cache

from core.digests.schedule import DigestConfig, zone
from core.petitions.lifecycle import (
    DEBATE_THRESHOLD,
    DISSOLUTION_2024,
    PETITION_DURATION,
    RESPONSE_THRESHOLD,
)

STANDARD_THRESHOLDS: dict[int, str] = {
    RESPONSE_THRESHOLD: "government response",
    DEBATE_THRESHOLD: "debate",
}
SECTION_LIMIT = 15
"""Items shown per section; the rest are counted ("…and 12 more")."""
MOVERS_LIMIT = 5
RELATIVE_MIN_BASE = 100
"""Relative movers need this many signatures before the window (1 → 10 is not news)."""
SUMMARY_LIMIT = 300


class Section(StrEnum):
    NEW = "new"
    THRESHOLD = "threshold"
    RESPONSE = "response"
    DEBATE = "debate"
    MOVER = "mover"
    RISER = "riser"
    CLOSED = "closed"


SECTION_ORDER: tuple[Section, ...] = tuple(Section)


# ---------------------------------------------------------------- input (from db/digests.py)
@dataclass(frozen=True, slots=True)
class SnapshotPoint:
    """One stored count: when the source refreshed it and when the bot ingested it."""

    refreshed_at: datetime
    total: int
    ingested_at: datetime


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    summary: str
    department: str | None
    responded_at: datetime | None
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class DebateNews:
    """A petition's debate dates and when the bot first learned each (0010)."""

    scheduled_on: date | None
    scheduled_seen_at: datetime | None
    debated_on: date | None
    debated_seen_at: datetime | None

    def learned_in(self, start: datetime, end: datetime) -> str | None:
        """ "debated on …" / "debate scheduled for …" if first learned in ``(start, end]``."""
        if self.debated_on and self.debated_seen_at and start < self.debated_seen_at <= end:
            return f"debated on {self.debated_on.isoformat()}"
        seen = self.scheduled_seen_at
        if self.scheduled_on and seen and start < seen <= end:
            return f"debate scheduled for {self.scheduled_on.isoformat()}"
        return None

    def seen_times(self) -> tuple[datetime, ...]:
        return tuple(t for t in (self.scheduled_seen_at, self.debated_seen_at) if t)


@dataclass(frozen=True, slots=True)
class TrackedPetition:
    """A petition touched in the fetched range, with its whole known count history.

    ``snapshots`` are those ingested up to the fetch's end, ordered by ingest time.
    """

    id: int
    title: str
    url: str
    state: str
    opened_at: datetime | None
    closed_at: datetime | None
    response_threshold_at: datetime | None
    debate_threshold_at: datetime | None
    response: ResponseInfo | None
    snapshots: tuple[SnapshotPoint, ...]
    debate: DebateNews | None = None

    def closing_time(self) -> datetime | None:
        """When a closed petition closed: stated, or six months after opening (or dissolution)."""
        if self.state != "closed":
            return None
        if self.closed_at is not None:
            return self.closed_at
        if self.opened_at is None:
            return None
        closes = self.opened_at + PETITION_DURATION
        if self.opened_at < DISSOLUTION_2024 <= closes:
            closes = DISSOLUTION_2024
        return closes


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Every petition touched by an ingest in ``(since, until]``: one fetch for many servers."""

    since: datetime
    until: datetime
    petitions: tuple[TrackedPetition, ...]


# ---------------------------------------------------------------- per-window facts
@dataclass(frozen=True, slots=True)
class Crossing:
    threshold: int
    at: datetime
    exact: bool  # True: the document's history dates it; False: first count above it


@dataclass(frozen=True, slots=True)
class PetitionFacts:
    """What one window says about one petition (independent of any server's filters)."""

    petition: TrackedPetition
    signatures: int  # latest known count at the window end
    is_new: bool
    max_before: int  # highest count known at the window start (0 when new)
    max_at_end: int  # highest count known at the window end
    inside: tuple[SnapshotPoint, ...]  # counts ingested in the window
    baseline: SnapshotPoint | None  # latest refresh known at the window start
    latest: SnapshotPoint  # latest refresh known at the window end
    new_response: bool
    closed_at: datetime | None  # set when the closure was learned in the window
    gain: int  # latest count minus the baseline count (0 when new or not newer)
    relative_gain: float  # gain / baseline, when the baseline is big enough to mean something
    debate_news: str | None = None  # "debated on …" / "debate scheduled for …" learned now

    def crosses(self, threshold: int) -> bool:
        """True when this window revealed that the petition passed ``threshold``."""
        # The highest count rose past it; the rise can only come from the window's counts.
        return not self.is_new and self.max_before < threshold <= self.max_at_end

    def crossing(self, threshold: int) -> Crossing | None:
        """The crossing of ``threshold`` revealed in this window, dated, if any."""
        if not self.crosses(threshold):
            return None
        stated = {
            RESPONSE_THRESHOLD: self.petition.response_threshold_at,
            DEBATE_THRESHOLD: self.petition.debate_threshold_at,
        }.get(threshold)
        if stated is not None:
            return Crossing(threshold, stated, exact=True)
        first = min(s.refreshed_at for s in self.inside if s.total >= threshold)
        return Crossing(threshold, first, exact=False)


def _by_count(facts: PetitionFacts) -> tuple[int, int]:
    return (-facts.signatures, facts.petition.id)


class _Ranked:
    """Facts with the most signatures first, so "at least N signatures" is a bisect."""

    __slots__ = ("_keys", "facts")

    def __init__(self, facts: Iterable[PetitionFacts]) -> None:
        self.facts = sorted(facts, key=_by_count)
        self._keys = [-f.signatures for f in self.facts]

    def eligible(self, min_signatures: int) -> list[PetitionFacts]:
        return self.facts[: bisect.bisect_right(self._keys, -min_signatures)]


class WindowFacts:
    """Everything one window says, pre-sorted once so each server only filters.

    Items (with their "why" text in a time zone) are cached too: servers that
    share a window and a time zone share the very same item objects.
    """

    def __init__(self, start: datetime, end: datetime, petitions: Sequence[PetitionFacts]) -> None:
        self.start = start
        self.end = end
        self.petitions = tuple(petitions)
        self.new = _Ranked(f for f in petitions if f.is_new)
        self.responses = _Ranked(f for f in petitions if f.new_response)
        self.debates = _Ranked(f for f in petitions if f.debate_news is not None)
        self.closed = _Ranked(f for f in petitions if f.closed_at is not None)
        self.rising = [f for f in petitions if not f.is_new and f.max_at_end > f.max_before]
        self.movers = sorted(
            (f for f in petitions if f.gain > 0), key=lambda f: (-f.gain, f.petition.id)
        )
        self.risers = sorted(
            (f for f in petitions if f.relative_gain > 0),
            key=lambda f: (-f.relative_gain, f.petition.id),
        )
        self._crossers: dict[int, _Ranked] = {}
        self._items: dict[tuple[object, ...], DigestItem] = {}
        self._contents: dict[
            tuple[str, int, tuple[int, ...]],
            tuple[tuple[DigestItem, ...], tuple[tuple[Section, int], ...]],
        ] = {}

    def crossers(self, threshold: int) -> _Ranked:
        """Petitions this window shows passing ``threshold`` (computed once per threshold)."""
        found = self._crossers.get(threshold)
        if found is None:
            found = self._crossers[threshold] = _Ranked(
                f for f in self.rising if f.crosses(threshold)
            )
        return found

    def item(
        self, key: tuple[object, ...], build: Callable[..., DigestItem], *args: object
    ) -> DigestItem:
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = build(*args)
        return found


@dataclass(slots=True)
class _History:
    """Prefix aggregates over a petition's snapshots in ingest order, for bisecting windows."""

    ingested: list[datetime]
    max_total: list[int]
    latest: list[SnapshotPoint]


def _history(petition: TrackedPetition) -> _History:
    ingested: list[datetime] = []
    max_total: list[int] = []
    latest: list[SnapshotPoint] = []
    best: SnapshotPoint | None = None
    top = 0
    for snap in petition.snapshots:
        ingested.append(snap.ingested_at)
        top = max(top, snap.total)
        if best is None or snap.refreshed_at > best.refreshed_at:
            best = snap
        max_total.append(top)
        latest.append(best)
    return _History(ingested, max_total, latest)


class FactsCache:
    """Window facts for one :class:`ChangeSet`, computed once per *distinct* window.

    Two windows are the same window when the same ingests fall inside them:
    ingests come in batches (a refresh, an upload), so servers whose windows
    start at different minutes between two batches share one computation.
    """

    def __init__(self, changes: ChangeSet) -> None:
        self.changes = changes
        self._histories = {p.id: _history(p) for p in changes.petitions}
        moments = {
            s.ingested_at
            for p in changes.petitions
            for s in p.snapshots
            if changes.since < s.ingested_at <= changes.until
        }
        moments |= {
            p.response.first_seen_at
            for p in changes.petitions
            if p.response is not None and changes.since < p.response.first_seen_at <= changes.until
        }
        moments |= {
            t
            for p in changes.petitions
            if p.debate is not None
            for t in p.debate.seen_times()
            if changes.since < t <= changes.until
        }
        self._moments = sorted(moments)
        self._windows: dict[tuple[int, int], WindowFacts] = {}
        self._facts: dict[tuple[int, int, int, bool, str | None], PetitionFacts] = {}

    def facts(self, start: datetime, end: datetime) -> WindowFacts:
        if start < self.changes.since or end > self.changes.until or start > end:
            raise ValueError("window outside the fetched change set")
        key = (bisect.bisect_right(self._moments, start), bisect.bisect_right(self._moments, end))
        found = self._windows.get(key)
        if found is None:
            found = self._windows[key] = self._compute(start, end)
        return found

    @property
    def distinct_windows(self) -> int:
        return len(self._windows)

    def _compute(self, start: datetime, end: datetime) -> WindowFacts:
        out: list[PetitionFacts] = []
        for petition in self.changes.petitions:
            history = self._histories[petition.id]
            before = bisect.bisect_right(history.ingested, start)
            through = bisect.bisect_right(history.ingested, end)
            response = petition.response
            new_response = response is not None and start < response.first_seen_at <= end
            debate = petition.debate.learned_in(start, end) if petition.debate else None
            if through == 0 or (through == before and not new_response and debate is None):
                continue  # unknown at the end, or nothing learned in the window
            # Windows that split a petition's ingests the same way share its facts.
            key = (petition.id, before, through, new_response, debate)
            facts = self._facts.get(key)
            if facts is None:
                facts = self._facts[key] = _facts(
                    petition, history, before, through, new_response, debate
                )
            out.append(facts)
        return WindowFacts(start, end, out)


def window_facts(changes: ChangeSet, start: datetime, end: datetime) -> WindowFacts:
    """Facts for one window (see :class:`FactsCache` to share work across windows)."""
    return FactsCache(changes).facts(start, end)


def _facts(
    petition: TrackedPetition,
    history: _History,
    before: int,
    through: int,
    new_response: bool,
    debate: str | None = None,
) -> PetitionFacts:
    """Facts when the first ``before`` snapshots were known at the start, ``through`` at the end."""
    latest = history.latest[through - 1]
    is_new = before == 0
    baseline = None if is_new else history.latest[before - 1]
    closes = petition.closing_time()
    learned_closure = (
        baseline is not None
        and closes is not None
        and baseline.refreshed_at < closes <= latest.refreshed_at
    )
    gain = 0
    if baseline is not None and latest.refreshed_at > baseline.refreshed_at:
        gain = latest.total - baseline.total
    base = baseline.total if baseline is not None else 0
    return PetitionFacts(
        petition=petition,
        signatures=latest.total,
        is_new=is_new,
        max_before=0 if is_new else history.max_total[before - 1],
        max_at_end=history.max_total[through - 1],
        inside=petition.snapshots[before:through],
        baseline=baseline,
        latest=latest,
        new_response=new_response and not is_new,
        closed_at=closes if learned_closure else None,
        gain=gain,
        relative_gain=gain / base if gain > 0 and base >= RELATIVE_MIN_BASE else 0.0,
        debate_news=debate if not is_new else None,
    )


# ---------------------------------------------------------------- the digest
@dataclass(frozen=True, slots=True)
class DigestItem:
    """One line of a digest: a petition, why it is there, and optional detail."""

    section: Section
    petition_id: int
    title: str
    url: str
    signatures: int
    why: str
    detail: str | None = None  # e.g. the government response summary (raw text)


@dataclass(frozen=True, slots=True)
class Digest:
    guild_id: int
    start: datetime
    end: datetime
    timezone: str
    items: tuple[DigestItem, ...]
    omitted: tuple[tuple[Section, int], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.items

    def section(self, section: Section) -> list[DigestItem]:
        return [item for item in self.items if item.section is section]

    def omitted_in(self, section: Section) -> int:
        return dict(self.omitted).get(section, 0)


def _day(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d")


def _threshold_label(threshold: int) -> str:
    purpose = STANDARD_THRESHOLDS.get(threshold)
    return f"{threshold:,}" + (f" ({purpose})" if purpose else "")


def _item(
    section: Section, facts: PetitionFacts, why: str, detail: str | None = None
) -> DigestItem:
    p = facts.petition
    return DigestItem(section, p.id, p.title, p.url, facts.signatures, why, detail)


def _new_item(facts: PetitionFacts, tz: tzinfo) -> DigestItem:
    p = facts.petition
    why = f"new: first seen {_day(facts.inside[0].ingested_at, tz)}"
    if p.opened_at is not None:
        why += f", opened {_day(p.opened_at, tz)}"
    return _item(Section.NEW, facts, why)


def _threshold_item(
    facts: PetitionFacts, threshold: int, thresholds: tuple[int, ...], tz: tzinfo
) -> DigestItem:
    """The line for the highest threshold crossed; lower ones crossed too are mentioned."""
    lower = [t for t in thresholds if t < threshold and facts.crosses(t)]
    crossing = facts.crossing(threshold)
    assert crossing is not None
    how = "on" if crossing.exact else "by"
    why = f"crossed {_threshold_label(threshold)} {how} {_day(crossing.at, tz)}"
    if lower:
        why += " (also " + ", ".join(f"{t:,}" for t in lower) + ")"
    return _item(Section.THRESHOLD, facts, why)


def _response_item(facts: PetitionFacts, tz: tzinfo) -> DigestItem:
    response = facts.petition.response
    assert response is not None
    when = response.responded_at or response.first_seen_at
    why = f"government responded {_day(when, tz)}"
    if response.department:
        why += f" ({response.department})"
    summary = " ".join(response.summary.split())
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    return _item(Section.RESPONSE, facts, why, summary or None)


def _debate_item(facts: PetitionFacts, tz: tzinfo) -> DigestItem:
    assert facts.debate_news is not None
    return _item(Section.DEBATE, facts, facts.debate_news)


def _closed_item(facts: PetitionFacts, tz: tzinfo) -> DigestItem:
    assert facts.closed_at is not None
    return _item(Section.CLOSED, facts, f"closed {_day(facts.closed_at, tz)}")


def _mover_item(section: Section, facts: PetitionFacts, tz: tzinfo) -> DigestItem:
    assert facts.baseline is not None
    base = facts.baseline.total
    percent = f" (+{facts.gain / base * 100:.1f}%)" if base else ""
    since = _day(facts.baseline.refreshed_at, tz)
    return _item(section, facts, f"+{facts.gain:,} signatures{percent} since the count of {since}")


@lru_cache(maxsize=256)
def _thresholds(extra: tuple[int, ...]) -> tuple[int, ...]:
    """The standard thresholds plus a server's own, highest first."""
    return tuple(sorted(set(STANDARD_THRESHOLDS) | set(extra), reverse=True))


def _top(
    candidates: Iterable[PetitionFacts], min_signatures: int, skip: set[int]
) -> list[PetitionFacts]:
    """The first few candidates with enough signatures that are not shown already."""
    out: list[PetitionFacts] = []
    for f in candidates:
        if f.signatures >= min_signatures and f.petition.id not in skip:
            out.append(f)
            if len(out) == MOVERS_LIMIT:
                break
    return out


def compose(
    window: WindowFacts,
    config: DigestConfig,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Digest:
    """One server's digest: its filters and time zone applied to a window's facts.

    ``start``/``end`` default to the window's; servers sharing facts pass their own.
    Servers with the same filters and time zone in the same window get the very
    same contents (computed once).
    """
    thresholds = _thresholds(config.extra_thresholds)
    key = (config.timezone, config.min_signatures, thresholds)
    contents = window._contents.get(key)
    if contents is None:
        contents = window._contents[key] = _contents(
            window, config.timezone, config.min_signatures, thresholds
        )
    items, omitted = contents
    return Digest(
        config.guild_id,
        start or window.start,
        end or window.end,
        config.timezone,
        items,
        omitted,
    )


def _contents(
    window: WindowFacts, zone_name: str, least: int, thresholds: tuple[int, ...]
) -> tuple[tuple[DigestItem, ...], tuple[tuple[Section, int], ...]]:
    """The items (and counts left out) for one set of filters in one window."""
    tz = zone(zone_name)
    omitted: list[tuple[Section, int]] = []

    def ranked(
        section: Section, facts: _Ranked, build: Callable[..., DigestItem]
    ) -> list[DigestItem]:
        eligible = facts.eligible(least)
        if len(eligible) > SECTION_LIMIT:
            omitted.append((section, len(eligible) - SECTION_LIMIT))
        return [
            window.item((section, f.petition.id, zone_name), build, f, tz)
            for f in eligible[:SECTION_LIMIT]
        ]

    crossed: list[DigestItem] = []
    seen: set[int] = set()
    for threshold in thresholds:  # highest first: one line per petition, at its highest
        for f in window.crossers(threshold).eligible(least):
            if f.petition.id in seen:
                continue
            seen.add(f.petition.id)
            if len(crossed) < SECTION_LIMIT:
                key = (Section.THRESHOLD, f.petition.id, zone_name, threshold, thresholds)
                crossed.append(window.item(key, _threshold_item, f, threshold, thresholds, tz))
    if len(seen) > SECTION_LIMIT:
        omitted.append((Section.THRESHOLD, len(seen) - SECTION_LIMIT))
    movers = _top(window.movers, least, set())
    risers = _top(window.risers, least, {f.petition.id for f in movers})

    items: list[DigestItem] = []
    items += ranked(Section.NEW, window.new, _new_item)
    items += crossed
    items += ranked(Section.RESPONSE, window.responses, _response_item)
    items += ranked(Section.DEBATE, window.debates, _debate_item)
    for section, chosen in ((Section.MOVER, movers), (Section.RISER, risers)):
        items += [
            window.item((section, f.petition.id, zone_name), _mover_item, section, f, tz)
            for f in chosen
        ]
    items += ranked(Section.CLOSED, window.closed, _closed_item)
    omitted.sort(key=lambda pair: SECTION_ORDER.index(pair[0]))
    return tuple(items), tuple(omitted)


def compose_many(
    changes: ChangeSet, jobs: Iterable[tuple[DigestConfig, datetime, datetime]]
) -> list[Digest]:
    """Digests for many servers over one change set; servers sharing a window share its facts."""
    cache = FactsCache(changes)
    return [compose(cache.facts(start, end), config, start, end) for config, start, end in jobs]
