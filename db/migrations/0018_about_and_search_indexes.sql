-- 0018: /about and start-up without scanning the petitions (issue 22).

-- Petitions per stored state ('state:open', ...), for /about.
INSERT INTO archive_totals (name, value)
    SELECT 'state:' || state, count(*) FROM petitions GROUP BY state;
CREATE TRIGGER petitions_state_insert AFTER INSERT ON petitions
BEGIN
    INSERT INTO archive_totals (name, value) VALUES ('state:' || new.state, 1)
    ON CONFLICT (name) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER petitions_state_delete AFTER DELETE ON petitions
BEGIN
    UPDATE archive_totals SET value = value - 1 WHERE name = 'state:' || old.state;
END;
CREATE TRIGGER petitions_state_update AFTER UPDATE OF state ON petitions
WHEN old.state IS NOT new.state
BEGIN
    UPDATE archive_totals SET value = value - 1 WHERE name = 'state:' || old.state;
    INSERT INTO archive_totals (name, value) VALUES ('state:' || new.state, 1)
    ON CONFLICT (name) DO UPDATE SET value = value + 1;
END;

-- Start-up reads every petition's title for the search index: in this covering
-- index's order it reads only the index (not the rows with their texts), with
-- no sort. 86 -> 30 ms at 10,000 petitions.
CREATE INDEX petitions_for_search
    ON petitions (total_signatures DESC, id DESC, title, state, refreshed_at, deadline_at,
                  title_key);
CREATE INDEX petitions_by_set_refreshed ON petitions (boundary_set, refreshed_at);
