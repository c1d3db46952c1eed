"""Parse a petition document (the Markdown report format) into :mod:`core.ingest.models`.

The format is described in ``FORMAT.md`` of the shared material. Parsing is
strict about structure (every error names the file, the line and what was
expected, and nothing half-parsed ever escapes) and lenient about the
inconsistencies real data has: a country table that does not sum to the total
is reported as a warning, not rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import pairwise, repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TypeVar

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
from core.petitions.lifecycle import boundary_set
from core.places.reference import seat_names

T = TypeVar("T")

BACKGROUND = "Background"
SIGNATURES = "Signatures"
RESPONSE = "Government Response"
HISTORY = "History"
BY_COUNTRY = "Signatures by Country"
BY_CONSTITUENCY = "Signatures by Constituency"
# Sections in document order, and whether a document must have them.
SECTIONS: tuple[tuple[str, bool], ...] = (
    (BACKGROUND, True),
    (SIGNATURES, True),
    (RESPONSE, False),
    (HISTORY, False),
    (BY_COUNTRY, True),
    (BY_CONSTITUENCY, True),
)
_SECTION_NAMES = {name.casefold(): name for name, _ in SECTIONS}
_ORDER = [name for name, _ in SECTIONS]
_FREE_TEXT = {BACKGROUND, RESPONSE}

HISTORY_HEADER = ("Event", "Date", "Time")
COUNTRY_HEADER = ("#", "Country", "Signatures", "%")
CONSTITUENCY_HEADER = ("#", "Constituency", "MP", "Signatures", "%")

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_TOTAL = re.compile(r"^\*\*\s*(\S+)\s+signatures?\s*\*\*$", re.IGNORECASE)
_SOURCE = re.compile(r"^Data taken from \[(?P<text>[^\]]*)\]\((?P<url>[^)\s]+)\)$", re.IGNORECASE)
_REFRESHED = re.compile(r"^Last refreshed\s+(\S+\s+\S+)$", re.IGNORECASE)
_PETITION_ID = re.compile(r"/petitions/(\d+)(?:[/?#.]|$)")
SITE = "https://petition.parliament.uk"
_PETITION_PAGE = re.compile(r"https://petition\.parliament\.uk/(?:archived/)?petitions/(\d{1,19})")
# C0 controls but tab and newline, DEL, C1 controls, and the bidi marks, embeddings,
# overrides and isolates: a title must not move a terminal's cursor or reverse text.
_CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[{_CONTROL_CHARS}]")
_INTEGER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)$")
_PERCENT = re.compile(r"^\d+(?:\.\d+)?$")
# The Unknown row is computed (UK count - sum of seats), so out-of-sync API counts can
# make it negative; only that row accepts a sign.
_SIGNED_INTEGER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)$")
_SIGNED_PERCENT = re.compile(r"^-?\d+(?:\.\d+)?$")
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")
_DEPARTMENT = re.compile(
    r"\b(department|ministry|office|treasury|hm revenue|cabinet|secretary of state)\b",
    re.IGNORECASE,
)


# The common, well-formed seat row (≈650 per document). A whole table of them is
# matched in one regex pass; anything else (the Unknown row, odd spacing, errors)
# takes the general, checked path. ``[^|\n...]``: a match never spans two lines.
_SEAT_ROWS = re.compile(
    # A cell is "[ \t]*(text ending in a non-blank)[ \t]*": greedy, so no backtracking.
    # Cells hold no control or bidi character: such rows take the checked path, which
    # strips them.
    r"^\|[ \t]*(\d+)[ \t]*\|[ \t]*({c}*{e})[ \t]*\|[ \t]*((?:{c}*{e})?)[ \t]*\|"
    r"[ \t]*(\d{{1,3}}(?:,\d{{3}})+|\d+)[ \t]*\|[ \t]*(\d+(?:\.\d+)?)[ \t]*\|[ \t]*$".format(
        c=f"[^|\n{_CONTROL_CHARS}]", e=f"[^|\n \t{_CONTROL_CHARS}]"
    ),
    re.MULTILINE,
)


def _seat(rank: str, name: str, mp: str, count: str, percent: str) -> ConstituencyCount | None:
    """A matched seat row, or None where only the checked path decides the same way.

    That is: the Unknown row (signed), numbers too long to be real counts, and
    cells with other white space around them (no-break spaces), which the
    checked path strips and this regex does not.
    """
    if (
        name == UNKNOWN
        or len(count) > 15
        or len(rank) > 15
        or name != name.strip()
        or mp != mp.strip()
    ):
        return None
    return ConstituencyCount(
        int(rank),
        name,
        None if mp in ("", "None") else mp,
        int(count.replace(",", "")),
        float(percent),
    )


def _fast_seats(texts: list[str]) -> list[ConstituencyCount | None] | None:
    """Every row of a well-formed seat table, parsed in one pass; None if any line is not.

    Each match lies within one line and covers all of it, so as many matches as
    lines means every line matched. A row that needs the checked path is None
    in the list (see :func:`_seat`). With one line, this is the per-row fast
    path of a table that did not match whole.

    The common table (no Unknown row, no odd white space, sane lengths) is
    converted column by column with C-level ``map`` calls: ~620 rows a document,
    62 million for the whole archive, so a Python call per row was a third of
    the parse.
    """
    joined = "\n".join(texts)
    found = _SEAT_ROWS.findall(joined)
    if len(found) != len(texts):
        return None
    if not found:
        return []
    ranks, names, mps, counts, percents = zip(*found, strict=True)
    if (
        (not joined.isascii() and _ODD_SPACE.search(joined))
        or max(map(len, counts)) > 15
        or max(map(len, ranks)) > 15
    ):
        return [_seat(*groups) for groups in found]
    values = map(int, "|".join(counts).replace(",", "").split("|"))
    printed = map(_MP_PRINTED.get, mps, mps)
    rows: list[ConstituencyCount | None] = list(
        map(
            _new_seat_row,
            zip(map(int, ranks), names, printed, values, map(float, percents), repeat(None)),
        )
    )
    if UNKNOWN in names:  # not a seat: the checked path reads it (it may be signed)
        rows[names.index(UNKNOWN)] = None
    return rows


_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_NAME = attrgetter("name")
_RANK = attrgetter("rank")
_COUNT = attrgetter("count")
"""C-level getters for the per-row checks: a 620-row table, 100,000 documents."""
_ODD_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
"""White space beyond ASCII (e.g. a no-break space): the checked path strips it, the
table regex does not, so such a table takes the per-row path. (ASCII white space
other than space and tab is a control character, which the table regex refuses.)"""
_MP_PRINTED: dict[str, str | None] = {"": None, "None": None}
"""``dict.get(mp, mp)``: the MP as printed, None for an empty cell or a vacant seat."""
_new_seat_row = partial(tuple.__new__, ConstituencyCount)
"""A ConstituencyCount built in C (the generated ``__new__`` is Python)."""


MAX_INTEGER = 2**63 - 1
"""SQLite's largest integer: anything bigger is not a real count (and cannot be stored)."""


def strip_controls(text: str) -> str:
    """``text`` without control or bidi characters (tab and newline kept).

    An ESC or BEL in a title would drive the console's terminal, and U+202E
    would show a title reversed; nobody types them on purpose. ``isprintable``
    is a C-speed check that lets almost every string skip the regex.
    """
    return text if text.isprintable() else _CONTROLS.sub("", text)


def petition_page_url(url: str | None, petition_id: int) -> str:
    """``url`` if it is this petition's page on petition.parliament.uk, else that page's URL.

    The URL becomes a link in every card: a ``javascript:`` URL or another site
    must never get there, whatever a document claims.
    """
    match = _PETITION_PAGE.fullmatch(url or "")
    if match is not None and int(match.group(1)) == petition_id:
        return match.group(0)
    return f"{SITE}/petitions/{petition_id}"


class ParseError(ValueError):
    """A document that is not a valid petition document.

    Carries the source (file name), the 1-based line number and what was
    expected, so a moderator can fix the file without reading code.
    """

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, int | None, str]]:
        # Parse helpers send errors back pickled; the default would call ParseError(str).
        return (ParseError, (self.source, self.line, self.message))


@dataclass(slots=True)
class _Section:
    name: str
    line: int  # line number of the heading
    body: list[tuple[int, str]]  # (line number, text) pairs


class _Parser:
    """One parse of one document; holds the source name for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[ParseWarning] = []

    def error(self, line: int | None, message: str) -> ParseError:
        return ParseError(self.source, line, message)

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(ParseWarning(line, message))

    # ----------------------------------------------------------------- decoding
    def decode(self, data: bytes) -> list[str]:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if not data.strip():
            raise self.error(1, "empty document: expected '# <petition title>'")
        bad_at: int | None = None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_at, text = exc.start, ""
        nul = data.find(b"\x00")
        if nul >= 0:
            # Binary file: report the first byte that is not text (NUL or not UTF-8).
            first = nul if bad_at is None else min(nul, bad_at)
            line = data.count(b"\n", 0, first) + 1
            raise self.error(line, "binary data (NUL byte): expected a UTF-8 text document")
        if bad_at is not None:
            line = data.count(b"\n", 0, bad_at) + 1
            bad = data[bad_at : bad_at + 1].hex()
            raise self.error(line, f"invalid UTF-8 (byte 0x{bad}): expected UTF-8 text")
        return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    # ----------------------------------------------------------------- structure
    def split(self, lines: Sequence[str]) -> tuple[str, dict[str, _Section]]:
        """Find the title and the known sections, checking their order."""
        index = 0
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index == len(lines):
            raise self.error(1, "empty document: expected '# <petition title>'")
        heading = _HEADING.match(lines[index])
        if not heading or len(heading.group(1)) != 1 or not heading.group(2):
            raise self.error(index + 1, "expected the title line '# <petition title>'")
        title = strip_controls(heading.group(2)).strip()
        if not title:
            raise self.error(index + 1, "expected the title line '# <petition title>'")

        sections: dict[str, _Section] = {}
        current: _Section | None = None
        # Only lines starting with "#" can change section: find them first, then hand
        # each run of lines between them to the section it belongs to in one slice.
        heads = [i for i in range(index + 1, len(lines)) if lines[i].startswith("#")]
        previous = index + 1
        for head in [*heads, len(lines)]:
            self._text_lines(current, lines, previous, head)
            if head == len(lines):
                break
            current = self._heading(current, sections, head + 1, lines[head])
            previous = head + 1
        # ``lines`` ends with "" when the text ends with a newline: not a line of its own.
        last_line = max(1, len(lines) - (1 if lines and lines[-1] == "" else 0))
        for position, (name, required) in enumerate(SECTIONS):
            if required and name not in sections:
                after = [sections[n] for n, _ in SECTIONS[position + 1 :] if n in sections]
                if after:
                    raise self.error(
                        after[0].line,
                        f"missing section '### {name}' (expected before '### {after[0].name}')",
                    )
                raise self.error(
                    last_line,
                    f"missing section '### {name}' (document truncated or incomplete?)",
                )
        return title, sections

    def _text_lines(
        self, current: _Section | None, lines: Sequence[str], start: int, stop: int
    ) -> None:
        """Lines ``start:stop`` (0-based) belong to ``current``; before any section, none may."""
        if current is not None:
            current.body.extend(zip(range(start + 1, stop + 1), lines[start:stop], strict=True))
            return
        for offset, text in enumerate(lines[start:stop]):
            if text.strip():
                raise self.error(start + offset + 1, "expected '### Background' after the title")

    def _heading(
        self, current: _Section | None, sections: dict[str, _Section], number: int, text: str
    ) -> _Section | None:
        """The section in force after line ``number``, which starts with "#"."""
        heading = _HEADING.match(text)
        name = _SECTION_NAMES.get(heading.group(2).casefold()) if heading else None
        # Known section names count at any sub-heading level (## / ### / ####): a
        # copy re-leveled by an editor must not swallow the History table into text.
        if heading and name and 2 <= len(heading.group(1)) <= 4:
            if name in sections:
                first = sections[name].line
                raise self.error(number, f"second '### {name}' section (first on line {first})")
            if current is not None and _ORDER.index(name) < _ORDER.index(current.name):
                raise self.error(number, f"'### {name}' must come before '### {current.name}'")
            sections[name] = _Section(name, number, [])
            return sections[name]
        if heading and (current is None or current.name not in _FREE_TEXT):
            raise self.error(
                number,
                f"unexpected heading {text.strip()!r}: expected one of "
                + ", ".join(f"'### {n}'" for n in _ORDER),
            )
        # A "#hashtag" line, or a heading inside free text: just text.
        if current is None:
            raise self.error(number, "expected '### Background' after the title")
        current.body.append((number, text))
        return current

    # ----------------------------------------------------------------- free text
    @staticmethod
    def free_text(body: Sequence[tuple[int, str]]) -> str:
        """Text with trailing spaces removed and outer blank lines dropped."""
        lines = [strip_controls(text).rstrip() for _, text in body]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)

    def response(self, section: _Section) -> GovernmentResponse:
        text = self.free_text(section.body)
        if not text:
            raise self.error(section.line, "empty '### Government Response': expected a summary")
        summary, _, details = text.partition("\n\n")
        details = details.strip("\n")
        return GovernmentResponse(summary=summary, details=details, department=department(details))

    # ----------------------------------------------------------------- signatures
    def signatures(self, section: _Section) -> tuple[int, str, int, datetime]:
        total: int | None = None
        url: str | None = None
        url_line = section.line
        refreshed: datetime | None = None
        for number, raw in section.body:
            text = raw.strip()
            if not text:
                continue
            if match := _TOTAL.match(text):
                self.once(total, number, "'**N signatures**'")
                total = self.integer(match.group(1), number, "the signature total")
            elif match := _SOURCE.match(text):
                self.once(url, number, "'Data taken from' line")
                url, url_line = match.group("url"), number
            elif match := _REFRESHED.match(text):
                self.once(refreshed, number, "'Last refreshed' line")
                refreshed = self.timestamp(match.group(1), number, "'Last refreshed'")
            else:
                raise self.error(
                    number,
                    "unexpected line in '### Signatures': expected '**N signatures**', "
                    "'Data taken from [url](url)' or 'Last refreshed YYYY-MM-DD HH:MM:SS'",
                )
        if total is None:
            raise self.error(section.line, "missing the '**N signatures**' line")
        if url is None:
            raise self.error(section.line, "missing the 'Data taken from [url](url)' line")
        if refreshed is None:
            raise self.error(section.line, "missing the 'Last refreshed YYYY-MM-DD HH:MM:SS' line")
        match = _PETITION_ID.search(url)
        if not match:
            raise self.error(
                url_line, f"source URL {url!r} has no petition id: expected .../petitions/<id>"
            )
        petition_id = self.petition_id(match.group(1), url_line)
        page = petition_page_url(url, petition_id)
        if page != url:
            self.warn(url_line, f"source URL {url!r} is not a petition page: linking to {page}")
        return petition_id, page, total, refreshed

    def petition_id(self, digits: str, line: int) -> int:
        """The id in the source URL; storage holds at most a 64-bit integer."""
        if len(digits) > 19 or int(digits) > MAX_INTEGER:
            shown = digits if len(digits) <= 30 else f"{digits[:12]}... ({len(digits)} digits)"
            raise self.error(line, f"petition id {shown} is too large to be a real id")
        if int(digits) == 0:
            raise self.error(line, "petition id 0 is not a real id")
        return int(digits)

    def once(self, previous: object, line: int, what: str) -> None:
        """Two totals (or URLs, or times) in one document: which one is true is unknowable."""
        if previous is not None:
            raise self.error(line, f"second {what} in '### Signatures'")

    # ----------------------------------------------------------------- values
    def integer(self, text: str, line: int, what: str, signed: bool = False) -> int:
        text = text.strip()
        if not (_SIGNED_INTEGER if signed else _INTEGER).match(text):
            raise self.error(line, f"{what} {text!r} is not a whole number (e.g. 13,698)")
        value = int(text.replace(",", ""))
        if abs(value) > MAX_INTEGER:
            raise self.error(line, f"{what} {text!r} is too large to be a real count")
        return value

    def percent(self, text: str, line: int, signed: bool = False) -> float:
        text = text.strip()
        if not (_SIGNED_PERCENT if signed else _PERCENT).match(text):
            raise self.error(line, f"percentage {text!r} is not a number (e.g. 0.46)")
        return float(text)

    def timestamp(self, text: str, line: int, what: str) -> datetime:
        try:
            return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            raise self.error(
                line, f"{what} time {text.strip()!r} is not 'YYYY-MM-DD HH:MM:SS'"
            ) from None

    # ----------------------------------------------------------------- tables
    def cells(self, text: str, line: int, header: tuple[str, ...]) -> list[str]:
        stripped = text.strip()
        if stripped.startswith("|") and not (stripped.endswith("|") and len(stripped) > 1):
            raise self.error(
                line,
                f"incomplete table row (no closing '|', document truncated?): expected "
                f"{len(header)} columns ({' | '.join(header)})",
            )
        if not (stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1):
            raise self.error(line, f"expected a table row '| {' | '.join(header)} |'")
        cells = [strip_controls(cell).strip() for cell in stripped[1:-1].split("|")]
        if len(cells) != len(header):
            raise self.error(
                line,
                f"expected {len(header)} columns ({' | '.join(header)}), found {len(cells)}",
            )
        return cells

    def table(
        self,
        section: _Section,
        header: tuple[str, ...],
        row: Callable[[list[str], int], T],
        required: bool = True,
        fast: Callable[[list[str]], Sequence[T | None] | None] | None = None,
    ) -> list[tuple[int, T]]:
        """Rows of the section's table, as (line number, parsed row) pairs.

        A ``required`` table must at least have its header: a signature section
        with no table at all is a truncated document, not a petition with no
        signatures. History may be empty. ``fast`` may parse all rows at once
        (None: use the checked path for every row; a None row: for that row).
        """
        body = section.body
        start = 0
        while start < len(body) and not body[start][1].strip():
            start += 1
        if start == len(body):
            if required:
                raise self.error(
                    section.line,
                    f"'### {section.name}' has no table: expected the header "
                    f"'| {' | '.join(header)} |' (document truncated?)",
                )
            return []
        number, text = body[start]
        found = self.cells(text, number, header)
        if [c.casefold() for c in found] != [h.casefold() for h in header]:
            raise self.error(number, f"expected the table header '| {' | '.join(header)} |'")
        if start + 1 == len(body):
            raise self.error(number + 1, "expected the table separator row '| - | ... |'")
        number, text = body[start + 1]
        if not all(_SEPARATOR_CELL.match(c) for c in self.cells(text, number, header)):
            raise self.error(number, "expected the table separator row '| - | ... |'")
        end = len(body)
        while end > start + 2 and not body[end - 1][1].strip():
            end -= 1
        lines = body[start + 2 : end]

        def settled(number: int, text: str, parsed: T | None) -> tuple[int, T]:
            """The fast path's row, or the checked path's where it had none."""
            return number, parsed if parsed is not None else row(
                self.cells(text, number, header), number
            )

        quick = fast([text for _, text in lines]) if fast is not None else None
        if quick is not None:
            # Built in C; only the few rows the fast path left (the Unknown row) take
            # the checked path.
            pairs = list(zip(map(_FIRST, lines), quick, strict=True))
            index = -1
            while None in quick[index + 1 :]:
                index = quick.index(None, index + 1)
                pairs[index] = settled(lines[index][0], lines[index][1], None)
            return pairs  # type: ignore[return-value]
        rows: list[tuple[int, T]] = []
        ended_at: int | None = None
        for number, text in lines:
            if not text.strip():
                ended_at = ended_at or number
                continue
            if ended_at is not None:
                raise self.error(number, "unexpected text after the table (blank line ends it)")
            # One odd row (a negative Unknown count, say) must not cost the others the
            # fast path, nor parse them differently: try it row by row.
            quick = fast([text]) if fast is not None else None
            rows.append(settled(number, text, quick[0] if quick else None))
        return rows

    def history_row(self, cells: list[str], line: int) -> HistoryEvent:
        event, day, time = cells
        if not event:
            raise self.error(line, "empty event name in the history table")
        return HistoryEvent(event=event, at=self.timestamp(f"{day} {time}", line, f"{event!r}"))

    def country_row(self, cells: list[str], line: int) -> CountryCount:
        rank, name, count, pct = cells
        if not name:
            raise self.error(line, "empty country name")
        return CountryCount(
            rank=self.integer(rank, line, "rank"),
            name=name,
            count=self.integer(count, line, "signature count"),
            percent=self.percent(pct, line),
        )

    def constituency_row(self, cells: list[str], line: int) -> ConstituencyCount:
        rank, name, mp, count, pct = cells
        if not name:
            raise self.error(line, "empty constituency name")
        unknown = name == UNKNOWN
        if unknown or mp in ("", "None"):
            mp_value: str | None = None
        else:
            mp_value = mp
        return ConstituencyCount(
            rank=self.integer(rank, line, "rank"),
            name=name,
            mp=mp_value,
            count=self.integer(count, line, "signature count", signed=unknown),
            percent=self.percent(pct, line, signed=unknown),
        )

    # ----------------------------------------------------------------- checks
    def unique(
        self, rows: Sequence[tuple[int, CountryCount | ConstituencyCount]], what: str
    ) -> None:
        names = list(map(_NAME, map(_SECOND, rows)))
        if len(set(names)) == len(names):
            return
        seen: dict[str, int] = {}
        for line, item in rows:
            if item.name in seen:
                raise self.error(
                    line, f"{what} {item.name!r} appears twice (first on line {seen[item.name]})"
                )
            seen[item.name] = line

    def check_order(
        self, rows: Sequence[tuple[int, CountryCount | ConstituencyCount]], what: str
    ) -> None:
        items = list(map(_SECOND, rows))
        ranks = list(map(_RANK, items))
        if ranks != list(range(1, len(rows) + 1)):
            expected = next(i for i, rank in enumerate(ranks, start=1) if rank != i)
            self.warn(
                rows[expected - 1][0],
                f"{what} table rank {ranks[expected - 1]}, expected {expected}",
            )
        counts = list(map(_COUNT, items))
        if counts == sorted(counts, reverse=True):
            return
        unsorted = next((i for i, (a, b) in enumerate(pairwise(counts), start=1) if b > a), None)
        if unsorted is not None:
            self.warn(rows[unsorted][0], f"{what} table not sorted by signatures")

    def check_sums(self, petition: Petition, sections: dict[str, _Section]) -> None:
        country_sum = sum(map(_COUNT, petition.countries))
        if petition.countries and country_sum != petition.total_signatures:
            self.warn(
                sections[BY_COUNTRY].line,
                f"countries sum to {country_sum:,}, total is {petition.total_signatures:,}",
            )
        uk = petition.uk_signatures
        seat_sum = sum(map(_COUNT, petition.constituencies))
        if uk is not None and petition.constituencies and seat_sum != uk:
            self.warn(
                sections[BY_CONSTITUENCY].line,
                f"constituencies sum to {seat_sum:,}, United Kingdom row is {uk:,}",
            )

    def check_seats(
        self, petition: Petition, seats: Sequence[tuple[int, ConstituencyCount]]
    ) -> None:
        """Every seat row names a real seat of the petition's boundary set, at most once each.

        Otherwise a 5 MB table of invented seats would fill autocomplete.
        """
        problem = seat_names(boundary_set(petition)).problem(petition.constituencies)
        if problem is not None:
            index, message = problem
            raise self.error(seats[index][0], message)

    # ----------------------------------------------------------------- document
    def parse(self, data: bytes) -> ParsedDocument:
        title, sections = self.split(self.decode(data))
        petition_id, url, total, refreshed = self.signatures(sections[SIGNATURES])
        response = self.response(sections[RESPONSE]) if RESPONSE in sections else None
        history = (
            [
                e
                for _, e in self.table(
                    sections[HISTORY], HISTORY_HEADER, self.history_row, required=False
                )
            ]
            if HISTORY in sections
            else []
        )
        if response is not None:
            responded = next((e.at for e in history if e.event == RESPONSE), None)
            if responded is not None:
                response = GovernmentResponse(
                    response.summary, response.details, response.department, responded
                )
        countries = self.table(sections[BY_COUNTRY], COUNTRY_HEADER, self.country_row)
        seats = self.table(
            sections[BY_CONSTITUENCY], CONSTITUENCY_HEADER, self.constituency_row, fast=_fast_seats
        )
        self.unique(countries, "country")
        self.unique(seats, "constituency")
        self.check_order(countries, "country")
        self.check_order(seats, "constituency")
        petition = Petition(
            id=petition_id,
            title=title,
            url=url,
            background=self.free_text(sections[BACKGROUND].body),
            total_signatures=total,
            refreshed_at=refreshed,
            government_response=response,
            history=tuple(history),
            countries=tuple(map(_SECOND, countries)),
            constituencies=tuple(map(_SECOND, seats)),
        )
        self.check_sums(petition, sections)
        self.check_seats(petition, seats)
        return ParsedDocument(petition=petition, warnings=tuple(self.warnings))


def department(details: str) -> str | None:
    """The responsible department: the last short, department-like paragraph.

    The report prints the department as a line of its own inside the details,
    usually last but sometimes followed by a note (e.g. "This is a revised
    response..."), so we look for the last paragraph that reads like a name.
    """
    for paragraph in reversed(details.split("\n\n")):
        text = paragraph.strip()
        if (
            text
            and "\n" not in text
            and len(text) <= 120
            and len(text.split()) <= 14
            and text[-1] not in ".!?:;"
            and _DEPARTMENT.search(text)
        ):
            return text
    return None


def parse_bytes(data: bytes, source: str = "<document>") -> ParsedDocument:
    """Parse a document from raw bytes (BOM and CRLF accepted)."""
    return _Parser(source).parse(data)


def parse_text(text: str, source: str = "<document>") -> ParsedDocument:
    """Parse a document already decoded to text."""
    return parse_bytes(text.encode("utf-8"), source)


def parse_file(path: str | Path) -> ParsedDocument:
    """Parse the document at ``path``; errors name the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(str(path), None, f"cannot read file: {exc.strerror or exc}") from None
    return parse_bytes(data, str(path))
