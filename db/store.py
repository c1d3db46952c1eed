"""Write parsed petitions into SQLite or PostgreSQL (blocking; run it in a worker thread).

The loader calls :class:`PetitionStore` from a thread with a connection of its
own (``sqlite3``, or :class:`db.pg_sync.PgSyncConnection`, its PostgreSQL twin)
so that a large ingest never blocks the bot's event loop; WAL (SQLite) or MVCC
(PostgreSQL) lets the bot keep reading meanwhile. Each document is written inside
one transaction opened by the caller: it lands completely or not at all. The SQL
is written once for both databases; the one spelling that differs (the scalar
``min``/``max`` of the seat_mps upsert) asks :mod:`db.dialect`.

Lookups of countries, seats and MPs are cached in memory because a 10k archive
repeats the same 650 seats millions of times; the caches are dropped whenever
a transaction rolls back, since ids they hold may no longer exist.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, repeat
from operator import attrgetter, itemgetter
from typing import Any

from core.common.names import fold, person_name
from core.common.times import utc_text
from core.ingest.models import UNKNOWN, Petition
from db.dialect import greatest, least
from db.pg_changes import CHANNEL
from db.pg_sync import PgSyncConnection, SyncConnection, dialect_of
from db.seat_tables import (
    SeatColumns,
    apply_listing_changes,
    delete_petition_sync,
    listing_changes,
    read_table,
    write_table,
)

_NEVER = "\uffff"
"""Sorts after every ISO time: a span starting here is one nothing was written for."""

_RowIds = tuple[int, int, int | None, list[str] | None]
"""(seat id, alias id or 0, MP id, its seat_mps span): what a seat row needs from the
caches (a vacant seat has alias 0, no MP and no span)."""
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_NAME = attrgetter("name")
_CODE = attrgetter("ons_code")
_MP = attrgetter("mp")
_RANK = attrgetter("rank")
_COUNT = attrgetter("count")
_PERCENT = attrgetter("percent")


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What the database holds for a petition, to decide newer/older/unchanged."""

    petition_id: int
    refreshed_at: str
    content_hash: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One row of the ingest log."""

    batch_id: str
    path: str
    content_hash: str | None
    result: str
    petition_id: int | None
    error: str | None
    warnings: tuple[str, ...]
    at: str


class PetitionStore:
    """Blocking writer over one connection in autocommit mode (SQLite or PostgreSQL)."""

    def __init__(self, conn: SyncConnection) -> None:
        self.conn = conn
        self.dialect = dialect_of(conn)
        self.batch_id = ""
        """Sent with the PostgreSQL change notification (set by the loader)."""
        self._dirty = False  # petition data or the log written in the open transaction
        self._countries: dict[str, int] = {}
        self._seats: dict[tuple[str, str], int] = {}
        # (boundary, seat, code, MP as printed) -> everything a seat row needs: one look-up
        self._row_ids: dict[tuple[str, str, str | None, str | None], _RowIds] = {}
        self._alias_mp: dict[str, int] = {}
        self._aliases: dict[str, int] = {}
        # (seat id, MP id) -> [first, last] refresh time written to seat_mps (shared, mutable)
        self._seat_mps: dict[tuple[int, int], list[str]] = {}
        # seats newly listed / no longer listed by each petition written in the open
        # transaction: seat_listings moves by their counts at commit
        self._listed: list[list[int]] = []
        self._unlisted: list[list[int]] = []
        # petitions this transaction found missing and has not written since
        self._absent: set[int] = set()

    # ------------------------------------------------------------ transactions
    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.conn.in_transaction:
            # Per-seat listing counts move once per group, not ~620 updates a document.
            changes = Counter(chain.from_iterable(self._listed))
            changes.subtract(Counter(chain.from_iterable(self._unlisted)))
            apply_listing_changes(self.conn, changes)
            self._listed.clear()
            self._unlisted.clear()
            if self._dirty and isinstance(self.conn, PgSyncConnection):
                # Other processes rebuild their search index on it (db.pg_changes); a
                # NOTIFY inside the transaction is delivered only if it commits.
                self.conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, self.batch_id))
            self._dirty = False
            self._absent.clear()  # other writers may add petitions once this one commits
            self.conn.execute("COMMIT")

    def flush(self) -> None:
        """Send what the connection queued (PostgreSQL; SQLite ran it already), so an
        error surfaces while the document that caused it is still the current one."""
        if isinstance(self.conn, PgSyncConnection):
            self.conn.flush()

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self._clear_caches()

    def _clear_caches(self) -> None:
        self._dirty = False
        self._absent.clear()
        self._listed.clear()
        self._unlisted.clear()
        self._countries.clear()
        self._seats.clear()
        self._row_ids.clear()
        self._alias_mp.clear()
        self._aliases.clear()
        self._seat_mps.clear()

    # ------------------------------------------------------------ look-ups
    def petition_with_hash(self, content_hash: str) -> int | None:
        """Id of a petition whose current state came from exactly this content."""
        row = self.conn.execute(
            "SELECT id FROM petitions WHERE content_hash = ? LIMIT 1", (content_hash,)
        ).fetchone()
        return int(row[0]) if row else None

    def unchanged_files(self, files: dict[str, tuple[int, int]]) -> dict[str, int]:
        """Of ``files`` (path -> (size, mtime_ns)), those an earlier ingest read with
        exactly that size and time and whose content is still a petition's current
        state: path -> petition id. One pass over two tables, not a query per file."""
        if not files:
            return {}
        current = dict(self.conn.execute("SELECT content_hash, id FROM petitions").fetchall())
        found: dict[str, int] = {}
        for path, size, mtime_ns, digest in self.conn.execute(
            "SELECT path, size, mtime_ns, content_hash FROM ingest_files"
        ):
            if files.get(path) == (size, mtime_ns) and digest in current:
                found[path] = int(current[digest])
        return found

    def remember_file(self, path: str, size: int, mtime_ns: int, content_hash: str) -> None:
        """Record what a file held when it was read (in the document's transaction)."""
        self.conn.execute(
            "INSERT INTO ingest_files (path, size, mtime_ns, content_hash) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, content_hash = excluded.content_hash",
            (path, size, mtime_ns, content_hash),
        )

    def stored_version(self, petition_id: int) -> StoredVersion | None:
        row = self.conn.execute(
            "SELECT id, refreshed_at, content_hash, source FROM petitions WHERE id = ?",
            (petition_id,),
        ).fetchone()
        if row is None:
            self._absent.add(petition_id)  # its table need not be read when it is saved
            return None
        self._absent.discard(petition_id)
        return StoredVersion(int(row[0]), row[1], row[2], row[3] or "")

    def same_counts(self, petition: Petition) -> bool:
        """Whether the stored counts of ``petition.id`` are exactly the document's.

        Two documents with one refresh time must agree on the counts; only then is
        the second a correction (other bytes: line ends, a fixed title) rather than
        a conflict. Only asked in that rare case, so one query per table is fine.
        """
        row = self.conn.execute(
            "SELECT total_signatures, unknown_signatures FROM petitions WHERE id = ?",
            (petition.id,),
        ).fetchone()
        unknown = next((s.count for s in petition.constituencies if s.name == UNKNOWN), None)
        if row is None or tuple(row) != (petition.total_signatures, unknown):
            return False
        countries = self.conn.execute(
            "SELECT c.name, cc.signatures FROM country_counts cc"
            " JOIN countries c ON c.id = cc.country_id WHERE cc.petition_id = ?",
            (petition.id,),
        ).fetchall()
        if sorted(countries) != sorted((c.name, c.count) for c in petition.countries):
            return False
        stored = read_table(self.conn, petition.id)
        keys = dict(self.conn.execute("SELECT id, name_key FROM constituencies").fetchall())
        seats = (
            [(keys[i], n) for i, n in zip(stored.constituency_ids, stored.counts, strict=True)]
            if stored is not None
            else []
        )
        ours = [(fold(s.name), s.count) for s in petition.constituencies if s.name != UNKNOWN]
        return sorted(seats) == sorted(ours)

    def _found_or_added(
        self,
        select: str,
        key: tuple[object, ...],
        insert: str,
        values: tuple[object, ...],
        returning: str = "id",
    ) -> tuple[Any, ...]:
        """The row ``select`` finds by ``key``, inserting ``values`` first if there is none.

        Looked up before inserting, not ``INSERT … ON CONFLICT DO NOTHING`` blindly:
        PostgreSQL draws an identity value even for a row it then does not insert,
        so ids would drift from SQLite's for the same documents. The insert returns
        the row (``returning``: the columns ``select`` reads), saving a look-up.
        """
        row = self.conn.execute(select, key).fetchone()
        if row is None:
            added = self.conn.execute(f"{insert} RETURNING {returning}", values).fetchall()
            row = added[0] if added else self.conn.execute(select, key).fetchone()
        assert row is not None
        return tuple(row)

    def _country_id(self, name: str) -> int:
        cached = self._countries.get(name)
        if cached is not None:
            return cached
        row = self._found_or_added(
            "SELECT id FROM countries WHERE name = ?",
            (name,),
            "INSERT INTO countries (name) VALUES (?) ON CONFLICT DO NOTHING",
            (name,),
        )
        self._countries[name] = int(row[0])
        return self._countries[name]

    def _seat_id(self, boundary: str, name: str, ons_code: str | None) -> int:
        key = (boundary, fold(name))
        cached = self._seats.get(key)
        if cached is not None:
            return cached
        seat_id, stored_code = self._found_or_added(
            "SELECT id, ons_code FROM constituencies WHERE boundary_set = ? AND name_key = ?",
            key,
            "INSERT INTO constituencies (name, name_key, boundary_set, ons_code)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (name, key[1], boundary, ons_code),
            returning="id, ons_code",
        )
        if ons_code and stored_code is None:
            self.conn.execute(
                "UPDATE constituencies SET ons_code = ? WHERE id = ?", (ons_code, seat_id)
            )
        self._seats[key] = int(seat_id)
        return self._seats[key]

    def _alias_id(self, printed: str) -> tuple[int, int]:
        """(alias id, mp id) for an MP as printed, creating both on first sight."""
        alias = self._aliases.get(printed)
        if alias is not None:
            return alias, self._alias_mp[printed]
        name = person_name(printed)
        key = fold(name)
        mp_id = int(
            self._found_or_added(
                "SELECT id FROM mps WHERE name_key = ?",
                (key,),
                "INSERT INTO mps (name, name_key) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (name, key),
            )[0]
        )
        alias_id = int(
            self._found_or_added(
                "SELECT id FROM mp_aliases WHERE printed = ?",
                (printed,),
                "INSERT INTO mp_aliases (printed, mp_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (printed, mp_id),
            )[0]
        )
        self._aliases[printed] = alias_id
        self._alias_mp[printed] = mp_id
        return alias_id, mp_id

    # ------------------------------------------------------------ writes
    def save(
        self,
        petition: Petition,
        *,
        content_hash: str,
        source: str,
        state: str,
        boundary: str,
        now: datetime,
        deadline: datetime | None = None,
    ) -> None:
        """Make ``petition`` the current state: replace its counts, add a snapshot.

        ``deadline`` is when it closes (stored so "open now" is an indexed filter).
        """
        self._dirty = True
        pid = petition.id
        unknown = petition.unknown_row
        response_at = petition.event_time("Government Response")
        debate = petition.debate or {}
        self.conn.execute(
            """
            INSERT INTO petitions (
                id, title, title_key, url, background, additional_details, state,
                total_signatures, uk_signatures, unknown_signatures, unknown_rank, refreshed_at,
                created_at, opened_at, closed_at, response_threshold_at, debate_threshold_at,
                government_response_at, boundary_set, departments, topics, debate, content_hash,
                source, first_seen_at, updated_at, deadline_at, debate_scheduled_seen_at,
                debated_seen_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                title = excluded.title, title_key = excluded.title_key, url = excluded.url,
                background = excluded.background,
                additional_details = excluded.additional_details, state = excluded.state,
                total_signatures = excluded.total_signatures,
                uk_signatures = excluded.uk_signatures,
                unknown_signatures = excluded.unknown_signatures,
                unknown_rank = excluded.unknown_rank, refreshed_at = excluded.refreshed_at,
                created_at = excluded.created_at, opened_at = excluded.opened_at,
                closed_at = excluded.closed_at,
                response_threshold_at = excluded.response_threshold_at,
                debate_threshold_at = excluded.debate_threshold_at,
                government_response_at = excluded.government_response_at,
                boundary_set = excluded.boundary_set, departments = excluded.departments,
                topics = excluded.topics, debate = excluded.debate,
                content_hash = excluded.content_hash, source = excluded.source,
                updated_at = excluded.updated_at, deadline_at = excluded.deadline_at,
                debate_scheduled_seen_at = coalesce(
                    petitions.debate_scheduled_seen_at, excluded.debate_scheduled_seen_at),
                debated_seen_at = coalesce(petitions.debated_seen_at, excluded.debated_seen_at)
            """,
            (
                pid,
                petition.title,
                fold(petition.title),
                petition.url,
                petition.background,
                petition.additional_details,
                state,
                petition.total_signatures,
                petition.uk_signatures,
                unknown.count if unknown else None,
                unknown.rank if unknown else None,
                utc_text(petition.refreshed_at),
                utc_text(petition.event_time("Created")),
                utc_text(petition.event_time("Opened")),
                utc_text(petition.event_time("Closed")),
                utc_text(petition.event_time("Response Threshold Reached")),
                utc_text(petition.event_time("Debate Threshold Reached")),
                utc_text(response_at),
                boundary,
                json.dumps(list(petition.departments)),
                json.dumps(list(petition.topics)),
                json.dumps(petition.debate) if petition.debate is not None else None,
                content_hash,
                source,
                utc_text(now),
                utc_text(now),
                utc_text(deadline),
                utc_text(now) if debate.get("scheduled_debate_date") else None,
                utc_text(now) if debate.get("debated_on") else None,
            ),
        )
        new = pid in self._absent  # nothing of it stored: no old rows to delete
        if not new:
            for table in ("history_events", "country_counts"):
                self.conn.execute(f"DELETE FROM {table} WHERE petition_id = ?", (pid,))
        self._save_response(petition, now, new=new)
        self.conn.executemany(
            "INSERT INTO history_events (petition_id, event, occurred_at) VALUES (?, ?, ?)",
            [(pid, e.event, utc_text(e.at)) for e in petition.history],
        )
        self.conn.executemany(
            "INSERT INTO country_counts (petition_id, country_id, rank, signatures, percent)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (pid, self._country_id(c.name), c.rank, c.count, c.percent)
                for c in petition.countries
            ],
        )
        self._save_seats(petition, boundary)
        self.add_snapshot(petition, now)

    def _save_response(self, petition: Petition, now: datetime, *, new: bool) -> None:
        response = petition.government_response
        if response is None:
            if new:
                return
            self.conn.execute(
                "DELETE FROM government_responses WHERE petition_id = ?", (petition.id,)
            )
            return
        self.conn.execute(
            """
            INSERT INTO government_responses
                (petition_id, summary, details, department, responded_at, first_seen_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (petition_id) DO UPDATE SET
                summary = excluded.summary, details = excluded.details,
                department = excluded.department, responded_at = excluded.responded_at
            """,
            (
                petition.id,
                response.summary,
                response.details,
                response.department,
                utc_text(response.responded_at or petition.event_time("Government Response")),
                utc_text(now),
            ),
        )

    def _save_seats(self, petition: Petition, boundary: str) -> None:
        refreshed = utc_text(petition.refreshed_at) or ""
        rows = list(petition.constituencies)
        names = list(map(_NAME, rows))
        if UNKNOWN in names:  # not a seat (it is stored on the petition row)
            del rows[names.index(UNKNOWN)]
            names.remove(UNKNOWN)
        cache = self._row_ids
        # The hot path of an ingest (≈620 rows a document, 62 million for 100k):
        # column-wise with C-level map/zip, one dict look-up a row.
        keys = list(zip(repeat(boundary), names, map(_CODE, rows), map(_MP, rows)))
        found = list(map(cache.get, keys))
        for index, cached in enumerate(found):
            if cached is None:
                key = keys[index]
                found[index] = cache[key] = self._row_ids_for(*key)
        row_ids: list[_RowIds] = found  # type: ignore[assignment]
        # Who held each seat, by refresh time: only (seat, MP) spans this time widens.
        widened = [
            (seat_id, mp_id, span)
            for seat_id, _, mp_id, span in row_ids
            if span is not None and not span[0] <= refreshed <= span[1]
        ]
        spans = [(seat_id, mp_id, refreshed, refreshed) for seat_id, mp_id, _ in widened]
        for _, _, span in widened:
            span[0], span[1] = min(span[0], refreshed), max(span[1], refreshed)
        ids = list(map(_FIRST, row_ids))
        ranks = list(map(_RANK, rows))
        counts = list(map(_COUNT, rows))
        percents = list(map(_PERCENT, rows))
        aliases = list(map(_SECOND, row_ids))
        # The whole table is one packed row (db.seat_pack): no per-seat B-tree insert.
        table = SeatColumns(ids, ranks, counts, percents, aliases)  # alias 0: vacant
        new = petition.id in self._absent
        self._absent.discard(petition.id)
        before = write_table(self.conn, petition.id, table, new=new)
        if before is None:
            self._listed.append(ids)  # counted at commit, in C (Counter)
        else:
            changes = listing_changes(before, table)
            self._listed.append([seat for seat, n in changes.items() if n > 0])
            self._unlisted.append([seat for seat, n in changes.items() if n < 0])
        # Who held each seat, by refresh time: only rows whose dates would change.
        if spans:
            first = least(self.dialect, "seat_mps.first_seen_at", "excluded.first_seen_at")
            last = greatest(self.dialect, "seat_mps.last_seen_at", "excluded.last_seen_at")
            self.conn.executemany(
                "INSERT INTO seat_mps (constituency_id, mp_id, first_seen_at, last_seen_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (constituency_id, mp_id) DO UPDATE SET"
                f" first_seen_at = {first}, last_seen_at = {last}",
                spans,
            )

    def _row_ids_for(self, boundary: str, name: str, code: str | None, mp: str | None) -> _RowIds:
        seat_id = self._seat_id(boundary, name, code)
        if not mp:
            return (seat_id, 0, None, None)
        alias_id, mp_id = self._alias_id(mp)
        # Unknown to this store yet: the first row always writes (the database may
        # hold dates from earlier ingests; the upsert keeps the wider span).
        span = self._seat_mps.setdefault((seat_id, mp_id), [_NEVER, ""])
        return (seat_id, alias_id, mp_id, span)

    def add_snapshot(self, petition: Petition, now: datetime) -> None:
        """Record the count at this refresh (nothing when it was already known)."""
        self._dirty = True
        self.conn.execute(
            "INSERT INTO snapshots"
            " (petition_id, refreshed_at, total_signatures, uk_signatures, ingested_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                petition.id,
                utc_text(petition.refreshed_at),
                petition.total_signatures,
                petition.uk_signatures,
                utc_text(now),
            ),
        )

    def log(self, entries: Iterable[LogEntry]) -> None:
        self._dirty = True
        self.conn.executemany(
            "INSERT INTO ingest_log"
            " (batch_id, path, content_hash, result, petition_id, error, warnings, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.batch_id,
                    e.path,
                    e.content_hash,
                    e.result,
                    e.petition_id,
                    e.error,
                    json.dumps(list(e.warnings)) if e.warnings else "[]",
                    e.at,
                )
                for e in entries
            ],
        )

    def delete_petition(self, petition_id: int) -> bool:
        """Remove a petition and everything that hangs off it (cascade)."""
        self._dirty = True
        return delete_petition_sync(self.conn, petition_id)
