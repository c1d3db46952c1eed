-- The leaderboard of one state reads its first 100 rows straight off this index:
-- with the id tie-break and the deadline in it, ORDER BY total DESC, id DESC and
-- "open as of now" need neither a sort of every row of the state nor a table
-- look-up per row (an open leaderboard sorted all 31,742 open rows at 100,000).
DROP INDEX IF EXISTS petitions_by_state;
CREATE INDEX petitions_by_state
    ON petitions (state, total_signatures DESC, id DESC, deadline_at);
