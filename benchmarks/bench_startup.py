"""Start-up benchmark: cold start to ready, and peak memory with the archive loaded.

``python -m benchmarks.bench_startup [--count 10000] [--runs 5]``

Both run in fresh Python processes (``--child``), so imports, the database
open and the index build are all paid as at a real start:

* **cold start** (target ≤ 1.5 s at 100,000 petitions, issue 22): from spawning the
  interpreter to the bot being ready to serve, without a network. The child imports the bot,
  creates a :class:`bot.client.PetitionBot` and runs its real ``setup_hook``
  (open + migrate the database, seat reference, first-run check, resolver,
  every cog in ``cogs/``, the command-tree hash check) with only
  ``tree.sync`` replaced by a no-op, because syncing is a call to Discord.
  Logging in and the gateway handshake are network time and not counted.
  The first open of a freshly ingested database also loads the seat
  reference (once per database); that run is reported apart as ``first``.
* **peak RSS** (target ≤ 300 MB): the peak resident set (``VmHWM``, see
  :func:`_peak_mb`) of (a) a process that opens the database as the bot does
  (``bot.startup.open_database``), loads the resolver and the services, then
  answers every command 20 times; and (b) the cold-start bot process itself,
  after ready and after the same calls. The larger is held against the target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TARGET_COLD_S = 1.5
TARGET_RSS_MB = 300.0
COMMAND_ROUNDS = 20


def _peak_mb() -> float:
    """This process's peak resident set size, in MB.

    Linux's ``VmHWM`` is the high-water mark of this program image. ``ru_maxrss``
    would be wrong here: the kernel carries it across fork and exec, so a child
    spawned by a parent that holds an ingested archive in memory would report
    the parent's size. Elsewhere ``ru_maxrss`` is the best there is.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _emit(tag: str, payload: dict[str, Any]) -> None:
    print(f"{tag} {json.dumps(payload)}", flush=True)


# --------------------------------------------------------------------------- children
async def _exercise(services: Any, queries: Path) -> int:
    """Answer every command ``COMMAND_ROUNDS`` times (errors are answers too)."""
    from benchmarks import bench_commands

    inputs = bench_commands.read_inputs(
        queries, await bench_commands.answered_ids(services.db, 100), 1
    )
    calls = 0
    for make in bench_commands.plan(services, inputs).values():
        for i in range(COMMAND_ROUNDS):
            await bench_commands._sample(make(i))
            calls += 1
    return calls


async def _child_services(db_path: Path, queries: Path | None) -> None:
    """Open the database the bot's way, load the resolver and services, report memory."""
    from bot.settings import Settings
    from bot.startup import open_database
    from core.search.resolver import Resolver
    from core.services import Services

    with tempfile.TemporaryDirectory() as empty:
        settings = Settings(_env_file=None, database_path=db_path, data_dir=Path(empty))  # type: ignore[call-arg]
        db, _ = await open_database(settings)
    try:
        services = Services(db, await Resolver.load(db))
        payload: dict[str, Any] = {"loaded_mb": _peak_mb()}
        if queries is not None:
            payload["calls"] = await _exercise(services, queries)
            payload["after_commands_mb"] = _peak_mb()
        _emit("DONE", payload)
    finally:
        await db.close()


async def _child_cold(db_path: Path, queries: Path | None, started: float) -> None:
    """The bot's setup_hook without the network; prints READY as soon as it is done."""
    from bot.client import PetitionBot
    from bot.settings import Settings

    imported = time.perf_counter()
    with tempfile.TemporaryDirectory() as empty:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_path=db_path, data_dir=Path(empty), discord_token=None
        )
        bot = PetitionBot(settings)
        async with bot:  # loop-bound state only; no login, no gateway

            async def no_sync(*, guild: object = None) -> list[object]:
                return []

            bot.tree.sync = no_sync  # type: ignore[method-assign, assignment]
            await bot.setup_hook()
            ready = time.perf_counter()
            _emit(
                "READY",
                {
                    "import_s": round(imported - started, 3),
                    "setup_hook_s": round(ready - imported, 3),
                    "ready_in_process_s": round(ready - started, 3),
                    "cogs": sorted(bot.cogs),
                    "ready_mb": _peak_mb(),
                },
            )
            payload: dict[str, Any] = {}
            if queries is not None:
                payload["calls"] = await _exercise(bot.services, queries)
                payload["after_commands_mb"] = _peak_mb()
            _emit("DONE", payload)


def child(argv: Sequence[str]) -> int:
    started = time.perf_counter()
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=("cold", "services"), required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--queries", type=Path)
    args = parser.parse_args(argv)
    if args.child == "cold":
        asyncio.run(_child_cold(args.db, args.queries, started))
    else:
        asyncio.run(_child_services(args.db, args.queries))
    return 0


# --------------------------------------------------------------------------- parent
def _spawn(kind: str, db_path: Path, queries: Path | None) -> dict[str, Any]:
    """Run a child; returns its reports plus the wall time to READY seen from here."""
    command = [sys.executable, "-m", "benchmarks.bench_startup", "--child", kind]
    command += ["--db", str(db_path)]
    if queries is not None:
        command += ["--queries", str(queries)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    out: dict[str, Any] = {}
    done = False
    for line in process.stdout:
        tag, _, payload = line.partition(" ")
        if tag == "READY":
            out["ready_s"] = round(time.perf_counter() - started, 3)
            out.update(json.loads(payload))
        elif tag == "DONE":
            out.update(json.loads(payload))
            done = True
    stderr = process.stderr.read() if process.stderr else ""
    if process.wait() != 0 or not done:
        raise RuntimeError(f"start-up child {kind} failed:\n{stderr}")
    return out


def measure(
    count: int,
    seed: int | None = None,
    *,
    runs: int = 5,
    cache: Path | None = None,
    queries_per_kind: int | None = None,
) -> dict[str, Any]:
    """Cold starts and peak RSS at ``count`` petitions (cached database)."""
    from benchmarks import common

    seed = common.DEFAULT_SEED if seed is None else seed
    cache = cache or common.CACHE_DIR
    per_kind = common.QUERIES_PER_KIND if queries_per_kind is None else queries_per_kind
    db_path = common.loaded_db(count, seed, queries_per_kind=per_kind, cache=cache)
    archive = common.archive(count, seed, queries_per_kind=per_kind, cache=cache)
    queries = archive / "queries.jsonl"
    common.log(f"start-up {count:,}: first open, then {runs} cold starts")
    first = _spawn("cold", db_path, None)
    colds = [_spawn("cold", db_path, None) for _ in range(runs)]
    common.log(f"start-up {count:,}: peak RSS (services, then the whole bot)")
    services = _spawn("services", db_path, queries)
    bot = _spawn("cold", db_path, queries)
    ready = [c["ready_s"] for c in colds]
    last = colds[-1]
    peak = max(services["after_commands_mb"], bot["after_commands_mb"])
    return {
        "count": count,
        "db_mb": round(db_path.stat().st_size / 1e6, 1),
        "cold_start": {
            "runs": runs,
            "p50_s": round(statistics.median(ready), 3),
            "max_s": round(max(ready), 3),
            "first_open_s": first["ready_s"],
            "import_s": last["import_s"],
            "setup_hook_s": last["setup_hook_s"],
            "cogs": last["cogs"],
        },
        "rss": {
            "services_loaded_mb": services["loaded_mb"],
            "services_after_commands_mb": services["after_commands_mb"],
            "bot_ready_mb": bot["ready_mb"],
            "bot_after_commands_mb": bot["after_commands_mb"],
            "calls": bot["calls"],
            "peak_mb": peak,
        },
        "targets": {
            "cold_start<=1.5s": max(ready) <= TARGET_COLD_S,
            "peak_rss<=300MB": peak <= TARGET_RSS_MB,
        },
    }


def to_markdown(result: dict[str, Any]) -> str:
    cold, rss = result["cold_start"], result["rss"]
    return "\n".join(
        [
            f"## Start-up and memory ({result['count']:,} petitions, database "
            f"{result['db_mb']:,} MB)",
            "",
            f"Cold start to ready (no network), {cold['runs']} runs: p50 {cold['p50_s']} s, "
            f"max {cold['max_s']} s (imports {cold['import_s']} s + setup_hook "
            f"{cold['setup_hook_s']} s in the last run; the first open of the freshly "
            f"ingested database, which also loads the seat reference, took "
            f"{cold['first_open_s']} s). Target ≤ {TARGET_COLD_S:g} s.",
            "",
            f"Peak RSS: services loaded {rss['services_loaded_mb']} MB, after "
            f"{COMMAND_ROUNDS} calls of every command {rss['services_after_commands_mb']} MB; "
            f"whole bot ready {rss['bot_ready_mb']} MB, after the same calls "
            f"{rss['bot_after_commands_mb']} MB. Target ≤ {TARGET_RSS_MB:.0f} MB.",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--child" in argv:
        return child(argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_startup")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    result = measure(args.count, args.seed, runs=args.runs)
    print(to_markdown(result))
    print(json.dumps(result, indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
