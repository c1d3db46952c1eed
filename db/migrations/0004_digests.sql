-- 0004: scheduled per-server digests.
-- Times are ISO-8601 UTC text, as everywhere else. Defaults here match the
-- declared defaults of core.schedule.DigestConfig.

CREATE TABLE digest_settings (
    guild_id          INTEGER PRIMARY KEY,
    channel_id        INTEGER NOT NULL,
    post_time         TEXT NOT NULL DEFAULT '09:00',          -- local "HH:MM"
    timezone          TEXT NOT NULL DEFAULT 'Europe/London',  -- IANA name
    cadence           TEXT NOT NULL DEFAULT 'daily' CHECK (cadence IN ('daily', 'weekly')),
    weekday           INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6),  -- Monday = 0
    min_signatures    INTEGER NOT NULL DEFAULT 0 CHECK (min_signatures >= 0),
    extra_thresholds  TEXT NOT NULL DEFAULT '[]',             -- JSON array of ints
    quiet_note        INTEGER NOT NULL DEFAULT 0,             -- post "nothing changed" notes
    status            TEXT NOT NULL DEFAULT 'enabled'
                      CHECK (status IN ('enabled', 'paused', 'disabled')),
    disabled_reason   TEXT,                                   -- why the bot disabled it
    -- Watermarks. No scheduled slot at or before scheduled_through is ever claimed;
    -- the next digest reports what changed after reported_through.
    scheduled_through TEXT NOT NULL,
    reported_through  TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX digest_settings_by_status ON digest_settings (status);

-- One row per period a server's digest was claimed for. The primary key is the
-- exactly-once guarantee: a period that has a row is never posted again automatically.
CREATE TABLE digest_posts (
    guild_id     INTEGER NOT NULL,
    period_key   TEXT NOT NULL,          -- "daily 2024-03-31", "weekly 2024-W13", "manual <time>"
    status       TEXT NOT NULL DEFAULT 'claimed'
                 CHECK (status IN ('claimed', 'posted', 'empty', 'failed', 'interrupted')),
    window_start TEXT NOT NULL,          -- reports changes in (window_start, window_end]
    window_end   TEXT NOT NULL,
    channel_id   INTEGER NOT NULL,
    claimed_at   TEXT NOT NULL,
    posted_at    TEXT,
    message_ids  TEXT NOT NULL DEFAULT '[]',  -- JSON array
    items        INTEGER,
    error        TEXT,
    PRIMARY KEY (guild_id, period_key)
) WITHOUT ROWID;
CREATE INDEX digest_posts_by_status ON digest_posts (status);

-- Claiming a scheduled period moves the scheduling watermark in the same statement,
-- so a claim and its watermark can never disagree.
CREATE TRIGGER digest_posts_claimed AFTER INSERT ON digest_posts
WHEN NEW.period_key NOT LIKE 'manual %'
BEGIN
    UPDATE digest_settings
    SET scheduled_through = max(scheduled_through, NEW.window_end)
    WHERE guild_id = NEW.guild_id;
END;

-- A period whose news reached the channel (or had none) moves the reporting
-- watermark; failed or interrupted periods leave it, so their news is not lost.
CREATE TRIGGER digest_posts_reported AFTER UPDATE OF status ON digest_posts
WHEN NEW.status IN ('posted', 'empty') AND OLD.status = 'claimed'
BEGIN
    UPDATE digest_settings
    SET reported_through = max(reported_through, NEW.window_end)
    WHERE guild_id = NEW.guild_id;
END;
