"""Administration: per-server settings, the audit log, what the database holds."""
