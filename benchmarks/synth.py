"""Synthetic petition archive generator with a ground-truth query set.

``python -m benchmarks.synth OUT_DIR [--count N] [--seed S] [--json] [--no-markdown]
[--workers W] [--queries-per-kind Q]`` writes ``OUT_DIR/markdown/<id>.md`` (the
report format, via :func:`core.ingest.writer.render_document`), optionally
``OUT_DIR/json/<id>.json`` (petition.parliament.uk API shape) and
``OUT_DIR/queries.jsonl``: one ``{"kind", "query", "expected", "variant"}`` per
line, where ``expected`` is the petition id, the seat name as printed, or the
MP's name without honorifics (:func:`core.common.names.person_name`), and every query
has exactly one best answer in the archive.

Every petition depends only on ``(seed, index)``: the first N petitions of a
bigger archive are the N petitions of a smaller one, and the same seed always
gives the same bytes. The shape follows the real data in ``shared/data/ref``:

* totals are heavy-tailed (a floor of ~650 plus a lognormal; ~2% tiny ones of
  1–300 for edge cases): about half are under 1,000, a few in a thousand reach
  100,000; seat coverage is generous so a 10k archive holds ~6 M seat rows;
* the 650 real seats of the 2010–2024 boundaries with the MPs the API printed
  (honorifics, ``None`` for vacancies, a double space) at four real dates, the
  real 2020–2024 by-elections in between and the QC → KC switch of 2022;
* an ``Unknown`` row at a varying rank, zero seats absent (rarely a ``0`` row),
  countries from the site's list with the UK dominant;
* history consistent with the total: ``Response Threshold Reached`` iff
  ≥ 10,000, ``Debate Threshold Reached`` iff ≥ 100,000, a government response
  for most petitions over 10,000; refresh times from 2020 to May 2024.

:func:`generate` yields :class:`core.ingest.models.Petition` values equal to what
:func:`core.ingest.parser.parse_text` reads back from the rendered document;
``generate(..., full=True)`` adds what only the JSON carries (ONS codes, state,
additional details, departments).
"""

from __future__ import annotations

import argparse
import calendar
import json as _json
import math
import random
import re
import sys
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from benchmarks.reference_seats import COUNTRIES, MP_SNAPSHOTS, REGIONS, SEATS
from core.common.names import fold, person_name, strip_accents
from core.ingest.models import (
    UNKNOWN,
    ConstituencyCount,
    CountryCount,
    GovernmentResponse,
    HistoryEvent,
    Petition,
)
from core.ingest.parser import department as parse_department
from core.ingest.writer import render_document

VERSION = 1
"""Bumped whenever the same (count, seed) would give different files (for caches)."""

BASE_URL = "https://petition.parliament.uk/petitions/"
DEFAULT_COUNT = 10_000
DEFAULT_SEED = 1
DEFAULT_QUERIES_PER_KIND = 300

RESPONSE_THRESHOLD = 10_000
DEBATE_THRESHOLD = 100_000

# ----------------------------------------------------------------------------- distributions
TOTAL_FLOOR = 650
TOTAL_MEDIAN = 380  # median of the lognormal part added to the floor
TOTAL_SIGMA = 2.1
TINY_SHARE = 0.02  # share of tiny petitions (1–300 signatures)
TOTAL_CAP = 4_000_000
COVERAGE_SCALE = 150.0  # seats listed ≈ 650 · (1 − exp(−seated / COVERAGE_SCALE))


def draw_total(rng: np.random.Generator) -> int:
    """One petition total: heavy-tailed, about half under 1,000, a few over 100,000."""
    if rng.random() < TINY_SHARE:
        return int(np.exp(rng.uniform(0.0, np.log(300.0))))
    value = TOTAL_FLOOR + np.exp(np.log(TOTAL_MEDIAN) + TOTAL_SIGMA * rng.standard_normal())
    return int(min(TOTAL_CAP, round(value)))


def seats_listed(seated: int, local: bool) -> int:
    """How many seats get at least one signature, for ``seated`` seat-attributed ones."""
    if seated <= 0:
        return 0
    scale = COVERAGE_SCALE * (3.0 if local else 1.0)
    target = round(len(SEATS) * (1.0 - np.exp(-seated / scale)))
    cap = seated if seated < 20 else int(seated * 0.97)
    return max(1, min(len(SEATS), cap, target))


# ----------------------------------------------------------------------------- time
def _ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))


DAY = 86_400
EPOCH_START = _ts(2020, 1, 1)
# Parliament dissolved on 30 May 2024: the 2010–2024 seats end there.
REFRESH_CAP = _ts(2024, 5, 29, 23, 59, 59)
KC_SWITCH = _ts(2022, 9, 8, 18)  # QC became KC on the Queen's death

# Petition ids the site used in 2020–2024 (it jumped from ~340k to ~550k in 2020),
# with the creation date at a few anchors (from the real files and seeds).
ID_RANGES = ((300_000, 340_000), (550_000, 666_000))
ID_ANCHORS = (
    (300_000, _ts(2020, 1, 2)),
    (340_000, _ts(2020, 8, 20)),
    (550_000, _ts(2020, 8, 28)),
    (575_833, _ts(2021, 2, 19)),
    (610_300, _ts(2022, 3, 1)),
    (629_000, _ts(2022, 12, 20)),
    (652_057, _ts(2023, 11, 23)),
    (666_000, _ts(2024, 5, 10)),
)
ID_SPACE = sum(hi - lo for lo, hi in ID_RANGES)


def _dt(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _iso(ts: int, ms: int) -> str:
    return f"{_dt(ts):%Y-%m-%dT%H:%M:%S}.{ms:03d}Z"


def _last_sunday(year: int, month: int) -> int:
    last = calendar.monthrange(year, month)[1]
    return last - (calendar.weekday(year, month, last) + 1) % 7


def _is_bst(ts: int) -> bool:
    d = _dt(ts)
    start = _ts(d.year, 3, _last_sunday(d.year, 3), 1)
    end = _ts(d.year, 10, _last_sunday(d.year, 10), 1)
    return start <= ts < end


def _closing_time(opened: int) -> int:
    """End of the UK day six months after opening, as the site closes petitions."""
    d = _dt(opened)
    month = d.month + 6
    year = d.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    midnight = _ts(year, month, day, 23, 59, 59)
    return midnight - 3600 if _is_bst(midnight - 3600) else midnight


def petition_id(index: int, seed: int) -> int:
    """The id of petition ``index``: unique for ``index < ID_SPACE``, spread over 2020–24."""
    mult, offset = _id_params(seed)
    k = (mult * index + offset) % ID_SPACE
    for lo, hi in ID_RANGES:
        if k < hi - lo:
            return lo + k
        k -= hi - lo
    raise AssertionError("unreachable")


@lru_cache(maxsize=8)
def _id_params(seed: int) -> tuple[int, int]:
    rng = random.Random(seed * 7919 + 17)
    while True:
        mult = rng.randrange(ID_SPACE // 3, ID_SPACE)
        if math.gcd(mult, ID_SPACE) == 1:
            return mult, rng.randrange(ID_SPACE)


def _created_from_id(pid: int) -> int:
    xs = [a for a, _ in ID_ANCHORS]
    ys = [b for _, b in ID_ANCHORS]
    return int(np.interp(pid, xs, ys))


# ----------------------------------------------------------------------------- MPs
# Seats whose MP changed in 2020–2024 (by-elections; None while vacant). Entries
# override the printed-MP layers below from their date on; a seat whose first
# entry starts at the epoch is described here alone.
MP_TIMELINE: dict[str, tuple[tuple[int, str | None], ...]] = {
    "E14000733": (  # Hartlepool
        (_ts(2020, 1, 1), "Mike Hill MP"),
        (_ts(2021, 3, 16), None),
        (_ts(2021, 5, 7), "Jill Mortimer MP"),
    ),
    "S14000003": (  # Airdrie and Shotts
        (_ts(2020, 1, 1), "Neil Gray MP"),
        (_ts(2021, 3, 26), None),
        (_ts(2021, 5, 14), "Anum Qaisar-Javed MP"),
        (_ts(2022, 1, 1), "Ms Anum Qaisar MP"),  # as printed by 2022-03
    ),
    "E14000631": (  # Chesham and Amersham
        (_ts(2020, 1, 1), "Rt Hon Dame Cheryl Gillan MP"),
        (_ts(2021, 4, 4), None),
        (_ts(2021, 6, 18), "Sarah Green MP"),
    ),
    "E14000548": (  # Batley and Spen
        (_ts(2020, 1, 1), "Tracy Brabin MP"),
        (_ts(2021, 5, 10), None),
        (_ts(2021, 7, 2), "Kim Leadbeater MP"),
    ),
    "E14000869": (  # Old Bexley and Sidcup
        (_ts(2020, 1, 1), "Rt Hon James Brokenshire MP"),
        (_ts(2021, 10, 7), None),
        (_ts(2021, 12, 3), "Mr Louie French MP"),
    ),
    "E14000849": (  # North Shropshire
        (_ts(2020, 1, 1), "Rt Hon Owen Paterson MP"),
        (_ts(2021, 11, 5), None),
        (_ts(2021, 12, 17), "Helen Morgan MP"),
    ),
    "E14000957": (  # Southend West
        (_ts(2020, 1, 1), "Sir David Amess MP"),
        (_ts(2021, 10, 15), None),
        (_ts(2022, 2, 4), "Anna Firth MP"),
    ),
    "E14000561": (  # Birmingham, Erdington
        (_ts(2020, 1, 1), "Jack Dromey MP"),
        (_ts(2022, 1, 7), None),
        (_ts(2022, 3, 4), "Mrs Paulette Hamilton MP"),
    ),
    "E14001009": (  # Wakefield
        (_ts(2020, 1, 1), "Imran Ahmad Khan MP"),
        (_ts(2022, 5, 3), None),
        (_ts(2022, 6, 24), "Simon Lightwood MP"),
    ),
    "E14000996": (  # Tiverton and Honiton
        (_ts(2020, 1, 1), "Neil Parish MP"),
        (_ts(2022, 5, 4), None),
        (_ts(2022, 6, 24), "Richard Foord MP"),
    ),
    "E14000640": (  # City of Chester
        (_ts(2020, 1, 1), "Christian Matheson MP"),
        (_ts(2022, 10, 21), None),
        (_ts(2022, 12, 2), "Samantha Dixon MP"),
    ),
    "E14000979": (  # Stretford and Urmston
        (_ts(2020, 1, 1), "Kate Green MP"),
        (_ts(2022, 11, 8), None),
        (_ts(2022, 12, 16), "Andrew Western MP"),
    ),
    "E14001033": (  # West Lancashire
        (_ts(2020, 1, 1), "Rosie Cooper MP"),
        (_ts(2022, 11, 30), None),
        (_ts(2023, 2, 10), "Ashley Dalton MP"),
    ),
    "E14001007": (  # Uxbridge and South Ruislip
        (_ts(2023, 6, 12), None),
        (_ts(2023, 7, 21), "Steve Tuckwell MP"),
    ),
    "E14000917": (  # Selby and Ainsty
        (_ts(2023, 6, 13), None),
        (_ts(2023, 7, 21), "Keir Mather MP"),
    ),
    "E14000932": (  # Somerton and Frome
        (_ts(2023, 6, 17), None),
        (_ts(2023, 7, 21), "Sarah Dyke MP"),
    ),
    "S14000056": (  # Rutherglen and Hamilton West
        (_ts(2023, 8, 1), None),
        (_ts(2023, 10, 6), "Michael Shanks MP"),
    ),
    "E14000813": (  # Mid Bedfordshire
        (_ts(2023, 8, 29), None),
        (_ts(2023, 10, 20), "Alistair Strathern MP"),
    ),
    "E14000986": (  # Tamworth
        (_ts(2023, 9, 7), None),
        (_ts(2023, 10, 20), "Sarah Edwards MP"),
    ),
    "E14001025": (  # Wellingborough
        (_ts(2023, 12, 19), None),
        (_ts(2024, 2, 16), "Gen Kitchen MP"),
    ),
    "E14000774": (  # Kingswood
        (_ts(2024, 1, 8), None),
        (_ts(2024, 2, 16), "Damien Egan MP"),
    ),
    "E14000897": (  # Rochdale
        (_ts(2024, 1, 17), None),
        (_ts(2024, 3, 1), "George Galloway MP"),
    ),
    "E14000573": (  # Blackpool South
        (_ts(2024, 3, 25), None),
        (_ts(2024, 5, 3), "Chris Webbe MP"),
    ),
}


def _parse_ts(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S"))


# Printed MPs by period: the seeds' snapshots (2021-07, 2022-03, 2024-01) around
# the 2023-01-04 reference table. Each layer holds until the next one starts.
_BASE_FROM = _ts(2023, 1, 4)
_MP_LAYERS: tuple[tuple[int, dict[str, str | None]], ...] = tuple(
    sorted(
        [(_parse_ts(when), diffs) for when, diffs in MP_SNAPSHOTS] + [(_BASE_FROM, {})],
        key=lambda layer: layer[0],
    )
)
_MP_BREAKS: tuple[int, ...] = tuple(
    sorted(
        {KC_SWITCH}
        | {start for start, _ in _MP_LAYERS[1:]}
        | {t for entries in MP_TIMELINE.values() for t, _ in entries}
    )
)
_SEAT_INDEX = {code: i for i, (code, *_rest) in enumerate(SEATS)}


@cache
def _mps_in_era(era: int) -> tuple[str | None, ...]:
    """MP of every seat during era ``era`` (an interval between two changes)."""
    at = _MP_BREAKS[era - 1] if era > 0 else EPOCH_START - 1
    layer = _MP_LAYERS[0][1]
    for start, diffs in _MP_LAYERS:
        if start <= at:
            layer = diffs
    mps: list[str | None] = [layer.get(seat[0], seat[2]) for seat in SEATS]
    for code, entries in MP_TIMELINE.items():
        # A seat whose first entry is at the epoch start is fully described here.
        current = entries[0][1] if entries[0][0] <= EPOCH_START else mps[_SEAT_INDEX[code]]
        for start, mp in entries:
            if start <= at:
                current = mp
        mps[_SEAT_INDEX[code]] = current
    if at >= KC_SWITCH:
        mps = [mp.replace(" QC ", " KC ") if mp else mp for mp in mps]
    return tuple(mps)


def mps_at(ts: int) -> tuple[str | None, ...]:
    """The MP printed for every seat (in ``SEATS`` order) by a report run at ``ts``."""
    return _mps_in_era(bisect_right(_MP_BREAKS, ts))


# ----------------------------------------------------------------------------- seats
_SEAT_NAMES = tuple(seat[1] for seat in SEATS)
_SEAT_CODES = tuple(seat[0] for seat in SEATS)
_ELECTORATE = np.array([seat[3] for seat in SEATS], dtype=float)
_REGION_CODES = tuple(sorted(REGIONS))
_SEAT_REGION = np.array([_REGION_CODES.index(seat[4]) for seat in SEATS])
_Q = np.array([seat[5] for seat in SEATS])
_R = np.array([seat[6] for seat in SEATS])


def _hex_distance(i: int) -> np.ndarray:
    """Approximate hex-grid distance from seat ``i`` to every seat (odd-r layout)."""

    def cube(q: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = q - (r - (r & 1)) // 2
        return x, r

    x1, z1 = cube(_Q, _R)
    x0, z0 = cube(_Q[i : i + 1], _R[i : i + 1])
    y1, y0 = -x1 - z1, -x0 - z0
    return np.maximum.reduce([abs(x1 - x0), abs(y1 - y0), abs(z1 - z0)])


# ----------------------------------------------------------------------------- countries
_COUNTRY_NAMES = tuple(name for _, name in COUNTRIES)
_COUNTRY_CODES = tuple(code for code, _ in COUNTRIES)
_UK = _COUNTRY_NAMES.index("United Kingdom")
_EXPAT = {
    "Spain": 30, "France": 26, "Australia": 22, "United States": 16, "Ireland": 14,
    "Germany": 11, "New Zealand": 10, "Canada": 9, "Netherlands": 7, "Portugal": 6,
    "United Arab Emirates": 6, "Italy": 5, "Isle of Man": 4, "Jersey": 4, "Guernsey": 4,
    "Switzerland": 4, "Sweden": 3, "Belgium": 3, "Cyprus": 3, "Greece": 3, "Hong Kong": 3,
    "Denmark": 2, "Norway": 2, "Poland": 2, "India": 2, "Singapore": 2, "South Africa": 2,
    "Thailand": 2, "Gibraltar": 2, "Malta": 2, "Qatar": 1.5, "Japan": 1.5, "Austria": 1.5,
}  # fmt: skip
_COUNTRY_WEIGHT = np.array([_EXPAT.get(name, 0.06) for name in _COUNTRY_NAMES])
_COUNTRY_WEIGHT[_UK] = 0.0


# ----------------------------------------------------------------------------- departments
@dataclass(frozen=True)
class _Dept:
    acronym: str
    names: tuple[tuple[int, str], ...]  # (valid from, name)

    def name_at(self, ts: int) -> str:
        current = self.names[0][1]
        for start, name in self.names:
            if start <= ts:
                current = name
        return current


_FEB_2023 = _ts(2023, 2, 7)
DEPARTMENTS: dict[str, _Dept] = {
    "DfE": _Dept("DfE", ((0, "Department for Education"),)),
    "DHSC": _Dept("DHSC", ((0, "Department of Health and Social Care"),)),
    "HMT": _Dept("HMT", ((0, "HM Treasury"),)),
    "HO": _Dept("HO", ((0, "Home Office"),)),
    "MoJ": _Dept("MoJ", ((0, "Ministry of Justice"),)),
    "DfT": _Dept("DfT", ((0, "Department for Transport"),)),
    "DEFRA": _Dept("DEFRA", ((0, "Department for Environment, Food and Rural Affairs"),)),
    "DWP": _Dept("DWP", ((0, "Department for Work and Pensions"),)),
    "DCMS": _Dept(
        "DCMS",
        (
            (0, "Department for Digital, Culture, Media and Sport"),
            (_FEB_2023, "Department for Culture, Media and Sport"),
        ),
    ),
    "DLUHC": _Dept(
        "DLUHC",
        (
            (0, "Ministry of Housing, Communities and Local Government"),
            (_ts(2021, 9, 19), "Department for Levelling Up, Housing and Communities"),
        ),
    ),
    "ENERGY": _Dept(
        "BEIS",
        (
            (0, "Department for Business, Energy and Industrial Strategy"),
            (_FEB_2023, "Department for Energy Security and Net Zero"),
        ),
    ),
    "WORK": _Dept(
        "BEIS",
        (
            (0, "Department for Business, Energy and Industrial Strategy"),
            (_FEB_2023, "Department for Business and Trade"),
        ),
    ),
    "CO": _Dept("CO", ((0, "Cabinet Office"),)),
    "MOD": _Dept("MOD", ((0, "Ministry of Defence"),)),
    "FCDO": _Dept(
        "FCDO",
        (
            (0, "Foreign and Commonwealth Office"),
            (_ts(2020, 9, 2), "Foreign, Commonwealth & Development Office"),
        ),
    ),
}
_ACRONYMS = {
    "Department for Energy Security and Net Zero": "DESNZ",
    "Department for Business and Trade": "DBT",
    "Ministry of Housing, Communities and Local Government": "MHCLG",
    "Foreign and Commonwealth Office": "FCO",
}
# First matching rule wins; keywords match at the start of a word.
_DEPT_RULES: tuple[tuple[str, str], ...] = (
    ("veteran|armed forces|service personnel", "MOD"),
    ("bank holiday|day of reflection", "DCMS"),
    ("council tax|homelessness", "DLUHC"),
    ("drug laws|martyn|disclosure and barring|child abuse|firefighters|domestic abuse"
     "|refuges|rape crisis", "HO"),
    ("breakfast clubs|holiday activity|adult education", "DfE"),
    ("speech and language", "DHSC"),
    ("ofgem", "ENERGY"),
    ("financial ombudsman", "HMT"),
    ("bereaved|food banks|funeral|guide dog", "DWP"),
    ("pavements?\\b", "DfT"),
    ("duty of candour", "MoJ"),
    ("fire station|police|stop and search|crime|spiking|firework|knives|nitrous|visa"
     "|asylum|immigra|passport|citizenship|foreign agents|strip search|facial recognition"
     "|drones|cyberflash|deepfake|intimate images|explicit images|buy sex|misogyny"
     "|coercive|abduction|someone's drink", "HO"),
    ("court|sentenc|parole|legal aid|probate|coroner|jury|prosecution|prison|mental capacity"
     "|gender recognition|vagrancy|dangerous dogs|hillsborough|record people", "MoJ"),
    ("school|pupil|teach|ofsted|gcse|universit|tuition|student|curriculum|nurser|childcare"
     "|send\\b|special educational|apprentice|further education|college|exam|class sizes"
     "|homework|first aid|swimming lessons|water safety|youth guarantee|jobs guarantee",
     "DfE"),
    ("nhs|hospitals?\\b|dent|prescription|mental health|research|hospice|clinic|pharmac"
     "|health\\b|gp\\b|midwi|nurse|doctor|social care|care\\b|care homes|autism|adhd"
     "|menopause|eating disorder|cancer|ivf|vape|tobacco|smok|energy drink|cosmetic|botox"
     "|junk food|sugar|soft drinks|ultra-processed|hearing|eye|maternity unit|a&e"
     "|stroke|children's ward|minor injuries|walk-in|day centre|palliative|physio"
     "|paramedic|ambulance|respite|baby loss|sickle|cystic|long covid|addiction|allerg"
     "|assisted dying|right to die|mental health act|food labels|calorie|palm oil",
     "DHSC"),
    ("animal|dog|cat\\b|cats\\b|hunt|wildlife|river|sewage|plastic|peat|pesticide|badger"
     "|farm|fish|hedgehog|bee|tree|hare\\b|fox|fur\\b|hens?\\b|primate|circus|trawl"
     "|woodland|glyphosate|water|flood|litter|fly-tip|balloon|lantern|snare|glue trap"
     "|slaughter|food waste|unsold food|wet wipe|microbead|artificial grass|leaf blower"
     "|green belt|rewild|mink|trophy|pets?\\b|pupp|greyhound|horse|swift|octopus|ivory"
     "|salmon|foie gras|coastal|incinerat|clean air|wood burning|food strategy|grow food"
     "|ofwat|deposit return|bottle|plastic-free|electrical goods|guide dog|wardens"
     "|sanctuar|rescue centres|food waste", "DEFRA"),
    ("tax|duty|vat\\b|levy|rates|isa\\b|windfall|stamp|loan|bank|insur|cash|fraud"
     "|wealth|barnett|overdraft|scam", "HMT"),
    ("rail|train|bus\\b|bus |buses|road|motorway|driv|car\\b|cars\\b|parking|scooter"
     "|mot\\b|highway|pothole|cycl|airline|flight|toll|crossing|ulez|speed|travel"
     "|ticket office|coastguard|search and rescue|mountain rescue|lifeboat|air ambulance"
     "|charging points|step-free|frequent flyer|private jets", "DfT"),
    ("benefit|universal credit|pension|pip\\b|sick pay|carer|motability|access to work"
     "|maternity|disabled|cost of living|basic income|food banks|child maintenance"
     "|parental leave|miscarriage|fertility|older people|men\\b", "DWP"),
    ("social media|online|gambl|bbc|tv licence|loot box|broadband|theatre|football|sport"
     "|music|librar|troll|internet|video game|mobile|museum|arts|bank holiday|leisure"
     "|swimming pool|youth|ofcom|charity|cold calling|nuisance calls|phones|concert|ticket"
     "|day of reflection|st george|st david|age limit|minister for|community centres",
     "DCMS"),
    ("housing|landlord|leasehold|planning|council|rent|evict|building|homes|ground rent"
     "|letting|estate agent|cladding|sprinklers|mould|party wall|right to buy|local authority"
     "|public toilets|public parks|sure start|right to a home|ombudsman", "DLUHC"),
    ("energy|coal|oil\\b|gas\\b|fracking|heat pump|insulation|solar|electric|net zero"
     "|climate|carbon", "ENERGY"),
    ("wage|contract|employ|work|leave|rehire|internship|shop|retail|business|consumer"
     "|post office|gyms|repairable|disconnect|pay women|manufacturers|supermarkets|pay gap"
     "|restaurants", "WORK"),
    ("overseas|foreign|international|aid\\b|embassy|sanction|world service", "FCDO"),
)  # fmt: skip
_DEPT_PATTERNS = tuple((re.compile(rf"\b(?:{p})", re.IGNORECASE), key) for p, key in _DEPT_RULES)


def department_for(text: str) -> str:
    """Department key for a title, by keyword (Cabinet Office when nothing matches)."""
    for pattern, key in _DEPT_PATTERNS:
        if pattern.search(text):
            return key
    return "CO"


# ----------------------------------------------------------------------------- titles
_PLACES = ("in England", "in Wales", "in Scotland", "across the UK", "in the UK",
           "in Northern Ireland")  # fmt: skip
_WHEN = ("by 2025", "by 2030", "now", "immediately", "this year", "within five years",
         "before the next general election", "for good", "permanently")  # fmt: skip
# "Why" qualifiers are slots filled per department, so a title's reason fits its topic.
_WHY = ("@why0", "@why1", "@why2", "@why3")
WHY_BY_DEPT: dict[str, tuple[str, str, str, str]] = {
    "DfE": ("to protect children", "to give every child a fair start", "to support teachers",
            "to raise standards"),
    "DHSC": ("to save lives", "to protect the NHS", "to cut waiting times",
             "to protect public health"),
    "DEFRA": ("to protect wildlife", "to protect our rivers", "to tackle climate change",
              "to protect the countryside"),
    "HMT": ("to help families with the cost of living", "to support small businesses",
            "to make it fairer for everyone", "to boost the economy"),
    "DWP": ("to end child poverty", "to help families with the cost of living",
            "to support disabled people", "to make it fairer for everyone"),
    "HO": ("to keep communities safe", "to protect the public", "to protect victims",
           "to cut crime"),
    "MoJ": ("to protect victims", "to deliver justice", "to keep communities safe",
            "to cut delays"),
    "DfT": ("to save lives", "to cut congestion", "to help commuters",
            "to tackle climate change"),
    "DCMS": ("to protect children online", "to protect young people",
             "to support local communities", "to protect fans"),
    "DLUHC": ("to protect renters", "to end homelessness", "to support local communities",
              "to build more homes"),
    "ENERGY": ("to tackle climate change", "to cut energy bills", "to reach net zero",
               "to help families with the cost of living"),
    "WORK": ("to protect workers", "to support small businesses",
             "to make it fairer for everyone", "to boost the economy"),
    "CO": ("to restore public trust", "to protect democracy", "to make it fairer for everyone",
           "to improve accountability"),
    "MOD": ("to honour our veterans", "to support service families", "to keep the UK safe",
            "to recognise their service"),
    "FCDO": ("to protect human rights", "to support British citizens abroad",
             "to keep the UK safe", "to show global leadership"),
}  # fmt: skip
_WHO = ("for children", "for under-18s", "for pensioners", "for disabled people",
        "for low-income families", "for rural communities", "for young people",
        "for veterans", "for carers")  # fmt: skip

BAN_VERBS = ("Ban", "End", "Outlaw", "Phase out", "Stop", "Introduce a ban on", "Restrict",
             "Crack down on")  # fmt: skip
BAN_OBJECTS = (
    "disposable vapes", "the sale of fireworks to the public", "puppy farming", "trail hunting",
    "glue traps", "snares", "greyhound racing", "the breeding of XL Bully dogs",
    "cages for farmed animals", "live animal exports", "badger culling", "peat-based compost",
    "bottom trawling in marine protected areas", "conversion therapy", "no-fault evictions",
    "zero-hours contracts", "fire and rehire", "unpaid internships", "smart motorways",
    "live facial recognition cameras", "junk food advertising", "gambling adverts in football",
    "loot boxes in video games", "new coal mines", "fracking", "new oil and gas licences",
    "sewage discharges into rivers", "non-stun slaughter", "trophy hunting imports",
    "animal testing for cosmetics", "electric shock collars for dogs",
    "the sale of energy drinks to children", "single-use plastic packaging",
    "plastic wet wipes", "neonicotinoid pesticides", "glyphosate in public parks",
    "balloon releases", "sky lanterns", "wild animals in travelling circuses", "hare coursing",
    "the keeping of primates as pets", "foie gras imports", "fur imports",
    "mobile phones in schools", "homework in primary schools", "cosmetic surgery adverts",
    "botox for under-18s", "cold calling", "nuisance calls", "pavement parking",
    "e-scooters on pavements", "drones over private homes", "strip searches of children",
    "the sale of nitrous oxide", "cyberflashing", "deepfake pornography",
    "anonymous social media accounts", "misleading food labels", "palm oil in food",
    "ultra-processed food in school meals", "artificial grass in new gardens",
    "petrol leaf blowers", "wood burning stoves in cities", "loud fireworks",
    "the exotic pet trade", "salmon farming in Scottish lochs", "puppy imports from abroad",
    "the destruction of ancient woodland", "building on green belt land",
    "housebuilding on flood plains", "new waste incinerators", "tethering of horses",
    "the use of snares on grouse moors", "the sale of tobacco to anyone born after 2009",
    "smoking outside hospitals", "payday loan advertising", "ticket touting",
    "dynamic pricing for concert tickets", "the sale of knives online",
    "pay-to-park schemes at hospitals", "selling pets online", "keeping dogs in crates",
)  # fmt: skip

COST_VERBS = ("Scrap", "Abolish", "Cut", "Freeze", "Cap", "Reduce", "Review", "Remove")
COST_OBJECTS = (
    "the two-child benefit limit", "the TV licence fee", "standing charges on energy bills",
    "the ULEZ charge", "hospital car parking charges", "prescription charges",
    "university tuition fees", "fuel duty", "VAT on energy bills", "stamp duty",
    "inheritance tax", "the bedroom tax", "the benefit cap", "interest on student loans",
    "the Immigration Health Surcharge", "visa fees for NHS workers", "passport fees",
    "driving test fees", "rail fares", "bus fares", "the Dartford Crossing charge",
    "the Tyne Tunnel toll", "ground rent", "service charges for leaseholders",
    "water bills", "mid-contract broadband price rises", "court fees", "probate fees",
    "the High Income Child Benefit Charge", "the Lifetime ISA withdrawal penalty",
    "the Health and Social Care Levy", "business rates for small shops",
    "the apprenticeship levy", "the soft drinks levy", "air passenger duty",
    "NHS dental charges", "car insurance premiums for young drivers", "nursery fees",
    "funeral costs", "the cost of school uniforms", "IVF charges", "council tax",
    "energy bills", "rent increases", "the state pension age", "the tampon tax",
    "VAT on home improvements", "VAT on bicycles", "VAT on hospitality", "parking fines",
    "penalty charges at private car parks", "bank overdraft charges",
    "fees for Disclosure and Barring Service checks", "citizenship fees for children",
    "the cost of a settlement visa",
)  # fmt: skip

FUND_VERBS = ("Fund", "Increase funding for", "Protect", "Guarantee funding for",
              "Properly fund", "Invest in", "Save", "Expand")  # fmt: skip
FUND_OBJECTS = (
    "school mental health support", "hospices", "children's hospices", "rural bus services",
    "special educational needs provision", "local libraries", "youth services",
    "NHS dentistry", "community pharmacies", "dementia research", "endometriosis research",
    "motor neurone disease research", "brain tumour research", "childhood cancer research",
    "Sure Start centres", "women's refuges", "air ambulances", "lifeboat stations",
    "flood defences", "coastal erosion defences", "cycle lanes", "rail electrification",
    "pothole repairs", "public toilets", "swimming pools", "music education",
    "school sports", "breakfast clubs", "holiday activity schemes", "adult social care",
    "respite care for families", "autism assessments", "ADHD assessments",
    "speech and language therapy", "perinatal mental health services", "baby loss support",
    "menopause services", "eating disorder services", "addiction services",
    "homelessness services", "veterans' mental health services", "the BBC World Service",
    "local theatres", "grassroots football", "public parks", "tree planting",
    "rewilding projects", "hedgehog conservation", "river clean-up schemes",
    "community energy projects", "heat pump installation", "home insulation",
    "electric vehicle charging points", "rural broadband", "police community support officers",
    "youth clubs", "adult education", "further education colleges", "school building repairs",
    "teaching assistants", "school nurses", "health visitors", "midwifery training",
    "NHS physiotherapy", "long Covid clinics", "sickle cell care", "cystic fibrosis drugs",
    "NHS hearing aids", "guide dog services", "mountain rescue teams",
    "search and rescue helicopters", "blood cancer research", "stroke rehabilitation",
    "palliative care", "domestic abuse services", "rape crisis centres", "food banks",
    "community centres", "museums", "arts education", "wildlife rescue centres",
    "animal sanctuaries", "dog wardens", "road safety schemes", "school crossing patrols",
)  # fmt: skip

REFORM_VERBS = ("Reform", "Review", "Overhaul", "Hold a public inquiry into", "Modernise",
                "Commission an independent review of", "Simplify")  # fmt: skip
REFORM_OBJECTS = (
    "the Child Maintenance Service", "the family courts", "Ofsted inspections",
    "the benefit sanctions regime", "the planning system", "the first-past-the-post system",
    "the House of Lords", "council tax bands", "PIP assessments", "the Mental Health Act",
    "the social care system", "GCSE exam grading", "the honours system", "drug laws",
    "the Equality Act", "the points-based immigration system", "the probate service",
    "Ofwat", "Ofgem", "the leasehold system", "the Universal Credit five-week wait",
    "SEND tribunals", "the Highway Code", "the MOT system", "driving test booking",
    "the Crown Prosecution Service", "sentencing for dangerous driving",
    "sentencing for animal cruelty", "the parole system", "the Disclosure and Barring Service",
    "the Student Loans Company", "the Motability scheme", "Access to Work",
    "the Carer's Allowance earnings limit", "statutory sick pay", "statutory maternity pay",
    "shared parental leave", "the Right to Buy scheme", "the asylum system",
    "the visa backlog", "the NHS complaints process", "coroners' inquests",
    "the Independent Office for Police Conduct", "the Post Office compensation scheme",
    "the school admissions system", "the national curriculum", "teacher training",
    "university admissions", "the Electoral Commission", "Ofcom", "the Charity Commission",
    "building regulations", "the Gender Recognition Act", "the Dangerous Dogs Act",
    "the Animal Welfare Act", "the Vagrancy Act", "the Official Secrets Act",
    "the Representation of the People Act", "the Party Wall Act", "the Mental Capacity Act",
    "the Working Time Regulations", "the Pensions Regulator", "the Financial Ombudsman",
    "the Housing Ombudsman", "the Parole Board", "the Court of Protection",
    "stamp duty for second homes", "local authority funding", "the Barnett formula",
)  # fmt: skip

INTRODUCE_VERBS = ("Introduce", "Legislate for", "Create", "Establish", "Consult on",
                   "Bring in")  # fmt: skip
INTRODUCE_OBJECTS = (
    "a four-day working week", "a universal basic income",
    "proportional representation for general elections", "mandatory microchipping of cats",
    "a deposit return scheme for glass bottles", "a national register of animal abusers",
    "compulsory CCTV in slaughterhouses", "Martyn's Law", "a minimum wage of £15 an hour",
    "free period products in all schools", "a windfall tax on energy companies",
    "a windfall tax on banks", "a statutory right to disconnect", "a legal right to food",
    "a national care service", "mandatory first aid training in schools",
    "compulsory swimming lessons", "votes at 16", "a frequent flyer levy",
    "a carbon border tax", "a national register of private landlords", "rent controls",
    "an animal welfare ombudsman", "a Hillsborough Law", "a lifetime driving ban for killers",
    "a digital ID card scheme", "mandatory reporting of child abuse",
    "a water safety curriculum", "hedgehog highways in all new homes",
    "swift bricks in all new homes", "solar panels on all new homes",
    "a tax on private jets", "free school meals for all primary pupils",
    "free bus travel for under-22s", "paid leave for unpaid carers",
    "paid leave after a miscarriage", "a national day of reflection",
    "a bank holiday for St George's Day", "a bank holiday for St David's Day",
    "a Commissioner for Older People in England", "a cap on rent increases",
    "a legal limit on class sizes", "a legal duty to report sewage spills",
    "a statutory register of dog breeders", "a tax on second homes", "a wealth tax",
    "a tourist tax", "a social media age limit of 16", "a Cabinet minister for children",
    "a Minister for Men", "a national food strategy", "a Clean Air Act",
    "a Right to Grow Food", "a statutory code for letting agents",
    "a duty of candour for public officials", "an independent football regulator",
    "a legal right to a home", "a register of foreign agents", "a pet abduction offence",
    "an offence of coercive control for ex-partners", "a national allergy strategy",
    "compulsory allergen training for restaurants", "a right to die with dignity",
    "assisted dying", "free public transport for students", "a Bill of Rights for carers",
    "a sugar tax on sweets", "a plastic bottle levy", "a national youth guarantee",
    "a jobs guarantee for young people", "a statutory menopause policy for employers",
)  # fmt: skip

GIVE_VERBS = ("Give", "Guarantee")
GIVE_GROUPS = (
    "nurses", "junior doctors", "teachers", "carers", "unpaid carers", "care workers",
    "firefighters", "police officers", "paramedics", "armed forces veterans", "pensioners",
    "students", "key workers", "disabled people", "self-employed workers", "bereaved parents",
    "foster carers", "kinship carers", "bus drivers", "school support staff", "midwives",
    "prison officers", "ambulance workers", "hospice staff", "NHS cleaners",
)  # fmt: skip
GIVE_BENEFITS = (
    "a pay rise above inflation", "free hospital parking", "free prescriptions",
    "free bus travel", "an extra day of paid leave", "a one-off cost of living payment",
    "a council tax discount", "the right to work from home", "free counselling",
    "priority for social housing", "free NHS dental care", "a discount on energy bills",
    "paid time off for appointments", "flexible working from day one",
    "free eye tests", "a legal right to respite breaks", "free childcare",
    "a tax-free bonus", "free rail travel", "a medal to recognise their service",
)  # fmt: skip

MAKE_VERBS = ("Make it illegal to", "Make it a criminal offence to", "Make it an offence to")
MAKE_ACTIONS = (
    "sell energy drinks to under-16s", "keep primates as pets",
    "drive while using a hands-free phone", "fly-tip in national parks",
    "dock puppies' tails", "abandon pets", "fail to report hitting a cat with a car",
    "leave dogs in hot cars", "sell puppies under eight weeks old",
    "advertise gambling near schools", "record people without their consent",
    "share intimate images without consent", "discriminate against renters with pets",
    "refuse cash payments", "sell vapes to anyone under 21", "release balloons outdoors",
    "use a mobile phone while cycling", "park on pavements", "cut down healthy street trees",
    "sell animals as prizes", "buy sex", "sell unlabelled CBD products",
    "send unsolicited explicit images", "breed dogs without a licence",
    "catch fish with live bait", "evict a tenant for complaining about mould",
    "sell homes with unsafe cladding", "hide water company sewage spills",
    "spike someone's drink", "use a dog shock collar", "keep an octopus in captivity",
    "sell knives to anyone under 21", "trade in ivory antiques", "pay women less than men",
)  # fmt: skip

REQUIRE_VERBS = ("Require", "Force", "Legally require", "Compel")
REQUIRE_PAIRS = (
    ("supermarkets", "donate unsold food to charity"),
    ("water companies", "publish sewage spills in real time"),
    ("social media companies", "verify users' identity"),
    ("landlords", "allow tenants to keep pets"),
    ("energy companies", "stop forced prepayment meter installations"),
    ("schools", "teach British Sign Language"),
    ("employers", "publish their ethnicity pay gap"),
    ("councils", "collect food waste every week"),
    ("airlines", "refund cancelled flights within seven days"),
    ("car manufacturers", "fit speed limiters"),
    ("restaurants", "display allergen information"),
    ("banks", "reimburse all victims of fraud"),
    ("shops", "accept cash payments"),
    ("letting agents", "publish all fees upfront"),
    ("dog breeders", "register with their council"),
    ("cosmetic surgeons", "be registered with the GMC"),
    ("private schools", "share their facilities with state schools"),
    ("universities", "refund fees for strike days"),
    ("pharmacies", "stock free period products"),
    ("the NHS", "offer a menopause check at 45"),
    ("GP surgeries", "offer face-to-face appointments"),
    ("police forces", "record misogyny as a hate crime"),
    ("developers", "install sprinklers in all new flats"),
    ("train operators", "provide step-free access at every station"),
    ("broadband providers", "offer social tariffs"),
    ("insurers", "cover flood damage for all homes"),
    ("gyms", "allow monthly cancellation"),
    ("food manufacturers", "label ultra-processed food"),
    ("bus companies", "announce the next stop"),
    ("large companies", "publish their carbon emissions"),
    ("MPs", "declare all second jobs"),
    ("ministers", "publish their diaries"),
    ("hospitals", "provide free parking for carers"),
    ("estate agents", "disclose flood risk"),
    ("retailers", "take back old electrical goods"),
    ("online platforms", "remove scam adverts within 24 hours"),
    ("football clubs", "have an independent fan representative"),
    ("housing associations", "fix damp and mould within 14 days"),
    ("care homes", "allow a named visitor at all times"),
    ("employers", "offer paid leave for fertility treatment"),
    ("councils", "provide free swimming for children"),
    ("schools", "teach first aid and CPR"),
    ("schools", "provide free sanitary products"),
    ("manufacturers", "make phones repairable"),
    ("supermarkets", "offer plastic-free aisles"),
)  # fmt: skip

LOCAL_VERBS = ("Stop the closure of", "Save", "Keep open", "Reopen")
LOCAL_FACILITIES = (
    "the maternity unit", "the A&E department", "the fire station", "the police station",
    "the library", "the railway ticket office", "the post office", "the swimming pool",
    "the community hospital", "the walk-in centre", "the coastguard station",
    "the leisure centre", "the stroke unit", "the children's ward", "the magistrates' court",
    "the bus station", "the minor injuries unit", "the special school", "the youth centre",
    "the day centre for older people",
)  # fmt: skip
LOCAL_TAILS = ("", "before it is too late", "for the local community", "and protect local jobs",
               "for future generations")  # fmt: skip


def _local_towns() -> tuple[tuple[str, int], ...]:
    towns = []
    for i, name in enumerate(_SEAT_NAMES):
        if "," in name or " and " in name or name.startswith(("North ", "South ", "East ")):
            continue
        if name.startswith(("West ", "Mid ", "Central ", "City of ")):
            continue
        towns.append((name, i))
    return tuple(towns)


LOCAL_TOWNS = _local_towns()
_TOWN_SEAT = dict(LOCAL_TOWNS)


@dataclass(frozen=True)
class _Category:
    """A family of titles: verbs × objects × first qualifier × second qualifier."""

    key: str
    share: float
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    q1: tuple[str, ...]
    q2: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.verbs) * len(self.objects) * len(self.q1) * len(self.q2)

    def decode(self, k: int) -> tuple[str, str, str, str]:
        k, q2 = divmod(k, len(self.q2))
        k, q1 = divmod(k, len(self.q1))
        v, o = divmod(k, len(self.objects))
        return self.verbs[v], self.objects[o], self.q1[q1], self.q2[q2]


_REQUIRE_OBJECTS = tuple(f"{actor} to {action}" for actor, action in REQUIRE_PAIRS)
_LOCAL_OBJECTS = tuple(f"{facility} in {town}" for town, _ in LOCAL_TOWNS
                       for facility in LOCAL_FACILITIES)  # fmt: skip
_GIVE_OBJECTS = tuple(f"{group} {benefit}" for group in GIVE_GROUPS for benefit in GIVE_BENEFITS)

CATEGORIES: tuple[_Category, ...] = (
    _Category("ban", 0.20, BAN_VERBS, BAN_OBJECTS, ("", *_PLACES), ("", *_WHEN, *_WHY)),
    _Category("cost", 0.12, COST_VERBS, COST_OBJECTS,
              ("", "for pensioners", "for first-time buyers", "for students", "for families",
               "for carers", "for small businesses", "for NHS workers", *_PLACES[:3]),
              ("", *_WHEN, "to help with the cost of living", "during the cost of living crisis")),
    _Category("fund", 0.17, FUND_VERBS, FUND_OBJECTS, ("", *_PLACES, *_WHO), ("", *_WHEN, *_WHY)),
    _Category("reform", 0.12, REFORM_VERBS, REFORM_OBJECTS, ("", *_PLACES[:4]),
              ("", *_WHEN, *_WHY)),
    _Category("introduce", 0.14, INTRODUCE_VERBS, INTRODUCE_OBJECTS, ("", *_PLACES),
              ("", *_WHEN, *_WHY)),
    _Category("give", 0.06, GIVE_VERBS, _GIVE_OBJECTS, ("",),
              ("", *_WHEN[:6], "during the cost of living crisis",
               "in recognition of their work")),
    _Category("make", 0.05, MAKE_VERBS, MAKE_ACTIONS, ("", *_PLACES), ("", *_WHEN)),
    _Category("require", 0.06, REQUIRE_VERBS, _REQUIRE_OBJECTS, ("", *_PLACES), ("", *_WHEN)),
    _Category("local", 0.07, LOCAL_VERBS, _LOCAL_OBJECTS, ("",), LOCAL_TAILS),
)  # fmt: skip


@cache
def object_department(obj: str) -> str:
    """Department key for a title's object (the facility for local petitions)."""
    return department_for(obj)


def _compose(verb: str, obj: str, q1: str, q2: str) -> str:
    if q2.startswith("@why"):
        q2 = WHY_BY_DEPT[object_department(obj)][int(q2[4:])]
    head = f"Keep {obj} open" if verb == "Keep open" else f"{verb} {obj}"
    return " ".join(part for part in (head, q1, q2) if part)


@dataclass(frozen=True)
class _TitlePlan:
    """Which title every petition gets: a category and a slot, never reused."""

    seed: int
    category: list[int] = field(default_factory=list)
    slot: list[int] = field(default_factory=list)
    perms: dict[int, np.ndarray] = field(default_factory=dict)
    used: list[int] = field(default_factory=lambda: [0] * len(CATEGORIES))

    def extend(self, needed: int) -> None:
        start = len(self.category)
        if needed <= start:
            return
        # Grow geometrically; draw j is the same for any batch size (prefix-stable).
        count = max(needed, 2 * start, 4096)
        rng = np.random.default_rng([self.seed, 0x717E])
        draws = rng.random(count)[start:]  # prefix-stable
        shares = np.cumsum([c.share for c in CATEGORIES])
        shares /= shares[-1]
        for u in draws:
            cat = int(np.searchsorted(shares, u, side="right"))
            cat = min(cat, len(CATEGORIES) - 1)
            for step in range(len(CATEGORIES)):
                candidate = (cat + step) % len(CATEGORIES)
                if self.used[candidate] < CATEGORIES[candidate].size:
                    cat = candidate
                    break
            else:
                raise ValueError("title space exhausted")
            self.category.append(cat)
            self.slot.append(self.used[cat])
            self.used[cat] += 1

    def title_parts(self, index: int) -> tuple[int, tuple[str, str, str, str]]:
        cat = self.category[index]
        perm = self.perms.get(cat)
        if perm is None:
            perm = np.random.default_rng([self.seed, 0x7171, cat]).permutation(CATEGORIES[cat].size)
            self.perms[cat] = perm
        return cat, CATEGORIES[cat].decode(int(perm[self.slot[index]]))


@lru_cache(maxsize=4)
def _plan(seed: int) -> _TitlePlan:
    return _TitlePlan(seed)


def title_space_size() -> int:
    """How many distinct titles the generator can produce (the archive size limit)."""
    return min(ID_SPACE, sum(c.size for c in CATEGORIES))


# ----------------------------------------------------------------------------- prose
def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_BACKGROUND_OPENERS: dict[str, tuple[str, ...]] = {
    "ban": (
        "We want the Government to bring in a complete ban on {obj}.",
        "The harm caused by {obj} is well documented and is getting worse every year.",
        "Other countries have already acted on {obj} and the UK is falling behind.",
        "Current rules on {obj} are not enforced and do not go far enough.",
    ),
    "cost": (
        "The burden of {obj} falls hardest on those who can least afford it.",
        "Many households are struggling, and {obj} adds to the pressure every month.",
        "We ask the Government to look again at {obj}, which many people see as unfair.",
    ),
    "fund": (
        "Funding for {obj} has been cut again and again over the last decade.",
        "Without proper funding, {obj} will not survive the next few years.",
        "Demand for {obj} has never been higher, yet funding has fallen in real terms.",
        "Investing in {obj} now would save the NHS and councils money later.",
    ),
    "reform": (
        "People who rely on {obj} tell us it is failing them.",
        "An independent review of {obj} is long overdue.",
        "Too many people have been let down by {obj}, and nothing has changed.",
        "We want {obj} to be fair, transparent and accountable.",
    ),
    "introduce": (
        "We are asking the Government to introduce {obj}.",
        "Introducing {obj} would make a real difference to millions of people.",
        "Similar schemes to {obj} already work well in other countries.",
    ),
    "give": (
        "We ask the Government to give {obj}.",
        "{Group} have worked tirelessly for years and deserve proper recognition.",
    ),
    "make": (
        "At the moment it is legal to {obj}, and we think that is wrong.",
        "It should be against the law to {obj}.",
    ),
    "require": (
        "We believe the law should require {obj}.",
        "Voluntary measures have not worked, so we want a legal duty on {actor}.",
    ),
    "local": (
        "{Obj} serves thousands of local people every year.",
        "Closing {obj} would mean long journeys to the nearest alternative.",
        "The community has campaigned for years to protect {obj}.",
    ),
}
_BACKGROUND_GENERIC = (
    "Thousands of people across the country are affected.",
    "We believe this is a matter of basic fairness.",
    "The Government must act before more harm is done.",
    "Charities and experts have been calling for this for years.",
    "This would cost little and save a great deal in the long run.",
    "Families like ours cannot wait any longer.",
    "Local councils say they do not have the powers or the money to act alone.",
    "The evidence is clear and the time for reviews is over.",
    "Polling shows that most of the public support this change.",
    "We have written to our MPs but nothing has happened.",
)
_DETAILS_GENERIC = (
    "Many of us have seen the effects first hand, in our families and in our communities.",
    "A short consultation followed by legislation would be enough to make this happen.",
    "The cost would be small compared with the cost of doing nothing.",
    "We are asking for a clear timetable and for progress to be reported to Parliament.",
    "This has cross-party support and should not be a political issue.",
    "Similar changes elsewhere have been popular and effective.",
)
_SUMMARIES: dict[str, tuple[str, ...]] = {
    "ban": (
        "The Government has no plans to ban {obj}, but keeps the evidence under review "
        "and will act where it is needed.",
        "The Government recognises concerns about {obj} and will consult on new "
        "restrictions later this year.",
    ),
    "cost": (
        "The Government has no plans to change {obj}; support is targeted at those who "
        "need it most.",
        "The Government keeps {obj} under review and will set out any changes at a fiscal event.",
    ),
    "fund": (
        "The Government is committed to {obj} and has provided significant funding, "
        "which it keeps under review.",
        "Funding for {obj} is a matter for local decision-makers, supported by a record "
        "settlement from central government.",
    ),
    "reform": (
        "The Government does not plan to reform {obj} at this time but will continue to "
        "monitor how it works.",
        "The Government is committed to improving {obj} and will set out its plans in due course.",
    ),
    "introduce": (
        "The Government has no current plans to introduce {obj}, but will keep the "
        "matter under review.",
        "The Government is considering the case for {obj} and will respond to the "
        "consultation in due course.",
    ),
}
_SUMMARY_GENERIC = (
    "The Government has carefully considered this petition and does not plan to make "
    "the change requested, but will keep the evidence under review.",
    "The Government recognises the strength of feeling on this issue and is working "
    "with partners on a range of measures.",
    "The Government thanks the petitioners and sets out below the action it is already "
    "taking in this area.",
)
_RESPONSE_PARAGRAPHS = (
    "The Government is grateful to everyone who signed this petition and recognises the "
    "strength of feeling on this issue.",
    "We have carefully considered the request to {action}.",
    "Since 2019 we have invested significantly in this area, and we will continue to work "
    "with local authorities, charities and industry to make sure support reaches those "
    "who need it most.",
    "Any change to policy on {obj} must be based on robust evidence and must take account "
    "of the impact on businesses, public services and the wider economy.",
    "We will continue to monitor the situation closely and will not hesitate to take "
    "further action if the evidence shows it is needed.",
    "Officials meet regularly with stakeholders, including campaign groups and "
    "representative bodies, to discuss {obj}.",
    "The devolved administrations are responsible for their own policy in many of these "
    "areas, and we work closely with them to share evidence and good practice.",
    "Decisions on {obj} are kept under regular review, and the Government will respond "
    "to the findings of the independent review when it reports.",
    "The Government has already consulted on proposals in this area and received more "
    "than 10,000 responses, which we are now analysing carefully.",
    "We want to strike the right balance between protecting the public and avoiding "
    "unnecessary burdens on individuals and businesses.",
    "Further information about the support available can be found on GOV.UK.",
    "We will set out further details in due course.",
)
_REVISED_NOTE = (
    "This is a revised response. The Petitions Committee requested a response which more "
    "directly addressed the request of the petition. You can find the original response "
    "towards the bottom of the petition page: {url}"
)


@dataclass(frozen=True)
class _TitleInfo:
    category: str
    verb: str
    obj: str
    q1: str
    q2: str
    focal_seat: int | None


def _give_group(obj: str) -> str:
    """ "nurses a pay rise above inflation" → "nurses"."""
    return max((g for g in GIVE_GROUPS if obj.startswith(g + " ")), key=len)


def _topic_phrase(info: _TitleInfo) -> str:
    """A noun phrase for the petition's subject, for the government's response."""
    if info.category == "give":
        return f"support for {_give_group(info.obj)}"
    if info.category == "make":
        return "this issue"
    if info.category == "require":
        return f"the duties on {info.obj.split(' to ', 1)[0]}"
    if info.category == "local":
        return f"local services in {info.obj.rsplit(' in ', 1)[1]}"
    return info.obj


def _background(info: _TitleInfo, rnd: random.Random) -> str:
    obj = info.obj
    actor = obj.split(" to ", 1)[0] if info.category == "require" else obj
    group = _give_group(obj) if info.category == "give" else obj
    opener = rnd.choice(_BACKGROUND_OPENERS[info.category])
    first = opener.format(obj=obj, Obj=_cap(obj), actor=actor, Group=_cap(group))
    sentences = [_cap(first), *rnd.sample(_BACKGROUND_GENERIC, rnd.randint(1, 2))]
    text = " ".join(sentences)
    if rnd.random() < 0.12:
        text += "\n\n" + " ".join(rnd.sample(_BACKGROUND_GENERIC, 2))
    return text


def _additional_details(rnd: random.Random) -> str:
    if rnd.random() < 0.15:
        return ""
    return " ".join(rnd.sample(_DETAILS_GENERIC, rnd.randint(1, 3)))


def _response_texts(
    info: _TitleInfo, title: str, url: str, dept_name: str, rnd: random.Random
) -> tuple[str, list[str]]:
    obj = _topic_phrase(info)
    pool = _SUMMARIES.get(info.category, ()) + _SUMMARY_GENERIC
    summary = rnd.choice(pool).format(obj=obj)
    action = title[:1].lower() + title[1:].rstrip(".")
    fixed = [_RESPONSE_PARAGRAPHS[0], _RESPONSE_PARAGRAPHS[1]]
    middle = rnd.sample(_RESPONSE_PARAGRAPHS[2:], rnd.randint(2, 4))
    paragraphs = [p.format(obj=obj, action=action) for p in (*fixed[: rnd.randint(1, 2)], *middle)]
    paragraphs.append(dept_name)
    if rnd.random() < 0.08:
        paragraphs.append(_REVISED_NOTE.format(url=url))
    return summary, paragraphs


# ----------------------------------------------------------------------------- one petition
@dataclass
class _Draft:
    """Everything about one generated petition, in API terms (arrays, epoch seconds)."""

    index: int
    id: int
    title: str
    background: str
    additional_details: str
    total: int
    refreshed: int
    created: int
    moderated: int
    opened: int
    closing: int
    response_threshold: int | None
    debate_threshold: int | None
    responded: int | None
    updated: int
    summary: str | None
    paragraphs: list[str] | None
    dept: str | None  # department key
    country_idx: np.ndarray  # indices into COUNTRIES (count > 0), name order
    country_counts: np.ndarray
    seat_idx: np.ndarray  # indices into SEATS, ONS order
    seat_counts: np.ndarray
    unknown: int
    ms: list[int]

    @property
    def url(self) -> str:
        return f"{BASE_URL}{self.id}"

    @property
    def state(self) -> str:
        return "closed" if self.refreshed >= self.closing else "open"

    @property
    def uk(self) -> int:
        hits = np.nonzero(self.country_idx == _UK)[0]
        return int(self.country_counts[hits[0]]) if hits.size else 0

    def dept_name(self) -> str | None:
        if self.dept is None or self.responded is None:
            return None
        return DEPARTMENTS[self.dept].name_at(self.responded)


def _make_draft(index: int, seed: int) -> _Draft:
    plan = _plan(seed)
    plan.extend(index + 1)
    cat, (verb, obj, q1, q2) = plan.title_parts(index)
    category = CATEGORIES[cat].key
    rng = np.random.default_rng([seed, index])
    rnd = random.Random(seed * 1_000_003 + index)

    focal = None
    if category == "local":
        focal = _TOWN_SEAT[obj.rsplit(" in ", 1)[1]]
    info = _TitleInfo(category, verb, obj, q1, q2, focal)
    title = _compose(verb, obj, q1, q2)
    if rnd.random() < 0.06:
        title += "."
    pid = petition_id(index, seed)
    url = f"{BASE_URL}{pid}"

    # ---- dates
    created = _created_from_id(pid) + int(rng.integers(0, 6 * 3600))
    created = min(created, REFRESH_CAP - 30 * DAY)
    moderated = created + int(rng.integers(60, 2 * DAY))
    opened = moderated + int(rng.integers(DAY // 2, 12 * DAY))
    closing = _closing_time(opened)
    if closing + 3600 < REFRESH_CAP and rng.random() < 0.75:
        refreshed = min(REFRESH_CAP, closing + int(rng.integers(60, 400 * DAY)))
    else:
        end = min(closing, REFRESH_CAP)
        refreshed = opened + int((end - opened) * rng.uniform(0.05, 1.0))
    refreshed = max(refreshed, opened + 3600)

    total = draw_total(rng)
    if focal is not None:
        total = max(1, total // 2)
    running_end = min(refreshed, closing)
    response_threshold = debate_threshold = responded = None
    if total >= RESPONSE_THRESHOLD:
        frac = rng.uniform(0.0, 1.0) ** 2 * 0.9
        response_threshold = opened + 60 + int((running_end - opened - 120) * frac)
        if total >= DEBATE_THRESHOLD:
            span = running_end - response_threshold
            debate_threshold = (
                response_threshold + 30 + int(max(0, span - 60) * rng.uniform(0, 0.6))
            )
        if rng.random() < 0.93:
            when = response_threshold + int(rng.integers(5 * DAY, 70 * DAY))
            if when < refreshed - 600:
                responded = when
    last_event = max(t for t in (opened, response_threshold, debate_threshold, responded) if t)
    updated = last_event + int((refreshed - last_event) * rng.uniform(0.3, 1.0))
    updated = min(max(updated, last_event + 1), refreshed)

    # ---- countries
    non_uk_share = float(np.clip(np.exp(np.log(0.012) + 0.9 * rng.standard_normal()), 0.001, 0.3))
    non_uk = int(rng.binomial(total, non_uk_share))
    if total > 0 and non_uk == total and rng.random() < 0.9:
        non_uk = total - 1
    uk = total - non_uk
    country_counts = np.zeros(len(COUNTRIES), dtype=np.int64)
    country_counts[_UK] = uk
    if non_uk:
        weights = _COUNTRY_WEIGHT * rng.gamma(1.0, 1.0, len(COUNTRIES))
        country_counts += rng.multinomial(non_uk, weights / weights.sum())
    country_idx = np.nonzero(country_counts)[0]

    # ---- constituencies
    unknown_share = float(np.clip(np.exp(np.log(0.008) + 0.8 * rng.standard_normal()), 5e-4, 0.08))
    if rng.random() < 0.01:
        unknown_share = rng.uniform(0.04, 0.12)
    unknown = int(rng.binomial(uk, unknown_share)) if uk else 0
    seated = uk - unknown
    weights = _ELECTORATE * rng.gamma(6.0, 1 / 6.0, len(SEATS))
    weights *= np.exp(0.25 * rng.standard_normal(len(_REGION_CODES)))[_SEAT_REGION]
    nation_roll = rng.random()
    if nation_roll < 0.12:
        nation = _REGION_CODES.index(("SC", "WA", "NI")[int(rng.integers(0, 3))])
        weights[np.equal(_SEAT_REGION, nation)] *= rng.uniform(6, 25)
    local = focal is not None or rng.random() < 0.04
    if local:
        if focal is None:
            focal = int(rng.integers(0, len(SEATS)))
        dist = _hex_distance(focal)
        weights *= np.where(dist <= 2, rng.uniform(3, 10), 1.0)
        weights[focal] *= rng.uniform(40, 300)
    k = seats_listed(seated, local)
    seat_counts = np.zeros(len(SEATS), dtype=np.int64)
    if k:
        keys = np.log(weights) + rng.gumbel(size=len(SEATS))
        chosen = np.argpartition(-keys, k - 1)[:k]
        seat_counts[chosen] = 1
        rest = seated - k
        if rest:
            w = weights[chosen]
            seat_counts[chosen] += rng.multinomial(rest, w / w.sum())
    listed = seat_counts > 0
    if k < len(SEATS) and rng.random() < 0.01:
        listed[int(rng.choice(np.nonzero(~listed)[0]))] = True  # printed "0 | 0.00"
    seat_idx = np.nonzero(listed)[0]

    # ---- response
    summary = paragraphs = dept = None
    if responded is not None:
        dept = object_department(obj)
        dept_name = DEPARTMENTS[dept].name_at(responded)
        summary, paragraphs = _response_texts(info, title, url, dept_name, rnd)

    return _Draft(
        index=index,
        id=pid,
        title=title,
        background=_background(info, rnd),
        additional_details=_additional_details(rnd),
        total=total,
        refreshed=refreshed,
        created=created,
        moderated=moderated,
        opened=opened,
        closing=closing,
        response_threshold=response_threshold,
        debate_threshold=debate_threshold,
        responded=responded,
        updated=updated,
        summary=summary,
        paragraphs=paragraphs,
        dept=dept,
        country_idx=country_idx,
        country_counts=country_counts[country_idx],
        seat_idx=seat_idx,
        seat_counts=seat_counts[seat_idx],
        unknown=unknown,
        ms=[int(x) for x in rng.integers(0, 1000, 8)],
    )


def _percent(count: int, denominator: int, cache: dict[int, float]) -> float:
    value = cache.get(count)
    if value is None:
        value = float(f"{100 * count / denominator:.2f}") if denominator else 0.0
        cache[count] = value
    return value


def _petition(draft: _Draft, full: bool) -> Petition:
    total = draft.total
    # Countries: API order is by name; sort by count desc, ties keep that order.
    order = np.lexsort((draft.country_idx, -draft.country_counts))
    cache: dict[int, float] = {}
    countries = tuple(
        CountryCount(rank, _COUNTRY_NAMES[draft.country_idx[i]], int(draft.country_counts[i]),
                     _percent(int(draft.country_counts[i]), total, cache))
        for rank, i in enumerate(order.tolist(), start=1)
    )  # fmt: skip
    uk = draft.uk
    mps = mps_at(draft.refreshed)
    seat_order = np.lexsort((draft.seat_idx, -draft.seat_counts)).tolist()
    counts = draft.seat_counts.tolist()
    seat_idx = draft.seat_idx.tolist()
    cache = {}
    rows: list[ConstituencyCount] = []
    unknown = draft.unknown
    unknown_pending = unknown > 0
    rank = 1
    for i in seat_order:
        count = counts[i]
        if unknown_pending and unknown > count:
            rows.append(
                ConstituencyCount(rank, UNKNOWN, None, unknown, _percent(unknown, uk, cache))
            )
            rank += 1
            unknown_pending = False
        s = seat_idx[i]
        rows.append(
            ConstituencyCount(rank, _SEAT_NAMES[s], mps[s], count, _percent(count, uk, cache),
                              _SEAT_CODES[s] if full else None)
        )  # fmt: skip
        rank += 1
    if unknown_pending:
        rows.append(ConstituencyCount(rank, UNKNOWN, None, unknown, _percent(unknown, uk, cache)))

    history = [HistoryEvent("Updated", _dt(draft.updated))]
    if draft.responded is not None:
        history.append(HistoryEvent("Government Response", _dt(draft.responded)))
    if draft.debate_threshold is not None:
        history.append(HistoryEvent("Debate Threshold Reached", _dt(draft.debate_threshold)))
    if draft.response_threshold is not None:
        history.append(HistoryEvent("Response Threshold Reached", _dt(draft.response_threshold)))
    history += [
        HistoryEvent("Opened", _dt(draft.opened)),
        HistoryEvent("Moderation Threshold Reached", _dt(draft.moderated)),
        HistoryEvent("Created", _dt(draft.created)),
    ]
    response = None
    if draft.summary is not None and draft.paragraphs is not None:
        details = "\n\n".join(draft.paragraphs)
        response = GovernmentResponse(
            summary=draft.summary,
            details=details,
            department=draft.dept_name() if full else parse_department(details),
            responded_at=_dt(draft.responded) if draft.responded is not None else None,
        )
    petition = Petition(
        id=draft.id,
        title=draft.title,
        url=draft.url,
        background=draft.background,
        total_signatures=total,
        refreshed_at=_dt(draft.refreshed),
        government_response=response,
        history=tuple(history),
        countries=countries,
        constituencies=tuple(rows),
    )
    if full:
        dept_name = draft.dept_name()
        petition = replace(
            petition,
            state=draft.state,
            additional_details=draft.additional_details,
            departments=(dept_name,) if dept_name else (),
            topics=(),
        )
    return petition


def _draft_json(draft: _Draft) -> dict[str, object]:
    ms = draft.ms

    def iso(ts: int | None, slot: int) -> str | None:
        return None if ts is None else _iso(ts, ms[slot])

    response = None
    if draft.summary is not None and draft.paragraphs is not None and draft.responded:
        at = iso(draft.responded, 5)
        response = {
            "responded_on": f"{_dt(draft.responded):%Y-%m-%d}",
            "summary": draft.summary,
            "details": "\r\n\r\n".join(draft.paragraphs),
            "created_at": at,
            "updated_at": at,
        }
    departments = []
    name = draft.dept_name()
    if name and draft.dept:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", "")).strip("-")
        departments.append(
            {
                "acronym": _ACRONYMS.get(name, DEPARTMENTS[draft.dept].acronym),
                "name": name,
                "url": f"https://www.gov.uk/government/organisations/{slug}",
            }
        )
    mps = mps_at(draft.refreshed)
    seats = [
        {
            "name": _SEAT_NAMES[s],
            "ons_code": _SEAT_CODES[s],
            "mp": mps[s],
            "signature_count": c,
        }
        for s, c in zip(draft.seat_idx.tolist(), draft.seat_counts.tolist(), strict=True)
    ]
    region_counts = np.bincount(
        _SEAT_REGION[draft.seat_idx], weights=draft.seat_counts, minlength=len(_REGION_CODES)
    )
    regions = [
        {"name": REGIONS[code][0], "ons_code": REGIONS[code][1], "signature_count": int(n)}
        for code, n in sorted(
            zip(_REGION_CODES, region_counts.tolist(), strict=True),
            key=lambda item: REGIONS[item[0]][1],
        )
    ]
    closed = draft.state == "closed"
    attributes = {
        "action": draft.title,
        "background": draft.background,
        "additional_details": draft.additional_details,
        "committee_note": None,
        "state": draft.state,
        "signature_count": draft.total,
        "created_at": iso(draft.created, 0),
        "updated_at": iso(draft.updated, 1),
        "rejected_at": None,
        "opened_at": iso(draft.opened, 2),
        "closed_at": f"{_dt(draft.closing):%Y-%m-%dT%H:%M:%S}.999Z" if closed else None,
        "moderation_threshold_reached_at": iso(draft.moderated, 3),
        "response_threshold_reached_at": iso(draft.response_threshold, 4),
        "government_response_at": iso(draft.responded, 5),
        "debate_threshold_reached_at": iso(draft.debate_threshold, 6),
        "scheduled_debate_date": None,
        "debate_outcome_at": None,
        "creator_name": None,
        "rejection": None,
        "government_response": response,
        "debate": None,
        "departments": departments,
        "topics": [],
        "signatures_by_country": [
            {"name": _COUNTRY_NAMES[c], "code": _COUNTRY_CODES[c], "signature_count": n}
            for c, n in zip(draft.country_idx.tolist(), draft.country_counts.tolist(), strict=True)
        ],
        "signatures_by_constituency": seats,
        "signatures_by_region": regions,
        "other_parliamentary_business": [],
    }
    return {
        "links": {"self": f"{draft.url}.json"},
        "data": {
            "type": "petition",
            "id": draft.id,
            "links": {"self": draft.url},
            "attributes": attributes,
        },
    }


def petition_json(index: int, seed: int = DEFAULT_SEED) -> dict[str, object]:
    """The API-style JSON document of petition ``index``."""
    return _draft_json(_make_draft(index, seed))


# ----------------------------------------------------------------------------- public API
def _check_count(count: int) -> None:
    if count < 0:
        raise ValueError("count must be >= 0")
    if count > title_space_size():
        raise ValueError(f"count must be <= {title_space_size():,}")


def generate(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED, *, full: bool = False
             ) -> Iterator[Petition]:  # fmt: skip
    """Yield ``count`` petitions, deterministically from ``seed``.

    By default each petition is exactly what :func:`core.ingest.parser.parse_text` reads
    back from :func:`core.ingest.writer.render_document` of it. With ``full=True`` the
    JSON-only fields are filled too (seat ``ons_code``, ``state``,
    ``additional_details``, ``departments``) and the response's department is
    the API's rather than the one recovered from the details (the same text).
    """
    _check_count(count)
    for index in range(count):
        yield _petition(_make_draft(index, seed), full)


def markdown_view(petition: Petition) -> Petition:
    """``petition`` without what the Markdown cannot carry (for comparing a full one)."""
    seats = tuple(row._replace(ons_code=None) for row in petition.constituencies)
    response = petition.government_response
    if response is not None:
        response = replace(response, department=parse_department(response.details))
    return replace(
        petition,
        constituencies=seats,
        government_response=response,
        state=None,
        additional_details=None,
        departments=(),
        topics=(),
        debate=None,
    )


@dataclass
class ArchiveStats:
    """What :func:`write_archive` wrote."""

    count: int = 0
    seat_rows: int = 0  # constituency rows incl. Unknown, as in the Markdown tables
    country_rows: int = 0
    markdown_bytes: int = 0
    json_bytes: int = 0
    seconds: float = 0.0
    totals: list[int] = field(default_factory=list)

    def merge(self, other: ArchiveStats) -> None:
        self.count += other.count
        self.seat_rows += other.seat_rows
        self.country_rows += other.country_rows
        self.markdown_bytes += other.markdown_bytes
        self.json_bytes += other.json_bytes
        self.totals += other.totals


class _QueryIndex:
    """The few facts about an archive the query set needs (kept small for 50k)."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.titles: list[str] = []
        self.seats: set[str] = set()  # seat names listed in some petition
        self.mp_forms: set[str] = set()  # MPs as printed in some petition
        # Fast path for write_archive: seats listed per MP era.
        self._listed: dict[int, np.ndarray] = {}

    def add(self, petition: Petition) -> None:
        self.ids.append(petition.id)
        self.titles.append(petition.title)
        for row in petition.constituencies:
            if not row.is_unknown:
                self.seats.add(row.name)
                if row.mp:
                    self.mp_forms.add(row.mp)

    def add_draft(self, draft: _Draft) -> None:
        self.ids.append(draft.id)
        self.titles.append(draft.title)
        era = bisect_right(_MP_BREAKS, draft.refreshed)
        listed = self._listed.get(era)
        if listed is None:
            listed = self._listed[era] = np.zeros(len(SEATS), dtype=bool)
        listed[draft.seat_idx] = True

    def finish(self) -> None:
        for era, listed in self._listed.items():
            mps = _mps_in_era(era)
            for s in np.nonzero(listed)[0].tolist():
                self.seats.add(_SEAT_NAMES[s])
                mp = mps[s]
                if mp:
                    self.mp_forms.add(mp)
        self._listed.clear()

    def merge(self, other: _QueryIndex) -> None:
        self.ids += other.ids
        self.titles += other.titles
        self.seats |= other.seats
        self.mp_forms |= other.mp_forms
        for era, listed in other._listed.items():
            if era in self._listed:
                self._listed[era] |= listed
            else:
                self._listed[era] = listed.copy()

    def mps(self) -> dict[str, list[str]]:
        """Person name (honorifics dropped, spaces collapsed) → printed forms."""
        out: dict[str, list[str]] = {}
        for form in sorted(self.mp_forms):
            out.setdefault(" ".join(person_name(form).split()), []).append(form)
        return out


def _write_range(
    task: tuple[Path, int, int, int, bool, bool],
) -> tuple[ArchiveStats, _QueryIndex]:
    """Write petitions ``start..stop``; return their stats and query facts."""
    out, seed, start, stop, markdown, json = task
    md_dir, json_dir = out / "markdown", out / "json"
    stats = ArchiveStats()
    index = _QueryIndex()
    for i in range(start, stop):
        draft = _make_draft(i, seed)
        petition = _petition(draft, full=False)
        index.add_draft(draft)
        stats.count += 1
        stats.seat_rows += len(petition.constituencies)
        stats.country_rows += len(petition.countries)
        stats.totals.append(petition.total_signatures)
        if markdown:
            data = render_document(petition).encode("utf-8")
            (md_dir / f"{petition.id}.md").write_bytes(data)
            stats.markdown_bytes += len(data)
        if json:
            data = _json.dumps(_draft_json(draft)).encode("utf-8")
            (json_dir / f"{petition.id}.json").write_bytes(data)
            stats.json_bytes += len(data)
    return stats, index


def write_archive(
    out_dir: str | Path,
    count: int = DEFAULT_COUNT,
    seed: int = DEFAULT_SEED,
    markdown: bool = True,
    json: bool = False,
    *,
    queries: bool = True,
    queries_per_kind: int = DEFAULT_QUERIES_PER_KIND,
    workers: int = 1,
    stats: ArchiveStats | None = None,
) -> Path:
    """Write the archive (and ``queries.jsonl``) under ``out_dir``; return ``out_dir``.

    ``workers > 1`` generates in that many processes; the files are the same.
    """
    _check_count(count)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if markdown:
        (out / "markdown").mkdir(exist_ok=True)
    if json:
        (out / "json").mkdir(exist_ok=True)
    stats = stats if stats is not None else ArchiveStats()
    started = time.perf_counter()
    step = max(1, min(2_000, -(-count // max(1, 4 * workers))))
    tasks = [(out, seed, lo, min(count, lo + step), markdown, json) for lo in range(0, count, step)]
    if workers > 1 and len(tasks) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_write_range, tasks, chunksize=1)
    else:
        parts = [_write_range(task) for task in tasks]
    index = _QueryIndex()
    for part_stats, part_index in parts:
        stats.merge(part_stats)
        index.merge(part_index)
    if queries:
        _write_queries(out, index, seed, queries_per_kind)
    stats.seconds = time.perf_counter() - started
    return out


def write_queries(
    out_dir: str | Path,
    petitions: Iterable[Petition],
    seed: int = DEFAULT_SEED,
    per_kind: int = DEFAULT_QUERIES_PER_KIND,
) -> Path:
    """Write ``out_dir/queries.jsonl`` for ``petitions`` (consumed once); return its path."""
    index = _QueryIndex()
    for petition in petitions:
        index.add(petition)
    return _write_queries(Path(out_dir), index, seed, per_kind)


# ----------------------------------------------------------------------------- queries
PETITION_VARIANTS = (
    "exact-id", "url", "typo-title", "dropped-word-title", "lower-title", "partial-title",
    "typo-title", "partial-title", "dropped-word-title", "typo-title",
)  # fmt: skip
CONSTITUENCY_VARIANTS = (
    "constituency-exact", "constituency-lower", "constituency-variant", "constituency-typo",
    "constituency-variant", "constituency-typo",
)  # fmt: skip
MP_VARIANTS = ("mp-honorific", "mp-plain", "mp-surname-typo", "mp-lower", "mp-plain",
               "mp-surname-typo")  # fmt: skip

_KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc",
    "g": "ftyhbv", "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop",
    "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz",
    "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip


def typo(word: str, rnd: random.Random) -> str:
    """One realistic typing error in ``word`` (substitution, deletion, transposition, double)."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(word) < 3 or len(letters) < 3:
        return word
    for _ in range(10):
        i = rnd.choice(letters[1:])  # keep the first letter
        kind = rnd.randrange(4)
        if kind == 0:
            near = _KEYBOARD.get(word[i].lower(), "")
            if not near:
                continue
            out = word[:i] + rnd.choice(near) + word[i + 1 :]
        elif kind == 1:
            out = word[:i] + word[i + 1 :]
        elif kind == 2:
            if i + 1 >= len(word) or word[i] == word[i + 1] or not word[i + 1].isalpha():
                continue
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            out = word[:i] + word[i] + word[i:]
        if out != word:
            return out
    return word


_STOP = {"a", "an", "the", "of", "to", "in", "on", "for", "and", "by", "at", "all", "it"}


def _title_typo(title: str, rnd: random.Random) -> str:
    words = title.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.lower() not in _STOP]
    if not candidates:
        return title
    for i in rnd.sample(candidates, min(len(candidates), rnd.randint(1, 2))):
        word = typo(words[i], rnd)
        if rnd.random() < 0.4:
            word = typo(word, rnd)
        words[i] = word
    return " ".join(words)


def _drop_words(title: str, rnd: random.Random) -> str:
    words = title.rstrip(".").split()
    if len(words) < 5:
        return title
    droppable = list(range(1, len(words)))
    for i in sorted(rnd.sample(droppable, rnd.randint(1, 2)), reverse=True):
        del words[i]
    return " ".join(words)


def _half(title: str, rnd: random.Random) -> list[str]:
    """The first and the second half of the title (small words trimmed at the cut)."""
    words = title.rstrip(".").split()
    if len(words) < 4:
        return []
    half = max(3, (len(words) + 1) // 2)
    out = []
    for part in (words[:half], words[-half:]):
        while part and part[0].lower() in _STOP:
            part = part[1:]
        while part and part[-1].lower() in _STOP:
            part = part[:-1]
        if len(part) >= 3:
            out.append(" ".join(part))
    if rnd.random() < 0.5:
        out.reverse()
    return out


class _Matcher:
    """Checks that a noisy query still has exactly one best answer among ``choices``."""

    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = [fold(c) for c in choices]

    def unique_best(self, query: str, expected: int, margin: float = 0.5) -> bool:
        from rapidfuzz import fuzz, process

        q = fold(query)
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio, fuzz.token_set_ratio):
            top = process.extract(q, self.choices, scorer=scorer, limit=3)
            if not top or top[0][2] != expected:
                return False
            best = top[0][1]
            others = [score for _, score, i in top[1:] if self.choices[i] != self.choices[expected]]
            if others and others[0] > best - margin:
                return False
        return True

    def unique_substring(self, query: str, expected: int) -> bool:
        q = fold(query)
        if not q:
            return False
        hits = [i for i, c in enumerate(self.choices) if q in c]
        return hits == [expected]


def _petition_queries(index: _QueryIndex, rnd: random.Random, n: int) -> list[dict[str, object]]:
    if not index.ids:
        return []
    matcher = _Matcher(index.titles)
    out: list[dict[str, object]] = []
    attempts = 0
    while len(out) < n and attempts < n * 20:
        variant = PETITION_VARIANTS[len(out) % len(PETITION_VARIANTS)]
        attempts += 1
        k = rnd.randrange(len(index.ids))
        pid, title = index.ids[k], index.titles[k]
        query: str | None = None
        if variant == "exact-id":
            query = str(pid)
        elif variant == "url":
            query = rnd.choice(
                (
                    f"{BASE_URL}{pid}",
                    f"petition.parliament.uk/petitions/{pid}",
                    f"{BASE_URL}{pid}/",
                    f"{BASE_URL}{pid}?reveal_response=yes",
                    f"{BASE_URL}{pid}.json",
                )
            )
        elif variant == "lower-title":
            query = title.lower()
        elif variant == "typo-title":
            candidate = _title_typo(title, rnd)
            if candidate != title and matcher.unique_best(candidate, k):
                query = candidate
        elif variant == "dropped-word-title":
            candidate = _drop_words(title, rnd)
            if candidate != title and matcher.unique_best(candidate, k):
                query = candidate
        elif variant == "partial-title":
            for candidate in _half(title, rnd):
                if matcher.unique_substring(candidate, k):
                    query = candidate
                    break
        if query is not None:
            out.append({"kind": "petition", "query": query, "expected": pid, "variant": variant})
    return out


def _seat_variant(name: str, rnd: random.Random) -> str | None:
    options = []
    if "," in name:
        options.append(name.replace(",", ""))
    if "-" in name:
        options.append(name.replace("-", " "))
    if strip_accents(name) != name:
        options.append(strip_accents(name))
    if " and " in name:
        options.append(name.replace(" and ", " & "))
    if name.startswith("St "):
        options.append("St. " + name[3:])
    if "-super-" in name:
        options.append(name.replace("-super-", "-Super-"))
    return rnd.choice(options) if options else None


def _constituency_queries(
    index: _QueryIndex, rnd: random.Random, n: int
) -> list[dict[str, object]]:
    names = sorted(index.seats)
    if not names:
        return []
    matcher = _Matcher(_SEAT_NAMES)
    position = {name: i for i, name in enumerate(_SEAT_NAMES)}
    with_variant = [name for name in names if _seat_variant(name, rnd)]
    out: list[dict[str, object]] = []
    attempts = 0
    while len(out) < n and attempts < n * 20:
        variant = CONSTITUENCY_VARIANTS[len(out) % len(CONSTITUENCY_VARIANTS)]
        attempts += 1
        query: str | None = None
        if variant == "constituency-variant":
            if not with_variant:
                variant = "constituency-lower"
            else:
                name = rnd.choice(with_variant)
                query = _seat_variant(name, rnd)
                if query and rnd.random() < 0.3:
                    query = query.lower()
        if variant != "constituency-variant":
            name = rnd.choice(names)
            if variant == "constituency-exact":
                query = name
            elif variant == "constituency-lower":
                query = name.lower()
            else:
                words = name.split()
                long_words = [i for i, w in enumerate(words) if len(w) >= 5]
                if long_words:
                    i = rnd.choice(long_words)
                    words[i] = typo(words[i], rnd)
                    candidate = " ".join(words)
                    if candidate != name and matcher.unique_best(candidate, position[name], 2):
                        query = candidate
        if query is not None:
            out.append(
                {"kind": "constituency", "query": query, "expected": name, "variant": variant}
            )
    return out


_HONORIFIC_SWAPS = (("Rt Hon ", ""), (" MP", ""), (" KC", ""), (" QC", ""))


def _mp_queries(index: _QueryIndex, rnd: random.Random, n: int) -> list[dict[str, object]]:
    mps = index.mps()
    names = sorted(mps)
    if not names:
        return []
    matcher = _Matcher(names)
    position = {name: i for i, name in enumerate(names)}
    # MPs printed with more than "<name> MP" (Rt Hon, Sir, Dr, KC, ...).
    decorated = [name for name in names if any(form != f"{name} MP" for form in mps[name])]
    out: list[dict[str, object]] = []
    attempts = 0
    while len(out) < n and attempts < n * 20:
        variant = MP_VARIANTS[len(out) % len(MP_VARIANTS)]
        attempts += 1
        name = rnd.choice(names)
        if variant == "mp-honorific" and decorated and rnd.random() < 0.8:
            name = rnd.choice(decorated)
        query: str | None = None
        if variant == "mp-honorific":
            query = rnd.choice(mps[name])
            if rnd.random() < 0.3:
                old, new = rnd.choice(_HONORIFIC_SWAPS)
                query = query.replace(old, new)
        elif variant == "mp-plain":
            query = name
        elif variant == "mp-lower":
            query = name.lower()
        else:
            words = name.split()
            surname = words[-1]
            if len(surname) >= 4:
                words[-1] = typo(surname, rnd)
                candidate = " ".join(words)
                if candidate != name and matcher.unique_best(candidate, position[name], 2):
                    query = candidate
        if query is not None:
            out.append({"kind": "mp", "query": query, "expected": name, "variant": variant})
    return out


def _write_queries(out: Path, index: _QueryIndex, seed: int, per_kind: int) -> Path:
    index.finish()
    rnd = random.Random(seed * 31337 + 5)
    rows = (
        _petition_queries(index, rnd, per_kind)
        + _constituency_queries(index, rnd, per_kind)
        + _mp_queries(index, rnd, per_kind)
    )
    out.mkdir(parents=True, exist_ok=True)
    path = out / "queries.jsonl"
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(_json.dumps(row, ensure_ascii=False) + "\n")
    return path


# ----------------------------------------------------------------------------- CLI
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.synth",
        description="Generate a synthetic petition archive with a ground-truth query set.",
    )
    parser.add_argument("out_dir", type=Path, help="output directory")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="petitions (10,000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (1)")
    parser.add_argument("--markdown", action=argparse.BooleanOptionalAction, default=True,
                        help="write markdown/<id>.md (default: yes)")  # fmt: skip
    parser.add_argument("--json", action=argparse.BooleanOptionalAction, default=False,
                        help="also write json/<id>.json in the API shape")  # fmt: skip
    parser.add_argument("--workers", type=int, default=1,
                        help="processes to generate with (1; the output is the same)")  # fmt: skip
    parser.add_argument("--queries-per-kind", type=int, default=DEFAULT_QUERIES_PER_KIND,
                        help="queries per kind in queries.jsonl (300; 0 for none)")  # fmt: skip
    args = parser.parse_args(argv)
    stats = ArchiveStats()
    try:
        write_archive(
            args.out_dir,
            args.count,
            args.seed,
            markdown=args.markdown,
            json=args.json,
            queries=args.queries_per_kind > 0,
            queries_per_kind=args.queries_per_kind,
            workers=args.workers,
            stats=stats,
        )
    except ValueError as exc:
        parser.error(str(exc))
    totals = np.array(stats.totals or [0])
    print(
        f"{stats.count:,} petitions in {stats.seconds:.1f} s: {stats.seat_rows:,} constituency "
        f"rows, {stats.country_rows:,} country rows; markdown {stats.markdown_bytes / 1e6:.1f} MB"
        f", json {stats.json_bytes / 1e6:.1f} MB; totals median {int(np.median(totals)):,}, "
        f"<1k {np.mean(totals < 1000):.0%}, >=10k {int(np.sum(totals >= 10_000)):,}, "
        f">=100k {int(np.sum(totals >= 100_000)):,}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
