-- 0008: when each petition closes, so "open" can mean open *now* (issue 15).
-- The loader writes it (core.petitions.lifecycle.deadline): the JSON's closed_at, else six
-- calendar months after opening, at the end of that day UK time (capped at the 2024
-- dissolution). Rows ingested before this migration get the same rule here, in UTC
-- (an hour early in summer) until they are next ingested.
ALTER TABLE petitions ADD COLUMN deadline_at TEXT;

UPDATE petitions SET deadline_at = coalesce(
    closed_at,
    CASE WHEN opened_at IS NOT NULL AND state IN ('open', 'closed') THEN
        CASE WHEN opened_at < '2024-05-30T00:00:00+00:00'
                  AND strftime('%Y-%m-%dT23:59:59+00:00', opened_at, '+6 months')
                      >= '2024-05-30T00:00:00+00:00'
             THEN '2024-05-30T00:00:00+00:00'
             ELSE strftime('%Y-%m-%dT23:59:59+00:00', opened_at, '+6 months') END
    END);

-- /leaderboard open and search's state filter: state = 'open' AND deadline_at > now.
CREATE INDEX petitions_by_deadline ON petitions (state, deadline_at);
