-- 0013: what the follow engine needs to deliver exactly once and to see seat crossings.

-- Each running bot process registers here and beats every few seconds. A claim held by
-- an instance whose heartbeat is stale (or which is gone) was left by a dead process and
-- is recovered; a claim held by a live instance is left alone.
CREATE TABLE follow_instances (
    instance_id  TEXT PRIMARY KEY,
    pid          INTEGER NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
) WITHOUT ROWID;

-- The last count the follow engine saw per followed seat (by folded name, so a seat
-- matches under both boundary sets) and petition: a crossing is seen < threshold <= now.
CREATE TABLE follow_seat_seen (
    seat_key    TEXT NOT NULL,
    petition_id INTEGER NOT NULL REFERENCES petitions (id) ON DELETE CASCADE,
    signatures  INTEGER NOT NULL,
    PRIMARY KEY (seat_key, petition_id)
) WITHOUT ROWID;
