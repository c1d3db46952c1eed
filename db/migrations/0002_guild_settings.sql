-- 0002: per-server settings (Red-style: a row only once something differs from the defaults
-- declared in core/guild_config.py).
CREATE TABLE guild_settings (
    guild_id          INTEGER PRIMARY KEY,
    moderator_role_id INTEGER,
    audit_channel_id  INTEGER,
    updated_at        TEXT NOT NULL
);
