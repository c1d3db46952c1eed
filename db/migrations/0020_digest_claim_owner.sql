-- 0020: a digest claim names the process that made it.
-- claimed_by is that process's instance id in the instance registry (follow_instances,
-- which every bot process registers in and beats; see db/follows.py). Start-up and a
-- sweep on every scheduler tick interrupt only claims whose instance stopped beating,
-- so a second process starting never touches a live process's claim. Rows from before
-- this migration have NULL: no live process holds them.
ALTER TABLE digest_posts ADD COLUMN claimed_by TEXT;
