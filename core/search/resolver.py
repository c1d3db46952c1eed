"""The one resolver: what did the user mean by this petition, seat or MP?

Every command and every autocomplete goes through :class:`Resolver`, so a
typo, a half-remembered title or an honorific is understood the same way
everywhere. Matching happens in a single key space, :func:`core.common.names.fold`,
the same keys the loader stores.

How a query is matched (``TextIndex``), built so that 10,000+ petitions stay
far inside Discord's 3-second window without blocking the event loop:

1. **Prefilter.** Each query word is expanded against the vocabulary of
   indexed words: the word itself, other forms of it (same :func:`core.common.names.stem`:
   "farming" finds "farms"), words within a small edit distance (typos;
   one edit for 4–6 letters (3–6 in names), two from 7) and words it is a prefix of (partial
   typing). Each indexed word has a posting list of the entries containing it;
   a NumPy pass over those lists gives every entry its *coverage*: the
   IDF-weighted share of query words it contains, so "ofsted" counts for more
   than "the".
2. **Rerank.** Only the best-covered few dozen entries are scored with
   rapidfuzz ``WRatio`` against the whole query (word order, partial titles).
3. **Decide.** The final score blends both; a clear winner is ``clear``, near
   ties are ``ambiguous`` (for a "Did you mean…" menu), weak matches ``none``.

Searches over more than ``INLINE_MAX_ENTRIES`` entries (petitions, at any
real size) run in a worker thread (``asyncio.to_thread``); seats and MPs
(~1,300 entries, tens of microseconds) are answered inline. The indexes are
immutable apart from a memo of word expansions, and :meth:`Resolver.refresh`
builds a new snapshot off the loop and swaps it in with one assignment.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Generic, Literal, ParamSpec, TypeVar

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from core.common.cards import Choice, fmt_int, truncate
from core.common.ids import TYPED_ID, parse_petition_id
from core.common.names import fold, person_key, stem
from core.petitions.lifecycle import state_now
from core.petitions.types import PetitionRef
from core.places.types import ConstituencyRef, MpRef
from core.search.types import SearchData
from db.database import Database
from db.search import get_petition_ref, load_search_data

T = TypeVar("T")
Status = Literal["exact", "clear", "ambiguous", "none"]

MAX_QUERY_CHARS = 200  # longer input is cut: no title is this long, and cost stays bounded
MAX_QUERY_WORDS = 12
CANDIDATES = 40  # entries reranked with rapidfuzz after the prefilter
PREFIX_EXPANSIONS = 48  # most frequent words a partial word may stand for
COVERAGE_WEIGHT = 0.6  # final score: this share word coverage, the rest WRatio
PHRASE_BONUS = 3.0  # the query appears word for word inside the entry
INLINE_MAX_ENTRIES = 2_000  # smaller indexes answer in ~50 µs: a thread hop would cost more
STEM_SIMILARITY = 0.9  # another form of the word: above a typo, below the word itself
ROLES = frozenset(
    {"speaker", "the speaker", "deputy speaker", "prime minister", "the prime minister"}
)
"""Offices typed instead of a name (after honorifics are dropped): never fuzzy-matched."""
LAST_RESORT_EDITS_FROM = 5  # an unknown word this long with no 1-edit neighbour may have 2
NAME_SHORTEST_TYPO = 3  # seat and MP names: "Tai" may be "Tami" (see TextIndex)
NONE_BELOW = 62.0  # final score under which nothing is considered a match
SUGGEST_ABOVE = 50.0  # "did you mean" only offers entries at least this similar
CONFIDENT = 75.0  # a best match under this (but matching) gets a chooser, not a card
GENERIC_WORD_MAX = 8  # a lone word this short that several titles share is a topic
AMBIGUITY_MARGIN = 3.0  # others this close to the best make the answer ambiguous
MAX_ALTERNATIVES = 24  # a select menu holds 25 options: the best plus these
SUGGESTIONS = 5
ID_PREFIX_SCAN = 256  # ids sharing a typed prefix beyond which we scan in popularity order
CHOICE_LIMIT = 25
LABEL_LIMIT = 100

_ONS_CODE = re.compile(r"[ENSW]\d{8}")
_NUMBER = re.compile(r"#?\s*[-+]?\d+")  # "0", "-1", "#12": an id, right or wrong


@dataclass(frozen=True)
class Resolution(Generic[T]):
    """What a query resolved to.

    * ``exact``/``clear``: ``best`` is the answer (``alternatives`` may list
      runners-up);
    * ``ambiguous``: ``best`` is the top pick and ``alternatives`` the other
      close ones, for a "Did you mean…" select;
    * ``none``: ``best`` is None and ``suggestions`` the nearest few (may be
      empty).
    """

    query: str
    status: Status
    best: T | None = None
    alternatives: list[T] = field(default_factory=list)
    suggestions: list[T] = field(default_factory=list)
    missing_id: int | None = None
    """A number was typed and no petition has that id (``none`` only)."""
    weak: bool = False
    """``ambiguous`` because the best match is weak or generic: offer a chooser."""


# --------------------------------------------------------------------------- index


def _max_edits(word: str, shortest: int) -> int:
    """Typos tolerated in a word: none in words under ``shortest`` (too many false friends)."""
    if len(word) >= 7:
        return 2
    return 1 if len(word) >= shortest else 0


def _edit_similarity(edits: int) -> float:
    return 1.0 - 0.15 * edits


def _prefix_similarity(prefix: str, word: str) -> float:
    """A partial word is worth more the more of the word it already spells."""
    return 0.7 + 0.25 * len(prefix) / len(word)


class TextIndex:
    """An immutable fuzzy index over folded keys (titles, seat or MP names).

    Entry ``i`` is ``keys[i]``; callers keep the records in the same order.
    ``shortest_typo``: the shortest unknown word read as a one-letter typo. Names
    have short surnames ("Tami" typed "Tai") and a small vocabulary, so their
    indexes use 3; petition titles, with thousands of short words, use 4.
    """

    def __init__(self, keys: Sequence[str], *, shortest_typo: int = 4) -> None:
        self.shortest_typo = shortest_typo
        self.keys: list[str] = list(keys)
        self.size = len(self.keys)
        exact: dict[str, list[int]] = defaultdict(list)
        postings: dict[str, list[int]] = defaultdict(list)
        for entry, key in enumerate(self.keys):
            exact[key].append(entry)
            for word in set(key.split()):
                postings[word].append(entry)
        self._exact = dict(exact)
        self._postings = {w: np.asarray(p, dtype=np.int32) for w, p in postings.items()}
        n = max(self.size, 1)
        self._idf = {w: math.log(1.0 + n / len(p)) for w, p in postings.items()}
        self._unseen_idf = math.log(1.0 + n)
        self._vocab = sorted(self._postings)
        stems: dict[str, list[str]] = defaultdict(list)
        for word in self._vocab:
            stems[stem(word)].append(word)
        self._stems = dict(stems)
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in self._vocab:
            by_length[len(word)].append(word)
        self._by_length = dict(by_length)
        self._expansions: dict[tuple[str, bool], list[tuple[str, float]]] = {}

    def exact(self, key: str) -> list[int]:
        """Entries whose key is exactly ``key`` (in index order)."""
        return self._exact.get(key, [])

    def _expand(self, word: str, partial: bool) -> list[tuple[str, float]]:
        """Indexed words ``word`` may stand for, with a similarity in (0, 1].

        Cached: autocomplete re-sends the same words on every keystroke.
        """
        cache_key = (word, partial)
        cached = self._expansions.get(cache_key)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        known = word in self._postings
        if known:
            found[word] = 1.0
        # A word the index knows is taken as meant (no "the" → "theatre", "from" → "form");
        # only unknown words are typos or truncations, and the word being typed may be either.
        edits = 0 if known else _max_edits(word, self.shortest_typo)
        if edits:
            self._near(word, edits, found)
        if len(word) >= 4:
            # Other forms of the same word: "farming" for "farms", "charge" for "charges"
            # (for a known word too: "farming" also finds titles that say "farms").
            for other in self._stems.get(stem(word), ()):
                found[other] = max(found.get(other, 0.0), STEM_SIMILARITY)
        if partial or (not known and len(word) >= 3):
            start = bisect.bisect_left(self._vocab, word)
            stop = bisect.bisect_left(self._vocab, word + "\uffff")
            longer = [w for w in self._vocab[start:stop] if w != word]
            if len(longer) > PREFIX_EXPANSIONS:
                longer.sort(key=lambda w: -len(self._postings[w]))
                longer = longer[:PREFIX_EXPANSIONS]
            for other in longer:
                found[other] = max(found.get(other, 0.0), _prefix_similarity(word, other))
        if not found and edits == 1 and len(word) >= LAST_RESORT_EDITS_FROM:
            # Nothing one edit away, no other form, no longer word: a scrambled word
            # ("snears" for "snares") is two edits away.
            self._near(word, 2, found)
        result = sorted(found.items(), key=lambda item: item[1])  # ascending: max wins below
        if len(self._expansions) > 4096:
            self._expansions.clear()
        self._expansions[cache_key] = result
        return result

    def _near(self, word: str, edits: int, found: dict[str, float]) -> None:
        """Add indexed words within ``edits`` edits of ``word`` (OSA distance) to ``found``."""
        nearby = [
            w
            for size in range(len(word) - edits, len(word) + edits + 1)
            for w in self._by_length.get(size, ())
        ]
        for other, distance, _ in process.extract(
            word, nearby, scorer=OSA.distance, score_cutoff=edits, limit=None
        ):
            found.setdefault(other, _edit_similarity(int(distance)))

    def _coverage(self, words: list[str], partial: bool) -> np.ndarray:
        """Per entry, the IDF-weighted share of query words it contains (0–1)."""
        total = np.zeros(self.size, dtype=np.float32)
        weight_sum = 0.0
        for position, word in enumerate(words):
            last = partial and position == len(words) - 1
            matches = self._expand(word, last)
            if not matches:
                weight_sum += self._unseen_idf if not last else 0.0
                continue
            # A word's weight is its own rarity; a typo or prefix borrows its best match's.
            weight = self._idf.get(word) or self._idf[matches[-1][0]]
            weight_sum += weight
            if len(matches) == 1:
                total[self._postings[matches[0][0]]] += weight * matches[0][1]
                continue
            best = np.zeros(self.size, dtype=np.float32)
            for other, similarity in matches:  # ascending similarity: the last write is the max
                best[self._postings[other]] = similarity
            total += weight * best
        if weight_sum > 0:
            total /= weight_sum
        return total

    def search(
        self,
        query_key: str,
        *,
        limit: int,
        partial: bool = False,
        mask: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """Best entries for a folded query, as (entry, score 0–100), best first.

        ``partial`` treats the last word as still being typed (autocomplete);
        ``mask`` (a boolean array over entries) restricts the search.
        """
        words = query_key.split()[:MAX_QUERY_WORDS]
        if not words or not self.size:
            return []
        coverage = self._coverage(words, partial)
        if mask is not None:
            coverage = np.where(mask, coverage, 0.0)
        entries = np.flatnonzero(coverage > 0)
        if len(entries) > CANDIDATES:
            # Equal coverage goes to the earlier (more signed) entry, not to chance.
            key = coverage[entries].astype(np.float64) - entries * 1e-9
            entries = np.sort(entries[np.argpartition(-key, CANDIDATES - 1)[:CANDIDATES]])
        if not len(entries):
            return []
        choices = [self.keys[i] for i in entries]
        text = process.cdist([query_key], choices, scorer=fuzz.WRatio, workers=1)[0]
        # Typing a run of words straight out of a title is quoting it: a small edge
        # over entries that merely contain the same words in another order.
        quoted = f" {query_key} "
        phrase = np.fromiter((quoted in f" {c} " for c in choices), dtype=bool, count=len(choices))
        blended = (1 - COVERAGE_WEIGHT) * text + COVERAGE_WEIGHT * 100.0 * coverage[entries]
        scores = np.minimum(blended + PHRASE_BONUS * phrase, 100.0)
        order = np.lexsort((entries, -scores))[:limit]
        return [(int(entries[i]), round(float(scores[i]), 2)) for i in order]


# --------------------------------------------------------------------------- decisions


def _decide(
    query: str,
    exact: list[T],
    ranked: list[tuple[T, float]],
    same: Callable[[T, T], bool],
    *,
    generic: bool = False,
) -> Resolution[T]:
    """Turn matches into a status: exact key match, clear winner, near tie or nothing.

    Suggestions for ``none`` are only the entries above :data:`SUGGEST_ABOVE`: a
    "did you mean" that shares nothing with the query misleads more than silence.
    A best match that is weak (under :data:`CONFIDENT`) or ``generic`` (one common
    word several titles share) is marked ``weak``: commands offer a chooser then,
    not a confident card.
    """
    if len(exact) == 1:
        others = [
            item for item, score in ranked if score >= NONE_BELOW and not same(item, exact[0])
        ][: SUGGESTIONS - 1]
        return Resolution(query, "exact", exact[0], others)
    if exact:
        return Resolution(query, "ambiguous", exact[0], exact[1 : MAX_ALTERNATIVES + 1])
    if not ranked or ranked[0][1] < NONE_BELOW:
        near = [item for item, score in ranked[:SUGGESTIONS] if score >= SUGGEST_ABOVE]
        return Resolution(query, "none", suggestions=near)
    best, top = ranked[0]
    matching = [item for item, score in ranked[1:] if score >= NONE_BELOW]
    if (generic or top < CONFIDENT) and matching:
        return Resolution(query, "ambiguous", best, matching[:MAX_ALTERNATIVES], weak=True)
    close = [item for item, score in ranked[1:] if top - score < AMBIGUITY_MARGIN]
    if close:
        return Resolution(query, "ambiguous", best, close[:MAX_ALTERNATIVES])
    runners_up = [item for item, score in ranked[1:SUGGESTIONS] if score >= NONE_BELOW]
    return Resolution(query, "clear", best, runners_up)


def _generic(text: str, ranked: Sequence[tuple[object, float]]) -> bool:
    """One short word that several titles contain ("ban", "tax"): not a pick, a topic."""
    words = fold(text).split()
    if len(words) != 1 or len(words[0]) > GENERIC_WORD_MAX:
        return False
    return sum(1 for _, score in ranked if score >= NONE_BELOW) >= 2


def _current_resolution(
    resolution: Resolution[PetitionRef], now: datetime
) -> Resolution[PetitionRef]:
    """Every ref of a resolution with its state as of ``now``."""
    return replace(
        resolution,
        best=current(resolution.best, now) if resolution.best is not None else None,
        alternatives=[current(r, now) for r in resolution.alternatives],
        suggestions=[current(r, now) for r in resolution.suggestions],
    )


def _clean(query: str) -> str:
    return query[:MAX_QUERY_CHARS].strip()


def _label(text: str, suffix: str = "") -> str:
    """An option label within Discord's 100 characters, never empty."""
    text = " ".join(text.split())  # no newlines or runs of spaces in a one-line label
    return (truncate(text, LABEL_LIMIT - len(suffix)) + suffix) or "…"


def petition_choice(ref: PetitionRef) -> Choice:
    """Autocomplete/select option for a petition (value: its id)."""
    return Choice(_label(ref.title, f" ({fmt_int(ref.total_signatures)})"), str(ref.id))


# --------------------------------------------------------------------------- snapshot


@dataclass(frozen=True)
class _Snapshot:
    """One immutable generation of indexes; a refresh replaces it whole."""

    petitions: list[PetitionRef]
    petition_index: TextIndex
    petition_by_id: dict[int, PetitionRef]
    petition_ids: list[str]  # sorted id strings: autocomplete of an id being typed
    state_masks: dict[str, np.ndarray]  # per petition state as stored: which entries have it
    deadlines: np.ndarray  # per entry, its deadline as a POSIX time (inf: none known)
    seat_groups: list[list[ConstituencyRef]]  # per name key: its seats, preferred set first
    seat_index: TextIndex
    seat_by_id: dict[int, ConstituencyRef]
    seat_by_code: dict[str, list[ConstituencyRef]]  # ONS code: reused across sets in Scotland
    seat_masks: dict[str, np.ndarray]  # per boundary set: which seat names it has
    several_sets: bool
    mps: list[MpRef]
    mp_index: TextIndex
    mp_by_id: dict[int, MpRef]


def _build_snapshot(data: SearchData) -> _Snapshot:
    """Build every index (CPU-bound: called in a worker thread)."""
    rank = {name: i for i, name in enumerate(data.boundary_sets)}
    groups: dict[str, list[ConstituencyRef]] = defaultdict(list)
    for ref, key in zip(data.constituencies, data.constituency_keys, strict=True):
        groups[key].append(ref)
    seat_keys = sorted(groups)

    def set_order(ref: ConstituencyRef) -> tuple[int, str]:
        return rank.get(ref.boundary_set, len(rank)), ref.boundary_set

    seat_groups = [sorted(groups[k], key=set_order) for k in seat_keys]
    return _Snapshot(
        petitions=data.petitions,
        petition_index=TextIndex(data.petition_keys),
        petition_by_id={p.id: p for p in data.petitions},
        petition_ids=sorted(str(p.id) for p in data.petitions),
        state_masks=_state_masks(data.petitions),
        deadlines=np.asarray(
            [p.deadline_at.timestamp() if p.deadline_at else math.inf for p in data.petitions],
            dtype=np.float64,
        ),
        seat_groups=seat_groups,
        seat_index=TextIndex(seat_keys, shortest_typo=NAME_SHORTEST_TYPO),
        seat_by_id={c.id: c for c in data.constituencies},
        seat_by_code=_by_code(data.constituencies, set_order),
        seat_masks={
            name: np.asarray([any(r.boundary_set == name for r in g) for g in seat_groups])
            for name in data.boundary_sets
        },
        several_sets=len(data.boundary_sets) > 1,
        mps=data.mps,
        mp_index=TextIndex(data.mp_keys, shortest_typo=NAME_SHORTEST_TYPO),
        mp_by_id={m.id: m for m in data.mps},
    )


def _by_code(
    seats: list[ConstituencyRef], set_order: Callable[[ConstituencyRef], tuple[int, str]]
) -> dict[str, list[ConstituencyRef]]:
    """Seats by ONS code, each list in the preferred boundary-set order."""
    found: dict[str, list[ConstituencyRef]] = defaultdict(list)
    for ref in sorted(seats, key=set_order):
        if ref.ons_code:
            found[ref.ons_code.upper()].append(ref)
    return dict(found)


def _state_masks(petitions: list[PetitionRef]) -> dict[str, np.ndarray]:
    states = np.asarray([p.state for p in petitions], dtype=object)
    return {name: np.asarray(states == name, dtype=bool) for name in set(states.tolist())}


def _state_mask(snap: _Snapshot, wanted: str | None, now: float = math.inf) -> np.ndarray | None:
    """Entries in petition state ``wanted`` as of ``now`` (a POSIX time).

    Open means open now: the data said open and the deadline has not passed; one
    the data calls open whose deadline passed counts as closed
    (:func:`core.petitions.lifecycle.state_now`, the rule /leaderboard uses too).
    """
    if wanted is None:
        return None
    none = np.zeros(snap.petition_index.size, dtype=bool)
    stored = snap.state_masks.get(wanted)
    if wanted == "open":
        return (stored if stored is not None else none) & (snap.deadlines > now)
    if wanted == "closed":
        was_open = snap.state_masks.get("open", none) & (snap.deadlines <= now)
        return (stored if stored is not None else none) | was_open
    return stored if stored is not None else none


def current(ref: PetitionRef, now: datetime) -> PetitionRef:
    """``ref`` with its state as of ``now`` (closed once its deadline passed)."""
    state = state_now(ref.state, ref.deadline_at, now)
    return ref if state == ref.state else replace(ref, state=state)


def _petition_search(
    snap: _Snapshot,
    query: str,
    wanted: str | None,
    limit: int,
    partial: bool,
    now: float = math.inf,
) -> tuple[list[PetitionRef], list[tuple[PetitionRef, float]]]:
    """(exact title matches, ranked matches) for a title query."""
    key = fold(query)
    mask = _state_mask(snap, wanted, now)
    exact = [snap.petitions[i] for i in snap.petition_index.exact(key) if mask is None or mask[i]]
    hits = snap.petition_index.search(key, limit=limit, partial=partial, mask=mask)
    return exact, [(snap.petitions[i], score) for i, score in hits]


def _popular(
    snap: _Snapshot, wanted: str | None, limit: int, now: float = math.inf
) -> list[PetitionRef]:
    """Most-signed petitions first (the list is stored in that order)."""
    mask = _state_mask(snap, wanted, now)
    if mask is None:
        return snap.petitions[:limit]
    return [snap.petitions[i] for i in np.flatnonzero(mask)[:limit]]


def _id_prefix(snap: _Snapshot, digits: str, limit: int) -> list[PetitionRef]:
    """Petitions whose id starts with the digits typed so far, most signed first."""
    start = bisect.bisect_left(snap.petition_ids, digits)
    stop = bisect.bisect_left(snap.petition_ids, digits + ":")  # ':' sorts after '9'
    if stop - start > ID_PREFIX_SCAN:  # a short prefix: the popular list hits it early
        matching = (p for p in snap.petitions if str(p.id).startswith(digits))
        return list(itertools.islice(matching, limit))
    found = [snap.petition_by_id[int(i)] for i in snap.petition_ids[start:stop]]
    return sorted(found, key=lambda p: -p.total_signatures)[:limit]


def _seat_pick(group: list[ConstituencyRef], boundary_set: str | None) -> ConstituencyRef:
    for ref in group:
        if ref.boundary_set == boundary_set:
            return ref
    return group[0]


def _seat_search(
    snap: _Snapshot, query: str, boundary_set: str | None, limit: int, partial: bool
) -> tuple[list[int], list[tuple[int, float]]]:
    """(exact group, ranked groups) for a seat name, restricted to ``boundary_set``."""
    key = fold(query)
    # An unknown set: better any seat than none.
    mask = snap.seat_masks.get(boundary_set) if boundary_set is not None else None
    exact = [g for g in snap.seat_index.exact(key) if mask is None or mask[g]]
    return exact, snap.seat_index.search(key, limit=limit, partial=partial, mask=mask)


def _mp_search(
    snap: _Snapshot, query: str, limit: int, partial: bool
) -> tuple[list[MpRef], list[tuple[MpRef, float]]]:
    key = person_key(query)
    exact = [snap.mps[i] for i in snap.mp_index.exact(key)]
    hits = snap.mp_index.search(key, limit=limit, partial=partial)
    return exact, [(snap.mps[i], score) for i, score in hits]


def _seat_label(ref: ConstituencyRef, several_sets: bool) -> str:
    return _label(ref.name, f" ({ref.boundary_set} seats)" if several_sets else "")


# --------------------------------------------------------------------------- resolver

R = TypeVar("R")
P = ParamSpec("P")


async def _run(index: TextIndex, work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Search a small index inline and a large one in a worker thread.

    Seats and MPs (~1,300 entries) take tens of microseconds, less than the
    thread hop; petitions grow with the archive and must never hold the loop.
    """
    if index.size <= INLINE_MAX_ENTRIES:
        return work(*args, **kwargs)
    return await asyncio.to_thread(work, *args, **kwargs)


def _same_id(
    a: PetitionRef | ConstituencyRef | MpRef, b: PetitionRef | ConstituencyRef | MpRef
) -> bool:
    return a.id == b.id


def utc_now() -> datetime:
    """The default clock: now, in UTC (tests inject a fixed one)."""
    return datetime.now(UTC)


class Resolver:
    """Resolves what users type to petitions, seats and MPs; shared by all commands.

    ``clock`` says what "now" is: a state filter means the state *now* (a petition
    past its deadline is closed whatever its last document said).
    """

    def __init__(
        self, db: Database, snapshot: _Snapshot, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._db = db
        self._snapshot = snapshot
        self._refresh_lock = asyncio.Lock()
        self.clock = clock

    @classmethod
    async def load(cls, db: Database, clock: Callable[[], datetime] = utc_now) -> Resolver:
        """Read and index everything (database read and index build off the loop)."""
        data = await load_search_data(db)
        return cls(db, await asyncio.to_thread(_build_snapshot, data), clock)

    async def refresh(self) -> None:
        """Rebuild after an ingest or removal; searches keep using the old index until then."""
        async with self._refresh_lock:
            data = await load_search_data(self._db)
            self._snapshot = await asyncio.to_thread(_build_snapshot, data)

    # ------------------------------------------------------------ petitions
    async def petition(self, query: str, *, state: str | None = None) -> Resolution[PetitionRef]:
        """A petition from its id, its URL or (part of) its title, typos allowed.

        An explicit id or URL resolves regardless of ``state``; the filter
        narrows title matching only. A bare number is always an id, never title
        words ("0", "-1", "999999"): unknown ones resolve to ``none`` with
        ``missing_id`` set, and no title suggestions.
        """
        snap = self._snapshot
        now = self.clock()
        text = _clean(query)
        petition_id = parse_petition_id(text)
        if petition_id is None and _NUMBER.fullmatch(text):
            petition_id = int(text.lstrip("#").replace(" ", "").replace("\t", ""))
        if petition_id is not None:
            ref = snap.petition_by_id.get(petition_id)
            if ref is None and 0 < petition_id < 2**63:  # ingested since the last refresh?
                ref = await get_petition_ref(self._db, petition_id)
            if ref is not None:
                return Resolution(query, "exact", current(ref, now))
            return Resolution(query, "none", missing_id=petition_id)
        if not fold(text):
            popular = _popular(snap, state, SUGGESTIONS, now.timestamp())
            return Resolution(query, "none", suggestions=[current(r, now) for r in popular])
        exact, ranked = await _run(
            snap.petition_index,
            _petition_search,
            snap,
            text,
            state,
            MAX_ALTERNATIVES + 1,
            False,
            now.timestamp(),
        )
        resolution = _decide(query, exact, ranked, _same_id, generic=_generic(text, ranked))
        return _current_resolution(resolution, now)

    async def search_petitions(
        self, query: str, *, state: str | None = None, limit: int = 100
    ) -> list[tuple[PetitionRef, float]]:
        """Ranked title matches (score 0–100) for ``/petition search``; popular ones if empty.

        The same floor as :meth:`petition`: search never lists what show would refuse.
        """
        snap = self._snapshot
        now = self.clock()
        text = _clean(query)
        if not fold(text):
            return [(current(p, now), 0.0) for p in _popular(snap, state, limit, now.timestamp())]
        if _NUMBER.fullmatch(text):
            return []  # a number is an id (see petition), never title words
        _, ranked = await _run(
            snap.petition_index, _petition_search, snap, text, state, limit, False, now.timestamp()
        )
        return [(current(ref, now), score) for ref, score in ranked if score >= NONE_BELOW]

    async def complete_petition(self, current: str, limit: int = CHOICE_LIMIT) -> list[Choice]:
        """Autocomplete: an id typed so far, else title matches, else the most signed."""
        snap = self._snapshot
        limit = max(1, min(limit, CHOICE_LIMIT))
        text = _clean(current)
        petition_id = parse_petition_id(text)
        found: list[PetitionRef] = []
        if petition_id is not None:
            exact = snap.petition_by_id.get(petition_id)
            found = [exact] if exact else []
            found += [p for p in _id_prefix(snap, str(petition_id), limit) if p is not exact]
        if not fold(text):
            found = _popular(snap, None, limit)
        elif not _NUMBER.fullmatch(text):
            _, ranked = await _run(
                snap.petition_index, _petition_search, snap, text, None, limit, True
            )
            found.extend(ref for ref, _ in ranked if ref not in found)
        return [petition_choice(ref) for ref in found[:limit]]

    # ------------------------------------------------------------ constituencies
    async def constituency(
        self, query: str, *, boundary_set: str | None = None
    ) -> Resolution[ConstituencyRef]:
        """A seat from its name (accents, punctuation, case and a typo forgiven), id or ONS code.

        With ``boundary_set`` only that set's seats are considered; otherwise a
        name found in both sets means the set with the most recent data.
        """
        snap = self._snapshot
        text = _clean(query)
        if TYPED_ID.fullmatch(text):
            ref = snap.seat_by_id.get(int(text.lstrip("#").strip()))
            if ref is not None:
                return Resolution(query, "exact", ref)
        if _ONS_CODE.fullmatch(text.upper()) and text.upper() in snap.seat_by_code:
            coded = snap.seat_by_code[text.upper()]
            return Resolution(query, "exact", _seat_pick(coded, boundary_set))
        if not fold(text):
            return Resolution(query, "none")
        exact, ranked = await _run(
            snap.seat_index,
            _seat_search,
            snap,
            text,
            boundary_set,
            MAX_ALTERNATIVES + 1,
            False,
        )
        groups = snap.seat_groups
        return _decide(
            query,
            [_seat_pick(groups[g], boundary_set) for g in exact],
            [(_seat_pick(groups[g], boundary_set), score) for g, score in ranked],
            _same_id,
        )

    async def complete_constituency(self, current: str, limit: int = CHOICE_LIMIT) -> list[Choice]:
        """Autocomplete seats; a name in both boundary sets is offered once per set."""
        snap = self._snapshot
        limit = max(1, min(limit, CHOICE_LIMIT))
        text = _clean(current)
        if not fold(text):
            groups = snap.seat_groups[:limit]
        else:
            _, ranked = await _run(snap.seat_index, _seat_search, snap, text, None, limit, True)
            groups = [snap.seat_groups[g] for g, _ in ranked]
        refs = [ref for group in groups for ref in group][:limit]
        return [Choice(_seat_label(ref, snap.several_sets), str(ref.id)) for ref in refs]

    # ------------------------------------------------------------ MPs
    async def mp(self, query: str) -> Resolution[MpRef]:
        """An MP with or without honorifics, by surname alone, typos allowed, or by id."""
        snap = self._snapshot
        text = _clean(query)
        if TYPED_ID.fullmatch(text):
            ref = snap.mp_by_id.get(int(text.lstrip("#").strip()))
            if ref is not None:
                return Resolution(query, "exact", ref)
        if not fold(text) or person_key(text) in ROLES:
            # "Mr Speaker", "the Prime Minister": a role, not a name; fuzzy matching
            # it against names finds someone unrelated ("Spencer").
            return Resolution(query, "none")
        exact, ranked = await _run(
            snap.mp_index, _mp_search, snap, text, MAX_ALTERNATIVES + 1, False
        )
        return _decide(query, exact, ranked, _same_id)

    async def complete_mp(self, current: str, limit: int = CHOICE_LIMIT) -> list[Choice]:
        """Autocomplete MPs by name (honorifics ignored)."""
        snap = self._snapshot
        limit = max(1, min(limit, CHOICE_LIMIT))
        text = _clean(current)
        if not fold(text):
            refs = snap.mps[:limit]
        else:
            _, ranked = await _run(snap.mp_index, _mp_search, snap, text, limit, True)
            refs = [ref for ref, _ in ranked]
        return [Choice(_label(ref.name), str(ref.id)) for ref in refs]
