"""Records of digest posts: one row per server and period, the exactly-once ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

PostStatus = Literal["claimed", "posted", "empty", "failed", "interrupted"]


@dataclass(frozen=True, slots=True)
class DigestPost:
    """One claimed period and what became of it."""

    guild_id: int
    period_key: str
    status: PostStatus
    window_start: datetime
    window_end: datetime
    channel_id: int
    claimed_at: datetime
    posted_at: datetime | None
    message_ids: tuple[int, ...]
    items: int | None
    error: str | None
    claimed_by: str | None = None
    """The instance id of the process that claimed it (None before migration 0020)."""


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What happened to one server's period."""

    guild_id: int
    period_key: str
    status: str  # posted | empty | failed | skipped (claimed before)
    message_ids: tuple[int, ...] = ()
    items: int = 0
    error: str | None = None
