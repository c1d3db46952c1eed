"""Renderers for petition answers (search, show, top, compare, response, history)
and the petition-wide meta commands (leaderboard, help, about).

Each function turns one service result into a :class:`~core.common.cards.Reply`.
Every string that came from a document or a user goes through
:func:`~core.common.cards.escape`; counts use :func:`~core.common.cards.fmt_int` and the
source's own percentages are shown with :func:`~core.common.cards.fmt_percent`.
Menu and button labels are *not* escaped: Discord shows them as plain text,
so a backslash there would be visible (they are cut to 100 characters).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from core.charts.render import render_chart
from core.common.cards import (
    FIELD_VALUE_LIMIT,
    Card,
    Choice,
    Reply,
    escape,
    fmt_int,
    fmt_percent,
    paginate_lines,
    split_text,
    truncate,
)
from core.common.commands import Access, Command
from core.common.ranks import competition_ranks, fmt_rank
from core.common.results import FollowUp, Result
from core.meta.results import About, HelpResult
from core.petitions.lifecycle import state_now
from core.petitions.momentum import Momentum
from core.petitions.results import (
    ChartCard,
    Comparison,
    HistoryResult,
    Leaderboard,
    PetitionCard,
    PetitionsInMessage,
    ResponseText,
    SearchResult,
    TableRow,
    TopTable,
)
from core.petitions.types import DebateInfo, PetitionDetail, PetitionRef, SeatRow
from core.places.rates import describe_national, fmt_index, fmt_per_thousand
from core.places.types import SeatStanding
from core.search.results import Chooser, echo

COLOUR = 0x4B7BEC
DEBATE_COLOUR = 0x8E44AD
LIST_PAGE = 10
"""Petitions per page in search results and the leaderboard (and per select menu)."""
TABLE_PAGE = 20
"""Rows per page of a ranked table."""
TEXT_PAGE = 3800
"""Characters of response text per page (under the 4096 description limit)."""
OPTION_LIMIT = 100
STATE_LABELS = {"open": "Open", "closed": "Closed", "rejected": "Rejected", "unknown": "Unknown"}


# ---------------------------------------------------------------- shared pieces
def fmt_time(moment: datetime | None) -> str:
    """ "4 Jan 2024, 20:30 UTC" (the data is UTC)."""
    return "—" if moment is None else f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def fmt_date(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment.day} {moment:%b %Y}"


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, escape(state.capitalize()))


def fmt_day(day: date | None) -> str:
    return "—" if day is None else f"{day.day} {day:%b %Y}"


def _in_days(delta: timedelta) -> str:
    days = delta.days
    if days < 1:
        return "today"
    return "in 1 day" if days == 1 else f"in {days:,} days"


def state_now_line(p: PetitionDetail, now: datetime) -> str:
    """ "Open — closes 17 Nov 2021 (in 12 days)" or "Closed on 17 Nov 2021", as of ``now``.

    A petition the data calls open whose deadline has passed is closed, and the
    line says the data predates that.
    """
    state = state_now(p.state, p.deadline_at, now)
    if p.deadline_at is None or state not in ("open", "closed"):
        return state_label(state)
    if state == "open":
        return f"Open — closes {fmt_date(p.deadline_at)} ({_in_days(p.deadline_at - now)})"
    line = f"Closed on {fmt_date(p.deadline_at)}"
    if p.state == "open":
        line += f" (the data, as of {fmt_date(p.refreshed_at)}, still called it open)"
    return line


def debate_lines(debate: DebateInfo) -> list[str]:
    """Scheduled/debated dates and the links that passed the parliament-domain check."""
    lines = []
    if debate.debated_on:
        lines.append(f"Debated on {fmt_day(debate.debated_on)}")
    elif debate.scheduled_on:
        lines.append(f"Debate scheduled for {fmt_day(debate.scheduled_on)}")
    if debate.debated_on and debate.scheduled_on and debate.scheduled_on != debate.debated_on:
        lines.append(f"(first scheduled for {fmt_day(debate.scheduled_on)})")
    if debate.links:
        lines.append(" · ".join(f"[{label}]({url})" for label, url in debate.links))
    return lines


def share(part: int | None, whole: int | None) -> float | None:
    """``part`` as a percentage of ``whole`` (None when either is unknown)."""
    if part is None or not whole:
        return None
    return 100.0 * part / whole


def follow_up_choice(index: int, follow_up: FollowUp) -> Choice:
    """A menu option or button for a follow-up; its value is its index in the result."""
    label = " ".join(follow_up.label.split())
    description = follow_up.description
    return Choice(
        truncate(label, OPTION_LIMIT) or "…",
        str(index),
        truncate(description, OPTION_LIMIT) if description else None,
    )


def finish(reply: Reply, result: Result) -> Reply:
    """Attach the result's menu and buttons; explain a "Did you mean…" menu."""
    reply.choices = [follow_up_choice(i, f) for i, f in enumerate(result.choices)]
    reply.actions = [follow_up_choice(i, f) for i, f in enumerate(result.actions)]
    if result.choices and result.choices[0].replace:
        reply.choices_placeholder = "Did you mean…"
        note = "Showing the closest match. Not it? Pick another from the menu."
        reply.content = f"{reply.content}\n{note}" if reply.content else note
    elif result.choices:
        reply.choices_placeholder = "Open one…"
    return reply


def paged(
    title: str,
    lines: Sequence[str],
    *,
    per_page: int,
    url: str | None = None,
    footer: str | None = None,
    colour: int = COLOUR,
    header: str | None = None,
) -> list[Card]:
    """Cards of ``per_page`` lines each, footed "page i of n"."""
    limit = 3900 - len(header or "")
    bodies = paginate_lines(lines, per_page=per_page, limit=limit) if lines else ["Nothing here."]
    cards = []
    for number, body in enumerate(bodies, start=1):
        foot = f"Page {number} of {len(bodies)}"
        cards.append(
            Card(
                title=title,
                url=url,
                description=f"{header}\n\n{body}" if header else body,
                footer=f"{footer} · {foot}" if footer else foot,
                colour=colour,
            )
        )
    return cards


def seat_line(row: SeatRow) -> str:
    mp = escape(row.mp_printed) if row.mp_printed else "vacant"
    return (
        f"**{fmt_rank(row.seat_rank, row.tied)}** {escape(row.name)} — {fmt_int(row.signatures)}"
        f" ({fmt_percent(row.percent)}) · {mp}"
    )


def table_line(row: TableRow, *, seats: bool) -> str:
    """A ranked line; the Unknown row is unranked and labelled as having no seat."""
    if row.per_thousand is not None or row.index is not None:
        rank = fmt_rank(row.rank, row.tied)
        return (
            f"**{rank}** {escape(row.name)} — {fmt_per_thousand(row.per_thousand)} per 1,000"
            f" electors · {fmt_index(row.index)} · {fmt_int(row.signatures)} signatures"
        )
    if row.unknown:
        return f"**–** Unknown (no seat) — {fmt_int(row.signatures)} ({fmt_percent(row.percent)})"
    line = f"**{fmt_rank(row.rank, row.tied)}** {escape(row.name)} — {fmt_int(row.signatures)}"
    line += f" ({fmt_percent(row.percent)})"
    if seats:
        line += f" · {escape(row.mp) if row.mp else 'vacant'}"
    return line


def petition_line(
    rank: int | str, title: str, signatures: int, state: str, petition_id: int
) -> str:
    return (
        f"**{rank}** {escape(title)} — {fmt_int(signatures)} · {state_label(state)}"
        f" · #{petition_id}"
    )


def petition_footer(petition: PetitionDetail) -> str:
    return (
        f"Petition {petition.id} · refreshed {fmt_time(petition.refreshed_at)}"
        f" · {petition.boundary_set} boundaries"
    )


def _short_title(title: str, limit: int = 120) -> str:
    return escape(truncate(" ".join(title.split()), limit))


def momentum_lines(m: Momentum) -> list[str]:
    """Gains over 24 h / 7 days where stored counts allow, then the forecast."""
    lines = []
    for gain in m.gains:
        if gain.signatures is None or gain.since is None:
            lines.append(f"Last {gain.window}: no stored count from then to compare")
        else:
            hours = (m.latest - gain.since).total_seconds() / 3600 if m.latest else 0
            span = f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} days"
            lines.append(
                f"Last {gain.window}: {gain.signatures:+,} (over the {span} to"
                f" {fmt_date(m.latest)})"
            )
    f = m.forecast
    if f is not None:
        pace = f"{f.per_day:,.0f} a day ({f.basis})"
        if f.threshold is None:
            lines.append(f"Pace: {pace}; every threshold passed")
        elif f.reached_at is not None:
            lines.append(f"At {pace}: {fmt_int(f.threshold)} by about {fmt_date(f.reached_at)}")
        else:
            closes = f" before it closes on {fmt_date(f.closes_at)}" if f.closes_at else ""
            lines.append(f"At {pace}: won't reach {fmt_int(f.threshold)}{closes}")
    elif not m.open_now:
        lines.append("Closed: no forecast")
    return lines


# ---------------------------------------------------------------- search
def search_results(result: SearchResult) -> Reply:
    """Ranked matches, 10 a page; the menu opens one (``choices`` line up with pages)."""
    lines = [
        petition_line(
            i,
            hit.petition.title,
            hit.petition.total_signatures,
            hit.petition.state,
            hit.petition.id,
        )
        for i, hit in enumerate(result.hits, start=1)
    ]
    scope = f" · {state_label(result.state)} only" if result.state else ""
    if result.hidden:
        scope += f" · {fmt_int(result.hidden)} more in other states (state:all shows them)"
    pages = paged(
        f"Petitions matching “{echo(result.query)}”",
        lines,
        per_page=LIST_PAGE,
        footer=f"{fmt_int(len(result.hits))} found{scope}",
    )
    return finish(Reply(pages=pages), result)


# ---------------------------------------------------------------- show
def petition_card(result: PetitionCard) -> Reply:
    """The petition card; buttons open the full tables, the response and the history."""
    p = result.petition
    uk = p.uk_signatures
    lines = [
        f"**{fmt_int(p.total_signatures)}** signatures (as of {fmt_date(p.refreshed_at)})",
        state_now_line(p, result.now),
    ]
    if uk is not None:
        lines.append(f"UK: {fmt_int(uk)} ({fmt_percent(share(uk, p.total_signatures))})")
    if result.home_seat is not None and result.home_standing is not None:
        lines.append(home_line(result.home_seat.name, result.home_standing))
    card = Card(
        title=escape(p.title),
        url=p.url,
        description="\n".join(lines),
        footer=petition_footer(p),
        colour=DEBATE_COLOUR if p.total_signatures >= 100_000 else COLOUR,
    )
    reached = [
        f"✅ {fmt_int(t.signatures)} ({t.label}) — "
        + (fmt_date(t.reached_at) if t.reached_at else "date not recorded")
        for t in result.thresholds
    ]
    card.add_field("Thresholds", "\n".join(reached) or "Under 10,000: none reached yet")
    card.add_field("Last refreshed", fmt_time(p.refreshed_at), inline=True)
    if p.opened_at:
        card.add_field("Opened", fmt_date(p.opened_at), inline=True)
    if result.momentum is not None and result.momentum.latest is not None:
        card.add_field("Momentum", "\n".join(momentum_lines(result.momentum)))
    if p.debate is not None:
        card.add_field("Debate", "\n".join(debate_lines(p.debate)))
    response = result.response
    if response is not None:
        who = escape(truncate(response.department or "The government", 200))
        signed = f"\n— *{who}*"
        # Cut the summary, not the department line; the full text is behind a button.
        summary = truncate(escape(response.summary), FIELD_VALUE_LIMIT - len(signed))
        card.add_field(f"Government response ({fmt_date(response.responded_at)})", summary + signed)
    if result.top_seats:
        unknown = (
            f"\nUnknown (no seat): {fmt_int(p.unknown_signatures)}" if p.unknown_signatures else ""
        )
        card.add_field(
            "Top constituencies", "\n".join(seat_line(s) for s in result.top_seats) + unknown
        )
    if result.top_countries:
        card.add_field(
            "Top countries",
            "\n".join(
                f"**{fmt_rank(c.rank, c.tied)}** {escape(c.name)} — {fmt_int(c.signatures)}"
                f" ({fmt_percent(c.percent)})"
                for c in result.top_countries
            ),
        )
    return finish(Reply(cards=[card]), result)


def home_line(name: str, standing: SeatStanding) -> str:
    """ "Your seat, Woking: 1,234 signed (=3rd of 650)"; an unlisted seat is joint last."""
    rank = fmt_rank(standing.seat_rank, standing.tied, words=True)
    place = f"{rank} of {fmt_int(standing.seats_total)}"
    if not standing.listed:
        place = f"joint last, {place}"
    return f"Your seat, {escape(name)}: **{fmt_int(standing.signatures)}** signed ({place})"


def petitions_in_message(result: PetitionsInMessage) -> Reply:
    """The chooser for a message naming several petitions."""
    lines = [
        f"**#{ref.id}** {escape(ref.title)} — {fmt_int(ref.total_signatures)} signatures"
        for ref in result.petitions
    ]
    if result.missing:
        lines.append(
            "Not in the archive: " + ", ".join(f"#{petition_id}" for petition_id in result.missing)
        )
    card = Card(
        title=f"{len(result.petitions)} petitions in that message",
        description="\n".join(lines),
        footer="Pick one to see its card.",
        colour=COLOUR,
    )
    return finish(Reply(cards=[card]), result)


# ---------------------------------------------------------------- top
def top_table(result: TopTable) -> Reply:
    """The whole ranked table, 20 rows a page."""
    p = result.petition
    if result.by == "rate":
        return _rate_table(result)
    seats = result.by == "constituencies"
    lines = [table_line(row, seats=seats) for row in result.rows]
    shown = sum(1 for row in result.rows if not row.unknown)
    what = {"constituencies": "seats", "region": "regions and nations"}.get(result.by, "countries")
    counted = f"top {fmt_int(shown)} of {fmt_int(result.listed)} {what}"
    if seats:
        counted += " (Unknown is not a seat and has no rank)"
    if result.by == "region":
        counted += " · summed from seats; % of UK signatures"
    heading = {"constituencies": "Constituencies", "region": "Regions"}.get(result.by, "Countries")
    pages = paged(
        f"{heading}: {_short_title(p.title)}",
        lines,
        per_page=TABLE_PAGE,
        url=p.url,
        footer=f"Petition {p.id} · {counted}",
    )
    return finish(Reply(pages=pages), result)


def _rate_table(result: TopTable) -> Reply:
    """Seats by signatures per 1,000 electors, with the index against the UK rate."""
    p = result.petition
    lines = [table_line(row, seats=True) for row in result.rows]
    national = describe_national(result.national) if result.national else ""
    pages = paged(
        f"Per 1,000 electors: {_short_title(p.title)}",
        lines,
        per_page=TABLE_PAGE,
        url=p.url,
        footer=f"Petition {p.id} · {national} · top {fmt_int(len(result.rows))} of "
        f"{fmt_int(result.listed)} seats",
    )
    return finish(Reply(pages=pages), result)


def chart_card(result: ChartCard) -> Reply:
    return finish(render_chart(result.chart), result)


# ---------------------------------------------------------------- compare
def _side(p: PetitionDetail, top: Sequence[SeatRow]) -> str:
    uk = p.uk_signatures
    lines = [
        f"[{_short_title(p.title, 150)}]({p.url})",
        f"Total: **{fmt_int(p.total_signatures)}** · {state_label(p.state)}",
        f"UK share: {fmt_percent(share(uk, p.total_signatures))} ({fmt_int(uk)})",
        "Top seats:",
    ]
    lines += [
        f"**{fmt_rank(s.seat_rank, s.tied)}** {escape(s.name)} — {fmt_int(s.signatures)}"
        for s in top
    ]
    return "\n".join(lines)


def comparison(result: Comparison) -> Reply:
    """Two petitions side by side, then the seats whose UK shares differ most."""
    a, b = result.first, result.second
    card = Card(title="Petitions compared", colour=COLOUR)
    card.add_field(f"1st · #{a.id}", _side(a, result.first_top), inline=True)
    card.add_field(f"2nd · #{b.id}", _side(b, result.second_top), inline=True)
    differ = [
        f"{escape(d.name)}: {fmt_percent(d.first_share)} vs {fmt_percent(d.second_share)}"
        f" ({d.difference:+.2f} pts; {fmt_int(d.first_signatures)} vs"
        f" {fmt_int(d.second_signatures)})"
        for d in result.differences
    ]
    card.add_field(
        "Where they differ most (share of each petition's UK signatures)",
        "\n".join(differ) or "No seat data.",
    )
    if a.boundary_set != b.boundary_set:
        card.footer = (
            f"Counted on different boundaries ({a.boundary_set} vs {b.boundary_set}):"
            " seats matched by name."
        )
    return finish(Reply(cards=[card]), result)


# ---------------------------------------------------------------- response and history
def response_text(result: ResponseText) -> Reply:
    """The full government response, split cleanly across pages."""
    p, response = result.petition, result.response
    text = f"**{escape(response.summary)}**\n\n{escape(response.details)}"
    bodies = split_text(text, TEXT_PAGE)
    who = escape(response.department) if response.department else "Government response"
    pages = [
        Card(
            title=f"Government response: {_short_title(p.title)}",
            url=p.url,
            description=body,
            footer=f"{who} · {fmt_date(response.responded_at)} · page {i} of {len(bodies)}",
            colour=COLOUR,
        )
        for i, body in enumerate(bodies, start=1)
    ]
    return finish(Reply(pages=pages), result)


def history(result: HistoryResult) -> Reply:
    """Dated events, then the signature count at every refresh we ingested."""
    p = result.petition
    lines = [f"**{fmt_date(e.at)}** {escape(e.event)} ({e.at:%H:%M} UTC)" for e in result.events]
    if p.debate is not None:
        lines += [f"**Debate** {line}" for line in debate_lines(p.debate)]
    if result.snapshots:
        lines.append("**Signatures at each refresh**")
        previous: int | None = None
        for snap in result.snapshots:
            change = f" ({snap.total_signatures - previous:+,})" if previous is not None else ""
            lines.append(f"{fmt_time(snap.refreshed_at)}: {fmt_int(snap.total_signatures)}{change}")
            previous = snap.total_signatures
    pages = paged(
        f"History: {_short_title(p.title)}",
        lines,
        per_page=TABLE_PAGE,
        url=p.url,
        footer=f"Petition {p.id}",
    )
    return finish(Reply(pages=pages), result)


# ---------------------------------------------------------------- meta
def leaderboard(result: Leaderboard) -> Reply:
    """Petitions by signatures, 10 a page; the menu opens one."""
    ranks = competition_ranks([r.total_signatures for r in result.rows])
    lines = [
        petition_line(fmt_rank(rank, tied), r.title, r.total_signatures, r.state, r.id)
        for (rank, tied), r in zip(ranks, result.rows, strict=True)
    ]
    scope = f"{state_label(result.state)} petitions" if result.state else "All petitions"
    more = f" (top {len(result.rows)})" if result.total > len(result.rows) else ""
    pages = paged(
        f"Leaderboard: {scope.lower() if result.state else 'all petitions'}",
        lines,
        per_page=LIST_PAGE,
        footer=f"{scope}: {fmt_int(result.total)}{more}",
    )
    return finish(Reply(pages=pages), result)


def help_card(result: HelpResult) -> Reply:
    """One page per audience (everyone, moderators, owners), each command with an example."""
    title = "petitionbot commands" if result.command is None else f"Help: /{result.command}"
    by_access: dict[Access, list[Command]] = {}
    for command in result.commands:
        by_access.setdefault(command.access, []).append(command)
    pages = []
    for access, commands in by_access.items():
        who = "" if access is Access.EVERYONE else f"For {access.label}. "
        card = Card(
            title=title,
            description=who
            + "Names can be typed loosely: ids, URLs, typos and honorifics all work.",
            colour=COLOUR,
        )
        for command in commands:
            card.add_field(command.usage, f"{command.help_text}\nExample: `{command.example}`")
        pages.append(card)
    if len(pages) > 1:
        for number, card in enumerate(pages, start=1):
            card.footer = f"Page {number} of {len(pages)}"
    return finish(Reply(pages=pages, ephemeral=True), result)


def about_card(result: About) -> Reply:
    f = result.freshness
    card = Card(
        title="About petitionbot",
        description=(
            "UK Parliament petitions, searchable from Discord. Data from"
            f" [{result.source_name}]({result.source_url}), used under the"
            f" [{result.licence}]({result.licence_url})."
        ),
        colour=COLOUR,
    )
    card.add_field("Petitions", fmt_int(f.petitions), inline=True)
    card.add_field("Newest refresh", fmt_time(f.newest_refresh), inline=True)
    card.add_field("Oldest refresh", fmt_time(f.oldest_refresh), inline=True)
    if f.by_state:
        card.add_field(
            "By state",
            " · ".join(f"{state_label(s)} {fmt_int(n)}" for s, n in f.by_state.items()),
        )
    if result.shards is not None:
        card.add_field(
            f"Shards {result.shards.describe()}",
            result.shards.latency_lines() or "connecting",
        )
    card.footer = f"Source: {result.source_name} · {result.licence}"
    return finish(Reply(cards=[card]), result)


# ---------------------------------------------------------------- chooser
def chooser(result: Chooser) -> Reply:
    """Several candidates fit what was typed (or only weakly): list them, let the user pick."""
    lines = [
        f"**{i}** {escape(option.title)} — {fmt_int(option.total_signatures)}"
        f" · {state_label(option.state)} · #{option.id}"
        if isinstance(option, PetitionRef)
        else f"**{i}** {escape(option.name)}"
        for i, option in enumerate(result.options, start=1)
    ]
    pages = paged(
        f"Which {result.kind}? “{echo(result.query)}” fits several",
        lines,
        per_page=25,
        footer="Pick one from the menu, or type more of the name",
    )
    reply = finish(Reply(pages=pages[:1]), result)
    reply.choices_placeholder = f"Pick the {result.kind}…"
    reply.content = None
    return reply
