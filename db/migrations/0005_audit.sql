-- 0005: the audit log of admin actions (who, where, what, arguments, result, when).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user_id    INTEGER,              -- NULL for actions the bot took itself
    user_name  TEXT,
    guild_id   INTEGER,              -- NULL for global data actions from DMs/owners
    channel_id INTEGER,
    action     TEXT NOT NULL,        -- e.g. "admin ingest", "digest disabled"
    arguments  TEXT NOT NULL DEFAULT '{}',  -- JSON object
    result     TEXT NOT NULL,        -- "ok", "refused: ...", "error: ..."
    scope      TEXT NOT NULL         -- "global" (petition data) or "server" (settings)
);
CREATE INDEX audit_log_by_guild ON audit_log (guild_id, at);
