"""Read the petition site's JSON API into :mod:`core.ingest.models` (the Markdown's twin).

Three shapes come from petition.parliament.uk:

* ``/petitions/<id>.json`` and ``/archived/petitions/<id>.json``: one petition,
  ``{"links": {"self": ...}, "data": {"type", "id", "attributes": {...}}}``;
* ``/petitions.json?state=open&page=N`` list pages: ``data`` is a list of
  petitions *without* signature tables, ``links.next`` the following page.

A petition becomes the same :class:`~core.ingest.models.Petition` the Markdown report
of the same data parses to, so the rest of the bot never asks where data came
from. The mapping, decided once here:

* ``action`` → title (``title`` on pre-2015 archived petitions), ``background``
  → background (the report omits ``additional_details``; we keep it apart);
* ``refreshed_at`` is ``updated_at`` — the newest moment the data describes
  (the Markdown's "Last refreshed" is when a report ran; the JSON has no such
  time, and ``updated_at`` moves whenever the count does). Without it, the
  latest of the other ``*_at`` times;
* every time is truncated to whole seconds, the Markdown's precision, so the
  two formats of the same data give equal values;
* history events use the report's names (:data:`core.ingest.models.EVENT_ORDER`),
  plus "Closed" from ``closed_at``, which storage keeps as the closing date;
* countries rank by count, ties by name; constituencies by count, ties by ONS
  code (the API's own order), percentages ``100 * count / total`` and
  ``100 * count / UK count`` rounded to 2 places as the report prints them;
* the JSON has no "Unknown" seat row: like the report we add one holding
  UK count − sum of seats whenever that is not zero (negative when the API's
  counters are out of sync, which the report prints too), so the seat rows
  sum to the UK count exactly as FORMAT.md says;
* rejected petitions carry no signature tables: they get empty ones.

Errors are :class:`core.ingest.parser.ParseError`: invalid JSON carries the line
number, a missing or ill-typed field names its JSON path
(``data.attributes.signatures_by_constituency[12].signature_count``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from core.ingest.models import (
    UNKNOWN,
    ConstituencyCount,
    CountryCount,
    GovernmentResponse,
    HistoryEvent,
    ParsedDocument,
    ParseWarning,
    Petition,
)
from core.ingest.parser import (
    MAX_INTEGER,
    ParseError,
    department,
    petition_page_url,
    strip_controls,
)
from core.petitions.lifecycle import boundary_set
from core.places.reference import seat_names

T = TypeVar("T")

SITE = "https://petition.parliament.uk"
PETITION_TYPES = {"petition": False, "archived-petition": True}  # type → archived?
UNITED_KINGDOM = "United Kingdom"

CLOSED = "Closed"
TIMESTAMP_EVENTS: tuple[tuple[str, str], ...] = (
    ("updated_at", "Updated"),
    ("government_response_at", "Government Response"),
    ("debate_threshold_reached_at", "Debate Threshold Reached"),
    ("response_threshold_reached_at", "Response Threshold Reached"),
    ("opened_at", "Opened"),
    ("moderation_threshold_reached_at", "Moderation Threshold Reached"),
    ("created_at", "Created"),
    ("closed_at", CLOSED),
)
"""``*_at`` field → history event, in the report's order (Closed, not printed there, last)."""

_OTHER_TIMES = ("rejected_at", "debate_outcome_at")  # kept out of history, used as fallback
_DEBATE_EXTRAS = ("scheduled_debate_date", "debate_outcome_at")
_PETITION_PATH = re.compile(r"/(archived/)?petitions/(\d+)")


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One petition on a list page: enough to decide whether to fetch it."""

    id: int
    url: str  # the petition's JSON URL (as given, else built on the public site)
    state: str | None
    signature_count: int
    updated_at: datetime | None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class ListPage:
    """A page of ``petitions.json``; ``next_url`` is ``None`` on the last page."""

    entries: tuple[ListEntry, ...]
    next_url: str | None
    self_url: str | None = None
    last_url: str | None = None

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(entry.id for entry in self.entries)


def _clean_text(value: str) -> str:
    """Text as the Markdown parser would return it: LF, no trailing spaces, no outer blanks."""
    lines = [line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _clean_controls(value: str) -> str:
    """Control and bidi characters out, CR line ends kept as LF (free text splits on LF)."""
    if value.isprintable():
        return value
    return strip_controls(value.replace("\r\n", "\n").replace("\r", "\n"))


def _percent(count: int, denominator: int | None) -> float:
    return round(100 * count / denominator, 2) if denominator else 0.0


class _Reader:
    """One read of one document; holds the source name for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[ParseWarning] = []
        self._seat_paths: dict[str, str] = {}  # seat name -> JSON path of its row

    def error(self, path: str, message: str) -> ParseError:
        return ParseError(self.source, None, f"{path}: {message}")

    # ----------------------------------------------------------------- decoding
    def load(self, data: bytes) -> Any:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if not data.strip():
            raise ParseError(self.source, 1, "empty document: expected a JSON object")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            bad = data[exc.start : exc.start + 1].hex()
            raise ParseError(
                self.source, line, f"invalid UTF-8 (byte 0x{bad}): expected UTF-8 JSON"
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(
                self.source, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"
            ) from None
        except RecursionError:
            raise ParseError(self.source, None, "invalid JSON: nested too deeply") from None

    # ----------------------------------------------------------------- typed access
    def obj(self, value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error(path, f"expected an object, found {_kind(value)}")
        return value

    def field(self, obj: Mapping[str, Any], key: str, path: str) -> Any:
        if key not in obj:
            raise self.error(f"{path}.{key}", "missing field")
        return obj[key]

    def text(self, obj: Mapping[str, Any], key: str, path: str) -> str:
        """A string field, without control or bidi characters (as the Markdown parser)."""
        value = self.field(obj, key, path)
        if not isinstance(value, str):
            raise self.error(f"{path}.{key}", f"expected a string, found {_kind(value)}")
        return _clean_controls(value)

    def optional_text(self, obj: Mapping[str, Any], key: str, path: str) -> str | None:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise self.error(f"{path}.{key}", f"expected a string or null, found {_kind(value)}")
        return None if value is None else _clean_controls(value)

    def count(self, obj: Mapping[str, Any], key: str, path: str) -> int:
        value = self.field(obj, key, path)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(f"{path}.{key}", f"expected a whole number ≥ 0, found {_kind(value)}")
        if value > MAX_INTEGER:
            raise self.error(f"{path}.{key}", f"{value} is too large to be a real count")
        return value

    def time(self, obj: Mapping[str, Any], key: str, path: str) -> datetime | None:
        value = self.optional_text(obj, key, path)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.error(
                f"{path}.{key}", f"{value!r} is not an ISO-8601 time (e.g. 2021-03-05T11:05:39Z)"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(microsecond=0)

    def day(self, obj: Mapping[str, Any], key: str, path: str) -> datetime | None:
        """A ``YYYY-MM-DD`` date as midnight UTC (``responded_on``); None when absent."""
        value = self.optional_text(obj, key, path)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value[:10]).replace(tzinfo=UTC)
        except ValueError:
            raise self.error(
                f"{path}.{key}", f"{value!r} is not a date (e.g. 2020-09-24)"
            ) from None

    def rows(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        row: Callable[[Mapping[str, Any], str], T],
    ) -> list[T]:
        """Rows of an optional array of objects (absent or null → no rows)."""
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f"{path}.{key}", f"expected an array, found {_kind(value)}")
        return [
            row(self.obj(item, f"{path}.{key}[{i}]"), f"{path}.{key}[{i}]")
            for i, item in enumerate(value)
        ]

    # ----------------------------------------------------------------- document
    def document(self, data: bytes) -> ParsedDocument:
        root = self.obj(self.load(data), "$")
        body = self.field(root, "data", "$")
        if isinstance(body, list):
            raise self.error(
                "data",
                f"this is a list page of {len(body)} petitions, not one petition: list pages "
                "have no signature tables (`petitionbot refresh` follows them)",
            )
        body = self.obj(body, "data")
        kind = body.get("type", "petition")
        if kind not in PETITION_TYPES:
            raise self.error(
                "data.type", f"expected 'petition' or 'archived-petition', found {kind!r}"
            )
        petition_id = self.petition_id(body, "data")
        links = root.get("links")
        self_url = self.optional_text(links, "self", "links") if isinstance(links, dict) else None
        url = self.petition_url(self_url, petition_id, PETITION_TYPES[kind])
        petition = self.petition(
            self.obj(self.field(body, "attributes", "data"), "data.attributes"), petition_id, url
        )
        return ParsedDocument(petition=petition, warnings=tuple(self.warnings))

    def petition_id(self, body: Mapping[str, Any], path: str) -> int:
        value = self.field(body, "id", path)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.error(
                f"{path}.id", f"expected a positive whole number, found {_kind(value)}"
            )
        if value > MAX_INTEGER:
            raise self.error(f"{path}.id", "too large to be a real petition id")
        return value

    def petition_url(self, self_url: str | None, petition_id: int, archived: bool) -> str:
        """The petition's page URL (``links.self`` without ``.json``), as the report prints it."""
        if self_url:
            match = _PETITION_PATH.search(self_url)
            if match is None or int(match.group(2)) != petition_id:
                raise self.error(
                    "links.self", f"{self_url!r} is not the URL of petition {petition_id}"
                )
            page = self_url.split("?", 1)[0].removesuffix(".json")
        else:
            page = f"{SITE}/{'archived/' if archived else ''}petitions/{petition_id}"
        return petition_page_url(page, petition_id)

    def petition(self, attrs: Mapping[str, Any], petition_id: int, url: str) -> Petition:
        path = "data.attributes"
        title_key = "action" if "action" in attrs or "title" not in attrs else "title"
        # One line, as the report's "# title" heading: a wrapped title is still one title.
        title = " ".join(self.text(attrs, title_key, path).split())
        if not title:
            raise self.error(f"{path}.{title_key}", "empty petition title")
        background_key = (
            "background" if "background" in attrs or "description" not in attrs else "description"
        )
        background = _clean_text(self.optional_text(attrs, background_key, path) or "")
        details = self.optional_text(attrs, "additional_details", path)
        total = self.count(attrs, "signature_count", path)
        history = self.history(attrs, path)
        refreshed = self.refreshed_at(attrs, history, path)
        departments = self.names(attrs, "departments", path)
        response = self.response(attrs, path, departments)
        countries = self.countries(attrs, path, total)
        uk = next((c.count for c in countries if c.name == UNITED_KINGDOM), None)
        petition = Petition(
            id=petition_id,
            title=title,
            url=url,
            background=background,
            total_signatures=total,
            refreshed_at=refreshed,
            government_response=response,
            history=history,
            countries=countries,
            constituencies=self.constituencies(attrs, path, uk),
            state=self.optional_text(attrs, "state", path),
            additional_details=_clean_text(details) if details else None,
            departments=departments,
            topics=self.names(attrs, "topics", path),
            debate=self.debate(attrs, path),
        )
        problem = seat_names(boundary_set(petition)).problem(petition.constituencies)
        if problem is not None:
            index, message = problem
            row = self._seat_paths.get(petition.constituencies[index].name, path)
            raise self.error(f"{row}.name", message)
        return petition

    def history(self, attrs: Mapping[str, Any], path: str) -> tuple[HistoryEvent, ...]:
        events = []
        for key, event in TIMESTAMP_EVENTS:
            moment = self.time(attrs, key, path)
            if moment is not None:
                events.append(HistoryEvent(event, moment))
        return tuple(events)

    def refreshed_at(
        self, attrs: Mapping[str, Any], history: Sequence[HistoryEvent], path: str
    ) -> datetime:
        updated = next((e.at for e in history if e.event == "Updated"), None)
        if updated is not None:
            return updated
        others = [e.at for e in history]
        others += [t for key in _OTHER_TIMES if (t := self.time(attrs, key, path)) is not None]
        if not others:
            raise self.error(f"{path}.updated_at", "missing: the petition has no timestamp at all")
        return max(others)

    def names(self, attrs: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        """Department or topic names: strings, or objects with a ``name`` (or ``code``)."""
        value = attrs.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.error(f"{path}.{key}", f"expected an array, found {_kind(value)}")
        names: list[str] = []
        for i, item in enumerate(value):
            where = f"{path}.{key}[{i}]"
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, dict) and isinstance(item.get("name") or item.get("code"), str):
                names.append(item.get("name") or item["code"])
            else:
                raise self.error(
                    where, f"expected a name or an object with 'name', found {_kind(item)}"
                )
        return tuple(names)

    def response(
        self, attrs: Mapping[str, Any], path: str, departments: tuple[str, ...]
    ) -> GovernmentResponse | None:
        value = attrs.get("government_response")
        if value is None:
            return None
        where = f"{path}.government_response"
        body = self.obj(value, where)
        details = _clean_text(self.optional_text(body, "details", where) or "")
        summary_raw = self.optional_text(body, "summary", where)
        if summary_raw is None:
            # Pre-2015 archived petitions: one text, whose first paragraph is the summary.
            summary, _, details = details.partition("\n\n")
        else:
            summary = _clean_text(summary_raw)
        # The day the government responded (``responded_on``), not when the site
        # published it (``government_response_at``: weeks later for some, e.g. 549607).
        responded = (
            self.day(body, "responded_on", where)
            or self.time(attrs, "government_response_at", path)
            or self.time(body, "created_at", where)
        )
        return GovernmentResponse(
            summary=summary,
            details=details.strip("\n"),
            department=departments[0] if departments else department(details),
            responded_at=responded,
        )

    def debate(self, attrs: Mapping[str, Any], path: str) -> dict[str, str | None] | None:
        """The debate object plus the scheduled/outcome dates (strings), or ``None``."""
        value = attrs.get("debate")
        debate: dict[str, str | None] = {}
        if value is not None:
            for key, item in self.obj(value, f"{path}.debate").items():
                if item is None or isinstance(item, str):
                    debate[key] = item
                elif isinstance(item, int | float) and not isinstance(item, bool):
                    debate[key] = str(item)
        for key in _DEBATE_EXTRAS:
            extra = self.optional_text(attrs, key, path)
            if extra is not None:
                debate[key] = extra
        return debate or None

    # ----------------------------------------------------------------- tables
    def countries(
        self, attrs: Mapping[str, Any], path: str, total: int
    ) -> tuple[CountryCount, ...]:
        def row(item: Mapping[str, Any], where: str) -> tuple[str, int, str]:
            name = self.text(item, "name", where).strip()
            if not name:
                raise self.error(f"{where}.name", "empty country name")
            return name, self.count(item, "signature_count", where), where

        rows = self.rows(attrs, "signatures_by_country", path, row)
        self.unique([(name, where) for name, _, where in rows], "country")
        ordered = sorted(rows, key=lambda r: (-r[1], r[0]))
        countries = tuple(
            CountryCount(rank, name, count, _percent(count, total))
            for rank, (name, count, _) in enumerate(ordered, start=1)
        )
        summed = sum(c.count for c in countries)
        if countries and summed != total:
            self.warn(f"countries sum to {summed:,}, total is {total:,}")
        return countries

    def constituencies(
        self, attrs: Mapping[str, Any], path: str, uk: int | None
    ) -> tuple[ConstituencyCount, ...]:
        def row(
            item: Mapping[str, Any], where: str
        ) -> tuple[str, str | None, str | None, int, str]:
            name = self.text(item, "name", where).strip()
            if not name or name == UNKNOWN:
                raise self.error(f"{where}.name", f"{name!r} is not a constituency name")
            code = self.optional_text(item, "ons_code", where)
            mp = self.optional_text(item, "mp", where)
            return name, code or None, mp or None, self.count(item, "signature_count", where), where

        rows = self.rows(attrs, "signatures_by_constituency", path, row)
        self._seat_paths = {name: where for name, _, _, _, where in rows}
        self.unique([(name, where) for name, _, _, _, where in rows], "constituency")
        keyed = [
            ((-count, code or "", name), (name, mp, count, code))
            for name, code, mp, count, _ in rows
        ]
        seat_sum = sum(count for _, (_, _, count, _) in keyed)
        if uk is not None and uk != seat_sum:
            unknown = uk - seat_sum
            keyed.append(((-unknown, "\uffff", ""), (UNKNOWN, None, unknown, None)))
            if unknown < 0:
                self.warn(f"constituencies sum to {seat_sum:,}, more than the UK count {uk:,}")
        keyed.sort(key=lambda pair: pair[0])
        return tuple(
            ConstituencyCount(rank, name, mp, count, _percent(count, uk), code)
            for rank, (_, (name, mp, count, code)) in enumerate(keyed, start=1)
        )

    def unique(self, names: Sequence[tuple[str, str]], what: str) -> None:
        seen: dict[str, str] = {}
        for name, where in names:
            if name in seen:
                raise self.error(where, f"{what} {name!r} appears twice (first at {seen[name]})")
            seen[name] = where

    def warn(self, message: str) -> None:
        self.warnings.append(ParseWarning(None, message))

    # ----------------------------------------------------------------- list pages
    def list_page(self, data: bytes) -> ListPage:
        root = self.obj(self.load(data), "$")
        body = self.field(root, "data", "$")
        if not isinstance(body, list):
            raise self.error(
                "data", f"expected a list of petitions (a list page), found {_kind(body)}"
            )
        links = self.obj(root.get("links") or {}, "links")
        entries = tuple(
            self.list_entry(self.obj(item, f"data[{i}]"), f"data[{i}]")
            for i, item in enumerate(body)
        )
        return ListPage(
            entries,
            self.optional_text(links, "next", "links"),
            self.optional_text(links, "self", "links"),
            self.optional_text(links, "last", "links"),
        )

    def list_entry(self, item: Mapping[str, Any], path: str) -> ListEntry:
        kind = item.get("type", "petition")
        if kind not in PETITION_TYPES:
            raise self.error(
                f"{path}.type", f"expected 'petition' or 'archived-petition', found {kind!r}"
            )
        archived = PETITION_TYPES[kind]
        petition_id = self.petition_id(item, path)
        links = item.get("links")
        url = (
            self.optional_text(links, "self", f"{path}.links") if isinstance(links, dict) else None
        )
        attrs = self.obj(self.field(item, "attributes", path), f"{path}.attributes")
        where = f"{path}.attributes"
        return ListEntry(
            id=petition_id,
            url=url or f"{SITE}/{'archived/' if archived else ''}petitions/{petition_id}.json",
            state=self.optional_text(attrs, "state", where),
            signature_count=self.count(attrs, "signature_count", where),
            updated_at=self.time(attrs, "updated_at", where),
            archived=archived,
        )


def _kind(value: Any) -> str:
    """How a JSON value reads in an error: "a string ('12')", "null", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, list):
        return "an array"
    return "an object"


def parse_json_bytes(data: bytes, source: str = "<json>") -> ParsedDocument:
    """Parse one petition (``/petitions/<id>.json`` or an archived one) from raw bytes."""
    return _Reader(source).document(data)


def parse_list_page(data: bytes, source: str = "<list page>") -> ListPage:
    """Parse a ``petitions.json`` list page: petition ids, counts, times and the next URL."""
    return _Reader(source).list_page(data)
