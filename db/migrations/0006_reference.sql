-- 0006: the constituency reference (650 seats per boundary set) and the link from the seats
-- petitions name to it. The rows are loaded from data/reference/ by db/reference.py
-- (ensure_reference), idempotently, whenever the bundled files change.

CREATE TABLE seat_reference (
    boundary_set TEXT NOT NULL,               -- '2010' or '2024'
    ons_code     TEXT NOT NULL,               -- official ONS code of the seat in that set
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,               -- core.names.fold(name)
    country      TEXT NOT NULL,               -- England | Scotland | Wales | Northern Ireland
    region       TEXT NOT NULL,               -- English region, else the country
    electorate   INTEGER,                     -- registered electors (per-electorate rates)
    hex_q        INTEGER,                     -- HexJSON position (odd-r layout)
    hex_r        INTEGER,
    PRIMARY KEY (boundary_set, ons_code)
) WITHOUT ROWID;
CREATE UNIQUE INDEX seat_reference_by_key ON seat_reference (boundary_set, name_key);

-- Every spelling of a seat's name (canonical included), for look-ups by folded name.
CREATE TABLE seat_name_variants (
    boundary_set TEXT NOT NULL,
    name         TEXT NOT NULL,               -- as spelled: "Ynys Mon", "Weston-super-Mare"
    name_key     TEXT NOT NULL,               -- core.names.fold(name)
    ons_code     TEXT NOT NULL,
    PRIMARY KEY (boundary_set, name)
) WITHOUT ROWID;
CREATE INDEX seat_name_variants_by_key ON seat_name_variants (boundary_set, name_key);

-- The reference seat a petition's seat row stands for: by its ONS code when it has one in
-- the set, else by folded name. NULL when nothing matches (see db.reference.unlinked_seats).
ALTER TABLE constituencies ADD COLUMN ref_code TEXT;
CREATE INDEX constituencies_by_ref ON constituencies (boundary_set, ref_code);

-- Link rows as the loader creates them (and when it learns a code later), so every ingest
-- path is covered without the loader knowing about the reference.
CREATE TRIGGER constituencies_link_on_insert AFTER INSERT ON constituencies
BEGIN
    UPDATE constituencies SET ref_code = coalesce(
        (SELECT r.ons_code FROM seat_reference r
          WHERE r.boundary_set = NEW.boundary_set AND r.ons_code = NEW.ons_code),
        (SELECT v.ons_code FROM seat_name_variants v
          WHERE v.boundary_set = NEW.boundary_set AND v.name_key = NEW.name_key
          ORDER BY v.ons_code LIMIT 1))
    WHERE id = NEW.id;
END;

CREATE TRIGGER constituencies_link_on_update AFTER UPDATE OF ons_code, name_key, boundary_set
    ON constituencies
BEGIN
    UPDATE constituencies SET ref_code = coalesce(
        (SELECT r.ons_code FROM seat_reference r
          WHERE r.boundary_set = NEW.boundary_set AND r.ons_code = NEW.ons_code),
        (SELECT v.ons_code FROM seat_name_variants v
          WHERE v.boundary_set = NEW.boundary_set AND v.name_key = NEW.name_key
          ORDER BY v.ons_code LIMIT 1))
    WHERE id = NEW.id;
END;
