-- 0015: a user's home seat (/me seat set): the seat only, never the postcode it came from.
-- One row per boundary set the seat is known under (a postcode gives both sets; a name
-- gives its own set, and the other is found by name when a petition needs it).
CREATE TABLE home_seats (
    user_id      INTEGER NOT NULL,
    boundary_set TEXT NOT NULL,               -- '2010' or '2024'
    ons_code     TEXT,                        -- the reference seat, when known
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,               -- core.common.names.fold(name)
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, boundary_set)
) WITHOUT ROWID;
