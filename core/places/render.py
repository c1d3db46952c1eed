"""Renderers for seats and MPs, and :func:`render`: any service result → Reply.

``/constituency show`` and ``/mp show`` share these cards: an MP answer is a
seat answer with the MP named in the title. :func:`render` is the one entry
point the cogs and the offline console use, so both always draw a result the
same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from core.admin import render as render_admin
from core.admin.results import IngestDone, RemovalPrompt, StatsResult
from core.ask import render as ask_render
from core.ask.results import AskAnswer, AskUnanswered
from core.common.cards import Card, Reply, escape, fmt_int, fmt_percent
from core.common.ranks import fmt_rank
from core.common.results import Notice, Result
from core.digests import render as render_digest
from core.digests.results import DigestPreview, DigestSettings
from core.me import render as rme
from core.me.results import Forgotten, HomeSeatAnswer
from core.meta.results import About, HelpResult
from core.petitions import render as rp
from core.petitions.results import (
    ChartCard,
    Comparison,
    HistoryResult,
    Leaderboard,
    PetitionCard,
    PetitionsInMessage,
    ResponseText,
    SearchResult,
    TopTable,
)
from core.places.rates import describe
from core.places.results import SeatInPetition, SeatOverview
from core.places.types import CurrentMp, MpSeat, SeatHolder
from core.search.results import Chooser

SEAT_COLOUR = 0x16A085


def _seen(first_seen: datetime, last_seen: datetime) -> str:
    """ "seen 4 Jan 2024" or "seen 12 Jul 2021 – 4 Jan 2024" (dates of the refreshes)."""
    first, last = rp.fmt_date(first_seen), rp.fmt_date(last_seen)
    return f"seen {first}" if first == last else f"seen {first} – {last}"


def _held(holder: SeatHolder) -> str:
    return f"{escape(holder.mp.name)} ({_seen(holder.first_seen_at, holder.last_seen_at)})"


def _mp_seats(seats: tuple[MpSeat, ...]) -> str:
    return "\n".join(
        f"{escape(s.seat.name)} ({s.seat.boundary_set} boundaries) —"
        f" {_seen(s.first_seen_at, s.last_seen_at)}"
        for s in seats
    )


def _title(seat_name: str, mp_name: str | None) -> str:
    return f"{escape(mp_name)} — MP for {escape(seat_name)}" if mp_name else escape(seat_name)


PRINTED_MP = "MP named in the petition data"
PRINTED_NOTE = "\n(as the document printed it: the MP when the data was captured)"


def _add_current(card: Card, current: CurrentMp | None, how: str | None) -> None:
    """Today's MP and party from the 2024 reference, labelled as such."""
    if current is None:
        return
    where = f" — {escape(how)}" if how else ""
    card.add_field(
        "MP now (2024 reference)",
        f"{escape(current.name)} ({escape(current.party)}){where}",
    )


def seat_in_petition(result: SeatInPetition) -> Reply:
    """A seat's count, rank among seats, share of UK signatures and MP in one petition."""
    p, standing = result.petition, result.standing
    card = Card(
        title=_title(result.seat.name, result.mp.name if result.mp else None),
        url=p.url,
        description=f"In “{escape(p.title)}”",
        footer=rp.petition_footer(p),
        colour=SEAT_COLOUR,
    )
    card.add_field("Signatures", fmt_int(standing.signatures), inline=True)
    if standing.listed:
        rank = (
            f"{fmt_rank(standing.seat_rank, standing.tied, words=True)}"
            f" of {fmt_int(standing.seats_total)}"
        )
        if standing.tied:
            rank += " (joint: another seat has the same count)"
    else:
        rank = (
            f"joint last: {fmt_int(standing.seat_rank)} of {fmt_int(standing.seats_total)}"
            " (no signatures: not in the petition's table)"
        )
    card.add_field("Rank among seats", rank, inline=True)
    card.add_field("Share of UK signatures", fmt_percent(result.uk_share), inline=True)
    if standing.listed:
        mp = escape(standing.mp_printed) if standing.mp_printed else "Vacant"
    elif result.holder is not None:
        mp = f"Not listed in this petition; last seen before it: {_held(result.holder)}"
    else:
        mp = "Not listed in this petition"
    if result.rate is not None:
        card.add_field("Per 1,000 electors", describe(result.rate.rate))
    card.add_field(PRINTED_MP, mp + PRINTED_NOTE if standing.mp_printed else mp)
    _add_current(card, result.current, result.current_how)
    if result.note:
        card.description = f"{result.note}\n\n{card.description}"
    if result.mp_seats and len(result.mp_seats) > 1:
        card.add_field("Seats held", _mp_seats(result.mp_seats))
    return rp.finish(Reply(cards=[card]), result)


def seat_overview(result: SeatOverview) -> Reply:
    """What a seat's residents signed most (no petition given)."""
    seat = result.seat
    card = Card(
        title=_title(seat.name, result.mp.name if result.mp else None),
        description=f"{seat.boundary_set} constituency boundaries",
        colour=SEAT_COLOUR,
    )
    if result.mp_seats:
        card.add_field("Seats held", _mp_seats(result.mp_seats))
    elif result.holders:
        held = "\n".join(_held(h) for h in result.holders[:3])
        card.add_field("MPs named in petition data", held)
    lines = [
        f"**{i}** {escape(row.title)} — {fmt_int(row.signatures)} here"
        f" ({fmt_percent(rp.share(row.signatures, row.uk_signatures or row.total_signatures))}"
        f" of UK) · #{row.petition_id}"
        for i, row in enumerate(result.petitions, start=1)
    ]
    _add_current(card, result.current, result.current_how)
    if result.note:
        card.description = f"{result.note}\n\n{card.description}"
    card.add_field(
        "Petitions signed most here", "\n".join(lines) or "No signatures recorded for this seat."
    )
    card.footer = "Add a petition to see this seat's count, rank and share in it."
    return rp.finish(Reply(cards=[card]), result)


_RENDERERS: dict[type[Result], Callable[[Any], Reply]] = {
    SearchResult: rp.search_results,
    PetitionCard: rp.petition_card,
    TopTable: rp.top_table,
    ChartCard: rp.chart_card,
    Comparison: rp.comparison,
    ResponseText: rp.response_text,
    HistoryResult: rp.history,
    Leaderboard: rp.leaderboard,
    HelpResult: rp.help_card,
    About: rp.about_card,
    SeatInPetition: seat_in_petition,
    SeatOverview: seat_overview,
    Notice: render_admin.notice,
    IngestDone: render_admin.ingest_done,
    StatsResult: render_admin.stats_reply,
    RemovalPrompt: lambda result: rp.finish(render_admin.removal_prompt(result), result),
    DigestSettings: render_digest.settings_reply,
    DigestPreview: render_digest.preview_reply,
    Chooser: rp.chooser,
    PetitionsInMessage: rp.petitions_in_message,
    HomeSeatAnswer: rme.home_seat,
    Forgotten: rme.forgotten,
    AskAnswer: lambda result: ask_render.answer(result, render),
    AskUnanswered: ask_render.unanswered,
}


def render(result: Result) -> Reply:
    """Draw any service result (the one entry point for the bot and the console)."""
    return _RENDERERS[type(result)](result)


def choices_per_page(result: Result) -> int | None:
    """How many menu options belong to each page, when the menu follows the pages.

    Search results and the leaderboard offer "open one" for exactly the ten
    petitions on the page shown; other menus are the same on every page.
    """
    if isinstance(result, AskAnswer):  # the answer's own paged menu, unless corrections lead
        return None if result.corrections else choices_per_page(result.answer)
    return rp.LIST_PAGE if isinstance(result, SearchResult | Leaderboard) else None
