"""Ingest rules on real documents and a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.ingest.loader import ingest_documents_sync, ingest_paths_sync
from core.ingest.types import Document, FileDocument, Outcome
from core.ingest.writer import render_document
from tests.db import seat_rows
from tests.support import dump_data, seed_petition, variant, write_petition


def rows(path: Path, sql: str, *args: object) -> list[tuple]:
    conn = seat_rows.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_first_ingest_adds_every_seed(db_path: Path, seed_paths: list[Path]) -> None:
    report = ingest_paths_sync(db_path, seed_paths)
    assert [r.outcome for r in report.results] == [Outcome.ADDED] * 3
    assert {r.petition_id for r in report.results} == {652057, 607849, 575833}
    assert rows(db_path, "SELECT count(*) FROM constituency_counts") == [(650 + 650 + 650 - 1,)]
    # seed 000 has 650 rows incl. Unknown (649 seats); 001 and 002 have 651 incl. Unknown.
    assert rows(db_path, "SELECT count(*) FROM constituency_counts WHERE petition_id = 652057") == [
        (649,)
    ]
    assert rows(
        db_path,
        "SELECT unknown_signatures, unknown_rank, uk_signatures FROM petitions WHERE id = 652057",
    ) == [(226, 4, 48626)]


def test_reingest_is_a_noop(db_path: Path, seed_paths: list[Path]) -> None:
    ingest_paths_sync(db_path, seed_paths)
    before = dump_data(db_path)
    report = ingest_paths_sync(db_path, seed_paths)
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED] * 3
    assert dump_data(db_path) == before


def _copies(seed_paths: list[Path], folder: Path) -> list[Path]:
    folder.mkdir()
    copies = [folder / p.name for p in seed_paths]
    for source, copy in zip(seed_paths, copies, strict=True):
        copy.write_bytes(source.read_bytes())
    return copies


def test_unchanged_file_is_not_even_read(
    db_path: Path, seed_paths: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size and modification time, content still current: no read, no parse."""
    copies = _copies(seed_paths, tmp_path / "docs")
    ingest_paths_sync(db_path, copies, parse_workers=0)
    reads: list[str] = []
    real_read = FileDocument.read
    monkeypatch.setattr(
        FileDocument, "read", lambda self: reads.append(self.name) or real_read(self)
    )
    report = ingest_paths_sync(db_path, copies, parse_workers=0)
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED] * 3
    assert reads == []
    # --reread reads them all (and still finds them unchanged, by hash)
    report = ingest_paths_sync(db_path, copies, parse_workers=0, reread=True)
    assert [r.outcome for r in report.results] == [Outcome.UNCHANGED] * 3
    assert sorted(reads) == sorted(str(p) for p in copies)


def test_changed_file_is_read_again(db_path: Path, seed_paths: list[Path], tmp_path: Path) -> None:
    copies = _copies(seed_paths, tmp_path / "docs")
    ingest_paths_sync(db_path, copies, parse_workers=0)
    newer = variant(seed_petition(seed_paths[0]), hours=2, extra=7)
    copies[0].write_text(render_document(newer), encoding="utf-8")
    report = ingest_paths_sync(db_path, copies, parse_workers=0)
    assert [r.outcome for r in report.results] == [
        Outcome.UPDATED,
        Outcome.UNCHANGED,
        Outcome.UNCHANGED,
    ]
    # the same bytes back under the old time: size/time match no longer matters,
    # the content is not current any more, so the file is read (and is older)
    copies[0].write_bytes(seed_paths[0].read_bytes())
    first = ingest_paths_sync(db_path, copies[:1], parse_workers=0)
    assert first.results[0].outcome is Outcome.OLDER


def test_vacant_seat_and_mp_entities(db_path: Path, seed_paths: list[Path]) -> None:
    ingest_paths_sync(db_path, seed_paths)
    vacant = rows(
        db_path,
        "SELECT cc.signatures, cc.mp_alias_id FROM constituency_counts cc"
        " JOIN constituencies c ON c.id = cc.constituency_id"
        " WHERE cc.petition_id = 652057 AND c.name = 'Wellingborough'",
    )
    assert vacant == [(86, None)]
    assert rows(db_path, "SELECT count(*) FROM mps WHERE name = 'None'") == [(0,)]
    lord = rows(
        db_path,
        "SELECT m.name FROM mp_aliases a JOIN mps m ON m.id = a.mp_id"
        " WHERE a.printed = 'Mr Jonathan Lord MP'",
    )
    assert lord == [("Jonathan Lord",)]
    # QC and KC forms of the same person are one MP.
    cox = rows(
        db_path,
        "SELECT DISTINCT m.name FROM mp_aliases a JOIN mps m ON m.id = a.mp_id"
        " WHERE a.printed LIKE '%Geoffrey Cox%'",
    )
    assert cox == [("Geoffrey Cox",)]


def test_newer_refresh_replaces_counts_and_appends_snapshot(
    db_path: Path, seed_paths: list[Path], tmp_path: Path
) -> None:
    ingest_paths_sync(db_path, seed_paths[:1])
    newer = variant(seed_petition(seed_paths[0]), hours=5, extra=100)
    report = ingest_paths_sync(db_path, [write_petition(tmp_path / "newer.md", newer)])
    assert report.results[0].outcome is Outcome.UPDATED
    assert rows(db_path, "SELECT total_signatures FROM petitions WHERE id = 652057") == [(48883,)]
    assert rows(
        db_path,
        "SELECT total_signatures FROM snapshots WHERE petition_id = 652057 ORDER BY refreshed_at",
    ) == [(48783,), (48883,)]
    assert rows(
        db_path,
        "SELECT max(signatures) FROM constituency_counts WHERE petition_id = 652057",
    ) == [(405,)]


def test_older_refresh_never_overwrites(
    db_path: Path, seed_paths: list[Path], tmp_path: Path
) -> None:
    seed = seed_petition(seed_paths[0])
    newer = write_petition(tmp_path / "newer.md", variant(seed, hours=5, extra=100))
    older = write_petition(tmp_path / "older.md", variant(seed, hours=-5, extra=-50))
    ingest_paths_sync(db_path, [newer])
    current = rows(db_path, "SELECT * FROM constituency_counts ORDER BY constituency_id")
    report = ingest_paths_sync(db_path, [older])
    assert report.results[0].outcome is Outcome.OLDER
    assert rows(db_path, "SELECT total_signatures FROM petitions") == [(48883,)]
    assert rows(db_path, "SELECT * FROM constituency_counts ORDER BY constituency_id") == current
    # The older count is still a true point in the petition's history.
    assert rows(db_path, "SELECT total_signatures FROM snapshots ORDER BY refreshed_at") == [
        (48733,),
        (48883,),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
        b"# Title only\n",
        "broken".encode("utf-16"),
    ],
)
def test_rejected_document_leaves_database_unchanged(
    loaded_db_path: Path, tmp_path: Path, content: bytes
) -> None:
    before = dump_data(loaded_db_path)
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    report = ingest_paths_sync(loaded_db_path, [bad])
    result = report.results[0]
    assert result.outcome is Outcome.REJECTED
    assert result.error and str(bad) in result.error
    assert dump_data(loaded_db_path) == before
    logged = rows(loaded_db_path, "SELECT result, error FROM ingest_log WHERE path = ?", str(bad))
    assert logged == [("rejected", result.error)]


def test_truncated_seed_is_rejected_with_file_and_line(
    loaded_db_path: Path, seed_paths: list[Path], tmp_path: Path
) -> None:
    text = seed_paths[0].read_text(encoding="utf-8")
    cut = text[: text.index("| 257 | Wellingborough") + 20]  # mid-row
    bad = tmp_path / "truncated.md"
    bad.write_text(cut, encoding="utf-8")
    before = dump_data(loaded_db_path)
    report = ingest_paths_sync(loaded_db_path, [bad])
    assert report.results[0].outcome is Outcome.REJECTED
    assert f"{bad}:368:" in (report.results[0].error or "")
    assert dump_data(loaded_db_path) == before


def test_failure_mid_transaction_rolls_back_everything(
    loaded_db_path: Path, seed_paths: list[Path], tmp_path: Path
) -> None:
    """A storage error after some rows were written leaves no trace of the document."""
    conn = sqlite3.connect(loaded_db_path)
    conn.execute(
        "CREATE TRIGGER fail_late BEFORE INSERT ON seat_tables"
        " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    conn.commit()
    conn.close()
    before = dump_data(loaded_db_path)
    newer = write_petition(
        tmp_path / "newer.md", variant(seed_petition(seed_paths[0]), hours=1, extra=7)
    )
    report = ingest_paths_sync(loaded_db_path, [newer])
    assert report.results[0].outcome is Outcome.REJECTED
    assert "disk on fire" in (report.results[0].error or "")
    assert dump_data(loaded_db_path) == before


def test_duplicate_ids_in_one_batch(seed_paths: list[Path], db_path: Path) -> None:
    seed = seed_petition(seed_paths[0])
    same_time = variant(seed, hours=0, extra=3)
    first = Document("a.md", seed_paths[0].read_bytes())
    clash = Document("b.md", render_document(same_time).encode())
    report = ingest_documents_sync(db_path, [first, clash])
    assert [r.outcome for r in report.results] == [Outcome.ADDED, Outcome.REJECTED]
    assert "conflicts with a.md" in (report.results[1].error or "")
    assert rows(db_path, "SELECT total_signatures FROM petitions") == [(48783,)]


def test_crlf_bom_copy_is_the_same_content_in_meaning(
    db_path: Path, seed_paths: list[Path], tmp_path: Path
) -> None:
    ingest_paths_sync(db_path, seed_paths[:1])
    before = dump_data(db_path, exclude=("ingest_log", "ingest_files", "petitions", "snapshots"))
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(b"\xef\xbb\xbf" + seed_paths[0].read_bytes().replace(b"\n", b"\r\n"))
    report = ingest_paths_sync(db_path, [crlf])
    # Different bytes, same refresh time and data: stored as a correction, counts identical.
    assert report.results[0].outcome is Outcome.UPDATED
    assert (
        dump_data(db_path, exclude=("ingest_log", "ingest_files", "petitions", "snapshots"))
        == before
    )


def test_directory_ingest_skips_hidden_and_reports_progress(
    db_path: Path, seed_paths: list[Path], tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    (folder / ".hidden").mkdir(parents=True)
    for path in seed_paths:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / ".hidden" / "x.md").write_text("junk")
    (folder / "notes.csv").write_text("not a petition")
    calls: list[tuple[int, int]] = []
    report = ingest_paths_sync(db_path, [folder], progress=lambda d, t, n: calls.append((d, t)))
    assert report.counts[Outcome.ADDED] == 3
    assert len(report.results) == 3
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert report.summary() == "3 files: 3 added"


def test_missing_file_is_rejected_not_raised(db_path: Path, tmp_path: Path) -> None:
    report = ingest_paths_sync(db_path, [tmp_path / "nope.md"])
    assert report.results[0].outcome is Outcome.REJECTED
    assert "cannot read" in (report.results[0].error or "")


def test_seat_mp_dates_span_every_refresh_in_any_order(
    db_path: Path, seed_paths: list[Path], tmp_path: Path
) -> None:
    """The same MP seen in a newer then an older document: first/last seen cover both."""
    seed = seed_petition(seed_paths[0])
    later = write_petition(tmp_path / "later.md", variant(seed, hours=24, extra=1))
    other = seed_petition(seed_paths[1])  # refreshed 2022: Andrew Mitchell held the seat too
    ingest_paths_sync(db_path, [later, seed_paths[1]])
    dates = rows(
        db_path,
        "SELECT sm.first_seen_at, sm.last_seen_at FROM seat_mps sm"
        " JOIN mps m ON m.id = sm.mp_id WHERE m.name = 'Andrew Mitchell'",
    )
    newest = seed.refreshed_at.replace(day=5).isoformat()
    assert dates == [(other.refreshed_at.isoformat(), newest)]


def test_refused_document_in_the_middle_of_a_group_is_undone_alone(
    seed_paths: list[Path], tmp_path: Path
) -> None:
    """A, B (refused by storage), C in one transaction group: A and C land exactly as if
    B had never been offered; B leaves nothing behind."""
    trigger = (
        "CREATE TRIGGER refuse_send BEFORE INSERT ON seat_tables"
        " WHEN NEW.petition_id = 607849 BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    with_b, without_b = tmp_path / "with.sqlite3", tmp_path / "without.sqlite3"
    for path in (with_b, without_b):
        conn = sqlite3.connect(path)
        conn.close()
        ingest_paths_sync(path, [])  # migrate
        conn = sqlite3.connect(path)
        conn.execute(trigger)
        conn.commit()
        conn.close()
    fixed = lambda: datetime(2030, 1, 1, tzinfo=UTC)  # noqa: E731 - same clock for both runs
    a, b, c = seed_paths[0], seed_paths[1], seed_paths[2]
    report = ingest_paths_sync(with_b, [a, b, c], clock=fixed)
    assert [r.outcome for r in report.results] == [
        Outcome.ADDED,
        Outcome.REJECTED,
        Outcome.ADDED,
    ]
    assert "refused" in (report.results[1].error or "")
    ingest_paths_sync(without_b, [a, c], clock=fixed)
    exclude = ("ingest_log", "sqlite_sequence")
    assert dump_data(with_b, exclude=exclude) == dump_data(without_b, exclude=exclude)
    assert rows(with_b, "SELECT count(*) FROM petitions WHERE id = 607849") == [(0,)]


def test_a_refused_document_does_not_hide_an_earlier_one_from_conflict_checks(
    seed_paths: list[Path], tmp_path: Path
) -> None:
    """A, then B of the same petition refused by storage, then C with A's refresh time
    but other content: C still conflicts with A, as it would without B."""
    seed = seed_petition(seed_paths[0])
    b = variant(seed, hours=1, extra=7)
    c = variant(seed, hours=0, extra=3)
    db = tmp_path / "db.sqlite3"
    ingest_paths_sync(db, [])  # migrate
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TRIGGER refuse_b BEFORE INSERT ON snapshots"
        f" WHEN NEW.total_signatures = {b.total_signatures}"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    conn.commit()
    conn.close()
    report = ingest_documents_sync(
        db,
        [
            Document("a.md", seed_paths[0].read_bytes()),
            Document("b.md", render_document(b).encode()),
            Document("c.md", render_document(c).encode()),
        ],
    )
    assert [r.outcome for r in report.results] == [
        Outcome.ADDED,
        Outcome.REJECTED,
        Outcome.REJECTED,
    ]
    assert "refused" in (report.results[1].error or "")
    assert "conflicts with a.md" in (report.results[2].error or "")


# ---------------------------------------------------------------- one document's failure is its own
def test_an_oversized_id_rejects_that_document_only(db_path: Path, seed_paths: list[Path]) -> None:
    """A 5,000-digit id once raised out of the parser and lost the rest of the batch."""
    text = seed_paths[0].read_text(encoding="utf-8")
    text = text.replace("petitions/652057", "petitions/" + "7" * 5000)
    items = [
        Document("a.md", seed_paths[1].read_bytes()),
        Document("huge.md", text.encode()),
        Document("b.md", seed_paths[2].read_bytes()),
    ]
    report = ingest_documents_sync(db_path, items, parse_workers=0)
    assert [r.outcome for r in report.results] == [Outcome.ADDED, Outcome.REJECTED, Outcome.ADDED]
    assert (report.results[1].error or "").startswith("huge.md:11: petition id 777777777777...")


def test_an_unexpected_reader_error_rejects_that_document_only(
    db_path: Path, seed_paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import core.ingest.loader as loader_module

    real = loader_module.parse_document

    def flaky(name: str, data: bytes):  # type: ignore[no-untyped-def]
        if name == "boom.md":
            raise MemoryError("reader bug")
        return real(name, data)

    monkeypatch.setattr(loader_module, "parse_document", flaky)
    items = [
        Document("a.md", seed_paths[0].read_bytes()),
        Document("boom.md", seed_paths[1].read_bytes()),
        Document("b.md", seed_paths[2].read_bytes()),
    ]
    report = ingest_documents_sync(db_path, items, parse_workers=0)
    assert [r.outcome for r in report.results] == [Outcome.ADDED, Outcome.REJECTED, Outcome.ADDED]
    assert report.results[1].error == "boom.md: could not be read (MemoryError: reader bug)"
    assert rows(db_path, "SELECT path, result FROM ingest_log WHERE result = 'rejected'") == [
        ("boom.md", "rejected")
    ]


def test_a_full_disk_still_returns_the_report(
    db_path: Path, seed_paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk filling up at a commit (SQLITE_FULL) ends the batch with a report, not a
    traceback: every document says whether it was stored, the log says so too, and the
    database holds whole documents only."""
    from db.store import PetitionStore

    ingest_paths_sync(db_path, seed_paths[:1])
    before = dump_data(db_path, exclude=("ingest_log",))
    real_commit = PetitionStore.commit
    failures = iter([True])

    def commit(self: PetitionStore) -> None:
        if next(failures, False):
            raise sqlite3.OperationalError("database or disk is full")
        real_commit(self)

    monkeypatch.setattr(PetitionStore, "commit", commit)
    newer = render_document(variant(seed_petition(seed_paths[0]), hours=1, extra=5)).encode()
    items = [
        Document("newer.md", newer),
        Document("b.md", seed_paths[1].read_bytes()),
        Document("c.md", seed_paths[2].read_bytes()),
    ]
    report = ingest_documents_sync(db_path, items, parse_workers=0)
    assert [r.outcome for r in report.results] == [Outcome.REJECTED] * 3
    assert all("disk is full" in (r.error or "") for r in report.results), report.results
    assert report.problem is not None and "disk is full" in report.problem
    assert dump_data(db_path, exclude=("ingest_log",)) == before
    assert rows(db_path, "SELECT path FROM ingest_log WHERE result = 'rejected'") == [
        ("newer.md",),
        ("b.md",),
        ("c.md",),
    ]
