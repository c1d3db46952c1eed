"""The launcher: ``petitionbot run | console | ingest | migrate | stats``.

Typer parses the arguments and rich draws progress and tables; each command is
a thin shell over the same functions the bot uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.logs import setup_logging
from bot.settings import Settings, get_settings
from core.admin.types import DatabaseStats
from core.ingest.loader import expand_paths, file_documents, ingest_documents_sync
from core.ingest.types import IngestReport, Outcome
from db import petitions as petition_repo
from db.database import Database, migrate_target

app = typer.Typer(
    help="petitionbot: UK Parliament petitions, searchable from Discord.",
    no_args_is_help=True,
    add_completion=False,
    # A crash must never print local variables: run() and discord.py's frames hold the token.
    pretty_exceptions_show_locals=False,
)
out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    Path | None, typer.Option("--db", help="Database file (default: DATABASE_PATH setting).")
]

NO_TOKEN = """[bold yellow]No Discord token is set.[/]
To run the bot in Discord:
  1. Create an application at https://discord.com/developers/applications and add a Bot.
  2. Copy its token into [bold].env[/] as [bold]DISCORD_TOKEN=...[/] (see .env.example),
     or export DISCORD_TOKEN in your shell.
  3. Invite it with the scopes [bold]bot applications.commands[/] (see README).
Meanwhile you can try every command offline: [bold]./dev console[/]
(or [bold]petitionbot console[/] where petitionbot is installed on your PATH)."""

NO_TOKEN_EXIT = 2
"""``run`` without a token and without a terminal: the database is ready, no bot ran."""
BAD_TOKEN = (
    "Discord refused the token in DISCORD_TOKEN. Reset it in the developer portal "
    "(your application → Bot → Reset Token), put the new one in .env, and run again."
)
NO_NETWORK = (
    "Cannot reach Discord ({reason}). Check the network connection (and any proxy or "
    "firewall), then run again."
)


def _settings(db: Path | None = None) -> Settings:
    from pydantic import ValidationError

    try:
        settings = get_settings()
    except ValidationError as exc:  # one line per bad setting, no traceback
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "settings"
            err.print(f"Invalid setting {where.upper()}: {error['msg']}", markup=False)
        raise typer.Exit(code=2) from None
    if db is not None:
        # An explicit file wins over DATABASE_URL.
        settings = settings.model_copy(update={"database_path": db, "database_url": None})
    return settings


@app.command()
def run(
    console: Annotated[
        bool, typer.Option("--console/--no-console", help="Without a token, open the console.")
    ] = True,
    shards: Annotated[
        str | None,
        typer.Option(
            "--shards", help="Shards this process runs, e.g. 0-3 or 4,5 (default: SHARD_IDS)."
        ),
    ] = None,
    shard_count: Annotated[
        int | None,
        typer.Option(
            "--shard-count", help="Shards over all processes (default: SHARD_COUNT).", min=1
        ),
    ] = None,
) -> None:
    """Run the Discord bot (needs DISCORD_TOKEN); without a token, offer the console."""
    settings = _with_shards(_settings(), shards, shard_count)
    if settings.discord_token is None:
        err.print(NO_TOKEN)
        if console and sys.stdin.isatty():
            err.print(
                "\nStarting the offline console now (type [bold]help[/], or [bold]quit[/]).\n"
            )
            _run_console(settings)
            return
        # No terminal to open the console in: still leave a ready database behind.
        err.print(f"\n{_prepare(settings)}")
        raise typer.Exit(code=NO_TOKEN_EXIT)
    token = settings.discord_token.get_secret_value()
    setup_logging(settings.log_level, secrets=[token])
    from bot.client import PetitionBot

    async def main() -> None:
        async with PetitionBot(settings) as bot:
            await bot.start(token)

    problem = None
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(main())
        except Exception as exc:
            problem = _start_problem(exc)
            if problem is None:
                raise
    if problem is not None:  # one line saying what to do, no traceback
        err.print(problem, highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=1)


def _with_shards(settings: Settings, shards: str | None, shard_count: int | None) -> Settings:
    """The command line's shard options over the settings' (checked: a bad range exits 2)."""
    from core.common.shards import ShardPlan, ShardSpecError

    update: dict[str, object] = {}
    if shards is not None:
        update["shard_ids"] = shards
    if shard_count is not None:
        update["shard_count"] = shard_count
    if not update:
        return settings
    settings = settings.model_copy(update=update)
    try:
        ShardPlan.of(settings.shard_ids, settings.shard_count)
    except ShardSpecError as exc:
        err.print(f"--shards/--shard-count: {exc}", highlight=False, markup=False)
        raise typer.Exit(code=2) from None
    return settings


def _start_problem(exc: Exception) -> str | None:
    """What to tell the user when the bot could not start for a reason they can fix."""
    import aiohttp
    import discord

    if isinstance(exc, discord.LoginFailure):
        return BAD_TOKEN
    if isinstance(exc, aiohttp.ClientConnectionError | discord.GatewayNotFound):
        return NO_NETWORK.format(reason=str(exc) or type(exc).__name__)
    return None


def _prepare(settings: Settings) -> str:
    """Migrate the database and load the bundled petitions if never loaded; say what happened."""
    from bot.startup import open_database

    async def main() -> str:
        db, report = await open_database(settings)
        await db.close()
        ready = f"Database ready: {settings.database_label}"
        if report is not None:
            ready += f"; loaded the petitions in {settings.data_dir} ({report.summary()})"
        return ready + "."

    return asyncio.run(main())


def _run_console(settings: Settings, commands: list[str] | None = None) -> None:
    from bot.console import run_console

    run_console(settings, commands=commands)


@app.command()
def console(
    command: Annotated[
        list[str] | None,
        typer.Option("--command", "-c", help="Run this command and exit (repeatable)."),
    ] = None,
) -> None:
    """Try the bot's commands offline in this terminal (same services and renderers)."""
    settings = _settings()
    _run_console(settings, command)


@app.command()
def migrate(db: DbOption = None) -> None:
    """Apply pending database migrations."""
    settings = _settings(db)
    durations: dict[str, float] = {}
    applied = migrate_target(settings.database_target, durations)
    where = escape(settings.database_label)
    if applied:
        out.print(f"Applied {len(applied)} migration(s) to {where}:")
        for name in applied:
            out.print(f"  {name} ({durations.get(name, 0.0):.2f} s)")
    else:
        out.print(f"{where} is up to date.")


def report_table(report: IngestReport, *, show: int = 20) -> Table:
    """The per-outcome summary plus the first rejections, for the terminal."""
    table = Table(title="Ingest summary", show_lines=False)
    table.add_column("result")
    table.add_column("files", justify="right")
    counts = report.counts
    for outcome in Outcome:
        table.add_row(outcome.value, f"{counts[outcome]:,}")
    return table


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories of petitions.")],
    db: DbOption = None,
    reread: Annotated[
        bool,
        typer.Option(
            "--reread",
            help="Read every file, even those whose size and modification time are "
            "unchanged since the last ingest (normally skipped).",
        ),
    ] = False,
) -> None:
    """Ingest petition documents (Markdown or petition-site JSON) into the database."""
    settings = _settings(db)
    files = expand_paths(paths)
    if not files:
        err.print("[yellow]No petition documents found in the given paths.[/]")
        raise typer.Exit(code=1)
    items = file_documents(files)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=len(items) < 2,
    ) as progress:
        task = progress.add_task("Ingesting", total=len(items))
        report = ingest_documents_sync(
            settings.database_target,
            items,
            lambda done, total, name: progress.update(task, completed=done),
            reread=reread,
        )
    out.print(report_table(report))
    for result in report.rejected[:20]:
        out.print(f"[red]rejected[/] {escape(result.error or result.name)}", highlight=False)
    if len(report.rejected) > 20:
        out.print(f"... and {len(report.rejected) - 20} more rejected files")
    for name, warning in report.warnings[:20]:
        out.print(f"[yellow]warning[/] {escape(name)}: {escape(warning)}", highlight=False)
    out.print(report.summary())
    if report.rejected:
        raise typer.Exit(code=1)


@app.command()
def stats(db: DbOption = None) -> None:
    """Show what the database holds."""
    settings = _settings(db)

    async def collect() -> DatabaseStats:
        database = await Database.open(settings.database_target)
        try:
            return await petition_repo.stats(database)
        finally:
            await database.close()

    result = asyncio.run(collect())
    table = Table(title=f"petitionbot database: {escape(settings.database_label)}")
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("petitions", f"{result.petitions:,}")
    table.add_row("snapshots", f"{result.snapshots:,}")
    table.add_row("constituencies", f"{result.constituencies:,}")
    table.add_row("MPs", f"{result.mps:,}")
    table.add_row("constituency rows", f"{result.constituency_rows:,}")
    table.add_row("newest refresh", str(result.newest_refresh or "-"))
    last = result.last_ingest
    table.add_row(
        "last ingest",
        f"{last.at:%Y-%m-%d %H:%M} {last.result} {escape(last.path)}" if last else "-",
    )
    table.add_row("size", f"{result.size_bytes / 1_048_576:.1f} MiB")
    out.print(table)


@app.command()
def refresh(
    db: DbOption = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Petitions site (default: PETITIONS_API_BASE setting)."),
    ] = None,
    state: Annotated[
        str, typer.Option(help="Which list to walk: open, closed, debated, all, ...")
    ] = "open",
    max_pages: Annotated[int, typer.Option(min=1, help="Stop after this many list pages.")] = 500,
    interval: Annotated[
        float, typer.Option(min=0.0, help="Seconds between two requests (be polite).")
    ] = 1.0,
) -> None:
    """Fetch changed petitions from the petitions site and ingest them (one pass)."""
    from core.ingest.live_refresh import RefreshConfig, Refresher, RefreshReport
    from db.reference import ensure_reference

    settings = _settings(db)
    config = RefreshConfig(
        base_url=base_url or settings.petitions_api_base,
        state=state,
        max_pages=max_pages,
        min_interval=interval,
    )

    async def main() -> RefreshReport:
        database = await Database.open(settings.database_target)
        try:
            await ensure_reference(database)
            with Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
            ) as progress:
                tasks = {
                    "pages": progress.add_task("List pages", total=None),
                    "petitions": progress.add_task("Petitions", total=None),
                }

                def show(phase: str, done: int, total: int | None) -> None:
                    progress.update(tasks[phase], completed=done, total=total)

                async with Refresher(config) as refresher:
                    return await refresher.run(database, show)
        finally:
            await database.close()

    out.print(f"Refreshing {config.state} petitions from {config.base_url}")
    report = asyncio.run(main())
    for failure in report.failures[:20]:
        out.print(f"[red]failed[/] {escape(failure)}", highlight=False)
    for rejected in report.rejected[:20]:
        out.print(f"[red]rejected[/] {escape(rejected)}", highlight=False)
    out.print(report.summary())
    if report.failures or report.rejected:
        raise typer.Exit(code=1)
