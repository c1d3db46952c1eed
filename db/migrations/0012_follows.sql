-- 0012: follows (a petition, a keyword, a seat or an MP) and their alert ledger.
-- Times are ISO-8601 UTC text, as everywhere else.

CREATE TABLE follows (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('petition', 'keyword', 'constituency', 'mp')),
    target        TEXT NOT NULL,   -- petition id, folded keyword words, seat name key, MP id
    label         TEXT NOT NULL,   -- how lists and alerts name it
    milestones    TEXT NOT NULL DEFAULT '[]',  -- JSON array of ints (petition follows)
    user_id       INTEGER NOT NULL,            -- who made it (the DM recipient if no channel)
    guild_id      INTEGER,                     -- NULL: a DM follow, owned by the user
    channel_id    INTEGER,                     -- NULL: alerts go to user_id by DM
    created_at    TEXT NOT NULL,               -- following starts here
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    paused_reason TEXT,
    last_alert_at TEXT
);
CREATE INDEX follows_by_user ON follows (user_id, guild_id);
CREATE INDEX follows_by_guild ON follows (guild_id) WHERE guild_id IS NOT NULL;
CREATE INDEX follows_by_target ON follows (kind, target);

-- One row per follow and event: the primary key is the exactly-once guarantee.
-- 'baseline' rows are the events already true when the follow was made (never sent);
-- 'pending' rows wait for delivery; a 'claimed' row is being sent by claimed_by.
CREATE TABLE follow_alerts (
    follow_id   INTEGER NOT NULL REFERENCES follows (id) ON DELETE CASCADE,
    event_key   TEXT NOT NULL,     -- "petition:652057:signatures:100000", "new:652057", ...
    petition_id INTEGER NOT NULL,
    status      TEXT NOT NULL
                CHECK (status IN ('baseline', 'pending', 'claimed', 'sent', 'failed')),
    line        TEXT NOT NULL DEFAULT '',  -- the alert's text (what happened and why)
    found_at    TEXT NOT NULL,
    claimed_by  TEXT,
    claimed_at  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_at     TEXT,
    message_id  INTEGER,
    error       TEXT,
    PRIMARY KEY (follow_id, event_key)
) WITHOUT ROWID;
CREATE INDEX follow_alerts_open ON follow_alerts (status) WHERE status IN ('pending', 'claimed');
