"""``WHERE x IN (?, ?, …)`` over any number of values, on either database.

Both databases cap the parameters of one statement (SQLite at 32,766 in the
builds we use, but older ones at 999; asyncpg at 32,767), so a look-up of many
ids runs once per chunk. This is that loop, written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.database import Database, Row

CHUNK = 400
"""Values per statement: far below every limit, and few round trips for the bot's sizes."""


async def rows_in(
    db: Database,
    sql: str,
    items: Sequence[Any],
    *,
    mark: str = "?",
    joiner: str = ", ",
    before: Sequence[Any] = (),
    after: Sequence[Any] = (),
    size: int = CHUNK,
) -> list[Row]:
    """Every row of ``sql`` run once per chunk of ``items``.

    ``{marks}`` in ``sql`` becomes one ``mark`` per item joined by ``joiner``:
    ``?, ?, ?`` by default. A ``mark`` with several ``?`` (such as
    ``(seat_key = ? AND petition_id = ?)`` joined by `` OR ``) takes tuples.
    ``before``/``after`` are the parameters around the marks in each statement.
    """
    width = mark.count("?")
    rows: list[Row] = []
    for offset in range(0, len(items), size):
        chunk = items[offset : offset + size]
        values = [v for item in chunk for v in (item if width > 1 else (item,))]
        text = sql.replace("{marks}", joiner.join([mark] * len(chunk)))
        async with db.conn.execute(text, (*before, *values, *after)) as cursor:
            rows.extend(await cursor.fetchall())
    return rows
