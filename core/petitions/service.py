"""The petition commands as plain async functions over the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from core.charts import service as chart_service
from core.common.cards import fmt_int
from core.common.errors import NotFoundError, UserFacingError
from core.common.ids import find_petition_ids
from core.common.ranks import competition_ranks
from core.common.results import FollowUp, Invocation
from core.petitions.lifecycle import DEBATE_THRESHOLD, RESPONSE_THRESHOLD, state_now
from core.petitions.momentum import momentum
from core.petitions.results import (
    ChartCard,
    Comparison,
    HistoryResult,
    Leaderboard,
    PetitionCard,
    PetitionsInMessage,
    ResponseText,
    SearchHit,
    SearchResult,
    SeatDifference,
    TableRow,
    Threshold,
    TopTable,
)
from core.petitions.types import (
    STATES,
    TABLES,
    PetitionDetail,
    PetitionRef,
    PetitionSummary,
    SeatRow,
)
from core.places.types import ConstituencyRef, SeatStanding
from core.search.picking import (
    PetitionArg,
    Picking,
    describe_ref,
    did_you_mean,
    echo,
    not_found,
    offers_choice,
)
from core.search.results import Chooser
from db import counts, home_seats, reference

SEARCH_LIMIT = 100
"""Most matches /petition search lists (10 pages)."""


LEADERBOARD_LIMIT = 100


TOP_ON_CARD = 5


DIFFERENCES = 10


def petition_ref(detail: PetitionDetail | PetitionSummary) -> PetitionRef:
    """A ref for a petition loaded from the database (to put in a follow-up)."""
    return PetitionRef(
        detail.id,
        detail.title,
        detail.total_signatures,
        detail.state,
        detail.refreshed_at,
        detail.deadline_at,
    )


def current_summary(summary: PetitionSummary, now: datetime) -> PetitionSummary:
    """``summary`` with its state as of ``now`` (closed once its deadline passed)."""
    state = state_now(summary.state, summary.deadline_at, now)
    return summary if state == summary.state else replace(summary, state=state)


def state_filter(state: str | None) -> str | None:
    """The state filter as stored, or None for all; rejects anything else."""
    if state is None or state.strip().lower() in ("", "all"):
        return None
    value = state.strip().lower()
    if value not in STATES:
        raise UserFacingError(f"State must be one of: {', '.join(STATES)}.")
    return value


def open_petition(ref: PetitionRef) -> FollowUp:
    return FollowUp(
        ref.title, Invocation.of("petition show", petition=ref), description=describe_ref(ref)
    )


def percent_of(signatures: int, base: int) -> float:
    return 100.0 * signatures / base if base else 0.0


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
    rows = [
        TableRow(s.seat_rank, s.name, s.signatures, s.percent, s.mp_printed, tied=s.tied)
        for s in seats
    ]
    unknown_rank = petition.unknown_rank
    if petition.unknown_signatures is not None and unknown_rank is not None:
        position = unknown_rank - 1
        if position <= len(rows):
            # Like every constituency row, a share of the UK count (FORMAT.md), not the total.
            base = petition.uk_signatures or petition.total_signatures
            percent = round(percent_of(petition.unknown_signatures, base), 2)
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
                name,
                count_a,
                count_b,
                percent_of(count_a, a.uk_base),
                percent_of(count_b, b.uk_base),
            )
        )
    differences.sort(key=lambda d: (-abs(d.difference), d.name))
    return tuple(differences)


class PetitionCommands(Picking):
    """The petition commands: search, show, top, chart, compare, response, history, leaderboard."""

    async def petition_search(self, query: str, state: str | None = None) -> SearchResult:
        """Ranked title matches (or the one petition an id/URL names).

        Resolved exactly as /petition show resolves (same floor, ids never read as
        title words); when a state filter hides matches, the result says how many.
        """
        if not query.strip():
            raise UserFacingError("Type some words from the petition's title, an id or a URL.")
        wanted = state_filter(state)
        found = await self.resolver.search_petitions(query, state=wanted, limit=SEARCH_LIMIT)
        hidden = 0
        if not found:
            # Title search knows nothing of ids and URLs; the resolver does.
            resolution = await self.resolver.petition(query, state=wanted)
            if resolution.best is None or resolution.status == "none":
                if wanted is not None:
                    unfiltered = await self.resolver.search_petitions(query, limit=SEARCH_LIMIT)
                    if unfiltered:
                        raise UserFacingError(
                            f"No {wanted} petition matches '{echo(query)}', but"
                            f" {fmt_int(len(unfiltered))} in other states do: search with"
                            " state:all to see them."
                        )
                raise not_found("petition", query, resolution.suggestions, resolution.missing_id)
            found = [(ref, 100.0) for ref in (resolution.best, *resolution.alternatives)]
        elif wanted is not None:
            unfiltered = await self.resolver.search_petitions(query, limit=SEARCH_LIMIT)
            hidden = len(unfiltered) - len(found)
        hits = tuple(SearchHit(ref, score) for ref, score in found)
        return SearchResult(
            invocation=Invocation.of("petition search", query=query, state=state),
            query=query,
            state=wanted,
            hits=hits,
            choices=tuple(open_petition(hit.petition) for hit in hits),
            hidden=max(hidden, 0),
        )

    @offers_choice
    async def petition_show(
        self, petition: PetitionArg, *, user_id: int | None = None
    ) -> PetitionCard:
        """The petition's card with its top tables and the buttons to open the rest.

        With a ``user_id`` that has a home seat, the card adds that seat's count and rank.
        """
        invocation = Invocation.of("petition show", petition=petition)
        picked = await self.pick_petition(petition)
        detail = await self.petition_detail(picked.ref)
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
        now = self.now()
        moving = momentum(
            await counts.snapshots(self.db, detail.id),
            opened_at=detail.opened_at,
            deadline_at=detail.deadline_at,
            open_now=state_now(detail.state, detail.deadline_at, now) == "open",
        )
        home = await self._home_standing(detail, user_id)
        return PetitionCard(
            now=now,
            momentum=moving,
            invocation=invocation,
            choices=did_you_mean(invocation, "petition", picked),
            actions=tuple(actions),
            petition=detail,
            response=response,
            thresholds=thresholds(detail),
            top_seats=tuple(await counts.constituency_table(self.db, detail.id, TOP_ON_CARD)),
            top_countries=tuple(await counts.country_table(self.db, detail.id, TOP_ON_CARD)),
            home_seat=home[0] if home else None,
            home_standing=home[1] if home else None,
        )

    async def _home_standing(
        self, detail: PetitionDetail, user_id: int | None
    ) -> tuple[ConstituencyRef, SeatStanding] | None:
        """The asker's home seat in this petition, or None without a home seat."""
        if user_id is None:
            return None
        seats = await home_seats.home_seats(self.db, user_id)
        seat = await self.seat_under(seats, detail.boundary_set) if seats else None
        if seat is None:
            return None
        return seat, await counts.seat_standing(self.db, detail, seat.id)

    async def petitions_in_message(
        self, text: str, *, user_id: int | None = None
    ) -> PetitionCard | Chooser | PetitionsInMessage:
        """ "Show petition" on a message: the card of the one petition it names, else a chooser."""
        ids = find_petition_ids(text)
        if not ids:
            raise UserFacingError(
                "That message has no petition in it: I look for petition.parliament.uk links"
                " and ids written like #652057."
            )
        if len(ids) == 1:
            if await counts.get_petition(self.db, ids[0]) is None:
                raise NotFoundError(f"Petition {ids[0]} is not in the archive.")
            return await self.petition_show(str(ids[0]), user_id=user_id)
        found, missing = [], []
        for petition_id in ids:
            detail = await counts.get_petition(self.db, petition_id)
            if detail is None:
                missing.append(petition_id)
            else:
                found.append(petition_ref(detail))
        if not found:
            listed = ", ".join(str(i) for i in missing)
            raise NotFoundError(
                f"None of the petitions in that message is in the archive: {listed}."
            )
        return PetitionsInMessage(
            invocation=Invocation.of("Show petition", text=text),
            choices=tuple(open_petition(ref) for ref in found),
            petitions=tuple(found),
            missing=tuple(missing),
        )

    @offers_choice
    async def petition_top(
        self, petition: PetitionArg, by: str = "constituencies", count: int | None = None
    ) -> TopTable:
        """The full ranked table (or its first ``count`` rows)."""
        if by not in TABLES:
            raise UserFacingError("Rank by 'constituencies', 'countries', 'rate' or 'region'.")
        if count is not None and count < 1:
            raise UserFacingError("Count must be at least 1.")
        invocation = Invocation.of("petition top", petition=petition, by=by, count=count)
        picked = await self.pick_petition(petition)
        detail = await self.petition_detail(picked.ref)
        national = None
        if by == "rate":
            table = await reference.top_seats_by_rate(self.db, detail.id, limit=count or 650)
            if table is None or table.national.per_thousand is None:
                raise UserFacingError(
                    "No electorate figures are known for this petition's seats, so there is "
                    "no per-elector rate. Try by:constituencies."
                )
            # Ranks of the whole set are competition ranks; a rank two rows hold is shared.
            shared = Counter(r.rank for r in table.rows)
            rows = tuple(
                TableRow(
                    r.rank,
                    r.name,
                    r.signatures,
                    percent_of(r.signatures, detail.uk_base),
                    per_thousand=r.per_thousand,
                    index=r.index,
                    tied=r.rank is not None and shared.get(r.rank, 0) > 1,
                )
                for r in table.rows
            )
            listed, national = table.seats_in_set, table.national
        elif by == "region":
            regions = await reference.region_counts(self.db, detail.id)
            if not regions:
                raise UserFacingError(
                    "No reference seats are loaded for this petition's boundaries, so its"
                    " seats cannot be summed by region."
                )
            ranks = competition_ranks([r.signatures for r in regions])
            rows = tuple(
                TableRow(
                    rank,
                    r.region,
                    r.signatures,
                    percent_of(r.signatures, detail.uk_base),
                    tied=tied,
                )
                for (rank, tied), r in zip(ranks, regions, strict=True)
            )[:count]
            listed = len(regions)
        elif by == "countries":
            countries = await counts.country_table(self.db, detail.id)
            rows = tuple(
                TableRow(c.rank, c.name, c.signatures, c.percent, tied=c.tied)
                for c in countries[:count]
            )
            listed = len(countries)
        else:
            seats = await counts.constituency_table(self.db, detail.id)
            rows = seat_table_rows(detail, seats[:count])
            listed = len(seats)
        return TopTable(
            invocation=invocation,
            choices=did_you_mean(invocation, "petition", picked),
            petition=detail,
            by=by,
            rows=rows,
            listed=listed,
            national=national,
        )

    @offers_choice
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
        detail = await self.petition_detail(picked.ref)
        chart = await chart_service.chart(self.db, detail.id, kind, metric, by)
        return ChartCard(
            invocation=invocation,
            choices=did_you_mean(invocation, "petition", picked),
            petition=detail,
            chart=chart,
        )

    @offers_choice
    async def petition_compare(self, first: PetitionArg, second: PetitionArg) -> Comparison:
        """Totals, UK shares, top seats, and the seats whose shares differ most."""
        invocation = Invocation.of("petition compare", first=first, second=second)
        picked_a = await self.pick_petition(first)
        picked_b = await self.pick_petition(second)
        if picked_a.ref.id == picked_b.ref.id:
            raise UserFacingError(
                f"Both lead to petition {picked_a.ref.id}: pick two different petitions."
            )
        a = await self.petition_detail(picked_a.ref)
        b = await self.petition_detail(picked_b.ref)
        seats_a = await counts.constituency_table(self.db, a.id)
        seats_b = await counts.constituency_table(self.db, b.id)
        return Comparison(
            invocation=invocation,
            choices=did_you_mean(invocation, "first", picked_a, prefix="1st: ")
            + did_you_mean(invocation, "second", picked_b, prefix="2nd: "),
            first=a,
            second=b,
            first_top=tuple(seats_a[:TOP_ON_CARD]),
            second_top=tuple(seats_b[:TOP_ON_CARD]),
            differences=seat_differences(a, seats_a, b, seats_b)[:DIFFERENCES],
        )

    @offers_choice
    async def petition_response(self, petition: PetitionArg) -> ResponseText:
        """The government response in full (the card shows only its summary)."""
        invocation = Invocation.of("petition response", petition=petition)
        picked = await self.pick_petition(petition)
        detail = await self.petition_detail(picked.ref)
        response = await counts.get_response(self.db, detail.id)
        if response is None:
            raise UserFacingError(f"The government has not responded to petition {detail.id} yet.")
        return ResponseText(
            invocation=invocation,
            choices=did_you_mean(invocation, "petition", picked),
            petition=detail,
            response=response,
        )

    @offers_choice
    async def petition_history(self, petition: PetitionArg) -> HistoryResult:
        """Dated events plus every refresh we ingested."""
        invocation = Invocation.of("petition history", petition=petition)
        picked = await self.pick_petition(petition)
        detail = await self.petition_detail(picked.ref)
        return HistoryResult(
            invocation=invocation,
            choices=did_you_mean(invocation, "petition", picked),
            petition=detail,
            events=tuple(await counts.history(self.db, detail.id)),
            snapshots=tuple(await counts.snapshots(self.db, detail.id)),
        )

    async def leaderboard(self, state: str | None = None) -> Leaderboard:
        """Petitions by signatures (the first 100), optionally of one state."""
        wanted = state_filter(state)
        now = self.now()
        stamp = now.isoformat()
        rows = [
            current_summary(r, now)
            for r in await counts.leaderboard(self.db, wanted, LEADERBOARD_LIMIT, now=stamp)
        ]
        return Leaderboard(
            invocation=Invocation.of("leaderboard", state=state),
            choices=tuple(open_petition(petition_ref(r)) for r in rows),
            state=wanted,
            rows=tuple(rows),
            total=await counts.count_by_state(self.db, wanted, now=stamp),
        )
