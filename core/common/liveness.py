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

import os
import socket
from datetime import timedelta

from db import follows as instance_repo
from db.database import Database

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=30)
"""A claim whose instance has not beaten for this long was left by a dead process."""


def this_host() -> str:
    """Where this process runs, as far as pids mean the same thing: hostname + PID namespace.

    Containers on one machine may share a hostname but not a PID namespace; a
    pid is only checked against processes in the same namespace.
    """
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "?"
    return f"{socket.gethostname()}/{namespace}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists here (signal 0 checks without sending)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


async def reap_gone_processes(db: Database) -> list[str]:
    """Unregister processes of this host whose pid is gone; returns their instance ids.

    Their claims (digest periods, follow alerts) are then recovered at once by
    the usual rule ("not a live instance"), not 30 s later when the heartbeat
    would have gone stale: a bot killed with -9 and restarted picks up at once.
    """
    gone = [
        instance_id
        for instance_id, pid in await instance_repo.instances_on(db, this_host())
        if pid != os.getpid() and not pid_alive(pid)
    ]
    for instance_id in gone:
        await instance_repo.unregister_instance(db, instance_id)
    return gone
