"""Ingest petition documents: files, directories or in-memory uploads.

Rules (the same for every caller: CLI, first run, admin upload, refresh):
- each document is all-or-nothing inside one transaction;
- the same content again is a no-op found by its hash, before any parsing;
- a newer refresh replaces the current counts and appends a snapshot;
- an older refresh never overwrites newer data (its snapshot is still kept as
  history, since it is a true count at that time);
- a rejected document leaves the petition data exactly as it was; only the
  ingest log records the rejection.

The work is blocking (parsing + the database) and is meant to run in a worker
thread: :func:`ingest_paths` / :func:`ingest_documents` wrap it with
``asyncio.to_thread`` for the bot. The target is a SQLite file or a
``postgresql://`` URL; the rules and the store are the same code for both
(PostgreSQL through :class:`db.pg_sync.PgSyncConnection`, which shapes asyncpg
like ``sqlite3``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import importlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.common.times import utc_text
from core.ingest.models import ParsedDocument, Petition
from core.ingest.parse_ahead import ParseAhead
from core.ingest.parser import ParseError, parse_bytes
from core.ingest.types import (
    Document,
    FileDocument,
    FileResult,
    IngestReport,
    Outcome,
    Progress,
    Source,
)
from core.petitions.lifecycle import boundary_set, deadline, infer_state
from db.connection import connect_sync, tune_for_bulk_writes
from db.migrate import migrate, migrate_postgres
from db.pg_sync import STORAGE_ERRORS, PgSyncConnection, SyncConnection
from db.postgres import is_postgres_url
from db.store import LogEntry, PetitionStore

logger = logging.getLogger(__name__)

DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".json"})

BATCH_DOCUMENTS = 256
"""Documents per write transaction (each still all-or-nothing: see ``Loader.run``)."""
BATCH_SECONDS = 1.0
"""Longest a write transaction stays open, so the bot's own writes wait little."""

_REFUSED: tuple[type[BaseException], ...] = (*STORAGE_ERRORS, OverflowError, ValueError)
"""What the database raises when it refuses one document (constraint, value out of range)."""


def parse_document(name: str, data: bytes) -> ParsedDocument:
    """Parse by format: ``.json`` is the petition site's API, anything else Markdown."""
    if name.lower().endswith(".json"):
        try:
            reader = importlib.import_module("core.ingest.json_reader")
        except ModuleNotFoundError:
            raise ParseError(name, None, "JSON petitions are not supported") from None
        parsed: ParsedDocument = reader.parse_json_bytes(data, name)
        return parsed
    return parse_bytes(data, name)


Parsed = tuple[str, ParsedDocument | ParseError]
"""What the parse helper sends back: the digest of the bytes it read, and their parse."""


def read_and_parse(source: Source) -> Parsed:
    """The parse helper's work for one document (see :mod:`core.ingest.parse_ahead`).

    The digest lets the loader check that the helper parsed the very bytes it
    read itself (a file can change on disk in between).
    """
    data = source.read()
    digest = hashlib.sha256(data).hexdigest()
    try:
        return digest, parse_document(source.name, data)
    except ParseError as exc:
        return digest, exc


def expand_paths(paths: Iterable[str | Path]) -> list[str]:
    """Files to ingest: files as given, directories searched recursively, in path order.

    Hidden files and folders (a leading dot) are skipped. The order is pathlib's
    (part by part: a folder's files and subfolders interleave by name), reached by
    sorting each folder's names as it is scanned. Paths stay strings: listing a
    100,000-file archive was most of a re-ingest when every name became a ``Path``
    and was sorted by split parts.
    """
    found: list[str] = []
    for raw in paths:
        path = str(Path(raw))  # normalised as before ("a//b", "./a"), so file keys match
        if os.path.isdir(path):
            _scan_folder(path, found)
        else:
            found.append(path)
    return found


def _scan_folder(folder: str, found: list[str]) -> None:
    with os.scandir(folder) as entries:
        listed = sorted((entry.name, entry.is_dir()) for entry in entries)
    for name, is_dir in listed:
        if name.startswith("."):
            continue
        full = os.path.join(folder, name)
        if is_dir:
            _scan_folder(full, found)
        elif os.path.splitext(name)[1].lower() in DOCUMENT_SUFFIXES:
            found.append(full)


def file_key(path: str | os.PathLike[str]) -> str:
    """How ``ingest_files`` names a file: its absolute path, whatever the working dir
    (``Path.absolute`` without making a ``Path``: the cwd joined, nothing resolved)."""
    text = os.fspath(path)
    return text if os.path.isabs(text) else os.path.join(os.getcwd(), text)


def file_documents(paths: Iterable[str | Path]) -> list[FileDocument]:
    """Files to ingest, read only when the loader reaches each (a file that cannot be
    read then is rejected with the reason)."""
    return [FileDocument(path) for path in paths]


class Loader:
    """Applies the ingest rules to documents through one :class:`PetitionStore`."""

    def __init__(
        self,
        conn: SyncConnection,
        clock: Callable[[], datetime] | None = None,
        *,
        parse_workers: int | None = None,
        trust_file_times: bool = True,
    ):
        self.store = PetitionStore(conn)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.parse_workers = parse_workers  # None: core.ingest.parse_ahead.default_workers()
        self.trust_file_times = trust_file_times
        self._group: list[_Pending] = []  # written in the open transaction, for replay
        self._ahead: ParseAhead[Source, Parsed] | None = None

    def run(
        self,
        items: Sequence[Source | FileResult],
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest ``items`` in order.

        Documents are grouped into short transactions (at most ``BATCH_DOCUMENTS``
        documents or ``BATCH_SECONDS``). A document the database refuses is undone
        alone (the group is rolled back and the documents before it replayed), and
        a crash loses at most the uncommitted group, every petition in it staying
        fully at its old state. (Savepoints would do the same but cost a journal
        copy of ~700 pages per document.)
        Grouping matters because each document touches ~650 pages of the seat
        index; committing them together writes each page once, not once per
        document.

        In a large batch, a helper process parses the documents ahead of this
        loop (:mod:`core.ingest.parse_ahead`), so parsing overlaps the writes; every
        decision is still taken here, in input order, on the bytes read here.
        """
        report = IngestReport(batch_id=uuid.uuid4().hex)
        self.store.batch_id = report.batch_id
        log: list[LogEntry] = []
        batch: dict[int, tuple[str, str, str]] = {}  # id -> (name, refreshed, hash)
        group_started = 0.0
        group_size = 0
        group_first = 0  # index in report.results of the open group's first document
        skipped = self._unchanged_files(items)
        skipped_at = self.clock()  # one time for the whole stat pass: what it checked
        sources = [
            (i, item)
            for i, item in enumerate(items)
            if not isinstance(item, FileResult) and i not in skipped
        ]
        try:
            self._ahead = ParseAhead.maybe(sources, read_and_parse, self.parse_workers)
            for done, item in enumerate(items, start=1):
                if not self.store.conn.in_transaction:
                    self.store.begin()
                    group_started, group_size = time.monotonic(), 0
                    group_first = len(report.results)
                    self._group = []
                if isinstance(item, FileResult):
                    result, digest = item, None
                elif done - 1 in skipped:
                    result = FileResult(item.name, Outcome.UNCHANGED, skipped[done - 1])
                    digest = None
                else:
                    result, digest = self._one(done - 1, item, batch, report.batch_id)
                    group_size += 1
                report.results.append(result)
                if result.outcome not in (Outcome.ADDED, Outcome.UPDATED, Outcome.OLDER):
                    at = skipped_at if done - 1 in skipped else None
                    log.append(self._entry(report.batch_id, result, digest, at))
                if (
                    group_size >= BATCH_DOCUMENTS
                    or time.monotonic() - group_started >= BATCH_SECONDS
                ):
                    self.store.commit()
                if progress is not None:
                    progress(done, len(items), result.name)
            if log:
                if not self.store.conn.in_transaction:
                    self.store.begin()
                self.store.log(log)
            self.store.commit()
        except STORAGE_ERRORS as exc:
            # Storage itself failed (disk full, I/O error) where a single document's
            # undo could not help: the open group is lost, nothing after it is tried,
            # and the report says so document by document instead of vanishing.
            self.store.rollback()
            self._storage_failed(report, items, group_first, exc)
        except BaseException:
            self.store.rollback()
            raise
        finally:
            if self._ahead is not None:
                self._ahead.close()
                self._ahead = None
        return report

    def _unchanged_files(self, items: Sequence[Source | FileResult]) -> dict[int, int]:
        """Items that are files unchanged since an earlier ingest read them (same size
        and modification time, content still current): index -> petition id.

        They are not read, hashed or parsed, which is what makes re-ingesting an
        unchanged 100,000-file archive a stat per file. A file edited without its
        size or time changing (within the file system's time resolution) is the
        case this cannot see; ``petitionbot ingest --reread`` reads everything.
        """
        if not self.trust_file_times:
            return {}
        stats: dict[str, tuple[int, int]] = {}
        index: dict[str, int] = {}
        for i, item in enumerate(items):
            if isinstance(item, FileDocument):
                try:
                    st = os.stat(item.path)
                except OSError:
                    continue  # rejected with its reason when reached
                key = file_key(item.path)
                stats[key], index[key] = (st.st_size, st.st_mtime_ns), i
        known = self.store.unchanged_files(stats)
        return {index[path]: pid for path, pid in known.items()}

    def _storage_failed(
        self,
        report: IngestReport,
        items: Sequence[Source | FileResult],
        group_first: int,
        error: BaseException,
    ) -> None:
        """Rewrite the report after a storage failure, and log it if storage allows."""
        logger.error("Ingest stopped: storage failed: %s", error)
        reason = f"not stored: the database failed ({error})"
        stored = (Outcome.ADDED, Outcome.UPDATED, Outcome.OLDER)
        for index in range(group_first, len(report.results)):
            result = report.results[index]
            if result.outcome in stored:  # rolled back with the open group
                report.results[index] = FileResult(
                    result.name, Outcome.REJECTED, result.petition_id, f"{result.name}: {reason}"
                )
        for item in items[len(report.results) :]:
            name = item.name
            report.results.append(FileResult(name, Outcome.REJECTED, error=f"{name}: {reason}"))
        report.problem = f"the database failed ({error}); documents before the failure are kept"
        try:
            self.store.begin()
            self.store.log(  # rows not yet written: those of committed documents were
                self._entry(report.batch_id, r, None)
                for r in report.results
                if r.outcome not in stored
            )
            self.store.commit()
        except STORAGE_ERRORS as again:
            self.store.rollback()
            logger.error("Could not write the ingest log either: %s", again)

    def _parse(self, index: int, document: Document, digest: str) -> ParsedDocument:
        """The document's parse: the helper's when it parsed these very bytes, else here."""
        ready = self._ahead.take(index) if self._ahead is not None else None
        if ready is None or ready[0] != digest:
            return parse_document(document.name, document.data)
        if isinstance(ready[1], ParseError):
            raise ready[1]
        return ready[1]

    def _entry(
        self, batch_id: str, result: FileResult, digest: str | None, at: datetime | None = None
    ) -> LogEntry:
        return LogEntry(
            batch_id=batch_id,
            path=result.name,
            content_hash=digest,
            result=result.outcome.value,
            petition_id=result.petition_id,
            error=result.error,
            warnings=result.warnings,
            at=utc_text(at or self.clock()) or "",
        )

    def _one(
        self,
        index: int,
        source: Source,
        batch: dict[int, tuple[str, str, str]],
        batch_id: str,
    ) -> tuple[FileResult, str | None]:
        """One document's outcome, and the digest of the bytes it was decided on."""
        try:
            before = os.stat(source.path) if isinstance(source, FileDocument) else None
            document = Document(source.name, source.read())
            after = os.stat(source.path) if isinstance(source, FileDocument) else None
        except OSError as exc:
            reason = exc.strerror or str(exc)
            error = f"{source.name}: cannot read: {reason}"
            return FileResult(source.name, Outcome.REJECTED, error=error), None
        digest = hashlib.sha256(document.data).hexdigest()
        stamp = None
        if (
            isinstance(source, FileDocument)
            and before is not None
            and after is not None
            and (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        ):
            stamp = _FileStamp(file_key(source.path), after.st_size, after.st_mtime_ns)
        result = self._decide(index, document, digest, batch, batch_id, stamp)
        return result, digest

    def _decide(
        self,
        index: int,
        document: Document,
        digest: str,
        batch: dict[int, tuple[str, str, str]],
        batch_id: str,
        stamp: _FileStamp | None = None,
    ) -> FileResult:
        known = self.store.petition_with_hash(digest)
        if known is not None:
            if stamp is not None:
                self.store.remember_file(stamp.key, stamp.size, stamp.mtime_ns, digest)
            return FileResult(document.name, Outcome.UNCHANGED, known)
        try:
            parsed = self._parse(index, document, digest)
        except ParseError as exc:
            return FileResult(document.name, Outcome.REJECTED, error=str(exc))
        except Exception as exc:  # a reader bug must cost this document, not the batch
            logger.exception("Unexpected error reading %s", document.name)
            error = f"{document.name}: could not be read ({type(exc).__name__}: {exc})"
            return FileResult(document.name, Outcome.REJECTED, error=error)
        petition = parsed.petition
        warnings = tuple(str(w) for w in parsed.warnings)
        refreshed = utc_text(petition.refreshed_at) or ""
        previous = batch.get(petition.id)
        if (
            previous
            and previous[1] == refreshed
            and previous[2] != digest
            and not self._is_current(petition.id, previous[2])
        ):
            return FileResult(
                document.name,
                Outcome.REJECTED,
                petition.id,
                error=f"{document.name}: petition {petition.id} at {refreshed} conflicts with "
                f"{previous[0]} in the same batch (same refresh time, different content)",
            )
        batch[petition.id] = (document.name, refreshed, digest)
        pending = _Pending(document, digest, refreshed, warnings, self.clock(), stamp)
        try:
            result = self._write(pending, petition, batch_id)
            self.store.flush()  # the document's own writes fail here, not in the next one
        except _REFUSED as exc:
            # Storage refused the document (constraint, value out of range). Undo the
            # whole open group, then replay the documents before it: this one is
            # rejected alone and the database holds nothing of it.
            self.store.rollback()
            self.store.begin()
            for earlier in self._group:
                replayed = parse_document(earlier.name, earlier.document.data)
                self._write(earlier, replayed.petition, batch_id)
            self._restore(batch, petition.id, previous)
            return FileResult(
                document.name, Outcome.REJECTED, petition.id, error=f"{document.name}: {exc}"
            )
        if result.outcome is Outcome.REJECTED:  # conflicts with the stored version
            self._restore(batch, petition.id, previous)
            return result
        self._group.append(pending)
        return result

    @staticmethod
    def _restore(
        batch: dict[int, tuple[str, str, str]],
        petition_id: int,
        previous: tuple[str, str, str] | None,
    ) -> None:
        """Forget a refused document: the one before it still stands for conflict checks."""
        if previous is None:
            batch.pop(petition_id, None)
        else:
            batch[petition_id] = previous

    def _is_current(self, petition_id: int, digest: str) -> bool:
        """Whether the stored state of the petition came from the content ``digest``.

        Then a same-time document is checked against it by :meth:`_apply`, as in
        another batch; otherwise (the earlier one was older than what is stored)
        only the bytes can tell.
        """
        stored = self.store.stored_version(petition_id)
        return stored is not None and stored.content_hash == digest

    def _write(self, pending: _Pending, petition: Petition, batch_id: str) -> FileResult:
        """Apply one parsed document and its log row inside the open transaction."""
        outcome = self._apply(pending, petition)
        if not isinstance(outcome, Outcome):  # a conflict with the stored one: nothing written
            return FileResult(pending.name, Outcome.REJECTED, petition.id, error=outcome)
        result = FileResult(pending.name, outcome, petition.id, warnings=pending.warnings)
        stamp = pending.stamp
        if stamp is not None and outcome is not Outcome.OLDER:
            # In the document's transaction: a rolled-back group forgets its files too
            # (and a replay records them again).
            self.store.remember_file(stamp.key, stamp.size, stamp.mtime_ns, pending.digest)
        if outcome is not Outcome.UNCHANGED:
            # Logged in the same transaction as the data: both land or neither.
            self.store.log([self._entry(batch_id, result, pending.digest, pending.now)])
        return result

    def _apply(self, pending: _Pending, petition: Petition) -> Outcome | str:
        """The outcome of writing ``petition``, or why it conflicts with the stored one."""
        stored = self.store.stored_version(petition.id)
        if stored is not None and stored.refreshed_at > pending.refreshed:
            # A true count at that time: kept as history, never as the current state.
            self.store.add_snapshot(petition, pending.now)
            return Outcome.OLDER
        if stored is not None and stored.content_hash == pending.digest:
            return Outcome.UNCHANGED
        if (
            stored is not None
            and stored.refreshed_at == pending.refreshed
            and not self.store.same_counts(petition)
        ):
            # Two counts for one moment: which is true is unknowable, so the stored
            # one stays (whether it came in this batch or an earlier one).
            return (
                f"{pending.name}: petition {petition.id} at {pending.refreshed} conflicts with "
                f"{stored.source or 'the stored version'} (same refresh time, different "
                "content); the stored version is kept"
            )
        self.store.save(
            petition,
            content_hash=pending.digest,
            source=pending.name,
            state=infer_state(petition),
            boundary=boundary_set(petition),
            now=pending.now,
            deadline=deadline(petition),
        )
        return Outcome.ADDED if stored is None else Outcome.UPDATED


@dataclass(frozen=True, slots=True)
class _Pending:
    """A document written in the open group, kept so it can be replayed.

    It keeps the bytes, not the parse: a group holds up to 256 documents, and
    ~170k live row objects made every full garbage collection of a large ingest
    slow (10 s of a 10k ingest). A replay is rare and simply parses again.
    """

    document: Document
    digest: str
    refreshed: str
    warnings: tuple[str, ...]
    now: datetime
    stamp: _FileStamp | None = None

    @property
    def name(self) -> str:
        return self.document.name


@dataclass(frozen=True, slots=True)
class _FileStamp:
    """A file's size and modification time, unchanged while it was read."""

    key: str
    size: int
    mtime_ns: int


def ingest_documents_sync(
    db_path: str | Path,
    items: Sequence[Source | FileResult],
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
    *,
    parse_workers: int | None = None,
    reread: bool = False,
) -> IngestReport:
    """Blocking ingest with a connection of its own (safe in a worker thread).

    ``db_path``: a SQLite file or a ``postgresql://`` URL. ``parse_workers``: helper
    processes parsing ahead (None: one per spare core, see
    :mod:`core.ingest.parse_ahead`; 0: parse in this thread). ``reread``: read every
    file even when its size and time say it is unchanged.
    """
    if is_postgres_url(db_path) and _loop_running():
        # The PostgreSQL connection runs its own event loop, which cannot nest in a
        # running one: a caller on an event loop thread gets the ingest in a thread.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(
                ingest_documents_sync,
                db_path,
                items,
                progress,
                clock,
                parse_workers=parse_workers,
                reread=reread,
            ).result()
    conn = _open_for_ingest(db_path)
    try:
        loader = Loader(conn, clock, parse_workers=parse_workers, trust_file_times=not reread)
        return loader.run(items, progress)
    finally:
        conn.close()


def _open_for_ingest(target: str | Path) -> SyncConnection:
    """The writer's own connection to ``target``, migrated and tuned for bulk writes."""
    if is_postgres_url(target):
        pg = PgSyncConnection.connect(str(target))
        try:
            pg.run(migrate_postgres(pg.raw))
        except BaseException:
            pg.close()
            raise
        return pg
    conn = connect_sync(target)
    try:
        migrate(conn)
        tune_for_bulk_writes(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def ingest_paths_sync(
    db_path: str | Path,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
    *,
    parse_workers: int | None = None,
    reread: bool = False,
) -> IngestReport:
    """Blocking ingest of files and directories (see :func:`expand_paths`)."""
    items = file_documents(expand_paths(paths))
    return ingest_documents_sync(
        db_path, items, progress, clock, parse_workers=parse_workers, reread=reread
    )


async def ingest_paths(
    db_path: str | Path, paths: Iterable[str | Path], progress: Progress | None = None
) -> IngestReport:
    """Ingest off the event loop: the bot keeps answering meanwhile."""
    return await asyncio.to_thread(ingest_paths_sync, db_path, list(paths), progress)


async def ingest_documents(
    db_path: str | Path, items: Sequence[Source | FileResult], progress: Progress | None = None
) -> IngestReport:
    """Ingest in-memory documents (e.g. an uploaded attachment) off the event loop."""
    return await asyncio.to_thread(ingest_documents_sync, db_path, list(items), progress)
