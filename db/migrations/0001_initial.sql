-- 0001: petitions, their counts over time, seats, MPs and the ingest log.
-- Times are ISO-8601 UTC text ("2024-01-04T20:30:10+00:00"), which sorts correctly.

CREATE TABLE petitions (
    id                     INTEGER PRIMARY KEY,           -- petition.parliament.uk id
    title                  TEXT NOT NULL,
    title_key              TEXT NOT NULL,                 -- core.names.fold(title)
    url                    TEXT NOT NULL,
    background             TEXT NOT NULL DEFAULT '',
    additional_details     TEXT,
    state                  TEXT NOT NULL DEFAULT 'unknown', -- open | closed | rejected | ... | unknown
    total_signatures       INTEGER NOT NULL,
    uk_signatures          INTEGER,                       -- United Kingdom country row
    unknown_signatures     INTEGER,                       -- the "Unknown" constituency row
    unknown_rank           INTEGER,
    refreshed_at           TEXT NOT NULL,                 -- when the source report ran
    created_at             TEXT,
    opened_at              TEXT,
    closed_at              TEXT,
    response_threshold_at  TEXT,
    debate_threshold_at    TEXT,
    government_response_at TEXT,
    boundary_set           TEXT NOT NULL,                 -- '2010' or '2024' constituency boundaries
    departments            TEXT NOT NULL DEFAULT '[]',    -- JSON array
    topics                 TEXT NOT NULL DEFAULT '[]',    -- JSON array
    debate                 TEXT,                          -- JSON object, when known
    content_hash           TEXT NOT NULL,                 -- sha256 of the stored document
    source                 TEXT NOT NULL,                 -- file the current state came from
    first_seen_at          TEXT NOT NULL,                 -- first ingest (digests: "new petitions")
    updated_at             TEXT NOT NULL                  -- last ingest that changed it
);
CREATE INDEX petitions_by_total ON petitions (total_signatures DESC);
CREATE INDEX petitions_by_state ON petitions (state, total_signatures DESC);
CREATE INDEX petitions_by_hash ON petitions (content_hash);
CREATE INDEX petitions_by_first_seen ON petitions (first_seen_at);

-- Every refresh we have seen: the history of counts over time.
CREATE TABLE snapshots (
    petition_id      INTEGER NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
    refreshed_at     TEXT NOT NULL,
    total_signatures INTEGER NOT NULL,
    uk_signatures    INTEGER,
    ingested_at      TEXT NOT NULL,
    PRIMARY KEY (petition_id, refreshed_at)
) WITHOUT ROWID;
CREATE INDEX snapshots_by_ingest ON snapshots (ingested_at);

CREATE TABLE history_events (
    petition_id INTEGER NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    PRIMARY KEY (petition_id, event)
) WITHOUT ROWID;
CREATE INDEX history_events_by_time ON history_events (event, occurred_at);

CREATE TABLE government_responses (
    petition_id   INTEGER PRIMARY KEY REFERENCES petitions (id) ON DELETE CASCADE,
    summary       TEXT NOT NULL,
    details       TEXT NOT NULL,
    department    TEXT,
    responded_at  TEXT,
    first_seen_at TEXT NOT NULL
);

CREATE TABLE countries (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    code TEXT
);

CREATE TABLE country_counts (
    petition_id INTEGER NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
    country_id  INTEGER NOT NULL REFERENCES countries (id),
    rank        INTEGER NOT NULL,
    signatures  INTEGER NOT NULL,
    percent     REAL NOT NULL,
    PRIMARY KEY (petition_id, country_id)
) WITHOUT ROWID;

-- A seat is a name within a boundary set; the 2024 change reuses names with new codes.
CREATE TABLE constituencies (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,                 -- core.names.fold(name)
    boundary_set TEXT NOT NULL,
    ons_code     TEXT,
    UNIQUE (boundary_set, name_key)
);
-- Scottish codes are reused across boundary sets: a code is unique only within its set.
CREATE UNIQUE INDEX constituencies_by_code ON constituencies (boundary_set, ons_code)
    WHERE ons_code IS NOT NULL;
CREATE INDEX constituencies_by_key ON constituencies (name_key);

-- An MP is a person (name without honorifics); aliases are the printed forms.
CREATE TABLE mps (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,                     -- "Jonathan Lord"
    name_key TEXT NOT NULL UNIQUE               -- core.names.fold(name)
);

CREATE TABLE mp_aliases (
    id      INTEGER PRIMARY KEY,
    printed TEXT NOT NULL UNIQUE,               -- "Mr Jonathan Lord MP"
    mp_id   INTEGER NOT NULL REFERENCES mps (id)
);

-- Which MP held which seat, as seen in documents (by refresh time).
CREATE TABLE seat_mps (
    constituency_id INTEGER NOT NULL REFERENCES constituencies (id),
    mp_id           INTEGER NOT NULL REFERENCES mps (id),
    first_seen_at   TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    PRIMARY KEY (constituency_id, mp_id)
) WITHOUT ROWID;
CREATE INDEX seat_mps_by_mp ON seat_mps (mp_id);

CREATE TABLE constituency_counts (
    petition_id     INTEGER NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
    constituency_id INTEGER NOT NULL REFERENCES constituencies (id),
    rank            INTEGER NOT NULL,
    signatures      INTEGER NOT NULL,
    percent         REAL NOT NULL,
    mp_alias_id     INTEGER REFERENCES mp_aliases (id),   -- NULL: vacant seat
    PRIMARY KEY (petition_id, constituency_id)
) WITHOUT ROWID;
CREATE INDEX constituency_counts_by_seat ON constituency_counts (constituency_id, signatures DESC);

CREATE TABLE ingest_log (
    id           INTEGER PRIMARY KEY,
    batch_id     TEXT NOT NULL,
    path         TEXT NOT NULL,
    content_hash TEXT,
    result       TEXT NOT NULL,                 -- added | updated | unchanged | older | rejected
    petition_id  INTEGER,
    error        TEXT,
    warnings     TEXT NOT NULL DEFAULT '[]',    -- JSON array of strings
    at           TEXT NOT NULL
);
CREATE INDEX ingest_log_by_time ON ingest_log (at);

-- Small key/value facts about this installation (e.g. the synced command tree hash).
CREATE TABLE bot_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
