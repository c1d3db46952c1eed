-- 0005 (PostgreSQL): the postcode cache (hashed keys only) and users' home seats
-- (SQLite 0014, 0015).

CREATE TABLE postcode_cache (
    postcode_hash TEXT COLLATE "C" PRIMARY KEY,
    codes         TEXT COLLATE "C" NOT NULL,
    expires_at    TEXT COLLATE "C" NOT NULL
);

CREATE TABLE home_seats (
    user_id      BIGINT NOT NULL,
    boundary_set TEXT COLLATE "C" NOT NULL,
    ons_code     TEXT COLLATE "C",
    name         TEXT COLLATE "C" NOT NULL,
    name_key     TEXT COLLATE "C" NOT NULL,
    updated_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, boundary_set)
);
