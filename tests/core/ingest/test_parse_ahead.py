"""The parse helper process: same results as parsing inline, and it never outlives the loader."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import core.ingest.loader as loader_module
import core.ingest.parse_ahead as parse_ahead
from core.ingest.loader import ingest_documents_sync, read_and_parse
from core.ingest.models import ConstituencyCount, CountryCount
from core.ingest.parse_ahead import ParseAhead
from core.ingest.parser import ParseError, parse_bytes
from core.ingest.types import Document, FileDocument, Outcome
from core.ingest.writer import render_document
from tests.support import dump_data, seed_petition, variant

REPO = Path(__file__).resolve().parents[3]


def documents(seed_paths: list[Path]) -> list[Document]:
    """A realistic mixed batch: 30 petitions (some refreshed twice, one older copy),
    a truncated document, a duplicate, a binary file."""
    out: list[Document] = []
    for n in range(10):
        for path in seed_paths:
            petition = seed_petition(path)
            fresh = variant(petition, hours=n, extra=n)
            new_id = petition.id * 100 + n
            url = f"https://petition.parliament.uk/petitions/{new_id}"
            renumbered = dataclasses.replace(fresh, id=new_id, url=url)
            out.append(Document(f"{renumbered.id}.md", render_document(renumbered).encode()))
    first = seed_paths[0].read_bytes()
    newer = render_document(variant(seed_petition(seed_paths[0]), hours=5, extra=9)).encode()
    out += [
        Document("seed.md", first),
        Document("seed-newer.md", newer),
        Document("seed-again.md", first),  # older than the stored state by then
        Document("seed-newer-again.md", newer),  # unchanged by hash
        Document("truncated.md", first[: len(first) // 2]),
        Document("binary.md", b"# x\n\x00\x01"),
    ]
    return out


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Use the helper even for a test-sized batch, with several chunks in flight."""
    monkeypatch.setattr(parse_ahead, "MIN_DOCUMENTS", 1)
    monkeypatch.setattr(parse_ahead, "CHUNK", 3)
    monkeypatch.setattr(parse_ahead, "WINDOW", 2)
    yield


def test_rows_and_errors_pickle_as_themselves() -> None:
    """What the helper sends back arrives equal and of the same type."""
    seat = ConstituencyCount(3, "Sutton Coldfield", "Andrew Mitchell MP", 305, 0.42)
    country = CountryCount(1, "United Kingdom", 48_000, 98.4)
    error = ParseError("x.md", 12, "expected a table row")
    assert pickle.loads(pickle.dumps(seat)) == seat
    assert type(pickle.loads(pickle.dumps(seat))) is ConstituencyCount
    assert pickle.loads(pickle.dumps(country)) == country
    back = pickle.loads(pickle.dumps(error))
    assert (back.source, back.line, back.message, str(back)) == (
        "x.md",
        12,
        "expected a table row",
        "x.md:12: expected a table row",
    )


def test_helper_parses_exactly_like_inline(seed_paths: list[Path], small_chunks: None) -> None:
    batch = list(enumerate(documents(seed_paths)))
    with ParseAhead(batch, read_and_parse, workers=1) as ahead:
        got = []
        for key, _ in batch:
            # Wait out the start-up (take() does not wait until the helper has answered).
            deadline = time.monotonic() + 60
            result = ahead.take(key)
            while result is None and key == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
                result = ahead.take(key)
            got.append(result)
        assert ahead.running
    for (_, document), result in zip(batch, got, strict=True):
        assert result is not None
        digest, parsed = result
        assert digest == hashlib.sha256(document.data).hexdigest()
        try:
            expected: object = parse_bytes(document.data, document.name)
        except ParseError as exc:
            expected = str(exc)
        assert (str(parsed) if isinstance(parsed, ParseError) else parsed) == expected
    assert "truncated.md:" in str(got[-2][1]) and "binary.md:2:" in str(got[-1][1])


def test_skipped_keys_and_a_dead_helper_fall_back_to_none(
    seed_paths: list[Path], small_chunks: None
) -> None:
    batch = list(enumerate(documents(seed_paths)))[::2]  # keys 0, 2, 4, ...
    with ParseAhead(batch, read_and_parse, workers=1) as ahead:
        deadline = time.monotonic() + 60
        while ahead.take(0) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ahead.take(1) is None  # never scheduled
        assert ahead.take(10) is not None  # keys 2..8 skipped: their results are dropped
        ahead._helpers[0].process.kill()
        ahead._helpers[0].process.join()
        results = [ahead.take(key) for key, _ in batch if key > 30]
        assert results[-1] is None  # the helper died: the loader parses itself
        assert not ahead.running


def test_ingest_with_the_helper_equals_ingest_without(
    seed_paths: list[Path], tmp_path: Path, small_chunks: None
) -> None:
    batch = documents(seed_paths)
    results = {}
    for workers in (0, 1):
        path = tmp_path / f"w{workers}.sqlite3"
        # Some content already stored, so the batch mixes scheduled and unchanged documents.
        ingest_documents_sync(path, batch[::7], clock=ticking(2030), parse_workers=0)
        report = ingest_documents_sync(path, batch, clock=ticking(2031), parse_workers=workers)
        results[workers] = (
            [(r.name, r.outcome, r.error, r.warnings) for r in report.results],
            dump_data(path, exclude=("ingest_log",)),
        )
    assert results[0] == results[1]
    outcomes = [outcome for _, outcome, _, _ in results[1][0]]
    assert {Outcome.ADDED, Outcome.UNCHANGED, Outcome.OLDER, Outcome.REJECTED} <= set(outcomes)


def ticking(year: int) -> Callable[[], datetime]:
    """A clock a second further on at each call: two runs see the same times."""
    ticks = itertools.count()
    start = datetime(year, 1, 1, tzinfo=UTC)
    return lambda: start + timedelta(seconds=next(ticks))


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state  # exited; only waiting to be reaped


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to see the helper")
def test_helper_exits_when_the_loader_is_killed(seed_paths: list[Path]) -> None:
    """kill -9 of the bot mid-ingest must not leave a parse process behind."""
    script = f"""
import os, signal, time
from core.ingest.loader import Document, read_and_parse
from core.ingest.parse_ahead import ParseAhead
data = open({str(seed_paths[0])!r}, "rb").read()
batch = [(i, Document(f"{{i}}.md", data)) for i in range(40)]
ahead = ParseAhead(batch, read_and_parse, workers=1)
while ahead.take(0) is None:
    time.sleep(0.05)
print(ahead._helpers[0].process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    process = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    helper = int(process.stdout.strip())
    deadline = time.monotonic() + 30
    while not _gone(helper) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not _gone(helper):
        os.kill(helper, signal.SIGKILL)
        pytest.fail(f"parse helper {helper} outlived its killed loader")


def test_a_helper_parse_of_other_bytes_is_not_used(
    seed_paths: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file edited between the helper's read and the loader's: the loader's bytes win."""
    path = tmp_path / "ofsted.md"
    before = seed_paths[0].read_bytes()
    after = render_document(variant(seed_petition(seed_paths[0]), hours=2, extra=11)).encode()
    path.write_bytes(after)

    class Stale:
        """Stands in for a helper that read the file before it was edited."""

        def take(self, key: int) -> object:
            return read_and_parse(Document(str(path), before))

        def close(self) -> None:
            pass

    monkeypatch.setattr(
        loader_module.ParseAhead, "maybe", classmethod(lambda cls, *args, **kwargs: Stale())
    )
    db = tmp_path / "db.sqlite3"
    report = ingest_documents_sync(db, [FileDocument(path)])
    assert report.counts[Outcome.ADDED] == 1
    conn = sqlite3.connect(db)
    total, content_hash = conn.execute(
        "SELECT total_signatures, content_hash FROM petitions"
    ).fetchone()
    conn.close()
    assert total == seed_petition(seed_paths[0]).total_signatures + 11
    assert content_hash == hashlib.sha256(after).hexdigest()


def test_a_file_that_vanishes_before_the_loader_reaches_it_is_rejected(
    seed_paths: list[Path], tmp_path: Path
) -> None:
    there, gone = tmp_path / "there.md", tmp_path / "gone.md"
    there.write_bytes(seed_paths[0].read_bytes())
    report = ingest_documents_sync(
        tmp_path / "db.sqlite3", [FileDocument(there), FileDocument(gone)], parse_workers=0
    )
    assert [r.outcome for r in report.results] == [Outcome.ADDED, Outcome.REJECTED]
    assert f"{gone}: cannot read:" in (report.results[1].error or "")
