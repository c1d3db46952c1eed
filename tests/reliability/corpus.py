"""An adversarial corpus of petition documents, built from the real seeds.

Every :class:`Case` is one file plus what the loader must do with it:

* ``expect="rejected"``: a clear error that starts with the file name and points at
  the place (``name:LINE:`` for Markdown and broken JSON, a JSON path for ill-typed
  JSON), and the petition data left exactly as it was;
* any other outcome (``added``, ``updated``, ``older``, ``unchanged``): accepted, with
  ``check`` (if any) run against the database afterwards.

Cases are independent: each is ingested into a fresh copy of a database holding the
three seeds, after its ``before`` documents (e.g. the newer refresh an older one must
not overwrite). Everything is derived from the bundled seeds and
``benchmarks.synth.petition_json``, so the corpus is the same on every machine.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import json
import random
import re
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.synth import petition_json
from core.ingest.models import Petition
from core.ingest.parser import parse_file
from core.ingest.writer import render_document
from tests.db import seat_rows
from tests.support import variant

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "data" / "petitions"
OFSTED = SEEDS / "000_554244068cbf0b8f.txt"  # 652057, 48,783 signatures, LF, UTF-8
SEND = SEEDS / "001_716981ad0a10f8b5.txt"  # 607849

MARKDOWN_LINE = r":\d+: "
"""How a Markdown (or broken-JSON) error names its line: ``file.md:123: message``."""
JSON_PATH = r": (\$|data(\.[a-z_]+|\[\d+\])*): "
"""How an ill-typed JSON error names its field (``data.attributes.signature_count``)."""

SQL_TITLE = 'Petition\'); DROP TABLE petitions;-- "quoted" `tick` %s ? :name'
MENTION_TITLE = "@everyone @here <@123456789012345678> <@&234567890123456789> please sign"
CONTROL_TITLE = "Clear\x1b Ofsted\x07 \u202ereversed"
MARKDOWN_TITLE = "**Bold** _it_ ||spoiler|| `code` [link](https://evil.example) # not a heading"

Check = Callable[[sqlite3.Connection], None]


@dataclass(frozen=True)
class Case:
    """One adversarial file and the outcome the loader owes it."""

    name: str
    data: bytes
    expect: str
    what: str
    locator: str = MARKDOWN_LINE  # regex the error must match right after the file name
    warning: str | None = None  # regex one of the warnings of an accepted file must match
    before: tuple[tuple[str, bytes], ...] = ()  # ingested first, in order
    same_batch: bool = False  # ``before`` and this file arrive in one batch
    check: Check | None = None

    @property
    def rejected(self) -> bool:
        return self.expect == "rejected"


@dataclass
class Corpus:
    cases: list[Case] = field(default_factory=list)

    def add(self, case: Case) -> None:
        assert case.name not in {c.name for c in self.cases}, case.name
        self.cases.append(case)

    def write(self, folder: Path) -> list[tuple[Case, Path]]:
        """Write every case (and its ``before`` documents) under ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for case in self.cases:
            path = folder / case.name
            path.write_bytes(case.data)
            out.append((case, path))
        return out


# ----------------------------------------------------------------------------- helpers
def _text() -> str:
    return OFSTED.read_text(encoding="utf-8")


def _lines() -> list[str]:
    return _text().split("\n")


def _replace_line(pattern: str, new: Callable[[str], str], *, nth: int = 0) -> bytes:
    """The Ofsted seed with the ``nth`` line matching ``pattern`` rewritten."""
    lines = _lines()
    hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    index = hits[nth]
    lines[index] = new(lines[index])
    return "\n".join(lines).encode()


def _renumbered(petition: Petition, new_id: int, **changes: object) -> bytes:
    """A valid document for a petition id the seeded database does not hold."""
    url = f"https://petition.parliament.uk/petitions/{new_id}"
    fresh = dataclasses.replace(petition, id=new_id, url=url, **changes)  # type: ignore[arg-type]
    return render_document(fresh).encode()


def _stored(conn: sqlite3.Connection, petition_id: int) -> tuple[str, int, str]:
    row = conn.execute(
        "SELECT title, total_signatures, refreshed_at FROM petitions WHERE id = ?",
        (petition_id,),
    ).fetchone()
    assert row is not None, f"petition {petition_id} not stored"
    return row


def _url_is(petition_id: int, url: str) -> Check:
    def check(conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT url FROM petitions WHERE id = ?", (petition_id,)).fetchone()
        assert row == (url,), row

    return check


def _invented_seats(data: bytes, count: int) -> bytes:
    """The document with ``count`` made-up seat rows after its real ones."""
    rows = "".join(f"| {651 + i} | Invented Seat {i} | Nobody | 1 | 0.0 |\n" for i in range(count))
    return data.rstrip(b"\n") + b"\n" + rows.encode()


def _title_is(petition_id: int, title: str) -> Check:
    def check(conn: sqlite3.Connection) -> None:
        assert _stored(conn, petition_id)[0] == title
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"petitions", "seat_tables", "seat_ranks", "snapshots"} <= tables
        assert conn.execute("SELECT count(*) FROM petitions").fetchone()[0] == 4

    return check


def _total_is(petition_id: int, total: int) -> Check:
    def check(conn: sqlite3.Connection) -> None:
        assert _stored(conn, petition_id)[1] == total
        seats = (
            seat_rows.expand(conn)
            .execute(
                "SELECT coalesce(sum(signatures), 0) FROM constituency_counts"
                " WHERE petition_id = ?",
                (petition_id,),
            )
            .fetchone()[0]
        )
        uk, unknown = conn.execute(
            "SELECT uk_signatures, unknown_signatures FROM petitions WHERE id = ?",
            (petition_id,),
        ).fetchone()
        assert seats + (unknown or 0) == uk, (seats, unknown, uk)

    return check


def _later(data: bytes) -> bytes:
    """The Ofsted seed's bytes refreshed an hour later (a newer version, not a rival)."""
    return data.replace(
        b"Last refreshed 2024-01-04 20:30:10", b"Last refreshed 2024-01-04 21:30:10"
    )


# ----------------------------------------------------------------------------- the corpus
def build_corpus(seed: int = 20240104) -> Corpus:
    """Every adversarial case; ``seed`` only drives the random bytes and cut points."""
    rnd = random.Random(seed)
    corpus = Corpus()
    text = _text()
    raw = text.encode()
    ofsted = parse_file(OFSTED).petition
    add = corpus.add

    # -- empty and truncated -------------------------------------------------------------
    add(Case("empty.md", b"", "rejected", "a zero-byte file"))
    add(Case("blank.md", b"\n \n\t\n", "rejected", "whitespace only"))
    add(Case("title-only.md", b"# Just a title\n", "rejected", "a heading and nothing else"))
    for fraction in (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97):
        cut = int(len(raw) * fraction) + rnd.randrange(-40, 40)
        add(
            Case(
                f"truncated-{round(fraction * 100):02d}.md",
                raw[:cut],
                "rejected",
                f"the seed cut at byte {cut} of {len(raw)}",
            )
        )
    last_row = _later(raw.rstrip(b"\n").rsplit(b"\n", 1)[0])
    add(
        Case(
            "truncated-last-row.md",
            last_row,
            "updated",  # a cut at a row boundary reads as a complete table
            "the last seat row missing: accepted with a sum warning, like the real API's drift",
            warning=r"constituencies sum to 48,625, United Kingdom row is 48,626",
        )
    )
    mid_char = raw.index("’".encode()) + 1  # inside a 3-byte UTF-8 sequence
    add(Case("truncated-mid-utf8.md", raw[:mid_char], "rejected", "cut inside a character"))

    # -- binary ---------------------------------------------------------------------------
    add(
        Case(
            "random-bytes.md",
            bytes(rnd.randrange(256) for _ in range(4096)),
            "rejected",
            "4 KiB of random bytes",
        )
    )
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rnd.randrange(256) for _ in range(512))
    add(Case("image.md", png, "rejected", "a PNG named .md"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.md", text)
    add(Case("zip-as-text.txt", buffer.getvalue(), "rejected", "a zip named .txt"))
    add(
        Case(
            "nul-bytes.md",
            raw.replace(b"### Background", b"### Back\x00ground", 1),
            "rejected",
            "a NUL byte in a heading",
        )
    )
    add(
        Case(
            "latin1.md",
            text.encode("latin-1", errors="replace").replace(b"?", b"\xe9", 5),
            "rejected",
            "Latin-1 bytes that are not UTF-8",
        )
    )
    add(
        Case(
            "utf16.md",
            codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
            "rejected",
            "UTF-16 with its BOM",
        )
    )

    # -- wrong columns and structure ----------------------------------------------------------
    add(
        Case(
            "seat-row-missing-column.md",
            _replace_line(r"^\| 1 \| Sutton Coldfield", lambda s: s.replace(" 305 |", "")),
            "rejected",
            "a constituency row without its count",
        )
    )
    add(
        Case(
            "country-row-extra-column.md",
            _replace_line(r"^\| 2 \| Spain", lambda s: s + " extra |"),
            "rejected",
            "a country row with a sixth cell",
        )
    )
    add(
        Case(
            "renamed-header.md",
            _replace_line(r"^\| # \| Constituency", lambda s: s.replace("Constituency", "Seat")),
            "rejected",
            "a constituency table header that is not the format's",
        )
    )
    add(
        Case(
            "swapped-columns.md",
            _replace_line(
                r"^\| # \| Country \| Signatures",
                lambda s: s.replace("Country | Signatures", "Signatures | Country"),
            ),
            "rejected",
            "country table columns swapped",
        )
    )
    add(
        Case(
            "missing-section.md",
            text.replace("### Signatures by Country", "### Signatures per Country").encode(),
            "rejected",
            "an unknown section instead of the country table",
        )
    )
    add(
        Case(
            "markup-heading.md",
            text.replace("### Signatures by Country", "### [/bold] [red]Countries[/red]").encode(),
            "rejected",
            "a stray heading full of console markup (quoted back in the error)",
        )
    )
    add(
        Case(
            "html-page.md",
            b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n",
            "rejected",
            "an error page saved instead of a report",
        )
    )

    # -- bad numbers ------------------------------------------------------------------------
    add(
        Case(
            "total-not-a-number.md",
            text.replace("**48,783 signatures**", "**48,78x signatures**").encode(),
            "rejected",
            "a total with a letter in it",
        )
    )
    add(
        Case(
            "total-mismatch.md",
            _later(text.replace("**48,783 signatures**", "**48,784 signatures**").encode()),
            "updated",  # the site's counters drift apart: a warning, not a rejection
            "a total that is not the sum of the country rows",
            warning=r"countries sum to 48,783, total is 48,784",
            check=_total_is(652057, 48_784),
        )
    )
    add(
        Case(
            "same-time-other-total.md",
            text.replace("**48,783 signatures**", "**48,784 signatures**").encode(),
            "rejected",  # two counts for one moment: the stored one is kept
            "the stored petition's refresh time with another total (an earlier batch)",
            locator=r": petition 652057 at \S+ conflicts with \S+ \(same refresh time",
            check=_total_is(652057, 48_783),
        )
    )
    add(
        Case(
            "negative-count.md",
            _replace_line(r"^\| 2 \| Spain", lambda s: s.replace("| 25 |", "| -25 |")),
            "rejected",
            "a negative country count",
        )
    )
    add(
        Case(
            "bad-separators.md",
            _replace_line(r"^\| 1 \| Sutton Coldfield", lambda s: s.replace("| 305 |", "| 3,05 |")),
            "rejected",
            "a count with a misplaced thousands separator",
        )
    )
    add(
        Case(
            "huge-number.md",
            text.replace("**48,783 signatures**", "**" + "9" * 40 + " signatures**").encode(),
            "rejected",
            "a 40-digit total (overflows SQLite's 64-bit integers)",
        )
    )
    add(
        Case(
            "bad-percent.md",
            _replace_line(r"^\| 2 \| Spain", lambda s: s.replace("0.05", "0.5x")),
            "rejected",
            "a percentage that is not a number",
        )
    )
    add(
        Case(
            "bad-date.md",
            text.replace(
                "Last refreshed 2024-01-04 20:30:10", "Last refreshed 2024-13-45 25:61:00"
            ).encode(),
            "rejected",
            "an impossible refresh time",
        )
    )
    add(
        Case(
            "duplicate-seat.md",
            _replace_line(
                r"^\| 2 \| Reading East", lambda s: s.replace("Reading East", "Sutton Coldfield")
            ),
            "rejected",
            "the same seat listed twice",
        )
    )

    # -- accepted: encodings, size, hostile text ---------------------------------------------
    crlf_bom = codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode()
    add(
        Case(
            "crlf-bom.md",
            crlf_bom,
            "updated",  # same refresh, different bytes: stored again, same data
            "the Ofsted seed with CRLF line ends and a UTF-8 BOM",
            check=_total_is(652057, 48_783),
        )
    )
    add(
        Case(
            "crlf-bom-new.md",
            codecs.BOM_UTF8 + _renumbered(ofsted, 900_004).replace(b"\n", b"\r\n"),
            "added",
            "a new petition with CRLF and a BOM",
            check=_total_is(900_004, 48_783),
        )
    )
    background = ("A long background paragraph that repeats itself. " * 20 + "\n\n") * 5_200
    add(
        Case(
            "five-megabytes.md",
            _renumbered(ofsted, 900_005, background=background.strip()),
            "added",
            "a 5 MB document (a huge background)",
            check=_total_is(900_005, 48_783),
        )
    )
    add(
        Case(
            "title-everyone.md",
            _renumbered(ofsted, 900_001, title=MENTION_TITLE),
            "added",
            "a title with @everyone, @here, a user and a role mention",
            check=_title_is(900_001, MENTION_TITLE),
        )
    )
    add(
        Case(
            "title-sql.md",
            _renumbered(ofsted, 900_002, title=SQL_TITLE),
            "added",
            "a title with SQL metacharacters",
            check=_title_is(900_002, SQL_TITLE),
        )
    )
    add(
        Case(
            "title-markdown.md",
            _renumbered(ofsted, 900_003, title=MARKDOWN_TITLE),
            "added",
            "a title full of Discord markdown",
            check=_title_is(900_003, MARKDOWN_TITLE),
        )
    )

    add(
        Case(
            "title-controls.md",
            _renumbered(ofsted, 900_010, title=CONTROL_TITLE),
            "added",
            "a title with ESC, BEL and a right-to-left override (stripped at parse time)",
            check=_title_is(900_010, "Clear Ofsted reversed"),
        )
    )
    add(
        Case(
            "javascript-url.md",
            _renumbered(ofsted, 900_006).replace(
                b"](https://petition.parliament.uk/petitions/900006)",
                b"](javascript:alert`1`//petitions/900006)",
            ),
            "added",
            "a javascript: source URL: linked to the petition's own page instead",
            warning=r"is not a petition page: linking to https://petition\.parliament\.uk/",
            check=_url_is(900_006, "https://petition.parliament.uk/petitions/900006"),
        )
    )
    add(
        Case(
            "huge-petition-id.md",
            _renumbered(ofsted, 900_007).replace(b"900007", b"9" * 5000),
            "rejected",
            "a 5,000-digit petition id (int() refuses it: once a crash of the whole batch)",
        )
    )
    add(
        Case(
            "petition-id-over-64-bits.md",
            _renumbered(ofsted, 900_008).replace(b"900008", b"18446744073709551616"),
            "rejected",
            "a petition id SQLite cannot store",
        )
    )
    add(
        Case(
            "invented-seats.md",
            _invented_seats(_renumbered(ofsted, 900_009), 10_000),
            "rejected",
            "10,000 invented seats (more rows than the 650 seats)",
        )
    )
    add(
        Case(
            "invented-seat-name.md",
            _later(_replace_line(r"^\| 3 \| Garston", lambda s: s.replace("Garston", "Atlantis"))),
            "rejected",
            "one seat name that no boundary set has",
        )
    )

    # -- order and duplicates ---------------------------------------------------------------
    newer = render_document(variant(ofsted, hours=48, extra=500)).encode()
    older = render_document(variant(ofsted, hours=24, extra=250)).encode()
    add(
        Case(
            "older-after-newer.md",
            older,
            "older",
            "a refresh older than the one already stored",
            before=(("newer.md", newer),),
            check=_total_is(652057, 48_783 + 500),
        )
    )
    add(
        Case(
            "same-file-again.md",
            raw,
            "unchanged",
            "the seed exactly as already stored",
            check=_total_is(652057, 48_783),
        )
    )
    conflicting = render_document(variant(ofsted, hours=24, extra=1)).encode()
    add(
        Case(
            "duplicate-id-conflict.md",
            conflicting,
            "rejected",
            "the same id and refresh time as an earlier file of the batch, other counts",
            locator=r": petition 652057 at \S+ conflicts with \S*duplicate-id-first\.md ",
            before=(("duplicate-id-first.md", older),),
            same_batch=True,
        )
    )

    # -- JSON ---------------------------------------------------------------------------------
    good = petition_json(3, seed)
    good_text = json.dumps(good, indent=2)
    add(
        Case(
            "invalid.json",
            good_text[: len(good_text) // 2].encode(),
            "rejected",
            "JSON cut in half",
        )
    )
    add(
        Case(
            "not-json.json",
            b"{'single': 'quotes', trailing: commas,}\n",
            "rejected",
            "JavaScript, not JSON",
        )
    )
    add(Case("empty.json", b"", "rejected", "an empty .json file"))
    add(Case("list.json", b"[1, 2, 3]\n", "rejected", "a JSON array", locator=JSON_PATH))

    def mutated(mutate: Callable[[dict], None]) -> bytes:
        doc = json.loads(good_text)
        mutate(doc)
        return json.dumps(doc, indent=2).encode()

    def count_as_text(doc: dict) -> None:
        doc["data"]["attributes"]["signature_count"] = "lots"

    def seat_count_null(doc: dict) -> None:
        doc["data"]["attributes"]["signatures_by_constituency"][0]["signature_count"] = None

    def attributes_list(doc: dict) -> None:
        doc["data"]["attributes"] = ["not", "an", "object"]

    def countries_dict(doc: dict) -> None:
        doc["data"]["attributes"]["signatures_by_country"] = {"GB": 1}

    def no_id(doc: dict) -> None:
        del doc["data"]["id"]

    def bad_time(doc: dict) -> None:
        doc["data"]["attributes"]["updated_at"] = "yesterday"

    def count_too_big(doc: dict) -> None:
        doc["data"]["attributes"]["signature_count"] = 10**40
        doc["data"]["attributes"]["signatures_by_country"][0]["signature_count"] = 10**40

    for label, mutate in (
        ("count-too-big", count_too_big),
        ("count-as-text", count_as_text),
        ("seat-count-null", seat_count_null),
        ("attributes-list", attributes_list),
        ("countries-dict", countries_dict),
        ("no-id", no_id),
        ("bad-time", bad_time),
    ):
        add(
            Case(
                f"wrong-type-{label}.json",
                mutated(mutate),
                "rejected",
                f"petition JSON with a wrong type ({label})",
                locator=JSON_PATH,
            )
        )
    add(Case("valid.json", good_text.encode(), "added", "a valid petition JSON (control)"))
    return corpus
