"""Typed model of one petition document, independent of where it came from.

Both the Markdown parser and the JSON reader produce these objects, and the
storage layer consumes them, so the two input formats can never drift apart in
what they mean. Everything is immutable: a parsed petition is a value, not a
mutable record (frozen dataclasses; named tuples for the per-row counts), which
makes "parse → render → parse" round-trip tests exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from core.common.names import person_name

UNKNOWN = "Unknown"
"""Name printed in the constituency table for signatures with no known seat."""

# The events the petition site reports, in the fixed order the report prints them.
EVENT_ORDER: tuple[str, ...] = (
    "Updated",
    "Government Response",
    "Debate Threshold Reached",
    "Response Threshold Reached",
    "Opened",
    "Moderation Threshold Reached",
    "Created",
)


class CountryCount(NamedTuple):
    """One row of "Signatures by Country".

    The per-row models are named tuples rather than frozen dataclasses: a 10k
    archive has 6 million of them, and a named tuple is built, pickled (parse
    workers send them back to the loader) and unpickled several times faster.
    """

    rank: int
    name: str
    count: int  # type: ignore[assignment]  # the field, not tuple.count()
    percent: float


class ConstituencyCount(NamedTuple):
    """One row of "Signatures by Constituency" (a named tuple: see :class:`CountryCount`).

    ``mp`` is the MP exactly as printed (honorifics kept) or ``None`` when the
    seat was vacant (printed ``None``) and for the ``Unknown`` row, which is not
    a seat at all. ``ons_code`` is only known when the source carried it (JSON).
    """

    rank: int
    name: str
    mp: str | None
    count: int  # type: ignore[assignment]  # the field, not tuple.count()
    percent: float
    ons_code: str | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Unpickle straight through tuple.__new__ (C), not the generated Python
        # __new__: a third cheaper for the loader receiving parsed documents.
        return (tuple.__new__, (ConstituencyCount, tuple(self)))

    @property
    def is_unknown(self) -> bool:
        """True for the ``Unknown | Unknown`` row (signatures without a seat)."""
        return self.name == UNKNOWN

    @property
    def mp_name(self) -> str | None:
        """The MP's name without honorifics ("Mr Jonathan Lord MP" → "Jonathan Lord")."""
        return person_name(self.mp) if self.mp else None


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """A dated event in the petition's life (threshold reached, response, ...)."""

    event: str
    at: datetime  # timezone-aware UTC


@dataclass(frozen=True, slots=True)
class GovernmentResponse:
    """The government's response: a one-paragraph summary and the full details.

    ``department`` is recovered from the details (Markdown) or given directly
    (JSON); the details keep the department line as printed.
    """

    summary: str
    details: str
    department: str | None = None
    responded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Petition:
    """Everything one document says about one petition at one refresh time."""

    id: int
    title: str
    url: str
    background: str
    total_signatures: int
    refreshed_at: datetime  # timezone-aware UTC: when the report ran
    government_response: GovernmentResponse | None = None
    history: tuple[HistoryEvent, ...] = ()
    countries: tuple[CountryCount, ...] = ()
    constituencies: tuple[ConstituencyCount, ...] = ()
    # Fields only the JSON API carries (None when read from Markdown).
    state: str | None = None
    additional_details: str | None = None
    departments: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    debate: dict[str, str | None] | None = field(default=None, compare=False)

    def event_time(self, event: str) -> datetime | None:
        """When ``event`` (e.g. "Debate Threshold Reached") happened, if it did."""
        for item in self.history:
            if item.event == event:
                return item.at
        return None

    @property
    def uk_signatures(self) -> int | None:
        """The United Kingdom row of the country table: the constituency denominator."""
        for row in self.countries:
            if row.name == "United Kingdom":
                return row.count
        return None

    @property
    def unknown_row(self) -> ConstituencyCount | None:
        """The ``Unknown`` constituency row, if the table has one."""
        for row in self.constituencies:
            if row.is_unknown:
                return row
        return None

    @property
    def seats(self) -> tuple[ConstituencyCount, ...]:
        """Constituency rows that are real seats (the Unknown row excluded)."""
        return tuple(row for row in self.constituencies if not row.is_unknown)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Parse helpers send every parsed petition to the loader. Pickled as six
        # columns, its ~620 seat rows cost a fraction of 620 tuples each way (and
        # no per-field dataclass state): a fifth of a large ingest's CPU before.
        rows = self.constituencies
        columns = tuple(list(map(itemgetter(i), rows)) for i in range(6))
        fields = tuple(getattr(self, name) for name in _PETITION_FIELDS)
        return (_petition_from_columns, (fields, columns))


_PETITION_FIELDS = tuple(name for name in Petition.__dataclass_fields__ if name != "constituencies")
_new_seat_row = partial(tuple.__new__, ConstituencyCount)


def _petition_from_columns(fields: tuple[Any, ...], columns: tuple[list[Any], ...]) -> Petition:
    """Undo :meth:`Petition.__reduce__` (seat rows rebuilt in C)."""
    values = dict(zip(_PETITION_FIELDS, fields, strict=True))
    return Petition(**values, constituencies=tuple(map(_new_seat_row, zip(*columns, strict=True))))


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """A real-data inconsistency that does not stop ingest (e.g. country sum ≠ total)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A parsed petition plus the warnings found while checking its invariants."""

    petition: Petition
    warnings: tuple[ParseWarning, ...] = ()
