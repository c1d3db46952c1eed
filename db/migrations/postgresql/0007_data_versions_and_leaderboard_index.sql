-- 0007: a version number for the data the bot caches per process (issue 18, phase 2),
-- and SQLite 0022's leaderboard index.
--
-- On SQLite a cache of seat names or reference rows is validated with PRAGMA
-- data_version. PostgreSQL has no such thing, and its processes are many: this
-- counter moves in the same transaction as any change to those rows, so another
-- process sees the new number exactly when it can see the new rows (reading the
-- number before the rows never keeps stale rows under a new number).
-- Row triggers fire only for rows really written: an ingest that meets no new seat
-- (INSERT … ON CONFLICT DO NOTHING) does not touch the counter.

CREATE TABLE data_versions (
    name    TEXT COLLATE "C" PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('places', 1);

CREATE FUNCTION places_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'places';
    RETURN NULL;
END $$;

CREATE TRIGGER constituencies_versioned AFTER INSERT OR DELETE ON constituencies
    FOR EACH ROW EXECUTE FUNCTION places_changed();
CREATE TRIGGER constituencies_versioned_update AFTER UPDATE ON constituencies
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION places_changed();
CREATE TRIGGER seat_reference_versioned AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON seat_reference FOR EACH STATEMENT EXECUTE FUNCTION places_changed();
CREATE TRIGGER current_mps_versioned AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON current_mps FOR EACH STATEMENT EXECUTE FUNCTION places_changed();

-- SQLite 0022: the leaderboard of one state reads its first rows straight off this index
-- (the id tie-break and the deadline in it: no sort of every row of the state).
DROP INDEX IF EXISTS petitions_by_state;
CREATE INDEX petitions_by_state
    ON petitions (state, total_signatures DESC, id DESC, deadline_at);
