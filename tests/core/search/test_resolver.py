"""The resolver on the three real seeds: ids, URLs, typos, honorifics, ambiguity."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from core.ingest.loader import ingest_paths
from core.ingest.parser import parse_file
from core.ingest.writer import render_document
from core.search.resolver import LABEL_LIMIT, Resolver, TextIndex
from db.database import Database
from tests.support import seed_clock

pytestmark = pytest.mark.both_databases

OFSTED, SEND, VERIFIED_ID = 652057, 607849, 575833


@pytest.fixture
async def resolver(db: Database) -> Resolver:
    return await Resolver.load(db, seed_clock)


# ------------------------------------------------------------------ petitions


@pytest.mark.parametrize(
    "query",
    [
        "652057",
        " #652057 ",
        "https://petition.parliament.uk/petitions/652057",
        "https://petition.parliament.uk/petitions/652057/",
        "https://petition.parliament.uk/petitions/652057.json",
        "https://petition.parliament.uk/petitions/652057?utm_source=x",
        "petition.parliament.uk/archived/petitions/652057",
    ],
)
async def test_petition_by_id_or_url_is_exact(resolver: Resolver, query: str) -> None:
    result = await resolver.petition(query)
    assert (result.status, result.best and result.best.id) == ("exact", OFSTED)
    assert result.query == query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pause ofsted inspectons", OFSTED),
        ("verified id social media", VERIFIED_ID),
        ("send training", SEND),
        ("Make SEND training mandatory", SEND),
        ("ofsted", OFSTED),
        ("VERIFIED ID REQUIREMENT", VERIFIED_ID),
        ("ofsted inspection", OFSTED),  # another form of a title word
        ("send trained teachers", SEND),
        ("verify id for social media accounts", VERIFIED_ID),
    ],
)
async def test_petition_by_partial_or_misspelled_title(
    resolver: Resolver, query: str, expected: int
) -> None:
    result = await resolver.petition(query)
    assert result.status == "clear"
    assert result.best is not None and result.best.id == expected
    assert result.alternatives == []


async def test_full_title_is_exact_whatever_the_case_and_punctuation(resolver: Resolver) -> None:
    result = await resolver.petition(
        "make verified id a requirement for opening a social media account"
    )
    assert result.status == "exact"
    assert result.best is not None
    assert result.best.title == "Make verified ID a requirement for opening a social media account."
    assert result.best.total_signatures == 270_294
    assert result.best.state == "open"
    assert result.best.refreshed_at.isoformat() == "2021-07-12T15:00:10+00:00"


async def test_shared_words_make_a_petition_query_ambiguous(resolver: Resolver) -> None:
    # "Make" starts two seed titles and nothing else in the query tells them apart.
    result = await resolver.petition("make")
    assert result.status == "ambiguous"
    assert {result.best.id if result.best else None, *(a.id for a in result.alternatives)} == {
        SEND,
        VERIFIED_ID,
    }
    assert result.best is not None and result.best.id == VERIFIED_ID  # more signatures


async def test_state_filter_narrows_title_matches_but_not_ids(resolver: Resolver) -> None:
    assert (await resolver.petition("send training", state="closed")).status == "none"
    by_id = await resolver.petition("607849", state="closed")
    assert (by_id.status, by_id.best and by_id.best.id) == ("exact", SEND)


async def test_nonsense_matches_nothing(resolver: Resolver) -> None:
    result = await resolver.petition("zzzzqqq")
    assert (result.status, result.best, result.alternatives, result.suggestions) == (
        "none",
        None,
        [],
        [],
    )


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
async def test_empty_query_suggests_the_most_signed(resolver: Resolver, query: str) -> None:
    result = await resolver.petition(query)
    assert result.status == "none" and result.best is None
    assert [p.id for p in result.suggestions] == [VERIFIED_ID, OFSTED, SEND]


@pytest.mark.parametrize(
    "query",
    ["😀🔥", "x" * 5000, '"*()-:^', 'ofsted" OR 1=1; --', "NEAR(a b)", "\x00\x01", "١٢٣", "9" * 40],
)
async def test_weird_input_never_raises(resolver: Resolver, query: str) -> None:
    for result in (
        await resolver.petition(query),
        await resolver.constituency(query),
        await resolver.mp(query),
    ):
        assert result.status in {"exact", "clear", "ambiguous", "none"}
    assert len(await resolver.complete_petition(query)) <= 25
    assert len(await resolver.complete_constituency(query)) <= 25
    assert len(await resolver.complete_mp(query)) <= 25
    assert isinstance(await resolver.search_petitions(query), list)


async def test_unknown_id_falls_back_to_title_matching(resolver: Resolver) -> None:
    assert (await resolver.petition("123")).status == "none"


async def test_search_petitions_ranks_matches(resolver: Resolver) -> None:
    ranked = await resolver.search_petitions("ofsted school inspections")
    assert [ref.id for ref, _ in ranked] == [OFSTED]
    assert 80 < ranked[0][1] <= 100
    everything = await resolver.search_petitions("", limit=2)
    assert [(ref.id, score) for ref, score in everything] == [(VERIFIED_ID, 0.0), (OFSTED, 0.0)]
    assert await resolver.search_petitions("zzzzqqq") == []
    assert await resolver.search_petitions("", state="closed") == []
    open_ones = await resolver.search_petitions("", state="open", limit=5)
    assert [ref.id for ref, _ in open_ones] == [VERIFIED_ID, OFSTED, SEND]


# ------------------------------------------------------------------ constituencies


@pytest.mark.parametrize(
    ("query", "name", "status"),
    [
        ("Ynys Mon", "Ynys Môn", "exact"),
        ("ynys môn", "Ynys Môn", "exact"),
        ("Brighton Pavilion", "Brighton, Pavilion", "exact"),
        ("weston super mare", "Weston-super-Mare", "exact"),
        ("WESTON-SUPER-MARE", "Weston-super-Mare", "exact"),
        ("Brigton Pavilion", "Brighton, Pavilion", "clear"),
        ("Sheffeld Hallam", "Sheffield, Hallam", "clear"),
        ("Sutton Coldfeld", "Sutton Coldfield", "clear"),
    ],
)
async def test_constituency_by_name(resolver: Resolver, query: str, name: str, status: str) -> None:
    result = await resolver.constituency(query)
    assert (result.status, result.best and result.best.name) == (status, name)
    assert result.best is not None and result.best.boundary_set == "2010"


async def test_brighton_alone_is_ambiguous(resolver: Resolver) -> None:
    result = await resolver.constituency("Brighton")
    assert result.status == "ambiguous"
    names = {result.best.name if result.best else "", *(a.name for a in result.alternatives)}
    assert names == {"Brighton, Pavilion", "Brighton, Kemptown"}


async def test_constituency_by_id_and_nonsense(resolver: Resolver) -> None:
    pavilion = (await resolver.constituency("Brighton Pavilion")).best
    assert pavilion is not None
    assert (pavilion.boundary_set, pavilion.ons_code) == ("2010", None)  # Markdown has no codes
    again = await resolver.constituency(str(pavilion.id))
    assert (again.status, again.best) == ("exact", pavilion)
    assert (await resolver.constituency("zzzzqqq")).status == "none"


async def test_a_name_in_both_boundary_sets(db: Database) -> None:
    # A 2024 seat with the same name: the passed set wins, else the set with newer data.
    await db.conn.execute(
        "INSERT INTO constituencies (name, name_key, boundary_set, ons_code)"
        " VALUES ('Brighton Pavilion', 'brighton pavilion', '2024', 'E14001111')"
    )
    resolver = await Resolver.load(db, seed_clock)
    default = await resolver.constituency("brighton pavilion")
    assert default.best is not None and (default.best.boundary_set, default.best.name) == (
        "2010",
        "Brighton, Pavilion",
    )  # only 2010 has petitions
    newer = await resolver.constituency("brighton pavilion", boundary_set="2024")
    assert newer.status == "exact"
    assert newer.best is not None and (newer.best.boundary_set, newer.best.ons_code) == (
        "2024",
        "E14001111",
    )
    by_code = await resolver.constituency("e14001111")
    assert (by_code.status, by_code.best) == ("exact", newer.best)
    assert (await resolver.constituency("E14009999")).status == "none"
    choices = await resolver.complete_constituency("brighton pav")
    assert [c.label for c in choices[:2]] == [
        "Brighton, Pavilion (2010 seats)",
        "Brighton Pavilion (2024 seats)",
    ]


# ------------------------------------------------------------------ MPs


@pytest.mark.parametrize(
    ("query", "name", "status"),
    [
        ("Sir Keir Starmer", "Keir Starmer", "exact"),
        ("Keir Starmer", "Keir Starmer", "exact"),
        ("Rt Hon Andrew Mitchell MP", "Andrew Mitchell", "exact"),
        ("andrew mitchell", "Andrew Mitchell", "exact"),
        ("Mitchell", "Andrew Mitchell", "clear"),
        ("Andrew Mitchel", "Andrew Mitchell", "clear"),
        ("Jonathan Lrod", "Jonathan Lord", "clear"),
        ("Mark Tai", "Mark Tami", "clear"),  # a three-letter surname typed one letter short
        ("Mr Jonathan Lord MP", "Jonathan Lord", "exact"),
        ("Lord", "Jonathan Lord", "clear"),
        ("Rt Hon Sir Geoffrey Cox KC MP", "Geoffrey Cox", "exact"),
    ],
)
async def test_mp_by_name(resolver: Resolver, query: str, name: str, status: str) -> None:
    result = await resolver.mp(query)
    assert (result.status, result.best and result.best.name) == (status, name)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("Eagle", {"Angela Eagle", "Maria Eagle"}),
        ("Keir", {"Keir Starmer", "Keir Mather"}),
        ("Dame Eagle", {"Angela Eagle", "Maria Eagle"}),
    ],
)
async def test_shared_surname_is_ambiguous(resolver: Resolver, query: str, names: set[str]) -> None:
    result = await resolver.mp(query)
    assert result.status == "ambiguous"
    assert {
        result.best.name if result.best else "",
        *(a.name for a in result.alternatives),
    } == names


async def test_many_smiths_fill_the_menu(resolver: Resolver) -> None:
    result = await resolver.mp("Smith")
    assert result.status == "ambiguous"
    found = {a.name for a in [result.best, *result.alternatives] if a is not None}
    assert {"Cat Smith", "Greg Smith", "Julian Smith", "Jeff Smith"} <= found
    assert len(result.alternatives) <= 24


async def test_mp_nonsense_and_id(resolver: Resolver) -> None:
    assert (await resolver.mp("zzzzqqq")).status == "none"
    lord = (await resolver.mp("Jonathan Lord")).best
    assert lord is not None
    again = await resolver.mp(str(lord.id))
    assert (again.status, again.best) == ("exact", lord)


# ------------------------------------------------------------------ autocomplete


async def test_autocomplete_on_empty_lists_popular_petitions(resolver: Resolver) -> None:
    choices = await resolver.complete_petition("")
    assert [c.value for c in choices] == [str(VERIFIED_ID), str(OFSTED), str(SEND)]
    assert choices[0].label == (
        "Make verified ID a requirement for opening a social media account. (270,294)"
    )


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("ofs", OFSTED),
        ("pause ofs", OFSTED),
        ("verif", VERIFIED_ID),
        ("652", OFSTED),
        ("SEND t", SEND),
    ],
)
async def test_autocomplete_petition_while_typing(
    resolver: Resolver, typed: str, first: int
) -> None:
    choices = await resolver.complete_petition(typed)
    assert choices and choices[0].value == str(first)


async def test_autocomplete_value_resolves_exactly(resolver: Resolver) -> None:
    for typed in ("ofsted", "send", "social media"):
        value = (await resolver.complete_petition(typed))[0].value
        result = await resolver.petition(value)
        assert result.status == "exact" and result.best is not None
        assert str(result.best.id) == value
    seat = (await resolver.complete_constituency("ynys"))[0]
    assert seat.label == "Ynys Môn"
    seat_result = await resolver.constituency(seat.value)
    assert seat_result.status == "exact" and seat_result.best is not None
    assert seat_result.best.name == "Ynys Môn"
    mp = (await resolver.complete_mp("starm"))[0]
    assert mp.label == "Keir Starmer"
    mp_result = await resolver.mp(mp.value)
    assert (mp_result.status, mp_result.best and mp_result.best.name) == ("exact", "Keir Starmer")


@pytest.mark.parametrize("typed", ["", "a", "b", "man", "smith", "the", "1", "x" * 300])
async def test_autocomplete_limits(resolver: Resolver, typed: str) -> None:
    for choices in (
        await resolver.complete_petition(typed),
        await resolver.complete_constituency(typed),
        await resolver.complete_mp(typed),
    ):
        assert len(choices) <= 25
        assert all(1 <= len(c.label) <= LABEL_LIMIT for c in choices)
        assert all(c.value.isdigit() for c in choices)
    assert len(await resolver.complete_constituency("")) == 25
    assert len(await resolver.complete_mp("", limit=10)) == 10


async def test_long_titles_are_cut_to_the_label_limit(db: Database) -> None:
    long_title = "Make " + "very " * 40 + "long titles readable"
    await db.conn.execute(
        "UPDATE petitions SET title = ?, title_key = lower(?) WHERE id = ?",
        (long_title, long_title, SEND),
    )
    resolver = await Resolver.load(db, seed_clock)
    label = (await resolver.complete_petition("very long titles"))[0].label
    # Cut at a word boundary, the signature count kept, within Discord's 100.
    assert label == "Make " + "very " * 16 + "very… (26,704)"
    assert len(label) <= LABEL_LIMIT


# ------------------------------------------------------------------ refresh


async def test_refresh_picks_up_a_new_petition(
    db: Database, resolver: Resolver, seed_paths: list[Path], tmp_path: Path
) -> None:
    seed = parse_file(seed_paths[0]).petition
    new = dataclasses.replace(
        seed,
        id=700001,
        title="Fund free swimming lessons for every primary school pupil",
        url="https://petition.parliament.uk/petitions/700001",
    )
    path = tmp_path / "new.txt"
    path.write_text(render_document(new), encoding="utf-8")
    assert (await resolver.petition("free swimming lessons")).status == "none"
    # An id typed before the refresh is still found, straight from the database.
    report = await ingest_paths(db.target, [path])
    assert report.counts["added"] == 1
    by_id = await resolver.petition("700001")
    assert (by_id.status, by_id.best and by_id.best.title) == ("exact", new.title)
    await resolver.refresh()
    result = await resolver.petition("free swiming lessons")
    assert (result.status, result.best and result.best.id) == ("clear", 700001)
    assert (await resolver.complete_petition("swim"))[0].value == "700001"


# ------------------------------------------------------------------ pieces


def test_text_index_ranks_typos_prefixes_and_rare_words() -> None:
    index = TextIndex(["ban fireworks", "ban the sale of fireworks", "fund the nhs", "ban"])
    assert index.exact("ban") == [3]
    assert {e for e, _ in index.search("firewroks", limit=5)} == {0, 1}
    assert [e for e, _ in index.search("fire", limit=5, partial=True)][:2] == [0, 1]
    assert [e for e, _ in index.search("nhs", limit=5)] == [2]
    assert index.search("qqqq", limit=5) == []
    assert TextIndex([]).search("anything", limit=5) == []


def test_another_form_of_a_word_finds_the_title() -> None:
    """ "farming" is too far from "farms" for a typo and is not a prefix of it."""
    index = TextIndex(["protect farms from flooding", "ban fireworks", "charges for parking"])
    assert [entry for entry, _ in index.search("farming", limit=3)][:1] == [0]
    assert [entry for entry, _ in index.search("parking charge", limit=3)][:1] == [2]
    assert index.search("fireworking", limit=3)[0][0] == 1
    both = TextIndex(["protect farms from flooding", "support farming in wales"])
    assert {entry for entry, _ in both.search("farming", limit=3)} == {0, 1}
    assert both.search("farming", limit=3)[0][0] == 1  # the word itself ranks first


async def test_an_empty_database_resolves_nothing(db_path: Path) -> None:
    database = await Database.open(db_path)
    try:
        resolver = await Resolver.load(database, seed_clock)
        assert (await resolver.petition("ofsted")).status == "none"
        assert (await resolver.petition("")).suggestions == []
        assert (await resolver.constituency("Bath")).status == "none"
        assert (await resolver.mp("Mitchell")).status == "none"
        assert await resolver.complete_petition("") == []
        assert await resolver.complete_constituency("ba") == []
        assert await resolver.search_petitions("ofsted") == []
    finally:
        await database.close()


async def test_identical_titles_are_ambiguous_most_signed_first(db: Database) -> None:
    await db.conn.execute(
        "UPDATE petitions SET title = 'Make SEND training mandatory for all teaching staff',"
        " title_key = 'make send training mandatory for all teaching staff' WHERE id = ?",
        (OFSTED,),
    )
    resolver = await Resolver.load(db, seed_clock)
    result = await resolver.petition("Make SEND training mandatory for all teaching staff")
    assert result.status == "ambiguous"
    assert result.best is not None and result.best.id == OFSTED  # 48,783 > 26,704
    assert [a.id for a in result.alternatives] == [SEND]


async def test_large_indexes_are_searched_in_a_worker_thread(
    resolver: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import core.search.resolver as search

    threads: set[str] = set()
    real = search._petition_search

    def spy(*args: object, **kwargs: object) -> object:
        threads.add(threading.current_thread().name)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "_petition_search", spy)
    assert (await resolver.petition("send training")).status == "clear"  # 3 entries: inline
    assert threads == {threading.main_thread().name}
    monkeypatch.setattr(search, "INLINE_MAX_ENTRIES", 2)
    threads.clear()
    result = await resolver.petition("send training")
    assert (result.status, result.best and result.best.id) == ("clear", SEND)
    assert threads and threading.main_thread().name not in threads


@pytest.mark.parametrize("scan", [0, 1_000])
async def test_autocomplete_an_id_prefix_most_signed_first(
    resolver: Resolver, monkeypatch: pytest.MonkeyPatch, scan: int
) -> None:
    import core.search.resolver as search

    monkeypatch.setattr(search, "ID_PREFIX_SCAN", scan)  # both the scan and the sorted range
    assert [c.value for c in await resolver.complete_petition("6")] == ["652057", "607849"]
    assert [c.value for c in await resolver.complete_petition("60")] == ["607849"]
    assert await resolver.complete_petition("9") == []


async def test_a_reused_scottish_code_follows_the_boundary_set(db: Database) -> None:
    await db.conn.executemany(
        "INSERT INTO constituencies (name, name_key, boundary_set, ons_code) VALUES (?, ?, ?, ?)",
        [
            ("Glen Old", "glen old", "2010", "S14000999"),
            ("Glen New", "glen new", "2024", "S14000999"),
        ],
    )
    resolver = await Resolver.load(db, seed_clock)
    default = await resolver.constituency("S14000999")
    assert default.best is not None and default.best.name == "Glen Old"  # 2010 has the data
    chosen = await resolver.constituency("S14000999", boundary_set="2024")
    assert chosen.best is not None and chosen.best.name == "Glen New"
