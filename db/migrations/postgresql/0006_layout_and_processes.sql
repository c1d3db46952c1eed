-- 0006: PostgreSQL side of SQLite 0016-0021 (issue 22's totals and listings, the
-- start-up indexes; issue 18's process-aware claims).

ALTER TABLE seat_ranks ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE seat_ranks ADD COLUMN percent DOUBLE PRECISION NOT NULL DEFAULT 0;
CREATE INDEX seat_ranks_by_petition ON seat_ranks (petition_id);

CREATE TABLE seat_listings (
    constituency_id BIGINT PRIMARY KEY,
    petitions       INTEGER NOT NULL
);

CREATE TABLE archive_totals (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO archive_totals (name, value)
    SELECT 'seat_rows', coalesce(sum(seat_count), 0) FROM seat_tables;
INSERT INTO archive_totals (name, value) SELECT 'petitions', count(*) FROM petitions;
INSERT INTO archive_totals (name, value)
    SELECT 'state:' || state, count(*) FROM petitions GROUP BY state;

CREATE FUNCTION archive_total_add(key TEXT, delta BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO archive_totals (name, value) VALUES (key, delta)
    ON CONFLICT (name) DO UPDATE SET value = archive_totals.value + excluded.value;
$$;

CREATE FUNCTION seat_tables_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM archive_total_add('seat_rows', -OLD.seat_count);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM archive_total_add('seat_rows', NEW.seat_count);
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM seat_ranks WHERE petition_id = OLD.petition_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER seat_tables_counted AFTER INSERT OR UPDATE OF seat_count OR DELETE ON seat_tables
FOR EACH ROW EXECUTE FUNCTION seat_tables_counted();

CREATE FUNCTION petitions_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM archive_total_add('petitions', 1);
        PERFORM archive_total_add('state:' || NEW.state, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM archive_total_add('petitions', -1);
        PERFORM archive_total_add('state:' || OLD.state, -1);
    ELSIF OLD.state IS DISTINCT FROM NEW.state THEN
        PERFORM archive_total_add('state:' || OLD.state, -1);
        PERFORM archive_total_add('state:' || NEW.state, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER petitions_counted AFTER INSERT OR UPDATE OF state OR DELETE ON petitions
FOR EACH ROW EXECUTE FUNCTION petitions_counted();

CREATE INDEX petitions_for_search
    ON petitions (total_signatures DESC, id DESC, title, state, refreshed_at, deadline_at,
                  title_key);
CREATE INDEX petitions_by_set_refreshed ON petitions (boundary_set, refreshed_at);

ALTER TABLE digest_posts ADD COLUMN claimed_by TEXT COLLATE "C";
ALTER TABLE follow_instances ADD COLUMN host TEXT COLLATE "C";
