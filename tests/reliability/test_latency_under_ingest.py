"""100 interactions while a large ingest runs: every one answered within 3 s.

Two ways to load the bot:

* ``/admin ingest`` of a big zip by the owner: the ingest runs inside the bot
  process (a worker thread sharing the GIL with the event loop);
* a concurrent ``petitionbot ingest`` process writing to the same database file.

Meanwhile a mix of commands, autocompletes and page clicks is injected every
30 ms. The stand-in runs with Discord's 3 s acknowledgement deadline, so a late
answer is refused the way Discord refuses it; the test also checks each latency
itself and that the ingest was still running when the last interaction went in.
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.synth import write_archive
from tests.e2e.fake_discord import FakeDiscord, InteractionHandle
from tests.e2e.fake_discord.payloads import MESSAGE_FLAG_LOADING
from tests.e2e.harness import BotProcess
from tests.e2e.scenario_support import COMMANDS, assert_clean_output, assert_nothing_pings

from . import figures
from .support import cli_env

pytestmark = pytest.mark.e2e

INTERACTIONS = 100
SPACING = 0.03  # seconds between two injections (a 3 s window)
DEADLINE = 3.0  # Discord's acknowledgement deadline
ZIP_PETITIONS = 4_000  # ~4 s for 2,000 in the bot on CI: twice that keeps a margin
# The CLI ingest got fast (2,000 files in ~3 s on CI): 6,000 keeps it running past
# the 3 s injection window on a quick machine.
CLI_PETITIONS = 6_000
ARCHIVE_SEED = 11


@dataclass
class Stage:
    discord: FakeDiscord
    bot: BotProcess
    root: Path
    db: Path


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    with FakeDiscord(ack_deadline=DEADLINE) as discord:
        db = tmp_path / "bot.db"
        bot = BotProcess(
            discord,
            args=["run"],
            env={"DATABASE_PATH": str(db), "MAX_UPLOAD_BYTES": str(500 * 1024 * 1024)},
            log_path=tmp_path / "bot.log",
            cwd=tmp_path,
        )
        bot.start()
        try:
            bot.wait_ready(30, commands=COMMANDS)
            yield Stage(discord, bot, tmp_path, db)
        finally:
            bot.stop(timeout=20)
            print(bot.output()[-6000:])


def _archive(root: Path, count: int) -> Path:
    write_archive(root, count, ARCHIVE_SEED, queries=False)
    return root / "markdown"


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


Inject = Callable[[FakeDiscord], InteractionHandle]


def _workload(discord: FakeDiscord) -> Iterator[Inject]:
    """Commands, autocompletes and page clicks, round robin."""
    paged = discord.slash("petition top", {"petition": "575833"}, user="member")
    paged.reply()
    # The bot registers the pager's view only once its reply has been answered; a click
    # sooner (no person is that fast, a busy test machine makes it likely) finds no view
    # and is dropped. Start the measurement once a click is answered.
    deadline = time.monotonic() + 15
    while True:
        try:
            discord.click(paged, "reply:next").callback(timeout=1)
            break
        except TimeoutError:
            if time.monotonic() > deadline:
                raise
    kinds: list[Inject] = [
        lambda d: d.slash("petition show", {"petition": "652057"}, user="member"),
        lambda d: d.slash("petition search", {"query": "school inspections"}, user="member"),
        lambda d: d.autocomplete("petition show", {"petition": "socia"}, focused="petition"),
        lambda d: d.slash("constituency show", {"name": "Islington North"}, user="member"),
        lambda d: d.autocomplete("mp show", {"name": "eagle"}, focused="name"),
        lambda d: d.slash("leaderboard", {"state": "open"}, user="member"),
        lambda d: d.click(paged, "reply:next"),
        lambda d: d.slash("mp show", {"name": "Keir Starmer", "petition": "ofsted"}, user="member"),
        lambda d: d.slash("about", {}, user="member"),
        lambda d: d.slash("petition top", {"petition": "607849", "count": 5}, user="member"),
    ]
    return itertools.cycle(kinds)


def _inject_and_measure(discord: FakeDiscord, still_running: Callable[[], bool]) -> dict:
    handles: list[InteractionHandle] = []
    workload = _workload(discord)
    started = time.monotonic()
    running_at_end = True
    for index in range(INTERACTIONS):
        target = started + index * SPACING
        time.sleep(max(0.0, target - time.monotonic()))
        handles.append(next(workload)(discord))
    running_at_end = still_running()
    latencies = []
    for handle in handles:
        cb = handle.callback(timeout=15)
        assert cb.status < 400, f"{handle!r} answered late or wrongly: {cb.status} {cb.response}"
        latency = handle.ack_latency
        assert latency is not None
        latencies.append(latency)
    for handle in handles:  # deferred ones must also get their final answer
        if handle.acked_type == 5:
            handle.reply(timeout=20)
    latencies.sort()
    return {
        "interactions": len(handles),
        "answered": len(latencies),
        "worst_latency_s": round(latencies[-1], 3),
        "p50_latency_s": round(latencies[len(latencies) // 2], 3),
        "p95_latency_s": round(latencies[int(len(latencies) * 0.95) - 1], 3),
        "over_3s": sum(latency > DEADLINE for latency in latencies),
        "deferred": sum(h.acked_type == 5 for h in handles),
        "ingest_running_at_last_injection": running_at_end,
        "injection_window_s": round(time.monotonic() - started, 2),
    }


def test_answers_within_3s_during_admin_zip_ingest(stage: Stage) -> None:
    d = stage.discord
    data = _zip(_archive(stage.root / "archive", ZIP_PETITIONS))
    ingest = d.slash("admin ingest", {"file": ("archive.zip", data)}, user="owner")
    assert ingest.callback().callback_type == 5  # deferred: the report comes later
    ingest_started = time.monotonic()

    def thinking() -> bool:
        message = ingest.original()
        return message is not None and bool(int(message["flags"]) & MESSAGE_FLAG_LOADING)

    result = _inject_and_measure(d, thinking)
    report = ingest.reply(timeout=240)
    ingest_seconds = time.monotonic() - ingest_started
    assert f"{ZIP_PETITIONS:,} files: {ZIP_PETITIONS:,} added" in str(report["embeds"])
    result |= {"ingest_petitions": ZIP_PETITIONS, "ingest_seconds": round(ingest_seconds, 1)}
    figures.record("latency_during_admin_ingest", result)
    assert result["over_3s"] == 0
    assert result["ingest_running_at_last_injection"], "the ingest ended too early to matter"
    assert_clean_output(stage.bot)
    assert_nothing_pings(d)
    d.assert_no_unknown_routes()


def test_answers_within_3s_during_cli_ingest(stage: Stage) -> None:
    folder = _archive(stage.root / "archive", CLI_PETITIONS)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(folder)],
        cwd=stage.root,
        env=cli_env(stage.db),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(1.0)  # past the CLI's start-up: the writes have begun
        result = _inject_and_measure(stage.discord, lambda: proc.poll() is None)
        output, _ = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output[-3000:]
    assert f"{CLI_PETITIONS} files: {CLI_PETITIONS} added" in output.replace(",", "")
    result |= {
        "ingest_petitions": CLI_PETITIONS,
        "ingest_seconds": round(time.monotonic() - started, 1),
        "cpu_count": os.cpu_count(),
    }
    figures.record("latency_during_cli_ingest", result)
    assert result["over_3s"] == 0
    assert result["ingest_running_at_last_injection"], "the ingest ended too early to matter"
    assert_clean_output(stage.bot)
    assert_nothing_pings(stage.discord)
