"""The synthetic archive: documents round-trip, JSON agrees, queries have answers."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from benchmarks import synth
from benchmarks.reference_seats import SEATS
from core.common.names import fold, person_name
from core.ingest.models import Petition
from core.ingest.parser import parse_file, parse_text
from core.ingest.writer import render_document

N = 30
SEED = 7
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.write_archive(
        tmp_path_factory.mktemp("synth"), N, SEED, markdown=True, json=True, queries_per_kind=60
    )


@pytest.fixture(scope="module")
def petitions() -> list[Petition]:
    return list(synth.generate(N, SEED))


def _interesting_indices(limit: int = 600) -> dict[str, int]:
    """The first petition (by index) showing each feature worth round-tripping."""
    found: dict[str, int] = {}
    for i in range(limit):
        d = synth._make_draft(i, SEED)
        mps = synth.mps_at(d.refreshed)
        listed = d.seat_idx.tolist()
        features = {
            "response": d.responded is not None,
            "revised-note": bool(d.paragraphs and d.paragraphs[-1].startswith("This is a")),
            "debate": d.debate_threshold is not None,
            "pending-response": d.response_threshold is not None and d.responded is None,
            "tiny": d.total < 20,
            "unknown-first": d.unknown > 0 and d.unknown >= int(d.seat_counts.max(initial=0)),
            "zero-row": bool((d.seat_counts == 0).any()),
            "vacant-seat": any(mps[s] is None for s in listed),
            "double-space-mp": any(mps[s] and "  " in mps[s] for s in listed),
            "qc": any(mps[s] and " QC " in mps[s] for s in listed),
            "accent": any(not synth._SEAT_NAMES[s].isascii() for s in listed),
            "local": d.title.split()[0] in ("Save", "Reopen", "Keep")
            or d.title.startswith("Stop the closure"),
            "open": d.state == "open",
            "trailing-period": d.title.endswith("."),
        }
        for name, present in features.items():
            if present and name not in found:
                found[name] = i
    return found


# ----------------------------------------------------------------------------- round trip
def test_every_document_parses_cleanly_and_equals_its_petition(
    archive: Path, petitions: list[Petition]
) -> None:
    files = sorted((archive / "markdown").glob("*.md"))
    assert len(files) == N
    for petition in petitions:
        parsed = parse_file(archive / "markdown" / f"{petition.id}.md")
        assert parsed.warnings == (), (petition.id, parsed.warnings)
        assert parsed.petition == petition


def test_edge_case_petitions_round_trip() -> None:
    found = _interesting_indices()
    # The first 600 petitions of a seed cover every feature we render.
    assert set(found) >= {
        "response", "debate", "tiny", "unknown-first", "vacant-seat", "accent", "local",
        "open", "trailing-period", "double-space-mp", "qc",
    }  # fmt: skip
    for feature, index in found.items():
        petition = synth._petition(synth._make_draft(index, SEED), full=False)
        parsed = parse_text(render_document(petition))
        assert parsed.warnings == (), (feature, parsed.warnings)
        assert parsed.petition == petition, feature


def test_full_petitions_carry_json_fields_and_reduce_to_the_markdown_view(
    petitions: list[Petition],
) -> None:
    full = list(synth.generate(N, SEED, full=True))
    for rich, plain in zip(full, petitions, strict=True):
        assert rich.state in ("open", "closed")
        assert all(row.ons_code for row in rich.seats)
        assert synth.markdown_view(rich) == plain
        if rich.government_response is not None:
            assert rich.departments == (rich.government_response.department,)
            # The department the parser recovers from the details is the API's.
            assert plain.government_response is not None
            assert plain.government_response.department == rich.government_response.department


# ----------------------------------------------------------------------------- invariants
def _check_invariants(p: Petition) -> None:
    assert 100_000 <= p.id <= 999_999
    assert p.url == f"https://petition.parliament.uk/petitions/{p.id}"
    assert sum(c.count for c in p.countries) == p.total_signatures
    uk = p.uk_signatures or 0
    if p.constituencies:
        assert sum(c.count for c in p.constituencies) == uk
    for table, denominator in ((p.countries, p.total_signatures), (p.constituencies, uk)):
        assert [row.rank for row in table] == list(range(1, len(table) + 1))
        counts = [row.count for row in table]
        assert counts == sorted(counts, reverse=True)
        for row in table:
            assert row.percent == float(f"{100 * row.count / denominator:.2f}")
    names = [row.name for row in p.constituencies]
    assert len(names) == len(set(names))
    assert len(p.seats) <= 650
    assert sum(row.is_unknown for row in p.constituencies) <= 1
    events = {e.event: e.at for e in p.history}
    assert ("Response Threshold Reached" in events) == (p.total_signatures >= 10_000)
    assert ("Debate Threshold Reached" in events) == (p.total_signatures >= 100_000)
    assert ("Government Response" in events) == (p.government_response is not None)
    if p.government_response is not None:
        assert p.total_signatures >= 10_000
        assert p.government_response.department
        assert p.government_response.responded_at == events["Government Response"]
    assert events["Created"] < events["Moderation Threshold Reached"] < events["Opened"]
    assert all(at <= p.refreshed_at for at in events.values())
    assert events["Updated"] == max(events.values())
    assert datetime(2020, 1, 1, tzinfo=UTC) <= p.refreshed_at < datetime(2024, 5, 30, tzinfo=UTC)


def test_format_invariants_hold(petitions: list[Petition]) -> None:
    for petition in petitions:
        _check_invariants(petition)
    for index in _interesting_indices().values():
        _check_invariants(synth._petition(synth._make_draft(index, SEED), full=False))


def test_seat_names_and_mps_are_the_real_ones(petitions: list[Petition]) -> None:
    names = {seat[1] for seat in SEATS}
    assert len(names) == 650
    for petition in petitions:
        for row in petition.seats:
            assert row.name in names
    assert "Ynys Môn" in names and "Brighton, Pavilion" in names


def test_mp_timeline_reproduces_the_seed_documents() -> None:
    """At each seed's refresh time the generator prints every seat's MP as the seed does."""
    seeds = sorted((REPO / "data" / "petitions").glob("*.txt"))
    assert seeds
    for path in seeds:
        seed = parse_file(path).petition
        mps = dict(zip(synth._SEAT_NAMES, synth.mps_at(int(seed.refreshed_at.timestamp())),
                       strict=True))  # fmt: skip
        for row in seed.seats:
            assert mps[row.name] == row.mp, (path.name, row.name)


def test_mps_change_over_time() -> None:
    def mp(seat: str, when: datetime) -> str | None:
        return synth.mps_at(int(when.timestamp()))[synth._SEAT_NAMES.index(seat)]

    assert mp("Wellingborough", datetime(2024, 1, 4, tzinfo=UTC)) is None
    assert mp("Wellingborough", datetime(2024, 3, 1, tzinfo=UTC)) == "Gen Kitchen MP"
    assert mp("Hartlepool", datetime(2020, 6, 1, tzinfo=UTC)) == "Mike Hill MP"
    assert mp("Hartlepool", datetime(2021, 4, 1, tzinfo=UTC)) is None
    assert mp("Torridge and West Devon", datetime(2023, 6, 1, tzinfo=UTC)) == (
        "Rt Hon Sir Geoffrey Cox KC MP"
    )
    # The QC → KC switch of September 2022 reaches every MP printed with QC.
    assert mp("Kenilworth and Southam", datetime(2022, 6, 1, tzinfo=UTC)) == (
        "Rt Hon Jeremy Wright QC MP"
    )
    assert mp("Kenilworth and Southam", datetime(2022, 10, 1, tzinfo=UTC)) == (
        "Rt Hon Jeremy Wright KC MP"
    )
    assert mp("Monmouth", datetime(2023, 6, 1, tzinfo=UTC)) == "Rt Hon David T C  Davies MP"


# ----------------------------------------------------------------------------- JSON
def test_json_files_are_valid_and_agree_with_the_markdown(
    archive: Path, petitions: list[Petition]
) -> None:
    for p in petitions:
        document = json.loads((archive / "json" / f"{p.id}.json").read_text(encoding="utf-8"))
        assert document["links"]["self"] == f"{p.url}.json"
        data = document["data"]
        assert data["type"] == "petition" and data["id"] == p.id
        assert data["links"]["self"] == p.url
        a = data["attributes"]
        assert a["action"] == p.title
        assert a["background"] == p.background
        assert a["signature_count"] == p.total_signatures
        assert a["state"] in ("open", "closed")
        assert a["debate"] is None and a["topics"] == []
        countries = {c["name"]: c["signature_count"] for c in a["signatures_by_country"]}
        assert countries == {c.name: c.count for c in p.countries}
        assert [c["name"] for c in a["signatures_by_country"]] == sorted(countries)
        assert all(len(c["code"]) >= 2 for c in a["signatures_by_country"])
        seats = a["signatures_by_constituency"]
        assert [s["ons_code"] for s in seats] == sorted(s["ons_code"] for s in seats)
        assert {s["name"]: s["signature_count"] for s in seats} == {
            r.name: r.count for r in p.seats
        }
        assert {s["name"]: s["mp"] for s in seats} == {r.name: r.mp for r in p.seats}
        unknown = p.unknown_row.count if p.unknown_row else 0
        assert sum(s["signature_count"] for s in seats) + unknown == (p.uk_signatures or 0)
        regions = a["signatures_by_region"]
        assert len(regions) == 12
        assert sum(r["signature_count"] for r in regions) == sum(r.count for r in p.seats)
        response = a["government_response"]
        assert (response is None) == (p.government_response is None)
        assert (a["response_threshold_reached_at"] is None) == (p.total_signatures < 10_000)
        assert (a["debate_threshold_reached_at"] is None) == (p.total_signatures < 100_000)
        if response is not None and p.government_response is not None:
            assert response["summary"] == p.government_response.summary
            assert response["details"].replace("\r\n", "\n") == p.government_response.details
            assert [d["name"] for d in a["departments"]] == [p.government_response.department]
            when = datetime.strptime(a["government_response_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
            assert when.replace(tzinfo=UTC, microsecond=0) == p.event_time("Government Response")
        for key in ("created_at", "opened_at", "updated_at", "moderation_threshold_reached_at"):
            datetime.strptime(a[key], "%Y-%m-%dT%H:%M:%S.%fZ")
        created = datetime.strptime(a["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert created.replace(tzinfo=UTC, microsecond=0) == p.event_time("Created")


# ----------------------------------------------------------------------------- determinism
def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_same_bytes_and_workers_do_not_matter(tmp_path: Path) -> None:
    one = synth.write_archive(tmp_path / "a", 12, 3, json=True, queries_per_kind=20)
    two = synth.write_archive(tmp_path / "b", 12, 3, json=True, queries_per_kind=20, workers=2)
    assert _tree(one) == _tree(two)
    other = synth.write_archive(tmp_path / "c", 12, 4, json=True, queries_per_kind=20)
    assert _tree(one) != _tree(other)


def test_prefix_stable(petitions: list[Petition]) -> None:
    assert list(synth.generate(10, SEED)) == petitions[:10]


def test_ids_unique_six_digit_and_titles_distinct_at_50k() -> None:
    ids = [synth.petition_id(i, SEED) for i in range(50_000)]
    assert len(set(ids)) == len(ids)
    assert all(100_000 <= i <= 999_999 for i in ids)
    plan = synth._plan(SEED)
    plan.extend(50_000)
    titles = [synth._compose(*plan.title_parts(i)[1]) for i in range(50_000)]
    assert len({fold(t) for t in titles}) == len(titles)
    assert len(Counter(t.split()[0] for t in titles)) > 15  # varied openings


# ----------------------------------------------------------------------------- distribution
def test_totals_are_heavy_tailed() -> None:
    rng = np.random.default_rng(0)
    totals = np.array([synth.draw_total(rng) for _ in range(20_000)])
    assert 0.4 <= np.mean(totals < 1_000) <= 0.6  # about half under 1k
    assert 0.001 <= np.mean(totals >= 100_000) <= 0.01  # a few per thousand over 100k
    assert 0.03 <= np.mean(totals >= 10_000) <= 0.12
    assert totals.min() >= 1 and totals.max() >= 100_000


def test_seat_coverage_is_generous_but_bounded() -> None:
    assert synth.seats_listed(0, False) == 0
    assert synth.seats_listed(1, False) == 1
    assert synth.seats_listed(10, False) == 10
    assert 550 <= synth.seats_listed(900, False) <= 650
    assert synth.seats_listed(50_000, False) == 650
    assert synth.seats_listed(900, True) < synth.seats_listed(900, False)


def test_rows_per_petition_near_the_benchmark_target() -> None:
    rows = [len(synth._make_draft(i, SEED).seat_idx) for i in range(200)]
    assert 560 <= float(np.mean(rows)) <= 650  # ≈ 6 M seat rows per 10k petitions


# ----------------------------------------------------------------------------- queries
def test_queries_cover_each_kind_and_have_answers_in_the_archive(
    archive: Path, petitions: list[Petition]
) -> None:
    lines = (archive / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    kinds = Counter(row["kind"] for row in rows)
    assert kinds == {"petition": 60, "constituency": 60, "mp": 60}
    variants = {row["variant"] for row in rows}
    assert variants >= {
        "exact-id", "url", "typo-title", "partial-title", "dropped-word-title", "lower-title",
        "mp-honorific", "mp-plain", "mp-surname-typo", "constituency-typo",
        "constituency-variant",
    }  # fmt: skip
    by_id = {p.id: p for p in petitions}
    seats = {row.name for p in petitions for row in p.seats}
    mps = {" ".join(person_name(row.mp).split()) for p in petitions for row in p.seats if row.mp}
    for row in rows:
        query, expected, variant = row["query"], row["expected"], row["variant"]
        assert isinstance(query, str) and query
        if row["kind"] == "petition":
            assert expected in by_id
            title = by_id[expected].title
            if variant == "exact-id":
                assert query == str(expected)
            elif variant == "url":
                assert f"/petitions/{expected}" in query
            elif variant == "partial-title":
                assert fold(query) in fold(title) and fold(query) != fold(title)
                assert sum(fold(query) in fold(p.title) for p in petitions) == 1
            elif variant in ("typo-title", "dropped-word-title"):
                assert query != title
            elif variant == "lower-title":
                assert query == title.lower()
        elif row["kind"] == "constituency":
            assert expected in seats
            if variant == "constituency-typo":
                assert query != expected
        else:
            assert expected in mps
            if variant == "mp-plain":
                assert query == expected
            if variant == "mp-surname-typo":
                assert query != expected and query.split()[0] == expected.split()[0]


def test_write_queries_from_petitions_matches_write_archive(
    archive: Path, petitions: list[Petition], tmp_path: Path
) -> None:
    path = synth.write_queries(tmp_path, iter(petitions), SEED, per_kind=60)
    assert path.read_bytes() == (archive / "queries.jsonl").read_bytes()


def test_constituency_variants() -> None:
    import random

    rnd = random.Random(0)
    assert synth._seat_variant("Ynys Môn", rnd) == "Ynys Mon"
    assert synth._seat_variant("Brighton, Pavilion", rnd) == "Brighton Pavilion"
    assert synth._seat_variant("Aldershot", rnd) is None


# ----------------------------------------------------------------------------- CLI
def test_cli_writes_the_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert synth.main([str(out), "--count", "4", "--seed", "2", "--json",
                       "--queries-per-kind", "5"]) == 0  # fmt: skip
    assert len(list((out / "markdown").glob("*.md"))) == 4
    assert len(list((out / "json").glob("*.json"))) == 4
    assert len((out / "queries.jsonl").read_text().splitlines()) == 15
    assert "4 petitions" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        synth.main([str(out), "--count", "-1"])
