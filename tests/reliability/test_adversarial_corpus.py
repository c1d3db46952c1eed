"""Adversarial documents through the loader and through ``petitionbot ingest``.

For every file of :mod:`tests.reliability.corpus`: no crash and no traceback; a
rejected file gets an error that starts with its name and points at the line (or
the JSON field), and the petition data is byte-for-byte what it was (dumps compared,
the ingest log excluded); an accepted file lands with exactly the expected outcome.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.ingest.loader import ingest_documents_sync, ingest_paths_sync
from core.ingest.types import Document, IngestReport
from tests.support import dump_data

from . import figures
from .corpus import Case, build_corpus
from .support import copy_db, integrity, run_cli

CORPUS = build_corpus()
CASES = {case.name: case for case in CORPUS.cases}
FIXED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)

# Bugs found by this suite, in files this suite does not own. Strict: once fixed, the
# test passes, xfail turns into a failure, and the entry must be removed.
LOADER_BUGS: dict[str, str] = {}
CLI_BUGS: dict[str, str] = {**LOADER_BUGS}

_tally: dict[str, dict[str, str]] = {"loader": {}, "cli": {}}


def _params(bugs: dict[str, str]) -> list[Any]:
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=bugs[name])] if name in bugs else [],
        )
        for name in CASES
    ]


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    CORPUS.write(folder)
    return folder


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    tried = sorted(set(_tally["loader"]) | set(_tally["cli"]))
    if not tried:
        return
    outcomes = [*_tally["loader"].values(), *_tally["cli"].values()]
    figures.record(
        "adversarial_corpus",
        {
            "files": len(tried),
            "ingests": len(outcomes),
            "rejected_files": sum(CASES[n].rejected for n in tried),
            "passed": outcomes.count("ok"),
            "known_bugs": sorted(
                f"{path}:{name}"
                for path, results in _tally.items()
                for name, result in results.items()
                if result == "known bug"
            ),
            "unexpected_failures": sorted(
                f"{path}:{name}"
                for path, results in _tally.items()
                for name, result in results.items()
                if result == "crash"
            ),
        },
    )


def _fixed_clock() -> datetime:
    return FIXED


def _prepared(case: Case, template: Path, tmp_path: Path) -> Path:
    """A copy of the seeded database with the case's earlier documents applied."""
    db = copy_db(template, tmp_path / "case.sqlite3")
    if case.before and not case.same_batch:
        ingest_documents_sync(db, [Document(n, d) for n, d in case.before], clock=_fixed_clock)
    return db


def _check_accepted(case: Case, db: Path, warnings: tuple[str, ...]) -> None:
    if case.warning is not None:
        assert any(re.search(case.warning, w) for w in warnings), warnings
    if case.check is not None:
        conn = sqlite3.connect(db)
        try:
            case.check(conn)
        finally:
            conn.close()
    assert integrity(db) == "ok"


def _error_pattern(case: Case, path: Path) -> str:
    return re.escape(str(path)) + case.locator


@pytest.mark.parametrize("name", _params(LOADER_BUGS))
def test_loader_handles(name: str, corpus_dir: Path, seeded_template: Path, tmp_path: Path) -> None:
    _tally["loader"][name] = "known bug" if name in LOADER_BUGS else "crash"
    case = CASES[name]
    path = corpus_dir / name
    db = _prepared(case, seeded_template, tmp_path)
    report: IngestReport
    if case.same_batch:
        (tmp_path / "baseline").mkdir()
        baseline = _prepared(case, seeded_template, tmp_path / "baseline")
        earlier = [Document(n, d) for n, d in case.before]
        ingest_documents_sync(baseline, earlier, clock=_fixed_clock)
        expected_dump = dump_data(baseline)
        items = [*earlier, Document(str(path), case.data)]
        report = ingest_documents_sync(db, items, clock=_fixed_clock)
    else:
        expected_dump = dump_data(db)
        report = ingest_paths_sync(db, [path], clock=_fixed_clock)

    result = report.results[-1]
    assert result.name == str(path)
    assert result.outcome.value == case.expect, result
    if case.rejected:
        assert result.error is not None
        assert re.match(_error_pattern(case, path), result.error), result.error
        assert dump_data(db) == expected_dump
        assert integrity(db) == "ok"
    else:
        assert result.error is None
        _check_accepted(case, db, result.warnings)
    _tally["loader"][name] = "ok"


@pytest.mark.parametrize("name", _params(CLI_BUGS))
def test_cli_handles(name: str, corpus_dir: Path, seeded_template: Path, tmp_path: Path) -> None:
    _tally["cli"][name] = "known bug" if name in CLI_BUGS else "crash"
    case = CASES[name]
    path = corpus_dir / name
    db = _prepared(case, seeded_template, tmp_path)
    paths = [path]
    if case.same_batch:
        folder = tmp_path / "batch"
        folder.mkdir()
        earlier = [folder / n for n, _ in case.before]
        for (_, data), target in zip(case.before, earlier, strict=True):
            target.write_bytes(data)
        paths = [*earlier, path]  # the CLI keeps the order of files given by name
    expected_dump = dump_data(db)

    proc = run_cli("ingest", *map(str, paths), db_path=db, cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output[-3000:]
    assert proc.returncode == (1 if case.rejected else 0), output[-3000:]
    if case.rejected:
        one_line = " ".join(output.split())  # the error itself is printed on one line
        error = re.compile(r"rejected " + _error_pattern(case, path))
        assert error.search(output) or error.search(one_line), output[-3000:]
        if case.same_batch:
            # the earlier file of the batch landed; the conflicting one changed nothing
            conn = sqlite3.connect(db)
            try:
                total = conn.execute(
                    "SELECT total_signatures FROM petitions WHERE id = 652057"
                ).fetchone()[0]
            finally:
                conn.close()
            assert total == 48_783 + 250
        else:
            assert dump_data(db) == expected_dump
        assert integrity(db) == "ok"
    else:
        summary = f"1 file: 1 {case.expect}"
        assert summary in output, output[-3000:]
        _check_accepted(case, db, tuple(re.findall(r"warning\S* (.*)", output)))
    _tally["cli"][name] = "ok"


def test_whole_corpus_in_one_cli_batch(corpus_dir: Path, seeded_template: Path, tmp_path: Path):
    """All files in one run: each rejection is listed, the rest still land."""
    db = copy_db(seeded_template, tmp_path / "batch.sqlite3")
    # the known-crashing files are left out so that the rest of the batch is tested
    folder = tmp_path / "corpus"
    folder.mkdir()
    # Variants of a stored petition with the same refresh time would conflict with each
    # other inside one batch (a rule of its own, tested above): only new ids here.
    batch = [
        case
        for case in CORPUS.cases
        if case.name not in CLI_BUGS and not case.before and case.expect in ("rejected", "added")
    ]
    for case in batch:
        (folder / case.name).write_bytes(case.data)
    rejected = sum(case.rejected for case in batch)
    added = len(batch) - rejected
    proc = run_cli("ingest", str(folder), db_path=db, cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output[-3000:]
    assert proc.returncode == 1
    assert f"{len(batch)} files: {added} added, {rejected} rejected" in output
    listed = re.findall(r"^rejected (\S+?):", proc.stdout, flags=re.M)
    assert len(listed) == min(rejected, 20)  # the CLI lists the first 20 rejections
    assert all(CASES[Path(name).name].rejected for name in listed)
    if rejected > 20:
        assert f"and {rejected - 20} more rejected files" in output
    assert integrity(db) == "ok"
