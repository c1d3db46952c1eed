"""Name folding and MP-name tests, including every MP printed in the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.common.names import fold, person_key, person_name, stem, strip_accents

SEEDS = Path(__file__).resolve().parents[3] / "data" / "petitions"
HONORIFICS = {
    "rt", "right", "hon", "honourable", "the", "sir", "dame", "dr", "mr", "mrs", "ms", "miss",
    "mx", "prof", "professor", "rev", "revd", "mp", "kc", "qc", "pc", "cbe", "obe", "mbe", "kbe",
    "dbe", "kcb", "cb",
}  # fmt: skip


def printed_mps() -> list[str]:
    """The MP column of every seed's constituency table, read without the parser."""
    mps: set[str] = set()
    for path in sorted(SEEDS.glob("*.txt")):
        in_table = False
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.startswith("### "):
                in_table = line == "### Signatures by Constituency"
            elif in_table and line.startswith("| ") and line[2].isdigit():
                mps.add(line.split("|")[3].strip())
    return sorted(mps)


MPS = printed_mps()


def test_seed_mp_column_was_read() -> None:
    assert len(MPS) == 737
    assert {"None", "Unknown", "Mr Jonathan Lord MP", "Rt Hon Sir Geoffrey Cox KC MP"} <= set(MPS)


def test_every_seed_mp_strips_to_a_plain_name() -> None:
    bad = []
    for printed in MPS:
        if printed in ("None", "Unknown"):
            continue
        name = person_name(printed)
        tokens = name.split()
        # Stripping only removes whole tokens from the ends; at least two names remain.
        inside = f" {name} " in f" {' '.join(printed.split())} "
        if len(tokens) < 2 or not inside or {t.casefold().strip(".,") for t in tokens} & HONORIFICS:
            bad.append((printed, name))
    assert bad == []


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Mr Jonathan Lord MP", "Jonathan Lord"),
        ("Rt Hon Sir Geoffrey Cox KC MP", "Geoffrey Cox"),
        ("Rt Hon Sir Geoffrey Cox QC MP", "Geoffrey Cox"),
        ("Sir Geoffrey Cox QC MP", "Geoffrey Cox"),
        ("Alex Chalk KC MP", "Alex Chalk"),
        ("Rt Hon Sir Alan Campbell MP", "Alan Campbell"),
        ("Rt Hon Dame Margaret Hodge MP", "Margaret Hodge"),
        ("Rt Hon Dr Thérèse Coffey MP", "Thérèse Coffey"),
        ("Mrs Flick Drummond MP", "Flick Drummond"),
        ("Ms Lyn Brown MP", "Lyn Brown"),
        ("Dr Rosena Allin-Khan MP", "Rosena Allin-Khan"),
        ("Rt Hon Sir Iain Duncan Smith MP", "Iain Duncan Smith"),
        ("Rt Hon Sir Jeffrey M Donaldson MP", "Jeffrey M Donaldson"),
        ("Rt Hon David T C  Davies MP", "David T C Davies"),  # double space (real API data)
        ("  Caroline Lucas MP  ", "Caroline Lucas"),
        ("The Rt Hon Sir Keir Starmer KCB KC MP", "Keir Starmer"),
        ("Dame Andrea Jenkyns DBE MP", "Andrea Jenkyns"),
        ("Rt. Hon. Sir Bob Smith MP", "Bob Smith"),
        ("Lord", "Lord"),
        ("MP", "MP"),
        ("Rt Hon", "Rt Hon"),
    ],
)
def test_person_name(printed: str, expected: str) -> None:
    assert person_name(printed) == expected


def test_person_key_matches_across_honorific_changes() -> None:
    assert person_key("Rt Hon Sir Geoffrey Cox QC MP") == "geoffrey cox"
    assert person_key("Rt Hon Sir Geoffrey Cox KC MP") == person_key("geoffrey cox")
    assert person_key("Mr Jonathan Lord MP") == "jonathan lord"
    assert person_key("Rt Hon Dr Thérèse Coffey MP") == "therese coffey"
    assert person_key("Rt Hon David T C  Davies MP") == "david t c davies"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Brighton, Pavilion", "brighton pavilion"),
        ("brighton pavilion", "brighton pavilion"),
        ("Ynys Môn", "ynys mon"),
        ("Ynys Mon", "ynys mon"),
        ("Glyndŵr", "glyndwr"),
        ("Weston-super-Mare", "weston super mare"),
        ("Weston-Super-Mare", "weston super mare"),
        ("  Na h-Eileanan   an Iar ", "na h eileanan an iar"),
        ("King's Lynn", "kings lynn"),
        ("King’s Lynn", "kings lynn"),
        ("Brent North & Harrow", "brent north and harrow"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_equalities() -> None:
    assert fold("Brighton, Pavilion") == fold("brighton pavilion")
    assert fold("Weston-super-Mare") == fold("weston super mare")
    assert fold("Ynys Môn") == fold("YNYS MON")
    assert fold("Brighton, Pavilion") != fold("Brighton, Kemptown")


def test_strip_accents() -> None:
    assert strip_accents("Ynys Môn") == "Ynys Mon"
    assert strip_accents("Glyndŵr") == "Glyndwr"
    assert strip_accents("Thérèse") == "Therese"
    assert strip_accents("plain") == "plain"


@pytest.mark.parametrize(
    ("forms", "same"),
    [
        (("farm", "farms", "farming", "farmed"), True),
        (("charge", "charges", "charged", "charging"), True),
        (("policy", "policies"), True),
        (("stop", "stopped", "stopping"), True),
        (("inspection", "inspections"), True),
        (("teach", "teaching", "teaches"), True),
        (("business", "businesses"), True),
        (("access", "accesses", "accessing"), True),
        (("bus", "nhs", "gas"), False),  # too short to have a suffix: left alone
    ],
)
def test_stem_makes_word_forms_meet(forms: tuple[str, ...], same: bool) -> None:
    stems = {stem(form) for form in forms}
    assert (len(stems) == 1) is same, stems


def test_stem_keeps_short_words() -> None:
    assert [stem(w) for w in ("bus", "nhs", "gas", "ids", "use")] == [
        "bus",
        "nhs",
        "gas",
        "ids",
        "use",
    ]
