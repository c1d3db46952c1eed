"""The one storage form of an instant, and back.

Times are stored as ISO-8601 text in UTC: text in that form sorts in time
order, so SQL can compare and index it. Every repository writes with
:func:`utc_text` and reads with :func:`utc_datetime`; both pass ``None``
through so nullable columns need no special case.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


@overload
def utc_text(moment: datetime) -> str: ...
@overload
def utc_text(moment: None) -> None: ...
def utc_text(moment: datetime | None) -> str | None:
    """``moment`` as ISO-8601 text in UTC; a naive time is refused (its zone is unknown)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times are stored as aware UTC instants")
    return moment.astimezone(UTC).isoformat()


@overload
def utc_datetime(text: str) -> datetime: ...
@overload
def utc_datetime(text: None) -> None: ...
def utc_datetime(text: str | None) -> datetime | None:
    """Stored ISO text back to an aware datetime (``None`` stays ``None``)."""
    return datetime.fromisoformat(text) if text is not None else None
