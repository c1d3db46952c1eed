"""What a security review found in the readers: ids, link targets, control characters,
invented seats, and two counts for one moment (Markdown and JSON alike)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from core.ingest.json_reader import parse_json_bytes
from core.ingest.loader import ingest_documents_sync
from core.ingest.parser import ParseError, parse_text, petition_page_url, strip_controls
from core.ingest.types import Document, Outcome
from core.ingest.writer import render_document
from tests.support import seed_petition, variant

PETITIONS = Path(__file__).resolve().parents[2] / "fixtures" / "petition_json" / "petitions"
HOSTILE = "Clear\x1b[2J\x07 the \u202eslaets\u202c \u2066x\u2069 \x85next\x9b"


def _json(petition_id: int = 300000) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PETITIONS / f"{petition_id}.json").read_bytes())
    return data


def _seed_text(seed_paths: list[Path]) -> str:
    return seed_paths[0].read_text(encoding="utf-8")


# ---------------------------------------------------------------- 8: control and bidi characters
def test_strip_controls_keeps_text_drops_controls() -> None:
    assert strip_controls(HOSTILE) == "Clear[2J the slaets x next"
    kept = "Ynys Môn – “quoted” 🙂\tand\nlines"
    assert strip_controls(kept) == kept


def test_markdown_title_seats_and_text_lose_control_characters(seed_paths: list[Path]) -> None:
    text = _seed_text(seed_paths)
    title = text.split("\n", 1)[0]
    text = text.replace(title, "# " + HOSTILE, 1)
    text = text.replace("| Garston and Halewood |", "| Garston and\u202e Halewood\x07 |")
    text = text.replace("### Background\n", "### Background\n\nBell\x07 and \u202eback\n", 1)
    petition = parse_text(text, "hostile.md").petition
    assert petition.title == "Clear[2J the slaets x next"
    assert "Garston and Halewood" in [s.name for s in petition.constituencies]
    assert "Bell and back" in petition.background
    assert not any(ch in petition.background for ch in "\x07\u202e")


def test_json_strings_lose_control_characters() -> None:
    data = _json()
    data["data"]["attributes"]["action"] = HOSTILE
    data["data"]["attributes"]["background"] = "Line\x1b one\r\nline \u202etwo"
    petition = parse_json_bytes(json.dumps(data).encode(), "hostile.json").petition
    assert petition.title == "Clear[2J the slaets x next"
    assert petition.background == "Line one\nline two"


# ---------------------------------------------------------------- 7: only petition page links
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert`1`//petitions/652057",
        "https://evil.example/petitions/652057",
        "http://petition.parliament.uk/petitions/652057",
        "https://petition.parliament.uk.evil.example/petitions/652057",
        "https://petition.parliament.uk/petitions/652057?utm=x",
    ],
)
def test_a_foreign_source_url_is_replaced_by_the_petition_page(
    seed_paths: list[Path], url: str
) -> None:
    page = "https://petition.parliament.uk/petitions/652057"
    text = _seed_text(seed_paths).replace(f"[{page}]({page})", f"[{url}]({url})")
    parsed = parse_text(text, "link.md")
    assert parsed.petition.url == "https://petition.parliament.uk/petitions/652057"
    assert any("is not a petition page" in str(w) for w in parsed.warnings)


def test_petition_page_urls_pass_unchanged() -> None:
    for url in (
        "https://petition.parliament.uk/petitions/652057",
        "https://petition.parliament.uk/archived/petitions/652057",
    ):
        assert petition_page_url(url, 652057) == url
    assert (
        petition_page_url("https://petition.parliament.uk/petitions/1", 652057)
        == "https://petition.parliament.uk/petitions/652057"
    )


def test_json_self_link_on_another_host_is_not_used() -> None:
    data = _json()
    data["links"]["self"] = "https://evil.example/petitions/300000.json"
    petition = parse_json_bytes(json.dumps(data).encode(), "x.json").petition
    assert petition.url == "https://petition.parliament.uk/petitions/300000"


# ---------------------------------------------------------------- 1: the id is bounded
@pytest.mark.parametrize("digits", ["9" * 5000, "18446744073709551616", "0"])
def test_markdown_petition_id_is_bounded(seed_paths: list[Path], digits: str) -> None:
    text = _seed_text(seed_paths).replace("petitions/652057", f"petitions/{digits}")
    with pytest.raises(ParseError, match=r"^big\.md:11: petition id .* real id"):
        parse_text(text, "big.md")


def test_json_petition_id_is_bounded() -> None:
    data = _json()
    data["data"]["id"] = 2**63
    with pytest.raises(ParseError, match="too large to be a real petition id"):
        parse_json_bytes(json.dumps(data).encode(), "big.json")


# ---------------------------------------------------------------- 9: seats the reference knows
def test_an_invented_seat_is_rejected_naming_its_line(seed_paths: list[Path]) -> None:
    text = _seed_text(seed_paths).replace("| Garston and Halewood |", "| Atlantis |")
    with pytest.raises(ParseError, match=r"^x\.md:114: constituency 'Atlantis' is not a seat"):
        parse_text(text, "x.md")


def test_more_rows_than_seats_is_rejected_at_the_first_extra_row(seed_paths: list[Path]) -> None:
    text = _seed_text(seed_paths).rstrip("\n")
    lines = text.count("\n") + 1
    extra = "".join(f"\n| {651 + i} | Fake {i} | Nobody | 1 | 0.0 |" for i in range(10_000))
    with pytest.raises(ParseError, match=r"10,\d+ seats; the 2010 boundaries have 650") as info:
        parse_text(text + extra, "big.md")
    assert info.value.line == lines + 2  # the 651st seat (the seed also has an Unknown row)


def test_known_spellings_of_real_seats_are_accepted(seed_paths: list[Path]) -> None:
    text = _seed_text(seed_paths)
    seat = next(line for line in text.splitlines() if "| Garston and Halewood |" in line)
    for printed in ("Weston-Super-Mare", "WESTON SUPER MARE", "Ynys Mon", "garston & halewood"):
        changed = text.replace(seat, seat.replace("Garston and Halewood", printed))
        names = [s.name for s in parse_text(changed, "ok.md").petition.constituencies]
        assert printed in names


def test_json_invented_seat_is_rejected_naming_its_path() -> None:
    data = _json()
    rows = data["data"]["attributes"]["signatures_by_constituency"]
    rows[2] = {**rows[2], "name": "Atlantis", "ons_code": "X99"}
    where = r"signatures_by_constituency\[2\]\.name: constituency 'Atlantis'"
    with pytest.raises(ParseError, match=where):
        parse_json_bytes(json.dumps(data).encode(), "x.json")


# ---------------------------------------------------------------- 10: one moment, two counts
def test_same_refresh_other_counts_in_a_later_batch_is_rejected(
    db_path: Path, seed_paths: list[Path]
) -> None:
    """Within one batch this was rejected; across two batches it silently overwrote."""
    first = ingest_documents_sync(db_path, [Document("a.md", seed_paths[0].read_bytes())])
    assert first.results[0].outcome is Outcome.ADDED
    rival = render_document(variant(seed_petition(seed_paths[0]), hours=0, extra=3)).encode()
    report = ingest_documents_sync(db_path, [Document("b.md", rival)])
    assert report.results[0].outcome is Outcome.REJECTED
    assert "conflicts with a.md (same refresh time, different content)" in (
        report.results[0].error or ""
    )
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT total_signatures, source FROM petitions").fetchall() == [
            (48783, "a.md")
        ]
    finally:
        conn.close()


def test_same_refresh_same_counts_other_bytes_is_a_correction_in_any_batch(
    db_path: Path, seed_paths: list[Path]
) -> None:
    crlf = seed_paths[0].read_bytes().replace(b"\n", b"\r\n")
    together = ingest_documents_sync(
        db_path, [Document("a.md", seed_paths[0].read_bytes()), Document("a-crlf.md", crlf)]
    )
    assert [r.outcome for r in together.results] == [Outcome.ADDED, Outcome.UPDATED]
