"""What every user-facing command does, as plain async functions over the database.

The cogs (Discord) and the offline console both call :class:`Services` and
hand the typed result to a renderer (``core/render_*.py``), so the two can
never answer differently. Nothing here knows about Discord.

Arguments that name a thing (a petition, a seat, an MP) are either what the
user typed (``str``, resolved with the fuzzy :class:`~core.search.Resolver`)
or an already-chosen ref (from a "Did you mean…" or "open one" menu). One
helper turns a :class:`~core.search.Resolution` into an answer:

* exact / clear → answer it;
* ambiguous → answer the best and offer the others as :attr:`Result.choices`
  (each re-runs the same command with that pick);
* none → :class:`~core.errors.NotFoundError` naming the nearest suggestions.

Every result records the :class:`Invocation` that produced it, so a menu or
button only has to name another invocation: :meth:`Services.run` replays it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, Literal, TypeVar

from core import chart_service
from core.cards import escape, fmt_int
from core.chart_service import ChartResult
from core.errors import NotFoundError, UserFacingError
from core.lifecycle import DEBATE_THRESHOLD, RESPONSE_THRESHOLD
from core.rates import NationalRate
from core.search import Resolution, Resolver
from db import counts, reference
from db.counts import (
    CountryRow,
    Freshness,
    HistoryRecord,
    MpSeat,
    PetitionDetail,
    ResponseRecord,
    SeatHolder,
    SeatPetitionRow,
    SeatRow,
    SeatStanding,
    SnapshotRecord,
)
from db.database import Database
from db.records import PetitionSummary
from db.reference import PetitionSeatRate
from db.search import ConstituencyRef, MpRef, PetitionRef

StateFilter = Literal["open", "closed", "rejected", "all"]
TableKind = Literal["constituencies", "countries", "rate"]
STATES: tuple[str, ...] = ("open", "closed", "rejected", "all")
TABLES: tuple[str, ...] = ("constituencies", "countries", "rate")

PetitionArg = str | PetitionRef
SeatArg = str | ConstituencyRef
MpArg = str | MpRef

SEARCH_LIMIT = 100
"""Most matches /petition search lists (10 pages)."""
LEADERBOARD_LIMIT = 100
TOP_ON_CARD = 5
DIFFERENCES = 10
SEAT_PETITIONS = 10
SUGGESTIONS = 3

T = TypeVar("T", PetitionRef, ConstituencyRef, MpRef)


# ---------------------------------------------------------------- invocations
@dataclass(frozen=True, slots=True)
class Invocation:
    """A command and its arguments: enough to run it again (menus, buttons)."""

    command: str
    args: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, command: str, /, **args: object) -> Invocation:
        return cls(command, tuple(args.items()))

    @property
    def kwargs(self) -> dict[str, object]:
        return dict(self.args)

    def with_arg(self, name: str, value: object) -> Invocation:
        """The same command with one argument replaced (a "Did you mean…" pick)."""
        return Invocation(self.command, tuple({**self.kwargs, name: value}.items()))


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Something the user can pick next: a menu option or a button.

    ``replace`` is True when the pick corrects the answer shown (it replaces
    that message) and False when it opens something new beside it.
    """

    label: str
    invocation: Invocation
    description: str | None = None
    replace: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """Common to every command's answer: how to re-run it and what to offer next."""

    invocation: Invocation
    choices: tuple[FollowUp, ...] = ()
    actions: tuple[FollowUp, ...] = ()


@dataclass(frozen=True, slots=True)
class Picked(Generic[T]):
    """A resolved argument: the answer and the close alternatives to offer."""

    ref: T
    alternatives: tuple[T, ...] = ()


# ---------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class SearchHit:
    petition: PetitionRef
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResult(Result):
    query: str
    state: str | None
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True, slots=True)
class Threshold:
    """A signature threshold the petition crossed, and when (None: date unknown)."""

    signatures: int
    label: str
    reached_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PetitionCard(Result):
    petition: PetitionDetail
    response: ResponseRecord | None
    thresholds: tuple[Threshold, ...]
    top_seats: tuple[SeatRow, ...]
    top_countries: tuple[CountryRow, ...]


@dataclass(frozen=True, slots=True)
class TableRow:
    """One line of a ranked table.

    ``rank`` is the seat rank (Unknown row not counted) or the country rank;
    it is None for the Unknown row, which is listed where the source puts it
    but is not a seat. ``percent`` is the source's percentage of all signatures.
    """

    rank: int | None
    name: str
    signatures: int
    percent: float
    mp: str | None = None
    unknown: bool = False
    per_thousand: float | None = None
    """Signatures per 1,000 electors (``by="rate"`` only)."""
    index: float | None = None
    """The seat's rate as a multiple of the UK rate (``by="rate"`` only)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TopTable(Result):
    petition: PetitionDetail
    by: str
    rows: tuple[TableRow, ...]
    listed: int
    """How many seats/countries the petition's table has (before ``count``)."""
    national: NationalRate | None = None
    """The UK rate the ``by="rate"`` index is measured against."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartCard(Result):
    """A rendered chart PNG for ``/petition chart``."""

    petition: PetitionDetail
    chart: ChartResult


@dataclass(frozen=True, slots=True)
class SeatDifference:
    """A seat's share of each petition's UK signatures (percent), for compare."""

    name: str
    first_signatures: int
    second_signatures: int
    first_share: float
    second_share: float

    @property
    def difference(self) -> float:
        return self.first_share - self.second_share


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison(Result):
    first: PetitionDetail
    second: PetitionDetail
    first_top: tuple[SeatRow, ...]
    second_top: tuple[SeatRow, ...]
    differences: tuple[SeatDifference, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseText(Result):
    petition: PetitionDetail
    response: ResponseRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryResult(Result):
    petition: PetitionDetail
    events: tuple[HistoryRecord, ...]
    snapshots: tuple[SnapshotRecord, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatInPetition(Result):
    """A seat in one petition (``/constituency show name petition``, ``/mp show``).

    ``holder`` is only set when the seat is absent from the table (so the
    table cannot say who held it): the MP last seen holding it up to then.
    """

    seat: ConstituencyRef
    petition: PetitionDetail
    standing: SeatStanding
    holder: SeatHolder | None = None
    mp: MpRef | None = None
    mp_seats: tuple[MpSeat, ...] = ()
    rate: PetitionSeatRate | None = None
    """Signatures per 1,000 electors and the index against the UK rate, when known."""

    @property
    def uk_share(self) -> float:
        """The seat's share of the petition's UK signatures, in percent."""
        return 100.0 * self.standing.signatures / self.petition.uk_base


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatOverview(Result):
    """A seat without a petition: what its residents signed most."""

    seat: ConstituencyRef
    petitions: tuple[SeatPetitionRow, ...]
    holders: tuple[SeatHolder, ...]
    mp: MpRef | None = None
    mp_seats: tuple[MpSeat, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Leaderboard(Result):
    state: str | None
    rows: tuple[PetitionSummary, ...]
    total: int


SOURCE_NAME = "petition.parliament.uk"
SOURCE_URL = "https://petition.parliament.uk"
LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True, slots=True, kw_only=True)
class About(Result):
    freshness: Freshness
    source_name: str = SOURCE_NAME
    source_url: str = SOURCE_URL
    licence: str = LICENCE
    licence_url: str = LICENCE_URL


@dataclass(frozen=True, slots=True)
class CommandHelp:
    name: str
    usage: str
    summary: str
    example: str


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp(
        "petition search",
        "/petition search query [state]",
        "Find petitions by words in the title, an id or a URL; 10 a page.",
        "/petition search query:verified id social media",
    ),
    CommandHelp(
        "petition show",
        "/petition show petition",
        "A petition's card: signatures, thresholds, response, top seats and countries.",
        "/petition show petition:pause ofsted inspections",
    ),
    CommandHelp(
        "petition top",
        "/petition top petition [by] [count]",
        "The petition's signatures ranked by constituency or by country.",
        "/petition top petition:652057 by:countries",
    ),
    CommandHelp(
        "petition compare",
        "/petition compare first second",
        "Two petitions side by side, and the seats where they differ most.",
        "/petition compare first:ofsted second:send training",
    ),
    CommandHelp(
        "constituency show",
        "/constituency show name [petition]",
        "A seat's count, rank and MP in a petition; without one, what it signed most.",
        "/constituency show name:Woking petition:ofsted",
    ),
    CommandHelp(
        "mp show",
        "/mp show name [petition]",
        "An MP's constituency, then the same as /constituency show.",
        "/mp show name:Andrew Mitchell petition:ofsted",
    ),
    CommandHelp(
        "leaderboard",
        "/leaderboard [state]",
        "Petitions by signatures, optionally only open, closed or rejected ones.",
        "/leaderboard state:open",
    ),
    CommandHelp("help", "/help [command]", "This list, or one command in detail.", "/help mp"),
    CommandHelp("about", "/about", "Where the data comes from and how fresh it is.", "/about"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class HelpResult(Result):
    commands: tuple[CommandHelp, ...]
    command: str | None = None


# ---------------------------------------------------------------- helpers
def petition_ref(detail: PetitionDetail | PetitionSummary) -> PetitionRef:
    """A ref for a petition loaded from the database (to put in a follow-up)."""
    return PetitionRef(
        detail.id, detail.title, detail.total_signatures, detail.state, detail.refreshed_at
    )


def _state(state: str | None) -> str | None:
    """The state filter as stored, or None for all; rejects anything else."""
    if state is None or state.strip().lower() in ("", "all"):
        return None
    value = state.strip().lower()
    if value not in STATES:
        raise UserFacingError(f"State must be one of: {', '.join(STATES)}.")
    return value


def _label(ref: PetitionRef | ConstituencyRef | MpRef) -> str:
    if isinstance(ref, PetitionRef):
        return ref.title
    return ref.name


def _describe(ref: PetitionRef | ConstituencyRef | MpRef) -> str | None:
    if isinstance(ref, PetitionRef):
        return f"#{ref.id} · {fmt_int(ref.total_signatures)} signatures · {ref.state}"
    if isinstance(ref, ConstituencyRef):
        return f"{ref.boundary_set} boundaries"
    return None


def not_found(
    kind: str, query: str, suggestions: Sequence[PetitionRef | ConstituencyRef | MpRef]
) -> NotFoundError:
    """ "No petition matches 'x'. Did you mean: …" (escaped: it is shown as is)."""
    names = ", ".join(escape(_label(s)) for s in suggestions[:SUGGESTIONS])
    hint = f" Did you mean: {names}?" if names else ""
    return NotFoundError(f"No {kind} matches '{escape(query.strip())}'.{hint}")


def _pick(query: str, resolution: Resolution[T], kind: str) -> Picked[T]:
    """The shared rule for what someone typed: answer, offer others, or say none."""
    best = resolution.best
    if resolution.status == "none" or best is None:
        raise not_found(kind, query, resolution.suggestions)
    if resolution.status == "ambiguous":
        others = tuple(a for a in resolution.alternatives if a != best)
        return Picked(best, others)
    return Picked(best)


def _did_you_mean(
    invocation: Invocation, arg: str, picked: Picked[T], *, prefix: str = ""
) -> tuple[FollowUp, ...]:
    """ "Did you mean…" options: the same command with ``arg`` replaced by each other pick."""
    return tuple(
        FollowUp(
            label=prefix + _label(ref),
            invocation=invocation.with_arg(arg, ref),
            description=_describe(ref),
            replace=True,
        )
        for ref in picked.alternatives
    )


def _open_petition(ref: PetitionRef) -> FollowUp:
    return FollowUp(
        ref.title, Invocation.of("petition show", petition=ref), description=_describe(ref)
    )


def _share(signatures: int, base: int) -> float:
    return 100.0 * signatures / base if base else 0.0


# ---------------------------------------------------------------- the services
class Services:
    """The commands, over one database and one resolver (shared by bot and console)."""

    def __init__(self, db: Database, resolver: Resolver) -> None:
        self.db = db
        self.resolver = resolver
        self._commands: dict[str, Callable[..., Awaitable[Result]]] = {
            "petition search": self.petition_search,
            "petition show": self.petition_show,
            "petition top": self.petition_top,
            "petition compare": self.petition_compare,
            "petition response": self.petition_response,
            "petition history": self.petition_history,
            "petition chart": self.petition_chart,
            "constituency show": self.constituency_show,
            "mp show": self.mp_show,
            "leaderboard": self.leaderboard,
            "help": self.help,
            "about": self.about,
        }

    @classmethod
    async def load(cls, db: Database) -> Services:
        return cls(db, await Resolver.load(db))

    async def run(self, invocation: Invocation) -> Result:
        """Replay an invocation (a menu pick or a button press)."""
        handler = self._commands.get(invocation.command)
        if handler is None:
            raise UserFacingError(f"Unknown command: {escape(invocation.command)}.")
        return await handler(**invocation.kwargs)

    # ------------------------------------------------------------ resolving
    async def pick_petition(
        self, arg: PetitionArg, *, state: str | None = None
    ) -> Picked[PetitionRef]:
        if isinstance(arg, PetitionRef):
            return Picked(arg)
        return _pick(arg, await self.resolver.petition(arg, state=state), "petition")

    async def pick_seat(
        self, arg: SeatArg, *, boundary_set: str | None = None
    ) -> Picked[ConstituencyRef]:
        if isinstance(arg, ConstituencyRef):
            return Picked(arg)
        resolution = await self.resolver.constituency(arg, boundary_set=boundary_set)
        return _pick(arg, resolution, "constituency")

    async def pick_mp(self, arg: MpArg) -> Picked[MpRef]:
        if isinstance(arg, MpRef):
            return Picked(arg)
        return _pick(arg, await self.resolver.mp(arg), "MP")

    async def _detail(self, ref: PetitionRef) -> PetitionDetail:
        detail = await counts.get_petition(self.db, ref.id)
        if detail is None:  # removed since the resolver's index was built
            raise NotFoundError(f"Petition {ref.id} is no longer in the archive.")
        return detail

    # ------------------------------------------------------------ petitions
    async def petition_search(self, query: str, state: str | None = None) -> SearchResult:
        """Ranked title matches (or the one petition an id/URL names)."""
        if not query.strip():
            raise UserFacingError("Type some words from the petition's title, an id or a URL.")
        wanted = _state(state)
        found = await self.resolver.search_petitions(query, state=wanted, limit=SEARCH_LIMIT)
        if not found:
            # Title search knows nothing of ids and URLs; the resolver does.
            resolution = await self.resolver.petition(query, state=wanted)
            if resolution.best is None or resolution.status == "none":
                raise not_found("petition", query, resolution.suggestions)
            found = [(ref, 100.0) for ref in (resolution.best, *resolution.alternatives)]
        hits = tuple(SearchHit(ref, score) for ref, score in found)
        return SearchResult(
            invocation=Invocation.of("petition search", query=query, state=state),
            query=query,
            state=wanted,
            hits=hits,
            choices=tuple(_open_petition(hit.petition) for hit in hits),
        )

    async def petition_show(self, petition: PetitionArg) -> PetitionCard:
        """The petition's card with its top tables and the buttons to open the rest."""
        invocation = Invocation.of("petition show", petition=petition)
        picked = await self.pick_petition(petition)
        detail = await self._detail(picked.ref)
        response = await counts.get_response(self.db, detail.id)
        ref = petition_ref(detail)
        actions = [
            FollowUp("Constituencies", Invocation.of("petition top", petition=ref)),
            FollowUp("Countries", Invocation.of("petition top", petition=ref, by="countries")),
        ]
        if response is not None:
            actions.append(
                FollowUp("Government response", Invocation.of("petition response", petition=ref))
            )
        actions.append(FollowUp("History", Invocation.of("petition history", petition=ref)))
        return PetitionCard(
            invocation=invocation,
            choices=_did_you_mean(invocation, "petition", picked),
            actions=tuple(actions),
            petition=detail,
            response=response,
            thresholds=thresholds(detail),
            top_seats=tuple(await counts.constituency_table(self.db, detail.id, TOP_ON_CARD)),
            top_countries=tuple(await counts.country_table(self.db, detail.id, TOP_ON_CARD)),
        )

    async def petition_top(
        self, petition: PetitionArg, by: str = "constituencies", count: int | None = None
    ) -> TopTable:
        """The full ranked table (or its first ``count`` rows)."""
        if by not in TABLES:
            raise UserFacingError("Rank by 'constituencies', 'countries' or 'rate'.")
        if count is not None and count < 1:
            raise UserFacingError("Count must be at least 1.")
        invocation = Invocation.of("petition top", petition=petition, by=by, count=count)
        picked = await self.pick_petition(petition)
        detail = await self._detail(picked.ref)
        national = None
        if by == "rate":
            table = await reference.top_seats_by_rate(self.db, detail.id, limit=count or 650)
            if table is None or table.national.per_thousand is None:
                raise UserFacingError(
                    "No electorate figures are known for this petition's seats, so there is "
                    "no per-elector rate. Try by:constituencies."
                )
            rows = tuple(
                TableRow(
                    r.rank,
                    r.name,
                    r.signatures,
                    _share(r.signatures, detail.uk_base),
                    per_thousand=r.per_thousand,
                    index=r.index,
                )
                for r in table.rows
            )
            listed, national = table.seats_in_set, table.national
        elif by == "countries":
            countries = await counts.country_table(self.db, detail.id)
            rows = tuple(
                TableRow(c.rank, c.name, c.signatures, c.percent) for c in countries[:count]
            )
            listed = len(countries)
        else:
            seats = await counts.constituency_table(self.db, detail.id)
            rows = seat_table_rows(detail, seats[:count])
            listed = len(seats)
        return TopTable(
            invocation=invocation,
            choices=_did_you_mean(invocation, "petition", picked),
            petition=detail,
            by=by,
            rows=rows,
            listed=listed,
            national=national,
        )

    async def petition_chart(
        self,
        petition: PetitionArg,
        kind: str = "top",
        metric: str = "count",
        by: str = "constituencies",
    ) -> ChartCard:
        """A bar chart, the history over time or a hex map, as a PNG (rendered off-loop)."""
        invocation = Invocation.of(
            "petition chart", petition=petition, kind=kind, metric=metric, by=by
        )
        picked = await self.pick_petition(petition)
        detail = await self._detail(picked.ref)
        chart = await chart_service.chart(self.db, detail.id, kind, metric, by)
        return ChartCard(
            invocation=invocation,
            choices=_did_you_mean(invocation, "petition", picked),
            petition=detail,
            chart=chart,
        )

    async def petition_compare(self, first: PetitionArg, second: PetitionArg) -> Comparison:
        """Totals, UK shares, top seats, and the seats whose shares differ most."""
        invocation = Invocation.of("petition compare", first=first, second=second)
        picked_a = await self.pick_petition(first)
        picked_b = await self.pick_petition(second)
        if picked_a.ref.id == picked_b.ref.id:
            raise UserFacingError(
                f"Both lead to petition {picked_a.ref.id}: pick two different petitions."
            )
        a = await self._detail(picked_a.ref)
        b = await self._detail(picked_b.ref)
        seats_a = await counts.constituency_table(self.db, a.id)
        seats_b = await counts.constituency_table(self.db, b.id)
        return Comparison(
            invocation=invocation,
            choices=_did_you_mean(invocation, "first", picked_a, prefix="1st: ")
            + _did_you_mean(invocation, "second", picked_b, prefix="2nd: "),
            first=a,
            second=b,
            first_top=tuple(seats_a[:TOP_ON_CARD]),
            second_top=tuple(seats_b[:TOP_ON_CARD]),
            differences=seat_differences(a, seats_a, b, seats_b)[:DIFFERENCES],
        )

    async def petition_response(self, petition: PetitionArg) -> ResponseText:
        """The government response in full (the card shows only its summary)."""
        invocation = Invocation.of("petition response", petition=petition)
        picked = await self.pick_petition(petition)
        detail = await self._detail(picked.ref)
        response = await counts.get_response(self.db, detail.id)
        if response is None:
            raise UserFacingError(f"The government has not responded to petition {detail.id} yet.")
        return ResponseText(
            invocation=invocation,
            choices=_did_you_mean(invocation, "petition", picked),
            petition=detail,
            response=response,
        )

    async def petition_history(self, petition: PetitionArg) -> HistoryResult:
        """Dated events plus every refresh we ingested."""
        invocation = Invocation.of("petition history", petition=petition)
        picked = await self.pick_petition(petition)
        detail = await self._detail(picked.ref)
        return HistoryResult(
            invocation=invocation,
            choices=_did_you_mean(invocation, "petition", picked),
            petition=detail,
            events=tuple(await counts.history(self.db, detail.id)),
            snapshots=tuple(await counts.snapshots(self.db, detail.id)),
        )

    # ------------------------------------------------------------ places
    async def constituency_show(
        self, name: SeatArg, petition: PetitionArg | None = None
    ) -> SeatInPetition | SeatOverview:
        """A seat in a petition (count, rank, share, MP) or what it signed most."""
        invocation = Invocation.of("constituency show", name=name, petition=petition)
        if petition is None:
            picked_seat = await self.pick_seat(name)
            return await self._overview(
                invocation, picked_seat.ref, _did_you_mean(invocation, "name", picked_seat)
            )
        picked_petition = await self.pick_petition(petition)
        detail = await self._detail(picked_petition.ref)
        picked_seat = await self.pick_seat(name, boundary_set=detail.boundary_set)
        seat = await self._same_seat_in(picked_seat.ref, detail)
        choices = _did_you_mean(invocation, "name", picked_seat) + _did_you_mean(
            invocation, "petition", picked_petition
        )
        return await self._in_petition(invocation, seat, detail, choices)

    async def _same_seat_in(
        self, seat: ConstituencyRef, petition: PetitionDetail
    ) -> ConstituencyRef:
        """The seat under the petition's boundaries (a picked id may be of the other set)."""
        if seat.boundary_set == petition.boundary_set:
            return seat
        key = await counts.seat_key(self.db, seat.id)
        same = await counts.seat_in_set(self.db, key or "", petition.boundary_set)
        if same is None:
            raise UserFacingError(
                f"{escape(seat.name)} ({seat.boundary_set} boundaries) has no seat of that name"
                f" under the {petition.boundary_set} boundaries petition {petition.id} uses."
            )
        return same

    async def mp_show(
        self, name: MpArg, petition: PetitionArg | None = None
    ) -> SeatInPetition | SeatOverview:
        """The MP's seat (latest, or under the petition's boundaries), then as above."""
        invocation = Invocation.of("mp show", name=name, petition=petition)
        picked_mp = await self.pick_mp(name)
        mp = picked_mp.ref
        seats = await counts.mp_seats(self.db, mp.id)
        if not seats:
            raise UserFacingError(f"{escape(mp.name)} is not recorded as holding any seat.")
        choices = _did_you_mean(invocation, "name", picked_mp)
        if petition is None:
            overview = await self._overview(invocation, seats[0].seat, choices)
            return replace(overview, mp=mp, mp_seats=tuple(seats))
        picked_petition = await self.pick_petition(petition)
        detail = await self._detail(picked_petition.ref)
        seat = await self._seat_for(mp, seats, detail)
        choices += _did_you_mean(invocation, "petition", picked_petition)
        result = await self._in_petition(invocation, seat, detail, choices)
        return replace(result, mp=mp, mp_seats=tuple(seats))

    async def _seat_for(
        self, mp: MpRef, seats: Sequence[MpSeat], petition: PetitionDetail
    ) -> ConstituencyRef:
        """The MP's seat under the petition's boundaries (or the same-named seat there)."""
        for held in seats:
            if held.seat.boundary_set == petition.boundary_set:
                return held.seat
        for held in seats:
            key = await counts.seat_key(self.db, held.seat.id)
            same = await counts.seat_in_set(self.db, key or "", petition.boundary_set)
            if same is not None:
                return same
        raise UserFacingError(
            f"{escape(mp.name)} held no seat under the {petition.boundary_set} boundaries"
            f" that petition {petition.id} is counted by."
        )

    async def _in_petition(
        self,
        invocation: Invocation,
        seat: ConstituencyRef,
        petition: PetitionDetail,
        choices: tuple[FollowUp, ...],
    ) -> SeatInPetition:
        standing = await counts.seat_standing(self.db, petition, seat.id)
        holder = None
        if not standing.listed:
            holder = _holder_at(await counts.seat_holders(self.db, seat.id), petition.refreshed_at)
        rate = await reference.seat_rate_for_constituency(self.db, petition.id, seat.id)
        return SeatInPetition(
            invocation=invocation,
            choices=choices,
            rate=rate,
            actions=(
                FollowUp(
                    "Open petition", Invocation.of("petition show", petition=petition_ref(petition))
                ),
            ),
            seat=seat,
            petition=petition,
            standing=standing,
            holder=holder,
        )

    async def _overview(
        self, invocation: Invocation, seat: ConstituencyRef, choices: tuple[FollowUp, ...]
    ) -> SeatOverview:
        rows = await counts.seat_top_petitions(self.db, seat.id, SEAT_PETITIONS)
        opens = tuple(
            FollowUp(
                r.title,
                Invocation.of("constituency show", name=seat, petition=str(r.petition_id)),
                description=f"#{r.petition_id} · {fmt_int(r.signatures)} here",
            )
            for r in rows
        )
        return SeatOverview(
            invocation=invocation,
            choices=choices or opens,
            seat=seat,
            petitions=tuple(rows),
            holders=tuple(await counts.seat_holders(self.db, seat.id)),
        )

    # ------------------------------------------------------------ meta
    async def leaderboard(self, state: str | None = None) -> Leaderboard:
        """Petitions by signatures (the first 100), optionally of one state."""
        wanted = _state(state)
        rows = await counts.leaderboard(self.db, wanted, LEADERBOARD_LIMIT)
        return Leaderboard(
            invocation=Invocation.of("leaderboard", state=state),
            choices=tuple(_open_petition(petition_ref(r)) for r in rows),
            state=wanted,
            rows=tuple(rows),
            total=await counts.count_by_state(self.db, wanted),
        )

    async def about(self) -> About:
        return About(invocation=Invocation.of("about"), freshness=await counts.freshness(self.db))

    async def help(self, command: str | None = None) -> HelpResult:
        """Every command with an example, or the commands matching ``command``."""
        wanted = " ".join((command or "").lower().lstrip("/").split())
        if not wanted:
            return HelpResult(invocation=Invocation.of("help"), commands=COMMANDS)
        found = tuple(c for c in COMMANDS if c.name == wanted or c.name.startswith(wanted))
        if not found:
            names = ", ".join(c.name for c in COMMANDS)
            raise NotFoundError(f"No command '{escape(wanted)}'. Commands: {names}.")
        return HelpResult(
            invocation=Invocation.of("help", command=command), commands=found, command=wanted
        )


# ---------------------------------------------------------------- pure helpers
def thresholds(petition: PetitionDetail) -> tuple[Threshold, ...]:
    """The 10k (response) and 100k (debate) thresholds crossed, with the history's dates."""
    reached: list[Threshold] = []
    for signatures, label, at in (
        (RESPONSE_THRESHOLD, "response", petition.response_threshold_at),
        (DEBATE_THRESHOLD, "debate", petition.debate_threshold_at),
    ):
        if at is not None or petition.total_signatures >= signatures:
            reached.append(Threshold(signatures, label, at))
    return tuple(reached)


def seat_table_rows(petition: PetitionDetail, seats: Sequence[SeatRow]) -> tuple[TableRow, ...]:
    """Seat rows ranked among seats, with the Unknown row where the source lists it.

    The Unknown row (signatures with no seat) keeps its place by count but gets
    no rank: it is not a seat, so seat ranks run 1, 2, 3… around it. It is
    shown when it falls within the requested rows.
    """
    rows = [TableRow(s.seat_rank, s.name, s.signatures, s.percent, s.mp_printed) for s in seats]
    unknown_rank = petition.unknown_rank
    if petition.unknown_signatures is not None and unknown_rank is not None:
        position = unknown_rank - 1
        if position <= len(rows):
            # Like every constituency row, a share of the UK count (FORMAT.md), not the total.
            base = petition.uk_signatures or petition.total_signatures
            percent = round(_share(petition.unknown_signatures, base), 2)
            unknown = TableRow(None, "Unknown", petition.unknown_signatures, percent, unknown=True)
            rows.insert(position, unknown)
    return tuple(rows)


def seat_differences(
    a: PetitionDetail, seats_a: Sequence[SeatRow], b: PetitionDetail, seats_b: Sequence[SeatRow]
) -> tuple[SeatDifference, ...]:
    """Seats by the gap between their shares of each petition's UK signatures.

    Seats are matched by folded name, so two petitions counted on different
    boundary sets still line up where the names carried over; a seat missing
    from one table has 0 there.
    """
    by_key_a = {s.name_key: s for s in seats_a}
    by_key_b = {s.name_key: s for s in seats_b}
    differences: list[SeatDifference] = []
    for key in by_key_a.keys() | by_key_b.keys():
        row_a, row_b = by_key_a.get(key), by_key_b.get(key)
        count_a = row_a.signatures if row_a else 0
        count_b = row_b.signatures if row_b else 0
        name = (row_a or row_b).name  # type: ignore[union-attr]
        differences.append(
            SeatDifference(
                name, count_a, count_b, _share(count_a, a.uk_base), _share(count_b, b.uk_base)
            )
        )
    differences.sort(key=lambda d: (-abs(d.difference), d.name))
    return tuple(differences)


def _holder_at(holders: Sequence[SeatHolder], at: datetime) -> SeatHolder | None:
    """Who held the seat at ``at``: seen around then, else the last seen before it."""
    for holder in holders:
        if holder.first_seen_at <= at <= holder.last_seen_at:
            return holder
    before = [h for h in holders if h.last_seen_at <= at]
    return max(before, key=lambda h: h.last_seen_at) if before else None
