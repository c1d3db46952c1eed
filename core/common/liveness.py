"""How long a bot process may go without a heartbeat before its claims count as abandoned.

Every bot process registers an instance id in the database and beats a
heartbeat every few seconds (the follow engine's ticker, at most every 10 s).
Work it claimed — follow alerts, digest periods — is safe from every other
process while the heartbeat is fresh, and is recovered once it has been stale
for :data:`STALE_AFTER`: long enough that a process blocked for a while (a
large ingest holding the write lock) is not taken for dead, short enough that
a crashed process's alerts are re-sent within a minute.
"""

from __future__ import annotations

from datetime import timedelta

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=30)
"""A claim whose instance has not beaten for this long was left by a dead process."""
