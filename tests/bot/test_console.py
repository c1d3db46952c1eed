"""The offline console: the bot's own services and renderers, driven by typed lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bot.cli
import bot.console
from bot.console import console_main, parse, plain, run_console
from bot.settings import Settings
from core.common.errors import UserFacingError
from core.common.results import Invocation
from core.search.resolver import Resolver
from core.services import Services
from db.database import Database
from tests.support import seed_clock

from ..postcode_support import CHANGEOVER, CURRENT, serve_postcodes

SEEDS = Path(__file__).resolve().parents[2] / "data" / "petitions"
OFSTED_TITLE = "Pause Ofsted inspections and reform how school performance is evaluated"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A fresh database: the console's first run ingests the bundled seeds."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_path=tmp_path / "console.sqlite3",
        data_dir=SEEDS,
    )


async def run(settings: Settings, *lines: str) -> str:
    out = io.StringIO()
    await console_main(settings, commands=list(lines), out=out)
    return out.getvalue()


def answer_to(output: str, line: str) -> str:
    """The text printed in answer to ``line`` (up to the next prompt)."""
    after = output.split(f"petitionbot> {line}\n", 1)[1]
    return after.split("petitionbot> ", 1)[0].strip()


async def test_first_run_loads_seeds_and_answers_like_the_bot(settings: Settings) -> None:
    output = await run(
        settings,
        "petition show ofsted",
        "constituency show woking ofsted",
        "mp show andrew mitchel",
        "quit",
        "about",
    )
    card = answer_to(output, "petition show ofsted").splitlines()
    assert card[0] == f"{OFSTED_TITLE}  <https://petition.parliament.uk/petitions/652057>"
    # The console runs on the real clock: the 2024 dissolution closed the petition.
    assert card[2:5] == [
        "48,783 signatures (as of 4 Jan 2024)",
        "Closed on 30 May 2024 (the data, as of 4 Jan 2024, still called it open)",
        "UK: 48,626 (99.68%)",
    ]
    assert "1 Sutton Coldfield — 305 (0.63%) · Rt Hon Andrew Mitchell MP" in card
    assert (
        card[-1] == "Buttons: Constituencies · Countries · Government response · History (type one)"
    )
    assert "**" not in output  # the renderer's Markdown is dropped for the terminal

    seat = answer_to(output, "constituency show woking ofsted")
    assert seat.startswith("Woking  <https://petition.parliament.uk/petitions/652057>")
    assert "[Signatures]\n81" in seat
    assert "[Rank among seats]\n=281st of 650 (joint: another seat has the same count)" in seat
    assert "[MP named in the petition data]\nMr Jonathan Lord MP\n(as the document printed" in seat
    # The console loads the 2024 reference: today's MP of the seat of the same name.
    assert "[MP now (2024 reference)]\nWill Forster (Liberal Democrat)" in seat

    mp = answer_to(output, "mp show andrew mitchel")
    assert mp.startswith("Andrew Mitchell — MP for Sutton Coldfield")
    assert "  1. Make verified ID a requirement for opening a social media account." in mp
    assert "About petitionbot" not in output  # nothing runs after quit


async def test_pages_menus_and_buttons(settings: Settings) -> None:
    output = await run(
        settings,
        "petition top 652057 by countries",
        "next",
        "constituency show brighton",
        "1",
        "petition show ofsted",
        "history",
    )
    first = answer_to(output, "petition top 652057 by countries")
    assert first.splitlines()[2] == "1 United Kingdom — 48,626 (99.68%)"
    assert first.endswith("(page 1 of 3: type next or prev)")
    second = answer_to(output, "next")
    assert second.splitlines()[2] == "=16 Jersey — 2 (0.00%)"
    assert second.endswith("(page 2 of 3: type next or prev)")

    guess = answer_to(output, "constituency show brighton")
    assert guess.startswith("Showing the closest match. Not it? Pick another from the menu.")
    assert guess.endswith("Did you mean… (type a number)\n  1. Brighton, Pavilion")
    assert answer_to(output, "1").startswith("Brighton, Pavilion\n")

    history = answer_to(output, "history")
    assert history.startswith(f"History: {OFSTED_TITLE}")
    assert "23 Nov 2023 Created (15:46 UTC)" in history


async def test_mistakes_get_messages_not_tracebacks(settings: Settings) -> None:
    output = await run(
        settings,
        "petition show zzzz qqqq",
        "frobnicate",
        "petition top ofsted by parish",
        "7",
        "next",
        "petition compare ofsted",
        "mp show @everyone",
    )
    assert answer_to(output, "petition show zzzz qqqq") == "No petition matches 'zzzz qqqq'."
    assert answer_to(output, "frobnicate").startswith("I don't know 'frobnicate'.")
    assert answer_to(output, "petition top ofsted by parish") == (
        "Rank by constituencies, countries, rate or region. Usage: petition top <petition>"
        " [by constituencies|countries|rate|region] [count N]"
    )
    assert answer_to(output, "7") == "There is no menu on screen to pick from."
    assert answer_to(output, "next") == "There is only one page."
    assert answer_to(output, "petition compare ofsted") == (
        "Name two petitions. Usage: petition compare <first> | <second>"
    )
    assert answer_to(output, "mp show @everyone") == "No MP matches '@everyone'."
    assert "Traceback" not in output


async def test_reads_commands_from_stdin_when_not_a_terminal(settings: Settings) -> None:
    out = io.StringIO()
    await console_main(
        settings, stdin=io.StringIO("help mp\n\n# a comment\nleaderboard\n"), out=out
    )
    output = out.getvalue()
    assert answer_to(output, "help mp").startswith("Help: /mp\n")
    assert "Example: /mp show name:Andrew Mitchell petition:ofsted" in output
    board = answer_to(output, "leaderboard")
    assert "1 Make verified ID a requirement for opening a social media account." in board


def test_run_console_and_module_entry_point(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    run_console(settings, commands=["petition show 575833"], out=out)
    assert "270,294 signatures (as of 12 Jul 2021)\nClosed on 5 Sep 2021" in out.getvalue()

    monkeypatch.setattr(bot.console, "get_settings", lambda: settings)
    bot.console.main(["--command", "mp show Sir Geoffrey Cox 575833"])
    printed = capsys.readouterr().out
    assert "Geoffrey Cox — MP for Torridge and West Devon" in printed
    assert "Rt Hon Sir Geoffrey Cox QC MP" in printed


def test_petitionbot_console_command(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """``petitionbot console`` with piped input runs the same console."""
    monkeypatch.setattr(bot.cli, "get_settings", lambda: settings)
    result = CliRunner().invoke(bot.cli.app, ["console"], input="petition search verified id\n")
    assert result.exit_code == 0, result.output
    assert "Petitions matching “verified id”" in result.output
    assert "Open one… (type a number)" in result.output


# ---------------------------------------------------------------- parsing
@pytest.fixture
async def services(db: Database) -> Services:
    return Services(db, await Resolver.load(db, seed_clock))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("petition show ofsted", Invocation.of("petition show", petition="ofsted")),
        ("/petition show 652057", Invocation.of("petition show", petition="652057")),
        (
            "petition search verified id state=open",
            Invocation.of("petition search", query="verified id", state="open"),
        ),
        (
            "petition top 652057 by countries",
            Invocation.of("petition top", petition="652057", by="countries", count=None),
        ),
        (
            "petition top pause ofsted count 10",
            Invocation.of("petition top", petition="pause ofsted", by="constituencies", count=10),
        ),
        (
            "petition compare ofsted send training",
            Invocation.of("petition compare", first="ofsted", second="send training"),
        ),
        (
            "petition compare make | 652057",
            Invocation.of("petition compare", first="make", second="652057"),
        ),
        (
            "constituency show woking ofsted",
            Invocation.of("constituency show", name="woking", petition="ofsted"),
        ),
        (
            "constituency show brighton pavilion",
            Invocation.of("constituency show", name="brighton pavilion", petition=None),
        ),
        (
            "constituency show sutton coldfield 652057",
            Invocation.of("constituency show", name="sutton coldfield", petition="652057"),
        ),
        (
            "mp show andrew mitchell",
            Invocation.of("mp show", name="andrew mitchell", petition=None),
        ),
        (
            "mp show Mr Jonathan Lord MP verified id",
            Invocation.of("mp show", name="Mr Jonathan Lord MP", petition="verified id"),
        ),
        ("leaderboard closed", Invocation.of("leaderboard", state="closed")),
        ("help petition top", Invocation.of("help", command="petition top")),
        ("about", Invocation.of("about")),
    ],
)
async def test_parse(services: Services, line: str, expected: Invocation) -> None:
    assert await parse(line, services) == expected


async def test_parse_rejects_incomplete_lines(services: Services) -> None:
    with pytest.raises(UserFacingError, match=r"Usage: petition show <petition>"):
        await parse("petition show", services)
    with pytest.raises(UserFacingError, match="Usage: leaderboard"):
        await parse("leaderboard soon", services)


def test_plain_drops_renderer_markdown_only() -> None:
    assert plain("**1** \\*\\*kept\\*\\* [Title](https://x.example/1) — *Dept* `code`") == (
        "1 \\*\\*kept\\*\\* Title <https://x.example/1> — Dept code"
    )


async def test_chart_and_rate_commands(settings: Settings) -> None:
    output = await run(settings, "petition chart ofsted map rate", "petition top 652057 by rate 3")
    chart = answer_to(output, "petition chart ofsted map rate")
    assert "(image written to " in chart and ".png)" in chart
    written = Path(chart.split("(image written to ", 1)[1].split(")", 1)[0])
    assert written.is_file() and written.stat().st_size > 10_000  # noqa: ASYNC240
    table = answer_to(output, "petition top 652057 by rate 3")
    assert "1 Sutton Coldfield — 4.07 per 1,000 electors" in table


async def test_parse_chart_keywords(services: Services) -> None:
    assert await parse("petition chart verified id history", services) == Invocation.of(
        "petition chart",
        petition="verified id",
        kind="history",
        metric="count",
        by="constituencies",
    )
    assert await parse("petition chart 652057 top countries", services) == Invocation.of(
        "petition chart", petition="652057", kind="top", metric="count", by="countries"
    )


async def test_moderator_and_owner_commands_run_offline(settings: Settings, tmp_path: Path) -> None:
    """Digest and admin commands: the local user is the owner; the local channel prints."""
    upload = tmp_path / "upload.md"
    upload.write_text(SEEDS.joinpath(sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text())
    output = await run(
        settings,
        "digest post-now",
        "digest setup here 09:00 Europe/London weekly weekday=fri quiet=yes",
        "digest show",
        "digest post-now",
        "digest pause",
        "admin stats",
        f"admin ingest {upload}",
        "admin remove 652057",
        "confirm",
        "petition show 652057",
        "admin sync",
        "digest setup here 9am Europe/London",
        "digest setup",
    )
    assert answer_to(output, "digest post-now").startswith("No digest is set up in this server")
    setup = answer_to(output, "digest setup here 09:00 Europe/London weekly weekday=fri quiet=yes")
    assert setup.startswith("Digest set up: Weekly on Friday at 09:00 (Europe/London) in #console.")
    assert "<t:" not in setup and "<#" not in setup  # Discord markup made readable
    assert "[Channel]\n#console" in answer_to(output, "digest show")
    posted = output.split("petitionbot> digest post-now\n")[2]
    assert posted.startswith("[posted in #console]\nPetition digest · nothing new")
    assert "Nothing new since the last digest: posted a short note in #console." in posted
    assert answer_to(output, "digest pause").startswith("Digest paused.")
    assert "[Petitions]\n3" in answer_to(output, "admin stats")
    assert "1 file: 1 unchanged" in answer_to(output, f"admin ingest {upload}")
    prompt = answer_to(output, "admin remove 652057")
    assert prompt.startswith("Remove petition 652057")
    assert prompt.endswith("Buttons: Confirm · Cancel (type one)")
    assert answer_to(output, "confirm") == "Petition 652057 removed."
    assert "No petition" in answer_to(output, "petition show 652057")
    assert answer_to(output, "admin sync") == "`admin sync` only works in Discord."
    assert "not a time" in answer_to(output, "digest setup here 9am Europe/London")
    assert answer_to(output, "digest setup").startswith(
        "Usage: digest setup <channel> <time> <timezone>"
    )


async def test_free_text_keeps_the_table_and_the_petition(services: Services) -> None:
    """Issue 15: "rate" is the table, not title words; a petition typo is not dropped."""
    assert await parse("petition top ofsted rate", services) == Invocation.of(
        "petition top", petition="ofsted", by="rate", count=None
    )
    assert await parse("petition top verified id countries", services) == Invocation.of(
        "petition top", petition="verified id", by="countries", count=None
    )
    assert await parse("mp show andrew mitchell zzzqqq", services) == Invocation.of(
        "mp show", name="andrew mitchell", petition="zzzqqq"
    )
    assert await parse("mp show andrew mitchell ofsted", services) == Invocation.of(
        "mp show", name="andrew mitchell", petition="ofsted"
    )


async def test_a_role_is_not_an_mp_name(services: Services) -> None:
    with pytest.raises(UserFacingError, match="No MP matches 'Mr Speaker'"):
        await services.mp_show("Mr Speaker")


SHOW = "show petition see #652057 and petition.parliament.uk/petitions/575833"


async def test_home_seat_postcodes_and_show_petition(settings: Settings) -> None:
    async with serve_postcodes() as service:
        local = settings.model_copy(update={"postcodes_api_base": service.url})
        output = await run(
            local,
            "constituency show",
            f"me seat set {CHANGEOVER}",
            "me seat show",
            "petition show 652057",
            "constituency show",
            f"constituency show {CURRENT} ofsted",
            "constituency show gu21 6x",
            SHOW,
            "me forget",
            "petition show 652057",
        )
    assert "/me seat set" in answer_to(output, "constituency show").split("\n\n")[0]
    saved = answer_to(output, f"me seat set {CHANGEOVER}")
    assert saved.startswith("Your seat: Woking")
    assert f"Found from {CHANGEOVER} via postcodes.io" in saved
    assert "Your seat, Woking: 81 signed (=281st of 650)" in output
    assert "'gu21 6x' is not a UK postcode" in answer_to(output, "constituency show gu21 6x")
    assert "[Signatures]\n81" in answer_to(output, f"constituency show {CURRENT} ofsted")
    chooser = answer_to(
        output, "show petition see #652057 and petition.parliament.uk/petitions/575833"
    )
    assert chooser.startswith("2 petitions in that message")
    assert "your home seat is deleted" in answer_to(output, "me forget")
    assert service.asked == ["GU216XX", "GU224AA"]


async def test_parse_personal_lines(services: Services) -> None:
    assert await parse("me seat set SW1A 1AA", services) == Invocation.of(
        "me seat set", seat="SW1A 1AA"
    )
    assert await parse("me seat show", services) == Invocation.of("me seat show")
    assert await parse("constituency show", services) == Invocation.of(
        "constituency show", name=None, petition=None
    )
    assert await parse("constituency show sw1a 1aa | ofsted", services) == Invocation.of(
        "constituency show", name="sw1a 1aa", petition="ofsted"
    )
    assert await parse("show petition #652057", services) == Invocation.of(
        "Show petition", text="#652057"
    )


async def test_console_follows_and_prints_alerts_when_an_ingest_happens(
    settings: Settings, tmp_path: Path
) -> None:
    """Follows are DM-style for the console user; an ingest in the console prints alerts."""
    from core.ingest.writer import render_document
    from tests.support import seed_petition, variant

    ofsted = seed_petition(next(SEEDS.glob("000_*.txt")))
    newer = tmp_path / "newer.md"
    newer.write_text(render_document(variant(ofsted, hours=24, extra=60_000)), encoding="utf-8")
    output = await run(
        settings,
        "follow petition ofsted milestones 250000",
        "follow keyword ofsted",
        "follow list",
        f"admin ingest {newer}",
        f"admin ingest {newer}",
        "unfollow 1",
        "follow nonsense",
    )
    started = answer_to(output, "follow petition ofsted milestones 250000")
    assert started.startswith("Following petition 652057 (Pause Ofsted inspections")
    assert "(+ 250,000) (id 1): alerts here, from now on." in started
    assert "48,783 signatures" in started
    listed = answer_to(output, "follow list")
    assert "1 · petition 652057" in listed and "2 · keyword “ofsted”" in listed
    alert = answer_to(output, f"admin ingest {newer}")
    assert "1 updated" in alert
    assert "🔔 Follow alert" in alert
    assert "crossed 100,000 signatures" in alert and "you follow this petition (follow 1)" in alert
    assert output.count("🔔") == 1  # the second ingest changes nothing: no alert again
    assert answer_to(output, "unfollow 1") == "Stopped follow 1; no more alerts from it."
    assert "Usage: follow petition|keyword|constituency|mp" in answer_to(output, "follow nonsense")
