"""SQL for the constituency reference: loading it, linking seats to it, seat counts and rates.

The reference (650 seats per boundary set, see :mod:`core.places.reference`) is
loaded into ``seat_reference`` / ``seat_name_variants`` by
:func:`ensure_reference_sync`, which does nothing when the bundled files have
not changed since the last load (their fingerprint is kept in ``bot_meta``).
Petition seat rows (``constituencies``) are linked to it through
``constituencies.ref_code``: by ONS code when the row has one in its set, else
by folded name or variant. Triggers from migration 0006 link rows as ingest
creates them; a (re)load relinks every row, so the order in which reference
and petitions arrive does not matter.

With every seat known, a seat missing from a petition's table is a real 0
("ranked last"), not "not found", and rates per 1,000 electors can be ranked
across all 650 seats.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from core.common.names import fold, person_key, person_name
from core.places.rates import seat_rate_of, seat_rates
from core.places.reference import (
    REFERENCE_DIR,
    ReferenceSeat,
    load_current_mps,
    load_reference,
    reference_fingerprint,
)
from core.places.types import (
    CurrentMp,
    PetitionSeatRate,
    PetitionSeats,
    RateTable,
    RegionCount,
    SeatCount,
    SeatLink,
    UnlinkedSeat,
)
from db.cache import VersionedCache
from db.connection import connect_sync
from db.database import Database, Row
from db.dialect import Dialect, string_agg
from db.migrate import migrate
from db.postgres import PgConnection, to_postgres
from db.seat_tables import alias_names, petition_table, seat_infos

META_KEY = "reference_fingerprint"
_SEP = "\x1f"  # separates variants in group_concat (never part of a seat name)

_LINK_SQL = """
UPDATE constituencies SET ref_code = coalesce(
    (SELECT r.ons_code FROM seat_reference r
      WHERE r.boundary_set = constituencies.boundary_set AND r.ons_code = constituencies.ons_code),
    (SELECT v.ons_code FROM seat_name_variants v
      WHERE v.boundary_set = constituencies.boundary_set AND v.name_key = constituencies.name_key
      ORDER BY v.ons_code LIMIT 1))
"""


def _seat_columns(dialect: Dialect) -> str:
    return (
        "r.boundary_set, r.ons_code, r.name, r.country, r.region, r.electorate, r.hex_q, r.hex_r,"
        f" (SELECT {string_agg(dialect, 'v.name', ord(_SEP))} FROM seat_name_variants v"
        "   WHERE v.boundary_set = r.boundary_set AND v.ons_code = r.ons_code AND v.name <> r.name)"
        " AS variants"
    )


# --------------------------------------------------------------------- records


# --------------------------------------------------------------------- loading
def _reference_rows(
    directory: Path,
) -> tuple[list[tuple[object, ...]], list[tuple[str, str, str, str]]]:
    seats: list[tuple[object, ...]] = []
    variants: list[tuple[str, str, str, str]] = []
    for seat_set in load_reference(directory).values():
        for seat in seat_set.seats:
            seats.append(
                (
                    seat.boundary_set,
                    seat.ons_code,
                    seat.name,
                    seat.key,
                    seat.country,
                    seat.region,
                    seat.electorate,
                    seat.hex_q,
                    seat.hex_r,
                )
            )
            variants.extend(
                (seat.boundary_set, spelling, fold(spelling), seat.ons_code)
                for spelling in seat.spellings
            )
    return seats, variants


def _current_mp_rows(directory: Path) -> list[tuple[str, str, str, str, str, int | None]]:
    return [
        (code, seat, person_name(name), person_key(name), party, member)
        for code, seat, name, party, member in load_current_mps(directory)
    ]


_INSERT_SEATS = (
    "INSERT INTO seat_reference (boundary_set, ons_code, name, name_key, country, region,"
    " electorate, hex_q, hex_r) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_VARIANTS = (
    "INSERT INTO seat_name_variants (boundary_set, name, name_key, ons_code)"
    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_INSERT_MPS = (
    "INSERT INTO current_mps (ons_code, constituency, name, name_key, party, member_id)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_SET_FINGERPRINT = (
    "INSERT INTO bot_meta (key, value) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def ensure_reference_sync(conn: sqlite3.Connection, directory: Path = REFERENCE_DIR) -> bool:
    """Load the bundled reference if it changed, and relink every seat row (blocking).

    Idempotent and cheap when up to date (one hash of ~170 kB of files and one
    query). Runs the migrations first, so it can be called on any database.
    ``conn`` must be in autocommit mode (as :func:`db.connection.connect_sync`
    makes it) and outside a transaction. Returns True when it (re)loaded.
    """
    migrate(conn)
    fingerprint = reference_fingerprint(directory)
    row = conn.execute("SELECT value FROM bot_meta WHERE key = ?", (META_KEY,)).fetchone()
    loaded = conn.execute("SELECT count(*) FROM seat_reference").fetchone()[0]
    if row is not None and row[0] == fingerprint and loaded:
        return False
    seats, variants = _reference_rows(directory)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM seat_name_variants")
        conn.execute("DELETE FROM seat_reference")
        conn.executemany(_INSERT_SEATS, seats)
        conn.executemany(_INSERT_VARIANTS, variants)
        conn.execute(_LINK_SQL)
        conn.execute("DELETE FROM current_mps")
        conn.executemany(_INSERT_MPS, _current_mp_rows(directory))
        conn.execute(_SET_FINGERPRINT, (META_KEY, fingerprint))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


def ensure_reference_at(path: str | Path, directory: Path = REFERENCE_DIR) -> bool:
    """:func:`ensure_reference_sync` on the database file at ``path`` (own connection)."""
    conn = connect_sync(path)
    try:
        return ensure_reference_sync(conn, directory)
    finally:
        conn.close()


async def ensure_reference(db: Database, directory: Path = REFERENCE_DIR) -> bool:
    """Load/refresh the reference off the event loop; call once at start-up."""
    if isinstance(db.conn, PgConnection):
        return await _ensure_reference_postgres(db.conn, directory)
    return await asyncio.to_thread(ensure_reference_at, db.path, directory)


async def _ensure_reference_postgres(conn: PgConnection, directory: Path) -> bool:
    """:func:`ensure_reference_sync` on PostgreSQL: the same rows, in one transaction.

    The ~3,000 rows go through asyncpg's pipelined ``executemany`` on the held
    connection (a round trip per row would take a noticeable part of a second).
    """
    fingerprint = await asyncio.to_thread(reference_fingerprint, directory)
    async with conn.execute("SELECT value FROM bot_meta WHERE key = ?", (META_KEY,)) as cursor:
        row = await cursor.fetchone()
    async with conn.execute("SELECT count(*) FROM seat_reference") as cursor:
        counted = await cursor.fetchone()
    if row is not None and row[0] == fingerprint and counted and counted[0]:
        return False
    seats, variants = await asyncio.to_thread(_reference_rows, directory)
    mps = await asyncio.to_thread(_current_mp_rows, directory)
    async with conn.transaction(), conn.acquire() as raw:
        await raw.execute("LOCK TABLE seat_reference IN EXCLUSIVE MODE")
        await raw.execute("DELETE FROM seat_name_variants")
        await raw.execute("DELETE FROM seat_reference")
        await raw.executemany(to_postgres(_INSERT_SEATS), seats)
        await raw.executemany(to_postgres(_INSERT_VARIANTS), variants)
        await raw.execute(_LINK_SQL)
        await raw.execute("DELETE FROM current_mps")
        await raw.executemany(to_postgres(_INSERT_MPS), mps)
        await raw.execute(to_postgres(_SET_FINGERPRINT), META_KEY, fingerprint)
    return True


# --------------------------------------------------------------------- reads
def _seat(row: Row) -> ReferenceSeat:
    variants = tuple(row["variants"].split(_SEP)) if row["variants"] else ()
    return ReferenceSeat(
        boundary_set=row["boundary_set"],
        ons_code=row["ons_code"],
        name=row["name"],
        country=row["country"],
        region=row["region"],
        electorate=row["electorate"],
        hex_q=row["hex_q"],
        hex_r=row["hex_r"],
        variants=tuple(sorted(variants)),
    )


async def _one_seat(db: Database, where: str, args: tuple[object, ...]) -> ReferenceSeat | None:
    async with db.conn.execute(
        f"SELECT {_seat_columns(db.dialect)} FROM seat_reference r WHERE {where} LIMIT 1", args
    ) as cursor:
        row = await cursor.fetchone()
    return _seat(row) if row else None


async def get_reference_seat(
    db: Database, boundary_set: str, ons_code: str
) -> ReferenceSeat | None:
    """The seat with this ONS code in ``boundary_set`` ('2010' or '2024')."""
    return await _one_seat(
        db, "r.boundary_set = ? AND r.ons_code = ?", (boundary_set, ons_code.strip().upper())
    )


async def find_reference_seat(db: Database, boundary_set: str, name: str) -> ReferenceSeat | None:
    """The seat whose name or a known variant folds like ``name`` (or whose code it is)."""
    key = fold(name)
    return await _one_seat(
        db,
        "r.boundary_set = ? AND (r.ons_code = ? OR r.ons_code = (SELECT v.ons_code"
        " FROM seat_name_variants v WHERE v.boundary_set = ? AND v.name_key = ?"
        " ORDER BY v.ons_code LIMIT 1))",
        (boundary_set, name.strip().upper(), boundary_set, key),
    )


async def reference_seat_for_constituency(
    db: Database, constituency_id: int
) -> ReferenceSeat | None:
    """The reference seat a ``constituencies`` row (e.g. a search result) links to."""
    return await _one_seat(
        db,
        "(r.boundary_set, r.ons_code) = (SELECT c.boundary_set, c.ref_code"
        " FROM constituencies c WHERE c.id = ?)",
        (constituency_id,),
    )


async def reference_seats(db: Database, boundary_set: str) -> list[ReferenceSeat]:
    """All seats of a boundary set, by ONS code (650 for each bundled set)."""
    async with db.conn.execute(
        f"SELECT {_seat_columns(db.dialect)} FROM seat_reference r WHERE r.boundary_set = ?"
        " ORDER BY r.ons_code",
        (boundary_set,),
    ) as cursor:
        rows = await cursor.fetchall()
    return [_seat(row) for row in rows]


async def seat_electorate(db: Database, boundary_set: str, ons_code: str) -> int | None:
    """Registered electors of a seat (``None`` when the seat or its figure is unknown)."""
    async with db.conn.execute(
        "SELECT electorate FROM seat_reference WHERE boundary_set = ? AND ons_code = ?",
        (boundary_set, ons_code),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None


async def reference_rows(db: Database, boundary: str) -> list[dict[str, Any]]:
    """The reference seats of a boundary set, kept per connection until the reference
    is loaded again (:mod:`db.cache`)."""
    cached = await _REFERENCE.current(db)
    rows = cached.get(boundary)
    if rows is None:
        async with db.conn.execute(
            "SELECT ons_code, name, country, region, electorate, hex_q, hex_r"
            " FROM seat_reference WHERE boundary_set = ?",
            (boundary,),
        ) as cursor:
            rows = cached[boundary] = [dict(row) for row in await cursor.fetchall()]
    return rows


_REFERENCE: VersionedCache[dict[str, list[dict[str, Any]]]] = VersionedCache(dict)


async def petition_seats(db: Database, petition_id: int) -> PetitionSeats | None:
    """All seats of the petition's boundary set with its counts (zeros included).

    ``None`` when the petition is unknown. Ordered by signatures, ties by name:
    ready for a "top seats" list, a hex map, or probing one seat for its 0.
    The petition's packed table is joined to the reference here (≈650 rows),
    summing rows that share a reference seat.
    """
    async with db.conn.execute(
        "SELECT boundary_set, uk_signatures FROM petitions WHERE id = ?", (petition_id,)
    ) as cursor:
        petition = await cursor.fetchone()
    if petition is None:
        return None
    boundary = petition["boundary_set"]
    table = await petition_table(db, petition_id)
    ids = table.constituency_ids if table is not None else []
    infos = await seat_infos(db, ids)
    printed = await alias_names(db, table.mp_alias_ids if table is not None else [])
    by_code: dict[str, tuple[int, str | None]] = {}
    unlinked = 0
    if table is not None:
        for seat, count, alias in zip(ids, table.counts, table.mp_alias_ids, strict=True):
            code = infos[seat].ref_code
            if code is None:
                unlinked += count
                continue
            total, mp = by_code.get(code, (0, None))
            name = printed.get(alias) if alias else None
            by_code[code] = (total + count, max(mp, name) if mp and name else (mp or name))
    reference = await reference_rows(db, boundary)
    rows = sorted(
        ((by_code.get(r["ons_code"], (0, None)), r) for r in reference),
        key=lambda item: (-item[0][0], item[1]["name"]),
    )
    seats: list[SeatCount] = []
    rank = 0
    for position, ((signatures, mp), row) in enumerate(rows, start=1):
        if not seats or signatures != seats[-1].signatures:
            rank = position
        seats.append(
            SeatCount(
                ons_code=row["ons_code"],
                name=row["name"],
                country=row["country"],
                region=row["region"],
                electorate=row["electorate"],
                hex_q=row["hex_q"],
                hex_r=row["hex_r"],
                signatures=int(signatures),
                mp=mp,
                listed=row["ons_code"] in by_code,
                rank=rank,
            )
        )
    return PetitionSeats(
        petition_id=petition_id,
        boundary_set=boundary,
        uk_signatures=petition["uk_signatures"],
        seats=tuple(seats),
        unlinked_signatures=unlinked,
    )


async def petition_seat(db: Database, petition_id: int, ons_code: str) -> SeatCount | None:
    """One seat's count in a petition: 0 (ranked last) when absent from its table.

    ``None`` only when the petition is unknown or the code is not a seat of the
    petition's boundary set.
    """
    seats = await petition_seats(db, petition_id)
    return seats.get(ons_code) if seats else None


async def seat_rate(db: Database, petition_id: int, ons_code: str) -> PetitionSeatRate | None:
    """A seat's signatures per 1,000 electors and its index against the UK rate."""
    seats = await petition_seats(db, petition_id)
    seat = seats.get(ons_code) if seats else None
    if seats is None or seat is None:
        return None
    national = seats.national
    rate = seat_rate_of(seats.seats, ons_code, national)
    assert rate is not None  # the seat is among them
    return PetitionSeatRate(petition_id, seats.boundary_set, seat, rate, national, len(seats.seats))


async def seat_code_for_constituency(
    db: Database, petition_id: int, constituency_id: int
) -> str | None:
    """The reference code, in the petition's boundary set, of a ``constituencies`` row.

    A row of the petition's own set gives its link; a row of the other set (a
    user picked "Aldershot" from 2010 for a 2024 petition) is matched by name.
    """
    async with db.conn.execute(
        "SELECT coalesce("
        " (SELECT c.ref_code FROM constituencies c"
        "   WHERE c.id = ? AND c.boundary_set = p.boundary_set),"
        " (SELECT v.ons_code FROM constituencies c JOIN seat_name_variants v"
        "   ON v.boundary_set = p.boundary_set AND v.name_key = c.name_key"
        "   WHERE c.id = ? ORDER BY v.ons_code LIMIT 1))"
        " FROM petitions p WHERE p.id = ?",
        (constituency_id, constituency_id, petition_id),
    ) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row and row[0] is not None else None


async def seat_rate_for_constituency(
    db: Database, petition_id: int, constituency_id: int
) -> PetitionSeatRate | None:
    """:func:`seat_rate` for a ``constituencies`` row (e.g. a search result's id)."""
    code = await seat_code_for_constituency(db, petition_id, constituency_id)
    return await seat_rate(db, petition_id, code) if code else None


async def top_seats_by_rate(db: Database, petition_id: int, limit: int = 10) -> RateTable | None:
    """The ``limit`` seats with the most signatures per 1,000 electors (``None``: no petition)."""
    seats = await petition_seats(db, petition_id)
    if seats is None:
        return None
    national = seats.national
    rows = seat_rates(seats.seats, national)[: max(0, limit)]
    return RateTable(petition_id, seats.boundary_set, national, tuple(rows), len(seats.seats))


async def unlinked_seats(db: Database) -> list[UnlinkedSeat]:
    """Seat rows linked to no reference seat (should be empty; a data-quality check)."""
    async with db.conn.execute(
        "SELECT id, boundary_set, name, ons_code FROM constituencies WHERE ref_code IS NULL"
        " ORDER BY boundary_set, name"
    ) as cursor:
        rows = await cursor.fetchall()
    return [UnlinkedSeat(row[0], row[1], row[2], row[3]) for row in rows]


async def region_counts(db: Database, petition_id: int) -> list[RegionCount]:
    """Signatures per UK region/nation (12), summed from the petition's seats via the
    reference: every region of the petition's boundary set, 0 where no seat signed.

    On the 69 JSON petitions this equals the site's own ``signatures_by_region``
    exactly (tests/core/petitions/test_true_today.py), and it works the same for
    Markdown reports, which print no regions. Seat rows matching no reference seat are
    left out (0 for all bundled data; see :func:`unlinked_seats`).
    """
    async with db.conn.execute(
        "SELECT r.ons_code, r.region FROM seat_reference r"
        " WHERE r.boundary_set = (SELECT boundary_set FROM petitions WHERE id = ?)",
        (petition_id,),
    ) as cursor:
        region_of = {str(r[0]): str(r[1]) for r in await cursor.fetchall()}
    totals = dict.fromkeys(region_of.values(), 0)
    table = await petition_table(db, petition_id)
    if table is not None:
        infos = await seat_infos(db, table.constituency_ids)
        for seat, count in zip(table.constituency_ids, table.counts, strict=True):
            info = infos[seat]
            region = region_of.get(info.ref_code or "")
            if region is not None and info.ref_code is not None:
                totals[region] += count
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [RegionCount(region, signatures) for region, signatures in ordered]


_NAME_NOISE = frozenset({"and", "the", "of", "city", "upon", "on", "with"})
SAME_WORD = 75.0
"""rapidfuzz ratio at which two seat-name words count as the same word (spelling changes)."""


def _name_words(name: str) -> frozenset[str]:
    return frozenset(fold(name).split()) - _NAME_NOISE


async def nearest_seats(
    db: Database, name: str, from_set: str, to_set: str, limit: int = 3
) -> list[SeatLink]:
    """Seats of ``to_set`` nearest to seat ``name`` of ``from_set``, by name.

    The same folded name (or spelling variant) wins outright; otherwise the seats of the
    same region sharing the most name words ("Bridgwater" → "Bridgwater and West
    Somerset"), by the share of words in common; none when no word is shared. The reply
    says which rule matched: boundaries moved, so it is a pointer, not an equivalence.
    """
    key = fold(name)
    async with db.conn.execute(
        "SELECT r.name, r.ons_code FROM seat_name_variants v JOIN seat_reference r"
        " ON r.boundary_set = v.boundary_set AND r.ons_code = v.ons_code"
        " WHERE v.boundary_set = ? AND v.name_key = ? LIMIT 1",
        (to_set, key),
    ) as cursor:
        same = await cursor.fetchone()
    if same is not None:
        return [SeatLink(same[0], to_set, same[1], "same name")]
    async with db.conn.execute(
        "SELECT o.name, o.ons_code FROM seat_reference o WHERE o.boundary_set = ? AND o.region ="
        " (SELECT region FROM seat_name_variants v JOIN seat_reference r"
        "  ON r.boundary_set = v.boundary_set AND r.ons_code = v.ons_code"
        "  WHERE v.boundary_set = ? AND v.name_key = ? LIMIT 1)",
        (to_set, from_set, key),
    ) as cursor:
        candidates = await cursor.fetchall()
    words = _name_words(name)
    scored = []
    for other, code in candidates:
        theirs = _name_words(other)
        # A word counts as shared when spelled alike: "Aberafan" is "Aberavon" renamed.
        shared = {w for w in words if any(fuzz.ratio(w, t) >= SAME_WORD for t in theirs)}
        if shared:
            union = len(words | theirs)
            scored.append((-len(shared) / union, other, code, shared))
    scored.sort()
    return [
        SeatLink(
            other,
            to_set,
            code,
            "same region, shares the name word"
            + ("s " if len(shared) > 1 else " ")
            + ", ".join(sorted(shared)),
        )
        for _, other, code, shared in scored[:limit]
    ]


async def current_mp(db: Database, ons_code: str) -> CurrentMp | None:
    """The MP of 2024 seat ``ons_code`` now, from the bundled 2024 reference."""
    async with db.conn.execute(
        "SELECT ons_code, constituency, name, party, member_id FROM current_mps WHERE ons_code = ?",
        (ons_code,),
    ) as cursor:
        row = await cursor.fetchone()
    return CurrentMp(*tuple(row)) if row else None


async def current_mp_by_member(db: Database, member_id: int) -> CurrentMp | None:
    async with db.conn.execute(
        "SELECT ons_code, constituency, name, party, member_id FROM current_mps"
        " WHERE member_id = ?",
        (member_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return CurrentMp(*tuple(row)) if row else None


async def speaker(db: Database) -> CurrentMp | None:
    """The current Speaker (the 2024 reference lists the party as "Speaker")."""
    async with db.conn.execute(
        "SELECT ons_code, constituency, name, party, member_id FROM current_mps"
        " WHERE party = 'Speaker' LIMIT 1"
    ) as cursor:
        row = await cursor.fetchone()
    return CurrentMp(*tuple(row)) if row else None


async def seat_ref_code(db: Database, constituency_id: int) -> str | None:
    """The reference ONS code a petition's seat row is linked to (migration 0006)."""
    async with db.conn.execute(
        "SELECT ref_code FROM constituencies WHERE id = ?", (constituency_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row and row[0] else None
