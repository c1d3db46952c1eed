-- 0003 (PostgreSQL): the constituency reference, the MPs now, and the link from the seats
-- petitions name to the reference (SQLite 0006, 0009). db/reference.py loads the rows.

CREATE TABLE seat_reference (
    boundary_set TEXT COLLATE "C" NOT NULL,
    ons_code     TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    name_key     TEXT COLLATE "C" NOT NULL,
    country      TEXT COLLATE "C" NOT NULL,
    region       TEXT COLLATE "C" NOT NULL,
    electorate   INTEGER,
    hex_q        INTEGER,
    hex_r        INTEGER,
    PRIMARY KEY (boundary_set, ons_code)
);
CREATE UNIQUE INDEX seat_reference_by_key ON seat_reference (boundary_set, name_key);

CREATE TABLE seat_name_variants (
    boundary_set TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    name_key     TEXT COLLATE "C" NOT NULL,
    ons_code     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (boundary_set, name)
);
CREATE INDEX seat_name_variants_by_key ON seat_name_variants (boundary_set, name_key);

-- SQLite links a new or renamed seat row in an AFTER trigger that updates it; here a
-- BEFORE trigger sets the same code on the row being written.
CREATE FUNCTION constituencies_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.ref_code := coalesce(
        (SELECT r.ons_code FROM seat_reference r
          WHERE r.boundary_set = NEW.boundary_set AND r.ons_code = NEW.ons_code),
        (SELECT v.ons_code FROM seat_name_variants v
          WHERE v.boundary_set = NEW.boundary_set AND v.name_key = NEW.name_key
          ORDER BY v.ons_code LIMIT 1));
    RETURN NEW;
END
$$;
CREATE TRIGGER constituencies_link_on_insert BEFORE INSERT ON constituencies
FOR EACH ROW EXECUTE FUNCTION constituencies_link();
CREATE TRIGGER constituencies_link_on_update
BEFORE UPDATE OF ons_code, name_key, boundary_set ON constituencies
FOR EACH ROW EXECUTE FUNCTION constituencies_link();

CREATE TABLE current_mps (
    ons_code     TEXT COLLATE "C" PRIMARY KEY,
    constituency TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    name_key     TEXT COLLATE "C" NOT NULL,
    party        TEXT COLLATE "C" NOT NULL,
    member_id    INTEGER
);
CREATE INDEX current_mps_by_key ON current_mps (name_key);
