"""Write a :class:`~core.ingest.models.Petition` back out in the petition document format.

The inverse of :mod:`core.ingest.parser`. It exists so that round-trip tests
(generate → write → parse → equal) and the synthetic benchmark archive use the
very format the parser reads, byte for byte as described in FORMAT.md.
"""

from __future__ import annotations

from core.ingest.models import EVENT_ORDER, Petition


def _int(value: int) -> str:
    return f"{value:,}"


def _mp(row_mp: str | None, is_unknown: bool) -> str:
    if is_unknown:
        return "Unknown"
    return row_mp if row_mp is not None else "None"


def render_document(petition: Petition) -> str:
    """Render ``petition`` as a Markdown document (LF line endings, trailing newline)."""
    noun = "signature" if petition.total_signatures == 1 else "signatures"
    out: list[str] = [
        f"# {petition.title}",
        "",
        "### Background",
        "",
    ]
    if petition.background:
        out += [petition.background, ""]
    out += [
        "### Signatures",
        "",
        f"**{_int(petition.total_signatures)} {noun}**",
        "",
        f"Data taken from [{petition.url}]({petition.url})",
        "",
        f"Last refreshed {petition.refreshed_at:%Y-%m-%d %H:%M:%S}",
        "",
    ]
    response = petition.government_response
    if response is not None:
        out += ["### Government Response", "", response.summary, ""]
        if response.details:
            out += [response.details, ""]
    out += ["### History", "", "| Event | Date | Time |", "| - | - | - |"]
    order = {name: i for i, name in enumerate(EVENT_ORDER)}
    for event in sorted(petition.history, key=lambda e: order.get(e.event, len(order))):
        out.append(f"| {event.event} | {event.at:%Y-%m-%d} | {event.at:%H:%M:%S} |")
    out += [
        "",
        "### Signatures by Country",
        "",
        "| # | Country | Signatures | % |",
        "| - | - | -: | -: |",
    ]
    for c in petition.countries:
        out.append(f"| {c.rank} | {c.name} | {_int(c.count)} | {c.percent:.2f} |")
    out += [
        "",
        "### Signatures by Constituency",
        "",
        "| # | Constituency | MP | Signatures | % |",
        "| - | - | - | -: | -: |",
    ]
    for s in petition.constituencies:
        mp = _mp(s.mp, s.is_unknown)
        out.append(f"| {s.rank} | {s.name} | {mp} | {_int(s.count)} | {s.percent:.2f} |")
    return "\n".join(out) + "\n"
