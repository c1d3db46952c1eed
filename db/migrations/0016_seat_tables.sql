-- 0016: the storage layout for 100,000 petitions (issue 22).
--
-- A petition's constituency table is one packed value (db/seat_pack.py) instead
-- of ~620 rows plus a per-seat index entry each: 62 million rows at the size of
-- the whole archive. What the per-seat index answered ("which petitions did this
-- seat sign most", "which crossed 100 here") is kept by seat_ranks, which holds
-- only rows of at least RANK_FLOOR (100) signatures: 0.5 % of all seat rows.
-- 0017 moves existing counts here and drops constituency_counts.

CREATE TABLE seat_tables (
    petition_id INTEGER PRIMARY KEY REFERENCES petitions (id) ON DELETE CASCADE,
    seat_count  INTEGER NOT NULL,                -- rows in the packed table
    seats       BLOB NOT NULL                    -- db.seat_pack.pack(...)
);

CREATE TABLE seat_ranks (
    constituency_id INTEGER NOT NULL,
    signatures      INTEGER NOT NULL,
    petition_id     INTEGER NOT NULL,
    rank            INTEGER NOT NULL,            -- source rank, as in the packed table
    percent         REAL NOT NULL,
    PRIMARY KEY (constituency_id, signatures, petition_id)
) WITHOUT ROWID;
CREATE INDEX seat_ranks_by_petition ON seat_ranks (petition_id);

-- A petition's rank rows go with its table (and so with the petition).
CREATE TRIGGER seat_tables_drop_ranks AFTER DELETE ON seat_tables
BEGIN
    DELETE FROM seat_ranks WHERE petition_id = old.petition_id;
END;

-- How many petitions list each seat ("has signatures in N petitions"), kept by
-- the writer (db.seat_tables.write_table) in the same transaction as the tables.
CREATE TABLE seat_listings (
    constituency_id INTEGER PRIMARY KEY,
    petitions       INTEGER NOT NULL
);

-- Counts /about and `petitionbot stats` show, kept as the data changes so that
-- nothing counts 62 million rows to answer.
CREATE TABLE archive_totals (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO archive_totals (name, value) VALUES ('seat_rows', 0), ('petitions', 0);

CREATE TRIGGER seat_tables_count_insert AFTER INSERT ON seat_tables
BEGIN
    UPDATE archive_totals SET value = value + new.seat_count WHERE name = 'seat_rows';
END;
CREATE TRIGGER seat_tables_count_update AFTER UPDATE OF seat_count ON seat_tables
BEGIN
    UPDATE archive_totals SET value = value - old.seat_count + new.seat_count
    WHERE name = 'seat_rows';
END;
CREATE TRIGGER seat_tables_count_delete AFTER DELETE ON seat_tables
BEGIN
    UPDATE archive_totals SET value = value - old.seat_count WHERE name = 'seat_rows';
END;
CREATE TRIGGER petitions_count_insert AFTER INSERT ON petitions
BEGIN
    UPDATE archive_totals SET value = value + 1 WHERE name = 'petitions';
END;
CREATE TRIGGER petitions_count_delete AFTER DELETE ON petitions
BEGIN
    UPDATE archive_totals SET value = value - 1 WHERE name = 'petitions';
END;
UPDATE archive_totals SET value = (SELECT count(*) FROM petitions) WHERE name = 'petitions';

-- Files read by earlier ingests: one whose size and modification time are
-- unchanged, and whose content is still a petition's current state, is not
-- even read again.
CREATE TABLE ingest_files (
    path         TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,
    mtime_ns     INTEGER NOT NULL,
    content_hash TEXT NOT NULL
) WITHOUT ROWID;
