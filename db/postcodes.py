"""SQL for the postcode cache (hashed keys, ONS codes only; see core/places/postcodes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.common.times import utc_text
from db.database import Database


async def cached_codes(db: Database, key: str, now: datetime) -> tuple[str, ...] | None:
    """The cached codes (``()``: known to be unknown), or None when absent or expired."""
    async with db.conn.execute(
        "SELECT codes FROM postcode_cache WHERE postcode_hash = ? AND expires_at > ?",
        (key, utc_text(now)),
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None else tuple(str(row[0]).split())


async def store_codes(db: Database, key: str, codes: Sequence[str], expires_at: datetime) -> None:
    await db.conn.execute(
        "INSERT INTO postcode_cache (postcode_hash, codes, expires_at) VALUES (?, ?, ?)"
        " ON CONFLICT (postcode_hash) DO UPDATE SET"
        " codes = excluded.codes, expires_at = excluded.expires_at",
        (key, " ".join(codes), utc_text(expires_at)),
    )
