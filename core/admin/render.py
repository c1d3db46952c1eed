"""Renderers for admin replies: ingest reports, stats, audit notices."""

from __future__ import annotations

import platform

from core.admin.results import IngestDone, RemovalPrompt, StatsResult
from core.admin.types import AuditEntry, DatabaseStats, RuntimeFacts
from core.common.cards import Card, Reply, escape, fmt_int, paginate_lines
from core.common.results import Notice
from core.ingest.types import IngestReport, Outcome

OK_COLOUR = 0x2ECC71
WARN_COLOUR = 0xE67E22


def ingest_report(report: IngestReport, *, title: str = "Ingest report") -> Reply:
    """Counts per outcome, then every rejection with its file and line."""
    counts = report.counts
    colour = WARN_COLOUR if counts[Outcome.REJECTED] else OK_COLOUR
    summary = " · ".join(f"**{o.value}** {fmt_int(counts[o])}" for o in Outcome)
    stopped = f"\n**Stopped early:** {escape(report.problem)}" if report.problem else ""
    card = Card(
        title=title, description=f"{escape(report.summary())}\n{summary}{stopped}", colour=colour
    )
    problems = [f"❌ {escape(r.error or r.name)}" for r in report.rejected]
    problems += [f"⚠️ {escape(name)}: {escape(w)}" for name, w in report.warnings]
    pages = [
        Card(title=f"{title}: problems", description=body, colour=colour)
        for body in paginate_lines(problems, per_page=15, limit=3800)
    ]
    if not pages:
        return Reply(cards=[card])
    card.add_field("Problems", pages[0].description or "", inline=False)
    return Reply(cards=[card], pages=pages if len(pages) > 1 else [])


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m {secs}s"


def stats(db_stats: DatabaseStats, runtime: RuntimeFacts) -> Reply:
    last = db_stats.last_ingest
    card = Card(title="petitionbot stats")
    card.add_field("Petitions", fmt_int(db_stats.petitions), inline=True)
    card.add_field("Snapshots", fmt_int(db_stats.snapshots), inline=True)
    card.add_field("Constituencies", fmt_int(db_stats.constituencies), inline=True)
    card.add_field("MPs", fmt_int(db_stats.mps), inline=True)
    card.add_field("Database size", f"{db_stats.size_bytes / 1_048_576:.1f} MiB", inline=True)
    card.add_field(
        "Newest refresh",
        f"{db_stats.newest_refresh:%Y-%m-%d %H:%M} UTC" if db_stats.newest_refresh else "—",
        inline=True,
    )
    card.add_field(
        "Last ingest",
        f"{last.at:%Y-%m-%d %H:%M} UTC: {last.result} {escape(last.path)}" if last else "—",
        inline=False,
    )
    card.add_field("Uptime", _duration(runtime.uptime_seconds), inline=True)
    latency = f"{runtime.latency_ms:.0f} ms" if runtime.latency_ms is not None else "—"
    card.add_field("Gateway latency", latency, inline=True)
    card.add_field("Servers", fmt_int(runtime.guilds), inline=True)
    if runtime.shards is not None:
        card.add_field(
            f"Shards {runtime.shards.describe()} (this process)",
            runtime.shards.latency_lines() or "connecting",
        )
    card.footer = (
        f"petitionbot {runtime.bot_version} · discord.py {runtime.discord_version} · "
        f"Python {platform.python_version()}"
    )
    return Reply(cards=[card], ephemeral=True)


def audit_notice(entry: AuditEntry) -> Card:
    """What a server's audit channel shows for one server action."""
    who = f"<@{entry.user_id}>" if entry.user_id else "petitionbot"
    arguments = ", ".join(f"{k}={v}" for k, v in sorted(entry.arguments.items())) or "—"
    card = Card(title=f"Audit: {escape(entry.action)}", description=f"by {who}")
    card.add_field("Arguments", escape(arguments))
    card.add_field("Result", escape(entry.result))
    card.footer = f"{entry.at:%Y-%m-%d %H:%M:%S} UTC"
    return card


def ingest_done(result: IngestDone) -> Reply:
    return ingest_report(result.report, title=result.title)


def stats_reply(result: StatsResult) -> Reply:
    return stats(result.stats, result.runtime)


def removal_prompt(result: RemovalPrompt) -> Reply:
    """The question; the Confirm and Cancel buttons are the result's actions."""
    return Reply(content=result.question, ephemeral=True)


def notice(result: Notice) -> Reply:
    return Reply(content=result.text, ephemeral=True)
