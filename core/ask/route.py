"""From a reading to a command: resolve the spans strictly, or say what is missing.

Every span goes through the one resolver (:class:`~core.search.resolver.Resolver`),
then through one more check the commands do not need: the words of the span
must actually be in what it resolved to (:func:`coverage`). A command's
argument is known to name *something*; a span cut out of a question may name
nothing at all ("the petition about cats"), and a near match on half its words
would be a confident wrong answer.

The result is a :class:`Plan` (the command, its arguments as resolved refs, how
the question was understood and the corrections to offer) or a
:class:`NoAnswer` (why not, and the closest command). Routing only ever names
commands of the registry, so the answers are the commands' own.

Extension points for features still being built: "my constituency" asks
:meth:`~core.ask.service.AskCommands.home_seat_of` (a stored home seat);
"where in Scotland…" routes to ``/petition top by:region`` as soon as that
option exists (:meth:`Router._region`); "tell me when…" routes to the first
registry command named ``follow …`` that takes a petition (:meth:`Router._follow`);
"what crossed 100,000 this week" (:meth:`Router._changes`) names the digest
until a command lists changes.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from rapidfuzz.distance import OSA

from core.ask.understand import (
    Intent,
    Reading,
    clean_petition_span,
    clean_place_span,
    content_words,
    is_home,
    pair_splits,
    place_splits,
    readings,
    telling_words,
)
from core.commands import REGISTRY
from core.common.cards import truncate
from core.common.ids import parse_petition_id
from core.common.names import fold, person_key, stem
from core.common.results import FollowUp, Invocation
from core.petitions.types import PetitionRef
from core.places.types import ConstituencyRef, MpRef
from core.search.picking import describe_ref, label_of
from core.search.resolver import Resolution, Resolver

T = TypeVar("T", PetitionRef, ConstituencyRef, MpRef)

MIN_COVERAGE = 0.6
"""Share of a span's words that must be in the title or name it resolved to."""
MAX_CORRECTIONS = 10
SEARCH_FALLBACK = 10
TITLE_SHOWN = 60
_STATUS_RANK = {"exact": 3, "clear": 2, "ambiguous": 1, "none": 0}

HomeSeat = Callable[[], Awaitable[ConstituencyRef | None]]


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    """A span resolved strictly: the pick, the others it may have meant, how sure."""

    ref: T
    alternatives: tuple[T, ...]
    rank: int  # 3 exact, 2 clear, 1 ambiguous
    span: str


@dataclass(frozen=True, slots=True)
class Plan:
    """A question answered by one command."""

    route: Invocation
    understood: str
    corrections: tuple[FollowUp, ...] = ()
    fallback: Invocation | None = None
    """Run instead when ``route`` says there is nothing to show (no response yet)."""


@dataclass(frozen=True, slots=True)
class NoAnswer:
    """Why a question gets no answer, and the closest commands."""

    reason: str
    suggestions: tuple[str, ...] = ()
    actions: tuple[FollowUp, ...] = field(default_factory=tuple)
    weight: int = 0  # a specific reading's reason beats the generic one
    final: bool = False
    """The question is understood and can't be answered: no other reading is tried."""


# ---------------------------------------------------------------- strict matching
def _word_matches(word: str, others: Sequence[str]) -> bool:
    """The word, another form of it, its completion or a typo of it is among ``others``.

    Stricter than the resolver's matching: a span cut from a question may name
    nothing, so short words must match exactly ("cats" is not "cars").
    """
    word_stem = stem(word)
    edits = 2 if len(word) >= 9 else 1 if len(word) >= 5 else 0
    for other in others:
        if other == word or stem(other) == word_stem:
            return True
        if len(word) >= 5 and other.startswith(word):
            return True
        if len(word_stem) >= 5 and other.startswith(word_stem):  # "neonics": neonicotinoids
            return True
        near = edits and abs(len(other) - len(word)) <= edits
        if near and OSA.distance(word, other, score_cutoff=edits) <= edits:
            return True
    return False


def coverage(span_key: str, target_key: str) -> float:
    """Share of the span's telling words found in the target (0 when it has none)."""
    words = telling_words(span_key)
    if not words:
        return 0.0
    target = target_key.split()
    return sum(_word_matches(w, target) for w in words) / len(words)


def _strict(
    resolution: Resolution[T], span_key: str, key_of: Callable[[T], str]
) -> Found[T] | None:
    """The resolution's pick if the span's words are in it (else the first that has them)."""
    picked: T | None = resolution.best
    if picked is None or resolution.status == "none":
        return None
    rank = _STATUS_RANK[resolution.status]
    if rank == 3 and not content_words(span_key):
        return Found(picked, tuple(resolution.alternatives), rank, span_key)
    candidates: list[T] = [picked]
    candidates.extend(resolution.alternatives)
    covered = [c for c in candidates if coverage(span_key, key_of(c)) >= MIN_COVERAGE]
    if not covered:
        return None
    best = covered[0]
    others = tuple(c for c in candidates if c != best and c in covered)
    if best != picked:
        rank = min(rank, 1)
    return Found(best, others, rank, span_key)


def _petition_key(ref: PetitionRef) -> str:
    return fold(ref.title)


def _seat_key(ref: ConstituencyRef) -> str:
    return fold(ref.name)


def _mp_key(ref: MpRef) -> str:
    return person_key(ref.name)


_QUESTION_LEAD = re.compile(
    r"^(?:(?:tell me about|show me|show|what about|info on|information on|details of|details on|"
    r"open|look up|give me|get|what is|whats|the card for|card for|i want|i want to see|"
    r"how is|how about|hows)\s+)+"
)


class Spans:
    """Strict resolution of spans, memoised for one question (forms share spans)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._petitions: dict[str, Found[PetitionRef] | None] = {}
        self._seats: dict[str, Found[ConstituencyRef] | None] = {}
        self._mps: dict[str, Found[MpRef] | None] = {}

    async def petition(self, span: str) -> Found[PetitionRef] | None:
        text = clean_petition_span(_QUESTION_LEAD.sub("", span.strip()))
        if not text:
            return None
        if text in self._petitions:
            return self._petitions[text]
        found: Found[PetitionRef] | None = None
        resolution = await self.resolver.petition(text)
        if parse_petition_id(text) is not None:
            if resolution.status == "exact" and resolution.best is not None:
                found = Found(resolution.best, (), 3, text)
        else:
            found = _strict(resolution, fold(text), _petition_key)
            if found is None and telling_words(fold(text)):
                # Title search goes lower than the resolver's bar; the words still must match.
                hits = await self.resolver.search_petitions(text, limit=SEARCH_FALLBACK)
                refs = [ref for ref, _ in hits]
                if refs:
                    fallback = Resolution(text, "ambiguous", refs[0], refs[1:])
                    found = _strict(fallback, fold(text), _petition_key)
        self._petitions[text] = found
        return found

    async def seat(self, span: str) -> Found[ConstituencyRef] | None:
        text = span.strip()
        if not fold(text):
            return None
        if text not in self._seats:
            resolution = await self.resolver.constituency(text)
            self._seats[text] = _strict(resolution, fold(text), _seat_key)
        return self._seats[text]

    async def mp(self, span: str) -> Found[MpRef] | None:
        text = span.strip()
        if not person_key(text):
            return None
        if text not in self._mps:
            found = _strict(await self.resolver.mp(text), person_key(text), _mp_key)
            if found is None and text.endswith("s") and len(text) > 4:  # "mitchells" (no ')
                found = _strict(await self.resolver.mp(text[:-1]), person_key(text[:-1]), _mp_key)
            self._mps[text] = found
        return self._mps[text]

    async def place(self, span: str, mp_lean: bool) -> Found[ConstituencyRef] | Found[MpRef] | None:
        """A seat or an MP: the one that resolves (the reading's lean breaks a tie)."""
        seat = await self.seat(span)
        if seat is not None and seat.rank >= 2 and not mp_lean:
            return seat  # a clear seat name: no MP lookup needed
        mp = await self.mp(span)
        if seat is None or mp is None:
            return seat or mp
        if mp_lean:
            return mp if mp.rank >= 1 else seat
        return seat if seat.rank >= mp.rank else mp


# ---------------------------------------------------------------- wording
def title_of(ref: PetitionRef) -> str:
    return f"'{truncate(ref.title, TITLE_SHOWN)}'"


def _place_label(found: Found[ConstituencyRef] | Found[MpRef]) -> str:
    ref = found.ref
    if isinstance(ref, MpRef):
        return f"{ref.name} (MP)"
    return ref.name


def corrections(
    route: Invocation, arg: str, found: Found[Any] | None, prefix: str
) -> tuple[FollowUp, ...]:
    """ "Not it? Pick another": the same command with each other candidate for ``arg``."""
    if found is None:
        return ()
    return tuple(
        FollowUp(
            label=f"{prefix}{label_of(ref)}",
            invocation=route.with_arg(arg, ref),
            description=describe_ref(ref),
            replace=True,
        )
        for ref in found.alternatives[:MAX_CORRECTIONS]
    )


def _search_action(words: str) -> tuple[FollowUp, ...]:
    query = " ".join(content_words(fold(words)))
    if not query:
        return ()
    return (
        FollowUp(
            f"Search petitions: {truncate(query, 60)}",
            Invocation.of("petition search", query=query, state="all"),
        ),
    )


def _no_petition(span: str, weight: int = 2) -> NoAnswer:
    text = clean_petition_span(span) or span
    return NoAnswer(
        f"No petition in the archive matches '{truncate(text, 80)}'.",
        (f"/petition search query:{truncate(text, 80)}",),
        _search_action(text),
        weight,
    )


def _no_place(span: str) -> NoAnswer:
    return NoAnswer(
        f"No constituency or MP matches '{truncate(span, 80)}'.",
        (f"/constituency show name:{truncate(span, 80)}", f"/mp show name:{truncate(span, 80)}"),
        (),
        2,
    )


NO_HOME = NoAnswer(
    "I don't know your constituency. Name it in the question (\"how many people in Woking "
    'signed …"), or set it once with /me seat where this server has it.',
    ("/constituency show name:<your constituency>",),
    (),
    3,
    final=True,
)


# ---------------------------------------------------------------- the router
class Router:
    """Turns a question into a :class:`Plan` or a :class:`NoAnswer`."""

    def __init__(self, resolver: Resolver, home_seat: HomeSeat) -> None:
        self.spans = Spans(resolver)
        self.home_seat = home_seat

    async def route(self, question: str) -> Plan | NoAnswer:
        """The first reading that resolves; else the most specific reason it did not."""
        best_failure = NoAnswer(
            "I couldn't tell what that asks about: it names no petition, constituency or MP "
            "I know, in a form I understand.",
            (
                "/ask question:how many people in Woking signed the Ofsted petition?",
                "/petition search query:<words>",
                "/help",
            ),
        )
        for reading in readings(question):
            outcome = await self._plan(reading)
            if isinstance(outcome, Plan):
                return outcome
            if outcome is not None and outcome.final:
                return outcome
            if outcome is not None and outcome.weight > best_failure.weight:
                best_failure = outcome
        return best_failure

    async def _plan(self, reading: Reading) -> Plan | NoAnswer | None:
        if reading.region is not None and reading.intent not in _REGIONAL:
            return NoAnswer(
                f"I can't narrow that to {reading.region.title()}: only where a petition is "
                "strongest can be asked by region.",
                ("/petition top petition:<petition> by:constituencies",),
                (),
                3,
                final=reading.intent is not Intent.NAMED,
            )
        handler = _HANDLERS[reading.intent]
        return await handler(self, reading)

    # ------------------------------------------------------------ pieces
    async def _place(
        self, span: str, mp_lean: bool
    ) -> Found[ConstituencyRef] | Found[MpRef] | NoAnswer | None:
        if is_home(span):
            seat = await self.home_seat()
            if seat is None:
                return NO_HOME
            return Found(seat, (), 3, span)
        return await self.spans.place(span, mp_lean)

    async def _seat_count(self, reading: Reading) -> Plan | NoAnswer | None:
        p_span, place_span = reading.spans.get("p", ""), reading.spans.get("place", "")
        place = await self._place(place_span, reading.mp_lean)
        if isinstance(place, NoAnswer):
            return place
        petition = await self.spans.petition(p_span)
        if place is None or petition is None:
            if place is not None and petition is None:
                # Understood as a seat's count and the seat is known: the petition is not
                # in the archive. Final, so no looser reading turns it into another answer.
                return replace(_no_petition(p_span, 2), final=True)
            return None
        return self._seat_plan(place, petition)

    def _seat_plan(
        self, place: Found[ConstituencyRef] | Found[MpRef], petition: Found[PetitionRef]
    ) -> Plan:
        command = "mp show" if isinstance(place.ref, MpRef) else "constituency show"
        route = Invocation.of(command, name=place.ref, petition=petition.ref)
        understood = f"{_place_label(place)} × {title_of(petition.ref)}"
        fixes = corrections(route, "name", place, "Seat: " if command[0] == "c" else "MP: ")
        fixes += corrections(route, "petition", petition, "Petition: ")
        return Plan(route, understood, fixes)

    async def _seat_most(self, reading: Reading) -> Plan | NoAnswer | None:
        span = reading.spans.get("place", "")
        place = await self._place(span, reading.mp_lean)
        if isinstance(place, NoAnswer):
            return place
        if place is None:
            return _no_place(span) if span and len(span.split()) <= 4 else None
        command = "mp show" if isinstance(place.ref, MpRef) else "constituency show"
        route = Invocation.of(command, name=place.ref, petition=None)
        understood = f"{_place_label(place)} · petitions signed most there"
        return Plan(route, understood, corrections(route, "name", place, ""))

    async def _who_mp(self, reading: Reading) -> Plan | NoAnswer | None:
        span = reading.spans.get("place", "")
        if is_home(span):
            seat = await self.home_seat()
            if seat is None:
                return NO_HOME
            found: Found[ConstituencyRef] | None = Found(seat, (), 3, span)
        else:
            found = await self.spans.seat(span)
        if found is None:
            return _no_place(span) if span else None
        route = Invocation.of("constituency show", name=found.ref, petition=None)
        return Plan(route, f"{found.ref.name} · its MP", corrections(route, "name", found, ""))

    async def _mp_seat(self, reading: Reading) -> Plan | NoAnswer | None:
        span = reading.spans.get("place", "")
        found = await self.spans.mp(span)
        if found is None:
            return _no_place(span) if span else None
        route = Invocation.of("mp show", name=found.ref, petition=None)
        return Plan(
            route, f"{found.ref.name} (MP) · their seat", corrections(route, "name", found, "")
        )

    async def _petition_card(self, reading: Reading) -> Plan | NoAnswer | None:
        span = reading.spans.get("p", "")
        if reading.intent is Intent.TOTAL:  # "how many signed P in L" is a seat's count
            for head, tail in place_splits(span):
                place_span, lean = clean_place_span(tail)
                place = await self._place(place_span, lean)
                if isinstance(place, Found) and place.rank >= 2:
                    in_seat = await self.spans.petition(head)
                    if in_seat is not None:
                        return self._seat_plan(place, in_seat)
        petition = await self.spans.petition(span)
        if petition is None:
            return _no_petition(span) if span else None
        route = Invocation.of("petition show", petition=petition.ref)
        what = {
            Intent.TOTAL: "signatures",
            Intent.STATE: "state",
            Intent.DEADLINE: "closing date",
            Intent.DEBATE: "debate",
        }.get(reading.intent, "")
        understood = f"{title_of(petition.ref)}" + (f" · {what}" if what else "")
        return Plan(route, understood, corrections(route, "petition", petition, ""))

    async def _response(self, reading: Reading) -> Plan | NoAnswer | None:
        span = reading.spans.get("p", "")
        petition = await self.spans.petition(span)
        if petition is None:
            return _no_petition(span) if span else None
        route = Invocation.of("petition response", petition=petition.ref)
        return Plan(
            route,
            f"{title_of(petition.ref)} · government response",
            corrections(route, "petition", petition, ""),
            fallback=Invocation.of("petition show", petition=petition.ref),
        )

    async def _where(self, reading: Reading) -> Plan | NoAnswer | None:
        span = reading.spans.get("p", "")
        petition = await self.spans.petition(span)
        if petition is None:
            return _no_petition(span, 1) if span else None
        if reading.region is not None and reading.by != "countries":
            return self._region(reading, petition)
        route = Invocation.of("petition top", petition=petition.ref, by=reading.by, count=None)
        by = {"constituencies": "by constituency", "countries": "by country"}.get(
            reading.by, "per 1,000 electors"
        )
        end = "weakest (the end of the table)" if reading.weakest else "strongest first"
        understood = f"{title_of(petition.ref)} · {by}, {end}"
        return Plan(route, understood, corrections(route, "petition", petition, ""))

    def _region(self, reading: Reading, petition: Found[PetitionRef]) -> Plan | NoAnswer:
        """A region narrows the table where ``/petition top`` knows regions (issue 15)."""
        top = REGISTRY["petition top"]
        by = top.option("by")
        if "region" in by.values and any(o.name == "region" for o in top.options):
            route = Invocation.of(
                "petition top", petition=petition.ref, by="region", region=reading.region
            )
            region = (reading.region or "").title()
            understood = f"{title_of(petition.ref)} · in {region}"
            return Plan(route, understood, corrections(route, "petition", petition, ""))
        return NoAnswer(
            f"Seats are not grouped by region yet, so I can't narrow this to "
            f"{(reading.region or '').title()}. The whole table is the closest answer.",
            (f"/petition top petition:{petition.ref.id} by:{reading.by}",),
            (
                FollowUp(
                    "All seats",
                    Invocation.of("petition top", petition=petition.ref, by=reading.by),
                ),
            ),
            3,
            final=True,
        )

    async def _compare(self, reading: Reading) -> Plan | NoAnswer | None:
        pair = reading.spans.get("pair", "")
        best: tuple[int, Found[PetitionRef], Found[PetitionRef]] | None = None
        for head, tail, explicit in pair_splits(pair):
            a = await self.spans.petition(head)
            if a is None:
                continue
            b = await self.spans.petition(tail)
            if b is None or b.ref.id == a.ref.id:
                continue
            score = a.rank + b.rank
            if best is None or score > best[0]:
                best = (score, a, b)
            if explicit:  # "X vs Y": the user said where the second starts
                break
        if best is None:
            return NoAnswer(
                f"I couldn't find two petitions in '{truncate(pair, 80)}'.",
                ("/petition compare first:<petition> second:<petition>",),
                (),
                1,
            )
        _, a, b = best
        route = Invocation.of("petition compare", first=a.ref, second=b.ref)
        fixes = corrections(route, "first", a, "1st: ") + corrections(route, "second", b, "2nd: ")
        return Plan(route, f"{title_of(a.ref)} vs {title_of(b.ref)}", fixes)

    async def _chart(self, reading: Reading) -> Plan | NoAnswer | None:
        span = reading.spans.get("p", "")
        petition = await self.spans.petition(span)
        if petition is None:
            return _no_petition(span, 2) if span else None
        by = reading.by if reading.kind == "top" else "constituencies"
        route = Invocation.of(
            "petition chart", petition=petition.ref, kind=reading.kind, metric=reading.metric, by=by
        )
        shown = {"map": "map", "history": "signatures over time", "top": "bar chart"}[reading.kind]
        if reading.metric == "rate" and reading.kind != "history":
            shown += " per 1,000 electors"
        return Plan(
            route,
            f"{title_of(petition.ref)} · {shown}",
            corrections(route, "petition", petition, ""),
        )

    async def _leaderboard(self, reading: Reading) -> Plan | NoAnswer | None:
        route = Invocation.of("leaderboard", state=reading.state or "all")
        which = f"{reading.state} petitions" if reading.state else "all petitions"
        return Plan(route, f"the most signed {which}")

    async def _search(self, reading: Reading) -> Plan | NoAnswer | None:
        query = " ".join(content_words(fold(reading.spans.get("q", ""))))
        if not query:
            return None
        state = reading.state or "all"
        route = Invocation.of("petition search", query=query, state=state)
        which = f"{state} petitions" if state != "all" else "petitions"
        return Plan(route, f"{which} matching '{truncate(query, 60)}'")

    async def _changes(self, reading: Reading) -> Plan | NoAnswer | None:
        return NoAnswer(
            "What changed in a time window (new petitions, thresholds crossed, responses) is "
            "in the server's digest, not something I can list for a question yet.",
            ("/digest preview", "/leaderboard state:open"),
            (FollowUp("Open petitions", Invocation.of("leaderboard", state="open")),),
            3,
            final=True,
        )

    async def _follow(self, reading: Reading) -> Plan | NoAnswer | None:
        span = reading.spans.get("p", "")
        petition = await self.spans.petition(span)
        command = next(
            (
                c
                for c in REGISTRY
                if c.words[0] == "follow" and any(o.name == "petition" for o in c.options)
            ),
            None,
        )
        if petition is None:
            return _no_petition(span, 2) if span else None
        if command is None:
            return NoAnswer(
                "Following a petition isn't available yet. Its card shows the response and "
                "debate when they come.",
                (f"/petition show petition:{petition.ref.id}",),
                (FollowUp("Open petition", Invocation.of("petition show", petition=petition.ref)),),
                3,
                final=True,
            )
        route = Invocation.of(command.name, petition=petition.ref)
        return Plan(
            route, f"follow {title_of(petition.ref)}", corrections(route, "petition", petition, "")
        )

    async def _named(self, reading: Reading) -> Plan | NoAnswer | None:
        """Just a name ("ofsted", "woking", "andrew mitchell"), or "P in L"."""
        text = reading.text
        for head, tail in place_splits(text):
            place_span, lean = clean_place_span(tail)
            place = await self._place(place_span, lean)
            if place is None or isinstance(place, NoAnswer):
                continue
            petition = await self.spans.petition(head)
            if petition is not None:
                return self._seat_plan(place, petition)
        if text.split(" ", 1)[0] in _UNSUPPORTED_LEADS:
            return None
        stripped = _QUESTION_LEAD.sub("", text)
        lead = stripped.split(" ", 1)[0]
        place_span, lean = clean_place_span(stripped)
        if len(place_span.split()) <= 4:
            place = await self._place(place_span, lean)
            if isinstance(place, NoAnswer):
                return place
            if place is not None and place.rank >= 2:
                command = "mp show" if isinstance(place.ref, MpRef) else "constituency show"
                route = Invocation.of(command, name=place.ref, petition=None)
                return Plan(route, _place_label(place), corrections(route, "name", place, ""))
        petition = await self.spans.petition(stripped)
        if petition is None or lead in _QUESTION_LEADS:
            return None
        route = Invocation.of("petition show", petition=petition.ref)
        return Plan(route, title_of(petition.ref), corrections(route, "petition", petition, ""))


_REGIONAL = frozenset({Intent.WHERE})

_QUESTION_LEADS = frozenset(
    [
        "why",
        "who",
        "whom",
        "whose",
        "will",
        "would",
        "should",
        "could",
        "can",
        "may",
        "might",
        "which",
        "what",
        "how",
        "when",
        "where",
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "has",
        "have",
        "i",
    ]
)
_UNSUPPORTED_LEADS = frozenset(
    [
        "why",
        "will",
        "would",
        "should",
        "could",
        "can",
        "may",
        "might",
        "predict",
    ]
)

_Handler = Callable[[Router, Reading], Awaitable["Plan | NoAnswer | None"]]
_HANDLERS: dict[Intent, _Handler] = {
    Intent.SEAT_COUNT: Router._seat_count,
    Intent.SEAT_MOST: Router._seat_most,
    Intent.WHERE: Router._where,
    Intent.TOTAL: Router._petition_card,
    Intent.STATE: Router._petition_card,
    Intent.DEADLINE: Router._petition_card,
    Intent.DEBATE: Router._petition_card,
    Intent.RESPONSE: Router._response,
    Intent.COMPARE: Router._compare,
    Intent.LEADERBOARD: Router._leaderboard,
    Intent.SEARCH: Router._search,
    Intent.CHART: Router._chart,
    Intent.CHANGES: Router._changes,
    Intent.FOLLOW: Router._follow,
    Intent.WHO_MP: Router._who_mp,
    Intent.MP_SEAT: Router._mp_seat,
    Intent.NAMED: Router._named,
}
