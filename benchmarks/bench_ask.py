"""/ask benchmark: questions in plain English, timed beside the commands they route to.

``python -m benchmarks.bench_ask [--count 10000] [--samples 200]``

The database is opened as the bot opens it and the questions are made from the
synthetic archive's ground-truth queries (typo'd titles, seat spellings, MPs
with honorifics) set in the question forms people use ("how many people in
{seat} signed {petition}?"). Each form is timed through
:meth:`core.services.Services.ask` (the service layer: reading, resolving every
span, running the routed command) and, in the same round, the direct command
it routes to with the same names, so the table shows what reading a question
costs over typing the command. Rounds go form by form, round-robin, as in
:mod:`benchmarks.bench_commands`. Target: /ask p99 ≤ 30 ms at 10,000 petitions.

``answered`` counts the questions /ask answered (the rest it declined with the
closest command: the synthetic typos can leave a span too far from any title
for /ask's stricter matching, which is timed all the same).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import common
from benchmarks.bench_commands import Inputs, answered_ids, open_bench_database, read_inputs
from core.ask.results import AskAnswer
from core.common.errors import UserFacingError
from core.common.results import Result
from core.search.resolver import Resolver
from core.services import Services

TARGET_P99_MS = 30.0
DEFAULT_SAMPLES = 200

Call = Callable[[], Awaitable[Result]]
Form = tuple[Callable[[int], str], Callable[[int], Call] | None, str]


def _pick(values: Sequence[str], i: int) -> str:
    return values[i % len(values)]


def forms(services: Services, inputs: Inputs) -> dict[str, Form]:
    """Each question form: (i → question, i → direct call or None, the direct command)."""
    s = services
    p, seats, mps = inputs.petitions, inputs.seats, inputs.mps

    def pet(i: int) -> str:
        return _pick(p, i)

    def second(i: int) -> str:
        return _pick(p, i + len(p) // 2)

    return {
        "seat × petition": (
            lambda i: f"How many people in {_pick(seats, i)} signed {pet(i)}?",
            lambda i: lambda: s.constituency_show(_pick(seats, i), pet(i)),
            "constituency show + petition",
        ),
        "MP × petition": (
            lambda i: f"how many of {_pick(mps, i)}'s constituents signed {pet(i)}",
            lambda i: lambda: s.mp_show(_pick(mps, i), pet(i)),
            "mp show + petition",
        ),
        "what a seat signed most": (
            lambda i: f"what did {_pick(seats, i)} sign most?",
            lambda i: lambda: s.constituency_show(_pick(seats, i)),
            "constituency show",
        ),
        "a petition's total": (
            lambda i: f"how many people signed {pet(i)}?",
            lambda i: lambda: s.petition_show(pet(i)),
            "petition show",
        ),
        "where strongest": (
            lambda i: f"where is {pet(i)} strongest?",
            lambda i: lambda: s.petition_top(pet(i)),
            "petition top",
        ),
        "compare": (
            lambda i: f"compare {pet(i)} vs {second(i)}",
            lambda i: lambda: s.petition_compare(pet(i), second(i)),
            "petition compare",
        ),
        "leaderboard": (
            lambda i: "what are the biggest open petitions?",
            lambda i: lambda: s.leaderboard("open"),
            "leaderboard",
        ),
        "unanswerable": (
            lambda i: f"how many people in {_pick(seats, i)} signed the petition about quokkas?",
            None,
            "—",
        ),
    }


def _overhead(samples: list[float]) -> dict[str, float] | None:
    """p50 / p99 of /ask minus its direct command, paired sample by sample."""
    if not samples:
        return None
    ordered = sorted(samples)
    return {
        "p50_ms": round(common.percentile(ordered, 0.50), 3),
        "p99_ms": round(common.percentile(ordered, 0.99), 3),
    }


async def _time(call: Call) -> tuple[float, Result | None]:
    started = time.perf_counter()
    try:
        result = await call()
    except UserFacingError:
        result = None
    return (time.perf_counter() - started) * 1000, result


async def run_samples(services: Services, inputs: Inputs, samples: int) -> dict[str, Any]:
    table = forms(services, inputs)
    for question, _, _ in table.values():  # first use of each code path, untimed
        await services.ask(question(0))
    asked: dict[str, list[float]] = defaultdict(list)
    direct: dict[str, list[float]] = defaultdict(list)
    answered: dict[str, int] = defaultdict(int)
    overhead: dict[str, list[float]] = defaultdict(list)  # ask − direct, same round
    for i in range(1, samples + 1):
        for name, (question, call, _) in table.items():
            ms, result = await _time(partial(services.ask, question(i)))
            asked[name].append(ms)
            answered[name] += isinstance(result, AskAnswer)
            if call is not None:
                direct[name].append((await _time(call(i)))[0])
                overhead[name].append(ms - direct[name][-1])
    rows: dict[str, dict[str, Any]] = {
        name: {
            "ask": common.summary(asked[name]),
            "direct_command": table[name][2],
            "direct": common.summary(direct[name]) if direct[name] else None,
            "overhead": _overhead(overhead[name]),
            "answered": answered[name],
        }
        for name in table
    }
    worst = max(rows, key=lambda name: rows[name]["ask"]["p99_ms"])
    all_ms = [ms for values in asked.values() for ms in values]
    return {
        "samples_per_form": samples,
        "forms": rows,
        "ask_all": common.summary(all_ms),
        "worst_p99": {"form": worst, "p99_ms": rows[worst]["ask"]["p99_ms"]},
        "targets": {"ask_p99<=30ms": common.summary(all_ms)["p99_ms"] <= TARGET_P99_MS},
    }


async def measure_async(db_path: Path, queries: Path, samples: int, seed: int) -> dict[str, Any]:
    db = await open_bench_database(db_path)
    try:
        services = Services(db, await Resolver.load(db))
        inputs = read_inputs(queries, await answered_ids(db, 500), seed)
        return await run_samples(services, inputs, samples)
    finally:
        await db.close()


def measure(
    count: int,
    seed: int = common.DEFAULT_SEED,
    *,
    samples: int = DEFAULT_SAMPLES,
    cache: Path = common.CACHE_DIR,
    queries_per_kind: int = common.QUERIES_PER_KIND,
) -> dict[str, Any]:
    """Time every question form and its direct command at ``count`` petitions."""
    db_path = common.loaded_db(count, seed, queries_per_kind=queries_per_kind, cache=cache)
    archive = common.archive(count, seed, queries_per_kind=queries_per_kind, cache=cache)
    common.log(f"ask {count:,}: {samples} questions of each form")
    result = asyncio.run(measure_async(db_path, archive / "queries.jsonl", samples, seed))
    result["count"] = count
    return result


def to_markdown(result: dict[str, Any]) -> str:
    lines = [
        f"## /ask, service layer ({result['count']:,} petitions, {result['samples_per_form']}"
        f" questions of each form; target p99 ≤ {TARGET_P99_MS:.0f} ms)",
        "",
        "| question form | /ask p50 ms | /ask p99 ms | answered | direct command |"
        " direct p50 ms | direct p99 ms | /ask − direct p50 / p99 ms |",
        "| - | -: | -: | -: | - | -: | -: | -: |",
    ]
    for name, row in result["forms"].items():
        ask, direct = row["ask"], row["direct"]
        d50 = f"{direct['p50_ms']:.2f}" if direct else "—"
        d99 = f"{direct['p99_ms']:.2f}" if direct else "—"
        extra = row["overhead"]
        cost = f"{extra['p50_ms']:.2f} / {extra['p99_ms']:.2f}" if extra else "—"
        lines.append(
            f"| {name} | {ask['p50_ms']:.2f} | {ask['p99_ms']:.2f} | {row['answered']}/"
            f"{ask['n']} | {row['direct_command']} | {d50} | {d99} | {cost} |"
        )
    overall = result["ask_all"]
    lines += [
        "",
        f"All questions: p50 {overall['p50_ms']:.2f} ms, p99 **{overall['p99_ms']:.2f} ms**"
        f" (slowest form: {result['worst_p99']['form']}).",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    return common.cli_main(
        "python -m benchmarks.bench_ask", measure, to_markdown, argv, DEFAULT_SAMPLES
    )


if __name__ == "__main__":
    raise SystemExit(main())
