-- 0021: where each registered bot process runs (hostname and PID namespace).
-- A process starting on the same host (and PID namespace) can see at once that a
-- registered process is gone (its pid no longer exists: killed with -9, OOM) instead of
-- waiting for its heartbeat to go stale; a process elsewhere is judged by heartbeat only.
ALTER TABLE follow_instances ADD COLUMN host TEXT;
