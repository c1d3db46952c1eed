-- 0010: when the bot first learned that a petition's debate was scheduled, and that it was
-- debated (issue 15: digest items "debate scheduled" / "debated"). Like
-- government_responses.first_seen_at, news is tied to the first ingest that revealed it.
ALTER TABLE petitions ADD COLUMN debate_scheduled_seen_at TEXT;
ALTER TABLE petitions ADD COLUMN debated_seen_at TEXT;
CREATE INDEX petitions_by_debate_scheduled_seen ON petitions (debate_scheduled_seen_at)
    WHERE debate_scheduled_seen_at IS NOT NULL;
CREATE INDEX petitions_by_debated_seen ON petitions (debated_seen_at)
    WHERE debated_seen_at IS NOT NULL;
