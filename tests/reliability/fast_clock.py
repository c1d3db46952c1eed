"""Test-only launcher target: the real bot with a fast digest clock.

``python -m tests.e2e.launch_bot --target tests.reliability.fast_clock:main -- run``

The digest scheduler reads the time only through ``DigestRunner.clock``. This
target gives every ``DigestRunner`` a clock that runs ``FAST_CLOCK_RATE`` times
faster than real time from a shared origin (``FAST_CLOCK_ORIGIN_REAL``, a Unix
time, is ``FAST_CLOCK_ORIGIN_VIRTUAL``, an ISO instant), then runs the product CLI
unchanged. Every process started with the same variables sees the same virtual
time, so restarts behave as they would in production, only days go by in seconds.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from typing import Any

ENV_RATE = "FAST_CLOCK_RATE"
ENV_ORIGIN_REAL = "FAST_CLOCK_ORIGIN_REAL"
ENV_ORIGIN_VIRTUAL = "FAST_CLOCK_ORIGIN_VIRTUAL"


def virtual_now(rate: float, origin_real: float, origin_virtual: datetime) -> datetime:
    """The virtual instant now: the origin plus the real time since, ``rate`` times over."""
    return origin_virtual + timedelta(seconds=(time.time() - origin_real) * rate)


def install() -> None:
    """Make every DigestRunner built from now on use the fast clock."""
    from core.digests.service import DigestRunner

    rate = float(os.environ[ENV_RATE])
    origin_real = float(os.environ[ENV_ORIGIN_REAL])
    origin_virtual = datetime.fromisoformat(os.environ[ENV_ORIGIN_VIRTUAL])

    def clock() -> datetime:
        return virtual_now(rate, origin_real, origin_virtual)

    original = DigestRunner.__init__

    def __init__(self: DigestRunner, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("clock", clock)
        original(self, *args, **kwargs)

    DigestRunner.__init__ = __init__  # type: ignore[method-assign]


def main() -> Any:
    install()
    from bot.cli import app

    return app(prog_name="petitionbot")
