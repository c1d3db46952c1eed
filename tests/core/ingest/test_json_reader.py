"""The petition site's JSON → the same model the Markdown gives, on the 69 real files."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.ingest.json_reader import TIMESTAMP_EVENTS, parse_json_bytes, parse_list_page
from core.ingest.loader import ingest_documents_sync, ingest_paths_sync
from core.ingest.models import EVENT_ORDER, Petition
from core.ingest.parser import ParseError, parse_text
from core.ingest.types import Document, Outcome
from core.ingest.writer import render_document
from db.reference import ensure_reference_at
from tests.db import seat_rows
from tests.support import dump_data

# Real API responses, shipped with the tests (copied from shared/data/ref; MIT + OGL v3).
SCRAPER = Path(__file__).resolve().parents[2] / "fixtures" / "petition_json"
PETITIONS = SCRAPER / "petitions"
LIST_PAGES = SCRAPER / "list_pages"


def json_paths() -> list[Path]:
    return sorted(PETITIONS.glob("*.json"))


def load(petition_id: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PETITIONS / f"{petition_id}.json").read_bytes())
    return data


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --------------------------------------------------------------------- real files
def test_all_69_shared_files_ingest_as_added(db_path: Path) -> None:
    paths = json_paths()
    assert len(paths) == 69
    report = ingest_paths_sync(db_path, paths)
    assert report.counts[Outcome.ADDED] == 69, report.rejected[:3]
    assert report.warnings == []
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM petitions").fetchone()[0] == 69
    states = dict(conn.execute("SELECT state, count(*) FROM petitions GROUP BY state").fetchall())
    assert states == {"closed": 63, "open": 6}
    # Every JSON seat row carries its ONS code, and all are 2010-boundary petitions.
    assert conn.execute(
        "SELECT count(*) FROM constituencies WHERE ons_code IS NULL"
    ).fetchone() == (0,)
    assert conn.execute("SELECT DISTINCT boundary_set FROM petitions").fetchall() == [("2010",)]


def test_fields_of_one_petition_map_exactly() -> None:
    parsed = parse_json_bytes((PETITIONS / "300000.json").read_bytes(), "300000.json")
    p = parsed.petition
    assert parsed.warnings == ()
    assert p.id == 300000
    assert p.title == "Protect the Environment – support carbon neutral energy alternatives"
    assert p.url == "https://petition.parliament.uk/petitions/300000"
    assert p.state == "closed"
    assert p.total_signatures == 1604
    assert p.refreshed_at == datetime(2021, 8, 4, 14, 50, 59, tzinfo=UTC)  # updated_at, whole s
    assert [(e.event, e.at) for e in p.history] == [
        ("Updated", at("2021-08-04T14:50:59")),
        ("Opened", at("2020-03-03T17:03:17")),
        ("Moderation Threshold Reached", at("2020-03-02T12:15:24")),
        ("Created", at("2020-03-02T12:06:20")),
        ("Closed", at("2020-09-03T22:59:59")),
    ]
    assert p.additional_details is not None
    assert p.additional_details.startswith("To preserve this world for the next generation")
    assert p.departments == ("Department for Business, Energy and Industrial Strategy",)
    assert p.topics == ()
    assert p.government_response is None and p.debate is None
    # Countries: count desc, ties (twelve countries with 1) by name; % of the total.
    assert p.countries[0] == p.countries[0]._replace(rank=1, name="United Kingdom")
    assert (p.countries[0].count, p.countries[0].percent) == (1590, 99.13)
    assert [c.name for c in p.countries[1:4]] == ["Spain", "Australia", "Bahrain"]
    assert [c.rank for c in p.countries] == list(range(1, 15))
    # Seats: % of the UK row; the Unknown row is UK count − seats = 1590 − 1574 = 16 (3rd).
    top = p.constituencies[0]
    assert (top.rank, top.name, top.mp, top.count, top.percent, top.ons_code) == (
        1,
        "Leeds North East",
        "Fabian Hamilton MP",
        19,
        1.19,
        "E14000779",
    )
    unknown = p.unknown_row
    assert unknown is not None
    assert (unknown.rank, unknown.count, unknown.percent, unknown.mp) == (3, 16, 1.01, None)
    assert len(p.seats) == 500
    assert sum(row.count for row in p.constituencies) == p.uk_signatures == 1590


def test_response_debate_and_topics_are_kept() -> None:
    responded = parse_json_bytes((PETITIONS / "300473.json").read_bytes()).petition
    response = responded.government_response
    assert response is not None
    assert response.summary.startswith("The legality of the EU referendum is beyond doubt")
    assert response.details.endswith("referendum.\n\nCabinet Office")  # CRLF → LF
    assert "\r" not in response.details
    assert response.department == "Cabinet Office"  # departments[0].name
    # The day the government responded (responded_on), not when the site published it.
    assert response.responded_at == datetime(2020, 7, 21, tzinfo=UTC)
    assert responded.event_time("Government Response") == datetime(
        2020, 7, 23, 14, 25, 15, tzinfo=UTC
    )

    debated = parse_json_bytes((PETITIONS / "619334.json").read_bytes()).petition
    assert debated.debate is not None
    assert debated.debate["debated_on"] == "2022-11-28"
    assert debated.debate["scheduled_debate_date"] == "2022-11-28"
    assert debated.debate["debate_outcome_at"] == "2022-12-01T16:29:24.501Z"
    assert debated.state == "open"
    assert parse_json_bytes((PETITIONS / "311642.json").read_bytes()).petition.topics == (
        "covid-19",
    )


def test_wrapped_title_becomes_one_line() -> None:
    p = parse_json_bytes((PETITIONS / "328537.json").read_bytes()).petition
    assert p.title == (
        "Change outdated laws to prevent forest felling when baby animals are in nests"
    )


def test_history_uses_the_markdown_event_names() -> None:
    assert {event for _, event in TIMESTAMP_EVENTS} == {*EVENT_ORDER, "Closed"}


def _same_values(json_petition: Petition, markdown: Petition) -> None:
    def seats(p: Petition) -> list[tuple[object, ...]]:
        return [(r.rank, r.name, r.mp, r.count, r.percent) for r in p.constituencies]

    assert markdown.countries == json_petition.countries
    assert seats(markdown) == seats(json_petition)
    assert markdown.history == json_petition.history
    assert (markdown.id, markdown.title, markdown.url, markdown.background) == (
        json_petition.id,
        json_petition.title,
        json_petition.url,
        json_petition.background,
    )
    assert (markdown.total_signatures, markdown.refreshed_at) == (
        json_petition.total_signatures,
        json_petition.refreshed_at,
    )
    if json_petition.government_response is None:
        assert markdown.government_response is None
    else:
        assert markdown.government_response is not None
        # The department differs by design: JSON names it, Markdown finds it in the text;
        # so does the date: the report prints only when the response was published, the
        # JSON also the day the government responded (``responded_on``, issue 15).
        assert dataclasses.replace(
            markdown.government_response, department=None, responded_at=None
        ) == (
            dataclasses.replace(
                json_petition.government_response, department=None, responded_at=None
            )
        )


@pytest.mark.parametrize("path", json_paths(), ids=lambda p: p.stem)
def test_markdown_rendering_of_json_parses_back_to_the_same_values(path: Path) -> None:
    from_json = parse_json_bytes(path.read_bytes(), path.name)
    from_markdown = parse_text(render_document(from_json.petition), f"{path.stem}.md")
    assert from_markdown.warnings == ()  # seat rows sum to the UK row: Unknown row included
    _same_values(from_json.petition, from_markdown.petition)


def _stored_counts(path: Path) -> dict[int, tuple[object, ...]]:
    conn = seat_rows.connect(path)
    try:
        out: dict[int, tuple[object, ...]] = {}
        for (pid,) in conn.execute("SELECT id FROM petitions ORDER BY id"):
            petition = conn.execute(
                "SELECT total_signatures, uk_signatures, unknown_signatures, unknown_rank,"
                " boundary_set FROM petitions WHERE id = ?",
                (pid,),
            ).fetchone()
            countries = conn.execute(
                "SELECT c.name, cc.rank, cc.signatures, cc.percent FROM country_counts cc"
                " JOIN countries c ON c.id = cc.country_id WHERE petition_id = ? ORDER BY cc.rank",
                (pid,),
            ).fetchall()
            seats = conn.execute(
                "SELECT c.ref_code, cc.rank, cc.signatures, cc.percent, a.printed"
                " FROM constituency_counts cc JOIN constituencies c ON c.id = cc.constituency_id"
                " LEFT JOIN mp_aliases a ON a.id = cc.mp_alias_id"
                " WHERE petition_id = ? ORDER BY cc.rank",
                (pid,),
            ).fetchall()
            out[pid] = (petition, countries, seats)
        return out
    finally:
        conn.close()


def test_markdown_and_json_of_the_same_petitions_store_the_same_counts(tmp_path: Path) -> None:
    paths = json_paths()
    markdown = [
        Document(
            f"{p.stem}.md", render_document(parse_json_bytes(p.read_bytes()).petition).encode()
        )
        for p in paths
    ]
    from_json, from_markdown = tmp_path / "json.sqlite3", tmp_path / "markdown.sqlite3"
    for target in (from_json, from_markdown):
        ensure_reference_at(target)  # seats link on insert: by code (JSON), by name (Markdown)
    assert ingest_paths_sync(from_json, paths).counts[Outcome.ADDED] == 69
    assert ingest_documents_sync(from_markdown, markdown).counts[Outcome.ADDED] == 69
    json_counts, markdown_counts = _stored_counts(from_json), _stored_counts(from_markdown)
    assert len(json_counts) == 69
    assert markdown_counts == json_counts
    # and every seat row resolved to a reference seat in both databases
    for target in (from_json, from_markdown):
        conn = sqlite3.connect(target)
        assert conn.execute(
            "SELECT count(*) FROM constituencies WHERE ref_code IS NULL"
        ).fetchone() == (0,)
        conn.close()


# --------------------------------------------------------------------- shapes
def test_rejected_petition_without_tables_is_accepted(db_path: Path) -> None:
    page = json.loads((LIST_PAGES / "petitions_q_climate_change_page_8.json").read_bytes())
    item = page["data"][0]
    assert item["attributes"]["state"] == "rejected"
    document = {"links": {"self": item["links"]["self"]}, "data": item}
    parsed = parse_json_bytes(encode(document), "556618.json")
    p = parsed.petition
    assert (p.id, p.state, p.total_signatures) == (556618, "rejected", 6)
    assert p.countries == () and p.constituencies == ()
    assert p.refreshed_at == datetime(2020, 11, 3, 15, 35, 50, tzinfo=UTC)
    report = ingest_documents_sync(db_path, [Document("556618.json", encode(document))])
    assert report.counts[Outcome.ADDED] == 1


def test_archived_petition_type_and_url() -> None:
    document = load(300000)
    document["data"]["type"] = "archived-petition"
    document["links"]["self"] = "https://petition.parliament.uk/archived/petitions/300000.json"
    p = parse_json_bytes(encode(document)).petition
    assert p.url == "https://petition.parliament.uk/archived/petitions/300000"
    del document["links"]
    assert parse_json_bytes(encode(document)).petition.url == (
        "https://petition.parliament.uk/archived/petitions/300000"
    )


def test_unknown_row_only_when_seats_do_not_sum_to_the_uk_count() -> None:
    document = load(300000)
    attrs = document["data"]["attributes"]
    uk = next(c for c in attrs["signatures_by_country"] if c["name"] == "United Kingdom")
    uk["signature_count"] = 1574  # = sum of seats
    attrs["signatures_by_country"][0]["signature_count"] += 16  # keep the total
    assert parse_json_bytes(encode(document)).petition.unknown_row is None

    uk["signature_count"] = 1570  # seats now exceed the UK row by 4 (API out of sync)
    parsed = parse_json_bytes(encode(document))
    unknown = parsed.petition.unknown_row
    assert unknown is not None
    assert (unknown.count, unknown.rank, unknown.percent) == (-4, 501, -0.25)
    assert [w.message for w in parsed.warnings] == [
        "countries sum to 1,600, total is 1,604",
        "constituencies sum to 1,574, more than the UK count 1,570",
    ]


def test_ties_rank_by_ons_code_and_countries_by_name() -> None:
    document = load(300000)
    attrs = document["data"]["attributes"]
    attrs["signatures_by_constituency"] = [
        {"name": "Aldridge-Brownhills", "ons_code": "E14000531", "mp": None, "signature_count": 5},
        {"name": "Aberdeen North", "ons_code": "S14000001", "mp": "A MP", "signature_count": 5},
        {"name": "Belfast East", "ons_code": "N06000001", "mp": "B MP", "signature_count": 5},
        {"name": "Aldershot", "ons_code": "E14000530", "mp": "C MP", "signature_count": 9},
    ]
    attrs["signatures_by_country"] = [
        {"name": "United Kingdom", "code": "GB", "signature_count": 24},
        {"name": "Spain", "code": "ES", "signature_count": 1},
        {"name": "France", "code": "FR", "signature_count": 1},
    ]
    attrs["signature_count"] = 26
    p = parse_json_bytes(encode(document)).petition
    assert [(s.rank, s.name, s.mp, s.count) for s in p.constituencies] == [
        (1, "Aldershot", "C MP", 9),
        (2, "Aldridge-Brownhills", None, 5),  # E14000531: ties by ONS code; null MP = vacant
        (3, "Belfast East", "B MP", 5),  # N06 before S14
        (4, "Aberdeen North", "A MP", 5),
    ]
    assert [(c.rank, c.name) for c in p.countries] == [
        (1, "United Kingdom"),
        (2, "France"),
        (3, "Spain"),
    ]


# --------------------------------------------------------------------- errors
def error(data: bytes) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_json_bytes(data, "doc.json")
    return caught.value


def test_invalid_json_reports_its_line() -> None:
    exc = error(b'{\n  "data": {\n    "id": 1,\n    oops\n  }\n}\n')
    assert exc.line == 4
    assert str(exc).startswith("doc.json:4: invalid JSON: Expecting property name")


def test_not_utf8_and_empty_are_rejected_with_lines() -> None:
    bad = error(b'{\n"data":\n"\xff"}')
    assert (bad.line, bad.message) == (3, "invalid UTF-8 (byte 0xff): expected UTF-8 JSON")
    assert error(b"  \n").message == "empty document: expected a JSON object"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["data"]["attributes"].pop("signature_count"),
            "data.attributes.signature_count: missing field",
        ),
        (
            lambda d: d["data"]["attributes"]["signatures_by_constituency"][3].update(
                signature_count="12"
            ),
            "data.attributes.signatures_by_constituency[3].signature_count: "
            "expected a whole number ≥ 0, found a string ('12')",
        ),
        (
            lambda d: d["data"]["attributes"].update(signature_count=True),
            "data.attributes.signature_count: expected a whole number ≥ 0, found a boolean (true)",
        ),
        (
            lambda d: d["data"]["attributes"].update(opened_at="yesterday"),
            "data.attributes.opened_at: 'yesterday' is not an ISO-8601 time "
            "(e.g. 2021-03-05T11:05:39Z)",
        ),
        (
            lambda d: d["data"]["attributes"]["signatures_by_country"].__setitem__(2, "France"),
            "data.attributes.signatures_by_country[2]: expected an object, found a string "
            "('France')",
        ),
        (
            lambda d: d["data"].update(id="300000"),
            "data.id: expected a positive whole number, found a string ('300000')",
        ),
        (lambda d: d.pop("data"), "$.data: missing field"),
        (
            lambda d: d["data"]["attributes"].update(action=None),
            "data.attributes.action: expected a string, found null",
        ),
        (
            lambda d: d["links"].update(self="https://petition.parliament.uk/petitions/1.json"),
            "links.self: 'https://petition.parliament.uk/petitions/1.json' is not the URL of "
            "petition 300000",
        ),
        (
            lambda d: d["data"]["attributes"]["signatures_by_constituency"].append(
                dict(d["data"]["attributes"]["signatures_by_constituency"][0])
            ),
            "data.attributes.signatures_by_constituency[500]: constituency 'Aldershot' appears "
            "twice (first at data.attributes.signatures_by_constituency[0])",
        ),
    ],
    ids=[
        "missing",
        "string-count",
        "bool-count",
        "bad-time",
        "row-not-object",
        "string-id",
        "no-data",
        "null-title",
        "wrong-self",
        "duplicate-seat",
    ],
)
def test_bad_fields_name_their_json_path(mutate: Any, message: str) -> None:
    document = load(300000)
    mutate(document)
    exc = error(encode(document))
    assert exc.line is None
    assert str(exc) == f"doc.json: {message}"


def test_a_list_page_is_not_a_petition() -> None:
    exc = error((LIST_PAGES / "petitions_q_fracking_page_1.json").read_bytes())
    assert exc.message.startswith("data: this is a list page of 24 petitions, not one petition")


# --------------------------------------------------------------------- ingest rules
def test_rejected_json_leaves_the_database_untouched(loaded_db_path: Path) -> None:
    before = dump_data(loaded_db_path)
    document = load(300000)
    document["data"]["attributes"]["signatures_by_constituency"][7]["mp"] = 12
    report = ingest_documents_sync(loaded_db_path, [Document("bad.json", encode(document))])
    assert report.counts[Outcome.REJECTED] == 1
    assert report.results[0].error == (
        "bad.json: data.attributes.signatures_by_constituency[7].mp: "
        "expected a string or null, found a number (12)"
    )
    assert dump_data(loaded_db_path) == before


def test_newer_json_wins_and_older_is_kept_as_history(db_path: Path) -> None:
    original = load(300000)
    newer, older = load(300000), load(300000)
    newer["data"]["attributes"]["updated_at"] = "2021-09-01T10:00:00.000Z"
    newer["data"]["attributes"]["signature_count"] = 1605
    older["data"]["attributes"]["updated_at"] = "2021-01-01T10:00:00.000Z"
    older["data"]["attributes"]["signature_count"] = 1500
    docs = [("a.json", original), ("b.json", newer), ("c.json", older)]
    outcomes = [
        ingest_documents_sync(db_path, [Document(name, encode(doc))]).results[0].outcome
        for name, doc in docs
    ]
    assert outcomes == [Outcome.ADDED, Outcome.UPDATED, Outcome.OLDER]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT total_signatures, refreshed_at FROM petitions").fetchone() == (
        1605,
        "2021-09-01T10:00:00+00:00",
    )
    assert conn.execute(
        "SELECT refreshed_at, total_signatures FROM snapshots ORDER BY refreshed_at"
    ).fetchall() == [
        ("2021-01-01T10:00:00+00:00", 1500),
        ("2021-08-04T14:50:59+00:00", 1604),
        ("2021-09-01T10:00:00+00:00", 1605),
    ]


def test_closed_date_and_extras_are_stored(db_path: Path) -> None:
    paths = [PETITIONS / "300000.json", PETITIONS / "619334.json"]
    assert ingest_paths_sync(db_path, paths).counts[Outcome.ADDED] == 2
    conn = sqlite3.connect(db_path)
    rows = conn.execute(
        "SELECT id, state, opened_at, closed_at, departments, topics, debate IS NOT NULL,"
        " additional_details IS NOT NULL FROM petitions ORDER BY id"
    ).fetchall()
    assert rows == [
        (
            300000,
            "closed",
            "2020-03-03T17:03:17+00:00",
            "2020-09-03T22:59:59+00:00",
            '["Department for Business, Energy and Industrial Strategy"]',
            "[]",
            0,
            1,
        ),
        (619334, "open", "2022-07-05T13:39:41+00:00", None, '["Ministry of Justice"]', "[]", 1, 1),
    ]


# --------------------------------------------------------------------- list pages
def test_list_page_entries_and_next_link() -> None:
    page = parse_list_page((LIST_PAGES / "petitions_q_climate_change_page_1.json").read_bytes())
    assert len(page.entries) == 50
    assert page.next_url == "https://petition.parliament.uk/petitions.json?page=2&q=climate+change"
    assert page.last_url == "https://petition.parliament.uk/petitions.json?page=8&q=climate+change"
    first = page.entries[0]
    assert (first.id, first.url, first.state, first.signature_count) == (
        563380,
        "https://petition.parliament.uk/petitions/563380.json",
        "closed",
        155253,
    )
    assert first.updated_at == datetime(2021, 12, 21, 13, 51, 48, tzinfo=UTC)
    last = parse_list_page((LIST_PAGES / "petitions_q_climate_change_page_8.json").read_bytes())
    assert (len(last.entries), last.next_url) == (14, None)


def test_a_petition_is_not_a_list_page() -> None:
    with pytest.raises(ParseError, match=r"data: expected a list of petitions"):
        parse_list_page((PETITIONS / "300000.json").read_bytes(), "p.json")


def test_response_date_is_responded_on_not_publication_for_every_json_petition() -> None:
    """Hammersmith Bridge (549607): responded_on 3 Nov 2020; government_response_at 24 Sep."""
    bridge = parse_json_bytes((PETITIONS / "549607.json").read_bytes()).petition
    assert bridge.government_response is not None
    assert bridge.government_response.responded_at == datetime(2020, 11, 3, tzinfo=UTC)
    response_at = bridge.event_time("Government Response")
    assert response_at is not None and response_at.date().isoformat() == "2020-09-24"
    differing = 0
    for path in json_paths():
        raw = json.loads(path.read_bytes())["data"]["attributes"]
        response = parse_json_bytes(path.read_bytes()).petition.government_response
        if raw.get("government_response") is None:
            assert response is None
            continue
        assert response is not None and response.responded_at is not None
        assert (
            response.responded_at.date().isoformat() == raw["government_response"]["responded_on"]
        )
        differing += (
            raw["government_response_at"][:10] != raw["government_response"]["responded_on"]
        )
    assert differing == 10  # of 22 responses, as the issue counted
