"""Parser tests: the three seeds with exact values, every bad-input class, real-world variants.

Expected numbers were read off the seed files with grep, not produced by the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.ingest.models import UNKNOWN, ParseWarning
from core.ingest.parser import ParseError, department, parse_bytes, parse_file, parse_text

SEEDS = Path(__file__).resolve().parents[3] / "data" / "petitions"
SEED_000 = SEEDS / "000_554244068cbf0b8f.txt"
SEED_001 = SEEDS / "001_716981ad0a10f8b5.txt"
SEED_002 = SEEDS / "002_4b7078e7d9f86b1b.txt"


def utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def seed_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, fragment: str) -> int:
    """1-based number of the only line containing ``fragment``."""
    hits = [n for n, line in enumerate(text.split("\n"), 1) if fragment in line]
    assert len(hits) == 1, hits
    return hits[0]


# --------------------------------------------------------------------------- seeds


@dataclass(frozen=True)
class Seed:
    path: Path
    id: int
    title: str
    total: int
    refreshed: str
    countries: int
    constituencies: int  # rows, Unknown included
    uk: int
    unknown_rank: int
    unknown_count: int
    unknown_percent: float
    pavilion: tuple[int, int, float]  # rank, count, percent of "Brighton, Pavilion"
    cox: tuple[str, int]  # MP as printed, count in Torridge and West Devon
    woking_count: int
    department: str
    history: tuple[tuple[str, str], ...]


SEED_DATA = [
    Seed(
        path=SEED_000,
        id=652057,
        title="Pause Ofsted inspections and reform how school performance is evaluated",
        total=48_783,
        refreshed="2024-01-04 20:30:10",
        countries=41,
        constituencies=650,
        uk=48_626,
        unknown_rank=4,
        unknown_count=226,
        unknown_percent=0.46,
        pavilion=(7, 205, 0.42),
        cox=("Rt Hon Sir Geoffrey Cox KC MP", 118),
        woking_count=81,
        department="Department for Education",
        history=(
            ("Updated", "2024-01-04 20:06:20"),
            ("Government Response", "2024-01-04 15:37:53"),
            ("Response Threshold Reached", "2023-12-08 17:53:50"),
            ("Opened", "2023-12-06 17:20:55"),
            ("Moderation Threshold Reached", "2023-11-23 16:29:40"),
            ("Created", "2023-11-23 15:46:55"),
        ),
    ),
    Seed(
        path=SEED_001,
        id=607849,
        title="Make SEND training mandatory for all teaching staff",
        total=26_704,
        refreshed="2022-03-26 14:00:15",
        countries=33,
        constituencies=651,
        uk=26_625,
        unknown_rank=14,
        unknown_count=108,
        unknown_percent=0.41,
        pavilion=(235, 45, 0.17),
        cox=("Rt Hon Sir Geoffrey Cox QC MP", 46),
        woking_count=56,
        department="Department for Education",
        history=(
            ("Updated", "2022-03-26 13:45:58"),
            ("Government Response", "2022-03-09 17:08:27"),
            ("Response Threshold Reached", "2022-02-25 14:00:18"),
            ("Opened", "2022-02-08 17:42:31"),
            ("Moderation Threshold Reached", "2022-02-02 16:08:08"),
            ("Created", "2022-02-02 07:31:25"),
        ),
    ),
    Seed(
        path=SEED_002,
        id=575833,
        title="Make verified ID a requirement for opening a social media account.",
        total=270_294,
        refreshed="2021-07-12 15:00:10",
        countries=89,
        constituencies=651,
        uk=268_513,
        unknown_rank=1,
        unknown_count=13_698,
        unknown_percent=5.10,
        pavilion=(206, 445, 0.17),
        cox=("Rt Hon Sir Geoffrey Cox QC MP", 240),
        woking_count=503,
        department="Department for Digital, Culture, Media and Sport",
        history=(
            ("Updated", "2021-07-12 14:59:45"),
            ("Government Response", "2021-03-24 17:35:27"),
            ("Debate Threshold Reached", "2021-03-11 18:36:45"),
            ("Response Threshold Reached", "2021-03-10 17:12:35"),
            ("Opened", "2021-03-05 11:05:39"),
            ("Moderation Threshold Reached", "2021-02-19 12:27:27"),
            ("Created", "2021-02-19 07:09:44"),
        ),
    ),
]


@pytest.fixture(params=SEED_DATA, ids=lambda s: s.path.name[:3])
def seed(request: pytest.FixtureRequest) -> Seed:
    return request.param


def test_seed_header_values(seed: Seed) -> None:
    doc = parse_file(seed.path)
    p = doc.petition
    assert p.id == seed.id
    assert p.title == seed.title
    assert p.url == f"https://petition.parliament.uk/petitions/{seed.id}"
    assert p.total_signatures == seed.total
    assert p.refreshed_at == utc(seed.refreshed)
    assert p.refreshed_at.tzinfo is UTC
    assert len(p.countries) == seed.countries
    assert len(p.constituencies) == seed.constituencies
    assert len(p.seats) == seed.constituencies - 1
    assert p.uk_signatures == seed.uk
    assert p.countries[0].name == "United Kingdom"
    assert p.countries[0].rank == 1
    # Fields only JSON carries stay empty.
    assert (p.state, p.additional_details, p.departments, p.topics) == (None, None, (), ())


def test_seed_unknown_row(seed: Seed) -> None:
    p = parse_file(seed.path).petition
    row = p.unknown_row
    assert row is not None
    assert (row.rank, row.name, row.mp, row.count, row.percent) == (
        seed.unknown_rank,
        UNKNOWN,
        None,
        seed.unknown_count,
        seed.unknown_percent,
    )
    assert row.is_unknown
    assert row.mp_name is None
    assert [r for r in p.constituencies if r.is_unknown] == [row]
    assert p.constituencies[seed.unknown_rank - 1] is row


def test_seed_named_rows(seed: Seed) -> None:
    p = parse_file(seed.path).petition
    by_name = {row.name: row for row in p.constituencies}
    pavilion = by_name["Brighton, Pavilion"]
    assert (pavilion.rank, pavilion.count, pavilion.percent) == seed.pavilion
    assert pavilion.mp == "Caroline Lucas MP"
    assert pavilion.mp_name == "Caroline Lucas"

    cox = by_name["Torridge and West Devon"]
    assert (cox.mp, cox.count) == seed.cox
    assert cox.mp_name == "Geoffrey Cox"

    woking = by_name["Woking"]
    assert woking.mp == "Mr Jonathan Lord MP"
    assert woking.mp_name == "Jonathan Lord"
    assert woking.count == seed.woking_count


def test_seed_history(seed: Seed) -> None:
    p = parse_file(seed.path).petition
    assert [(e.event, e.at) for e in p.history] == [(n, utc(t)) for n, t in seed.history]
    assert all(e.at.tzinfo is UTC for e in p.history)
    assert p.event_time("Opened") == utc(dict(seed.history)["Opened"])
    response = p.government_response
    assert response is not None
    assert response.responded_at == utc(dict(seed.history)["Government Response"])


def test_seed_department(seed: Seed) -> None:
    response = parse_file(seed.path).petition.government_response
    assert response is not None
    assert response.department == seed.department
    assert seed.department in response.details.split("\n")


def test_seed_invariants_hold_without_warnings(seed: Seed) -> None:
    doc = parse_file(seed.path)
    p = doc.petition
    assert doc.warnings == ()
    assert sum(c.count for c in p.countries) == p.total_signatures
    assert sum(c.count for c in p.constituencies) == p.uk_signatures
    assert [c.rank for c in p.countries] == list(range(1, len(p.countries) + 1))
    assert [c.rank for c in p.constituencies] == list(range(1, len(p.constituencies) + 1))
    assert len({c.name for c in p.constituencies}) == len(p.constituencies)


def test_seed_000_specifics() -> None:
    p = parse_file(SEED_000).petition
    by_name = {row.name: row for row in p.constituencies}
    wellingborough = by_name["Wellingborough"]
    assert (wellingborough.rank, wellingborough.mp, wellingborough.count) == (257, None, 86)
    assert wellingborough.percent == 0.18
    assert wellingborough.mp_name is None
    assert not wellingborough.is_unknown
    assert "Glasgow North East" not in by_name
    assert by_name["Cheltenham"].mp_name == "Alex Chalk"
    assert by_name["Fareham"].mp_name == "Suella Braverman"
    assert p.countries[1].name == "Spain"
    assert (p.countries[1].count, p.countries[1].percent) == (25, 0.05)
    assert p.countries[0].percent == 99.68
    assert p.event_time("Debate Threshold Reached") is None
    assert p.background.startswith("This petition is calling for routine Ofsted inspections")
    assert "\n" not in p.background
    response = p.government_response
    assert response is not None
    assert response.summary.startswith("The government remains committed to the regular Ofsted")
    assert response.summary.endswith("are safe.")
    assert response.details.startswith("The government does not accept that England")
    assert response.details.endswith("\n\nDepartment for Education")


def test_seed_001_free_text_keeps_inner_blank_lines_drops_trailing_spaces() -> None:
    p = parse_file(SEED_001).petition
    assert "Glasgow North East" in {r.name for r in p.constituencies}
    assert {r.name: r.mp for r in p.constituencies}["Wellingborough"] == "Mr Peter Bone MP"
    response = p.government_response
    assert response is not None
    details = response.details
    # 001:22 is a single space and 001:23 has a trailing space; 001:26-27 are two blank lines.
    assert "\n\nReforms to teacher training\n\nAll teachers are teachers of SEND" in details
    assert "\n\n\nIn addition to the mandated minimum" in details
    assert all(line == line.rstrip() for line in details.split("\n"))
    # 001:47-48 (blank lines after the department) are not part of the details.
    assert details.endswith(
        "for example through training on specific needs like autism.\n\nDepartment for Education"
    )


def test_seed_002_department_followed_by_a_note() -> None:
    response = parse_file(SEED_002).petition.government_response
    assert response is not None
    assert response.department == "Department for Digital, Culture, Media and Sport"
    assert response.details.endswith(
        "Department for Digital, Culture, Media and Sport\n\nThis is a revised response. "
        "The Petitions Committee requested a response which more directly addressed the request "
        "of the petition. You can find the original response towards the bottom of the petition "
        "page: https://petition.parliament.uk/petitions/575833"
    )
    p = parse_file(SEED_002).petition
    assert p.event_time("Debate Threshold Reached") == utc("2021-03-11 18:36:45")


def test_seed_mps_all_strip_to_plain_names(seed: Seed) -> None:
    honorifics = {"rt", "hon", "sir", "dame", "dr", "mr", "mrs", "ms", "miss", "mp", "kc", "qc"}
    p = parse_file(seed.path).petition
    for row in p.seats:
        if row.mp is None:
            continue
        name = row.mp_name
        assert name is not None and name
        assert not {t.casefold() for t in name.split()} & honorifics, (row.mp, name)


# --------------------------------------------------------------------------- accepted variants


@pytest.mark.parametrize("path", [SEED_000, SEED_001, SEED_002], ids=["000", "001", "002"])
def test_crlf_and_bom_parse_equal_to_lf(path: Path) -> None:
    raw = path.read_bytes()
    assert b"\r" not in raw
    crlf = b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n")
    assert parse_bytes(crlf, "crlf.txt") == parse_bytes(raw, "lf.txt")
    assert parse_text("\ufeff" + raw.decode("utf-8")) == parse_bytes(raw)


def test_no_government_response() -> None:
    text = seed_text(SEED_000)
    start = text.index("### Government Response")
    end = text.index("### History")
    doc = parse_text(text[:start] + text[end:], "noresp.txt")
    assert doc.petition.government_response is None
    assert doc.warnings == ()
    assert len(doc.petition.history) == 6
    assert doc.petition.total_signatures == 48_783


def test_history_header_without_rows() -> None:
    text = seed_text(SEED_000)
    start = text.index("| Updated |")
    end = text.index("### Signatures by Country")
    doc = parse_text(text[:start] + "\n" + text[end:])
    assert doc.petition.history == ()
    assert doc.petition.government_response is not None
    assert doc.petition.government_response.responded_at is None
    assert len(doc.petition.constituencies) == 650


def test_missing_history_section() -> None:
    text = seed_text(SEED_000)
    start = text.index("### History")
    end = text.index("### Signatures by Country")
    doc = parse_text(text[:start] + text[end:])
    assert doc.petition.history == ()
    assert doc.warnings == ()
    response = doc.petition.government_response
    assert response is not None
    assert response.department == "Department for Education"


def test_country_sum_mismatch_is_a_warning() -> None:
    text = replace_once(seed_text(SEED_000), "**48,783 signatures**", "**48,784 signatures**")
    doc = parse_text(text, "sum.txt")
    assert doc.petition.total_signatures == 48_784
    assert doc.warnings == (ParseWarning(62, "countries sum to 48,783, total is 48,784"),)
    assert str(doc.warnings[0]) == "line 62: countries sum to 48,783, total is 48,784"


def test_constituency_sum_mismatch_is_a_warning() -> None:
    text = replace_once(
        seed_text(SEED_000), "| 4 | Unknown | Unknown | 226 |", "| 4 | Unknown | Unknown | 227 |"
    )
    doc = parse_text(text)
    assert doc.warnings == (
        ParseWarning(108, "constituencies sum to 48,627, United Kingdom row is 48,626"),
    )


def test_rank_and_order_problems_are_warnings() -> None:
    text = replace_once(seed_text(SEED_000), "| 2 | Spain | 25 |", "| 9 | Spain | 25 |")
    text = replace_once(text, "| 3 | France | 20 |", "| 3 | France | 30 |")
    text = replace_once(text, "**48,783 signatures**", "**48,793 signatures**")
    doc = parse_text(text)
    assert [(w.line, w.message) for w in doc.warnings] == [
        (67, "country table rank 9, expected 2"),
        (68, "country table not sorted by signatures"),
    ]


# --------------------------------------------------------------------------- real-world input


def small_document(**changes: str) -> str:
    """A minimal valid document; keyword arguments replace whole blocks."""
    blocks = {
        "title": "# A small petition",
        "background": "### Background\n\nOne line of background.",
        "signatures": (
            "### Signatures\n\n**3 signatures**\n\n"
            "Data taken from [https://petition.parliament.uk/petitions/700001]"
            "(https://petition.parliament.uk/petitions/700001)\n\n"
            "Last refreshed 2024-05-01 12:00:00"
        ),
        "response": "",
        "history": (
            "### History\n\n| Event | Date | Time |\n| - | - | - |\n"
            "| Created | 2024-04-30 | 09:15:00 |"
        ),
        "countries": (
            "### Signatures by Country\n\n| # | Country | Signatures | % |\n| - | - | -: | -: |\n"
            "| 1 | United Kingdom | 3 | 100.00 |"
        ),
        "constituencies": (
            "### Signatures by Constituency\n\n| # | Constituency | MP | Signatures | % |\n"
            "| - | - | - | -: | -: |\n"
            "| 1 | Ynys Môn | Virginia Crosbie MP | 2 | 66.67 |\n"
            "| 2 | Unknown | Unknown | 1 | 33.33 |"
        ),
    }
    blocks.update(changes)
    return "\n\n".join(b for b in blocks.values() if b) + "\n"


def test_small_document_parses() -> None:
    doc = parse_text(small_document())
    p = doc.petition
    assert doc.warnings == ()
    assert (p.id, p.title, p.total_signatures) == (700001, "A small petition", 3)
    assert p.background == "One line of background."
    assert [(r.name, r.mp, r.count) for r in p.constituencies] == [
        ("Ynys Môn", "Virginia Crosbie MP", 2),
        ("Unknown", None, 1),
    ]


def test_one_signature() -> None:
    text = small_document(
        countries=(
            "### Signatures by Country\n\n| # | Country | Signatures | % |\n| - | - | -: | -: |\n"
            "| 1 | United Kingdom | 1 | 100.00 |"
        ),
        constituencies=(
            "### Signatures by Constituency\n\n| # | Constituency | MP | Signatures | % |\n"
            "| - | - | - | -: | -: |\n| 1 | Unknown | Unknown | 1 | 100.00 |"
        ),
    )
    text = replace_once(text, "**3 signatures**", "**1 signature**")
    doc = parse_text(text)
    assert doc.petition.total_signatures == 1
    assert doc.warnings == ()


def test_background_with_heading_like_lines_is_kept() -> None:
    background = (
        "### Background\n\nIntro line.\n\n### What we want\n\n# Not a title\n#hashtag and C#\n\n"
        "## Details"
    )
    doc = parse_text(small_document(background=background))
    assert doc.petition.background == (
        "Intro line.\n\n### What we want\n\n# Not a title\n#hashtag and C#\n\n## Details"
    )


def test_title_with_hashes() -> None:
    doc = parse_text(small_document(title="# #StopTheCuts: C# ### now #"))
    assert doc.petition.title == "#StopTheCuts: C# ### now #"


def test_extra_blank_lines_around_blocks() -> None:
    text = seed_text(SEED_000)
    spaced = re.sub(
        r"^(#{1,3} .*|\*\*.*\*\*|Data taken.*|Last refreshed.*)$", r"\n\n\1\n", text, flags=re.M
    )
    spaced = "\n\n" + spaced + "\n\n\n"
    assert parse_text(spaced) == parse_text(text)


def test_trailing_spaces_and_tabs_everywhere() -> None:
    text = seed_text(SEED_001)
    noisy = "\n".join(line + " \t " for line in text.split("\n"))
    tabbed = re.sub(r"(?m)^(\|.*)$", lambda m: m.group(1).replace(" | ", "\t|\t"), noisy)
    assert "\t|\t" in tabbed
    assert parse_text(tabbed) == parse_text(text)


def test_heading_case_and_spacing_tolerated() -> None:
    text = replace_once(
        seed_text(SEED_000), "### Signatures by Country\n", "###   signatures BY country  \n"
    )
    assert parse_text(text) == parse_text(seed_text(SEED_000))


def test_details_without_department() -> None:
    text = replace_once(seed_text(SEED_000), "\n\nDepartment for Education\n", "\n")
    response = parse_text(text).petition.government_response
    assert response is not None
    assert response.department is None
    assert response.details.endswith("and ultimately secures Ruth’s legacy.")


def test_response_summary_only() -> None:
    response_block = "### Government Response\n\nWe have no plans to change the law."
    p = parse_text(small_document(response=response_block)).petition
    assert p.government_response is not None
    assert p.government_response.summary == "We have no plans to change the law."
    assert p.government_response.details == ""
    assert p.government_response.department is None


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ("Text.\n\nHM Treasury", "HM Treasury"),
        ("Text.\n\nHome Office\n\nThis is a revised response. See the original.", "Home Office"),
        ("Text.\n\nMinistry of Justice", "Ministry of Justice"),
        (
            "Text.\n\nDepartment for Business, Energy & Industrial Strategy",
            "Department for Business, Energy & Industrial Strategy",
        ),
        ("Text.\n\nCabinet Office", "Cabinet Office"),
        ("The Department also recognises this.\n\nMore text here.", None),
        ("- Engaging with Local Authorities.\n\n- Engaging with industry.", None),
        ("", None),
    ],
)
def test_department_heuristic(details: str, expected: str | None) -> None:
    assert department(details) == expected


def test_unknown_row_printed_with_mp_none() -> None:
    text = replace_once(seed_text(SEED_000), "| 4 | Unknown | Unknown |", "| 4 | Unknown | None |")
    row = parse_text(text).petition.unknown_row
    assert row is not None
    assert (row.mp, row.count) == (None, 226)


def test_zero_signature_seat_printed() -> None:
    text = seed_text(SEED_000) + "| 651 | Glasgow North East | Anne McLaughlin MP | 0 | 0.00 |\n"
    doc = parse_text(text)
    assert doc.warnings == ()
    last = doc.petition.constituencies[-1]
    assert (last.rank, last.name, last.mp, last.count, last.percent) == (
        651,
        "Glasgow North East",
        "Anne McLaughlin MP",
        0,
        0.0,
    )


def test_negative_unknown_row_is_accepted() -> None:
    # Unknown = UK count - sum of seats; out-of-sync API counts can make it negative.
    constituencies = (
        "### Signatures by Constituency\n\n| # | Constituency | MP | Signatures | % |\n"
        "| - | - | - | -: | -: |\n"
        "| 1 | Ynys Môn | Virginia Crosbie MP | 4 | 133.33 |\n"
        "| 2 | Unknown | Unknown | -1 | -33.33 |"
    )
    doc = parse_text(small_document(constituencies=constituencies))
    assert doc.warnings == ()
    row = doc.petition.unknown_row
    assert row is not None
    assert (row.count, row.percent) == (-1, -33.33)


@pytest.mark.parametrize(
    "unknown",
    ["| 4 | Unknown | Unknown | 226 | 0.46 |", "| 4 | Unknown | Unknown | -226 | -0.46 |"],
)
def test_a_seat_row_parses_the_same_whatever_the_other_rows(unknown: str) -> None:
    """No-break spaces around a name are stripped, with or without an odd row elsewhere
    (a negative Unknown row sends the table down the row-by-row path)."""
    text = replace_once(seed_text(SEED_000), "| 4 | Unknown | Unknown | 226 | 0.46 |", unknown)
    text = replace_once(text, "| Sefton Central |", "| Sefton Central\u00a0|")
    seats = parse_text(text).petition.constituencies
    assert seats[4].name == "Sefton Central"
    assert seats[3].count in (226, -226)


def test_a_name_of_only_a_no_break_space_is_empty() -> None:
    text = replace_once(seed_text(SEED_000), "| Sefton Central |", "| \u00a0 |")
    with pytest.raises(ParseError, match="empty constituency name"):
        parse_text(text)


def test_an_impossible_rank_is_a_parse_error_not_a_storage_error() -> None:
    text = replace_once(
        seed_text(SEED_000), "| 5 | Sefton Central |", "| 12345678901234567890 | Sefton Central |"
    )
    with pytest.raises(ParseError, match="too large"):
        parse_text(text)


def test_negative_seat_count_is_rejected() -> None:
    constituencies = (
        "### Signatures by Constituency\n\n| # | Constituency | MP | Signatures | % |\n"
        "| - | - | - | -: | -: |\n| 1 | Ynys Môn | Virginia Crosbie MP | -3 | 0.00 |"
    )
    text = small_document(constituencies=constituencies)
    with pytest.raises(ParseError) as info:
        parse_text(text, "neg.txt")
    assert info.value.line == line_of(text, "| -3 |")
    assert "'-3' is not a whole number" in info.value.message


def test_double_space_in_printed_mp() -> None:
    text = replace_once(
        seed_text(SEED_000), "| Mr Jonathan Lord MP |", "| Rt Hon David T C  Davies MP |"
    )
    row = {r.name: r for r in parse_text(text).petition.constituencies}["Woking"]
    assert row.mp == "Rt Hon David T C  Davies MP"
    assert row.mp_name == "David T C Davies"


def test_mp_printed_with_pipe_free_unicode() -> None:
    text = replace_once(seed_text(SEED_000), "| Mr Jonathan Lord MP |", "| Dr Thérèse Coffey MP |")
    row = {r.name: r for r in parse_text(text).petition.constituencies}["Woking"]
    assert row.mp_name == "Thérèse Coffey"


# --------------------------------------------------------------------------- bad input


def fails(data: bytes | str, source: str = "bad.txt") -> ParseError:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(ParseError) as info:
        parse_bytes(raw, source)
    error = info.value
    assert error.source == source
    assert str(error).startswith(f"{source}:{error.line}: " if error.line else f"{source}: ")
    return error


def test_parse_error_attributes() -> None:
    error = ParseError("x.txt", 3, "boom")
    assert (error.source, error.line, error.message) == ("x.txt", 3, "boom")
    assert str(error) == "x.txt:3: boom"
    assert str(ParseError("x.txt", None, "boom")) == "x.txt: boom"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", b"   \n\n\t \r\n  "], ids=["empty", "bom", "blank"]
)
def test_empty_documents(data: bytes) -> None:
    error = fails(data)
    assert error.line == 1
    assert "empty document" in error.message


def test_nul_byte() -> None:
    error = fails(b"# Title\n\nsome\x00thing\n")
    assert error.line == 3
    assert "binary" in error.message


def test_png_header() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256))
    error = fails(png, "picture.png")
    assert error.line == 1
    assert "binary" in error.message


def test_invalid_utf8_names_the_line() -> None:
    raw = SEED_000.read_bytes().replace(b"routine Ofsted", b"routine \xe9Ofsted", 1)
    error = fails(raw)
    assert error.line == 5
    assert "invalid UTF-8" in error.message
    assert "0xe9" in error.message


def test_parse_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"")
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert info.value.source == str(path)
    assert info.value.line == 1
    missing = tmp_path / "nope.txt"
    with pytest.raises(ParseError) as info:
        parse_file(missing)
    assert (info.value.source, info.value.line) == (str(missing), None)
    assert "cannot read file" in info.value.message


def test_truncated_mid_row_wrong_column_count() -> None:
    text = seed_text(SEED_000)
    cut = text[
        : text.index("| 257 | Wellingborough | None | 86 |")
        + len("| 257 | Wellingborough | None | 86 |")
    ]
    error = fails(cut)
    assert error.line == 368
    assert error.message == ("expected 5 columns (# | Constituency | MP | Signatures | %), found 4")


def test_truncated_mid_cell() -> None:
    text = seed_text(SEED_000)
    cut = text[: text.index("| 257 | Wellingborough | No") + len("| 257 | Wellingborough | No")]
    error = fails(cut)
    assert error.line == 368
    assert "incomplete table row" in error.message
    assert "truncated" in error.message


def test_truncated_before_constituency_section() -> None:
    text = seed_text(SEED_000)
    cut = text[: text.index("### Signatures by Constituency")]
    assert cut.endswith("|\n\n")
    error = fails(cut)
    assert error.line == 107  # the last line of the cut file
    assert error.message == (
        "missing section '### Signatures by Constituency' (document truncated or incomplete?)"
    )


def test_truncated_right_after_constituency_heading() -> None:
    text = seed_text(SEED_000)
    cut = text[
        : text.index("### Signatures by Constituency") + len("### Signatures by Constituency\n")
    ]
    error = fails(cut)
    assert error.line == 108
    assert "'### Signatures by Constituency' has no table" in error.message


def test_truncated_in_the_header() -> None:
    text = seed_text(SEED_000)
    error = fails(text[: text.index("Last refreshed")])
    assert error.line == 12
    assert error.message == (
        "missing section '### Signatures by Country' (document truncated or incomplete?)"
    )


def test_missing_refreshed_line() -> None:
    text = replace_once(seed_text(SEED_000), "Last refreshed 2024-01-04 20:30:10\n", "\n")
    error = fails(text)
    assert error.line == 7
    assert error.message == "missing the 'Last refreshed YYYY-MM-DD HH:MM:SS' line"


def test_missing_country_section() -> None:
    text = replace_once(seed_text(SEED_000), "### Signatures by Country\n", "\n")
    error = fails(text)
    assert error.line == 108
    assert error.message == (
        "missing section '### Signatures by Country' "
        "(expected before '### Signatures by Constituency')"
    )


def test_missing_background() -> None:
    text = replace_once(seed_text(SEED_000), "### Background\n", "\n")
    error = fails(text)
    assert error.line == 5
    assert "expected '### Background' after the title" in error.message


def test_missing_title() -> None:
    text = seed_text(SEED_000).split("\n", 2)[2]
    error = fails(text)
    assert error.line == 1
    assert "title" in error.message


def test_sections_out_of_order() -> None:
    text = seed_text(SEED_000)
    history = text[text.index("### History") : text.index("### Signatures by Country")]
    swapped = text.replace(history, "").replace(
        "### Signatures by Constituency", history + "### Signatures by Constituency"
    )
    error = fails(swapped)
    assert "'### History' must come before '### Signatures by Country'" in error.message
    assert error.line == line_of(swapped, "### History")


def test_duplicate_section() -> None:
    text = seed_text(SEED_000) + "\n### History\n"
    error = fails(text)
    assert error.line == 763
    assert error.message == "second '### History' section (first on line 51)"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "| 2 | Spain | 25 | 0.05 |",
            "| 2 | Spain | 12x | 0.05 |",
            67,
            "signature count '12x' is not a whole number (e.g. 13,698)",
        ),
        (
            "| 2 | Spain | 25 | 0.05 |",
            "| 2 | Spain | 2,5 | 0.05 |",
            67,
            "signature count '2,5' is not a whole number (e.g. 13,698)",
        ),
        (
            "| 2 | Spain | 25 | 0.05 |",
            "| 2 | Spain | 25 | 0,05 |",
            67,
            "percentage '0,05' is not a number (e.g. 0.46)",
        ),
        (
            "| 2 | Spain | 25 | 0.05 |",
            "| 2 | Spain | 25 | 5% |",
            67,
            "percentage '5%' is not a number (e.g. 0.46)",
        ),
        (
            "| 2 | Spain | 25 | 0.05 |",
            "| two | Spain | 25 | 0.05 |",
            67,
            "rank 'two' is not a whole number (e.g. 13,698)",
        ),
        (
            "| 2 | Spain | 25 | 0.05 |",
            "| 2 | Spain | 25 |",
            67,
            "expected 4 columns (# | Country | Signatures | %), found 3",
        ),
        (
            "| 2 | Spain | 25 | 0.05 |",
            "| 2 | Spain | x | 25 | 0.05 |",
            67,
            "expected 4 columns (# | Country | Signatures | %), found 5",
        ),
        ("| 2 | Spain | 25 | 0.05 |", "| 2 |  | 25 | 0.05 |", 67, "empty country name"),
        (
            "| 5 | Sefton Central | Bill Esterson MP | 209 | 0.43 |",
            "| 5 | Sefton Central | Bill Esterson MP | 209 |",
            116,
            "expected 5 columns (# | Constituency | MP | Signatures | %), found 4",
        ),
        (
            "| 5 | Sefton Central | Bill Esterson MP | 209 |",
            "| 5 | Sefton Central | Bill Esterson MP | 2O9 |",
            116,
            "signature count '2O9' is not a whole number (e.g. 13,698)",
        ),
        (
            "| Opened | 2023-12-06 | 17:20:55 |",
            "| Opened | 2023-13-06 | 17:20:55 |",
            58,
            "'Opened' time '2023-13-06 17:20:55' is not 'YYYY-MM-DD HH:MM:SS'",
        ),
        (
            "| Opened | 2023-12-06 | 17:20:55 |",
            "| Opened | 06/12/2023 | 17:20 |",
            58,
            "'Opened' time '06/12/2023 17:20' is not 'YYYY-MM-DD HH:MM:SS'",
        ),
        (
            "| Opened | 2023-12-06 | 17:20:55 |",
            "| | 2023-12-06 | 17:20:55 |",
            58,
            "empty event name in the history table",
        ),
        (
            "Last refreshed 2024-01-04 20:30:10",
            "Last refreshed 2024-01-04 24:30:10",
            13,
            "'Last refreshed' time '2024-01-04 24:30:10' is not 'YYYY-MM-DD HH:MM:SS'",
        ),
        (
            "**48,783 signatures**",
            "**48.783 signatures**",
            9,
            "the signature total '48.783' is not a whole number (e.g. 13,698)",
        ),
        (
            "(https://petition.parliament.uk/petitions/652057)",
            "(https://petition.parliament.uk/petitions/)",
            11,
            "source URL 'https://petition.parliament.uk/petitions/' has no petition id: "
            "expected .../petitions/<id>",
        ),
        (
            "| # | Country | Signatures | % |",
            "| # | Nation | Signatures | % |",
            64,
            "expected the table header '| # | Country | Signatures | % |'",
        ),
        (
            "| % |\n| - | - | -: | -: |",
            "| % |\n| = | = | = | = |",
            65,
            "expected the table separator row '| - | ... |'",
        ),
        (
            "Last refreshed 2024-01-04 20:30:10",
            "Refreshed at 2024-01-04 20:30:10",
            13,
            "unexpected line in '### Signatures': expected '**N signatures**', "
            "'Data taken from [url](url)' or 'Last refreshed YYYY-MM-DD HH:MM:SS'",
        ),
    ],
)
def test_bad_values(old: str, new: str, line: int, message: str) -> None:
    text = replace_once(seed_text(SEED_000), old, new)
    error = fails(text)
    assert (error.line, error.message) == (line, message)


def test_duplicate_constituency_row() -> None:
    text = replace_once(
        seed_text(SEED_000), "| 379 | Brighton, Kemptown |", "| 379 | Brighton, Pavilion |"
    )
    error = fails(text)
    assert error.line == 490
    assert error.message == "constituency 'Brighton, Pavilion' appears twice (first on line 118)"


def test_duplicate_country_row() -> None:
    text = replace_once(seed_text(SEED_000), "| 3 | France | 20 |", "| 3 | Spain | 20 |")
    error = fails(text)
    assert (error.line, error.message) == (68, "country 'Spain' appears twice (first on line 67)")


def test_unexpected_heading() -> None:
    text = replace_once(
        seed_text(SEED_000),
        "| Created | 2023-11-23 | 15:46:55 |\n\n",
        "| Created | 2023-11-23 | 15:46:55 |\n#### Notes\n",
    )
    error = fails(text)
    assert error.line == 61
    assert error.message.startswith(
        "unexpected heading '#### Notes': expected one of '### Background'"
    )


def test_unknown_level3_heading_in_a_table_section() -> None:
    text = replace_once(
        seed_text(SEED_000), "### Signatures by Constituency", "### Signatures by Region"
    )
    error = fails(text)
    assert error.line == 108
    assert "unexpected heading '### Signatures by Region'" in error.message


def test_text_after_a_table() -> None:
    text = replace_once(
        seed_text(SEED_000),
        "| Created | 2023-11-23 | 15:46:55 |\n\n",
        "| Created | 2023-11-23 | 15:46:55 |\n\nSee also the debate.\n",
    )
    error = fails(text)
    assert error.line == 62
    assert error.message == "unexpected text after the table (blank line ends it)"


def test_text_directly_after_a_table_row() -> None:
    text = seed_text(SEED_000).rstrip("\n") + "\nThat is all.\n"
    error = fails(text)
    assert error.line == 762
    assert error.message == ("expected a table row '| # | Constituency | MP | Signatures | % |'")


def test_text_before_the_table() -> None:
    text = replace_once(
        seed_text(SEED_000),
        "### Signatures by Country\n\n",
        "### Signatures by Country\n\nBy country:\n",
    )
    error = fails(text)
    assert error.line == 64
    assert "expected a table row '| # | Country | Signatures | % |'" in error.message


def test_empty_government_response() -> None:
    text = seed_text(SEED_000)
    start = text.index("### Government Response") + len("### Government Response\n")
    end = text.index("### History")
    error = fails(text[:start] + "\n  \n" + text[end:])
    assert error.line == 15
    assert "empty '### Government Response'" in error.message


def test_nothing_half_parsed_escapes() -> None:
    # A bad row at the very end still fails the whole document.
    text = seed_text(SEED_000).rstrip("\n") + "\n| 651 | Somewhere | Someone MP | many | 0.00 |\n"
    error = fails(text)
    assert error.line == 762
    assert error.message == "signature count 'many' is not a whole number (e.g. 13,698)"


def test_second_total_line_is_an_error(seed_paths: list[Path]) -> None:
    text = seed_paths[0].read_text(encoding="utf-8")
    doubled = text.replace("**48,783 signatures**", "**48,783 signatures**\n\n**1 signature**")
    with pytest.raises(ParseError) as info:
        parse_text(doubled, "doubled.md")
    assert info.value.line == 11
    assert "second '**N signatures**'" in info.value.message


def test_releveled_known_heading_still_starts_its_section(seed_paths: list[Path]) -> None:
    text = seed_paths[0].read_text(encoding="utf-8").replace("### History", "## History")
    petition = parse_text(text, "releveled.md").petition
    assert len(petition.history) == 6
    assert petition.government_response is not None
    assert "| Event |" not in petition.government_response.details
