"""Name normalisation shared by the parser, storage and search.

Petition data spells the same thing several ways: "Weston-super-Mare" and
"Weston-Super-Mare", "Ynys Môn" and "Ynys Mon", "Brighton, Pavilion", and MPs
printed with honorifics that change over time ("Sir Geoffrey Cox QC MP" later
"... KC MP"). One folding function used everywhere means a name stored at
ingest and a name typed by a user meet in the same key space.
"""

from __future__ import annotations

import re
import unicodedata

# Honorifics that can precede a name. Multi-word ones are matched first.
_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("rt", "hon"),
    ("right", "hon"),
    ("right", "honourable"),
    ("the",),
    ("hon",),
    ("sir",),
    ("dame",),
    ("dr",),
    ("mr",),
    ("mrs",),
    ("ms",),
    ("miss",),
    ("mx",),
    ("prof",),
    ("professor",),
    ("rev",),
    ("revd",),
)
# Post-nominals that can follow a name. "Lord" is deliberately absent from both
# lists: "Mr Jonathan Lord MP" is Jonathan Lord.
_SUFFIXES: frozenset[str] = frozenset(
    {"mp", "kc", "qc", "pc", "cbe", "obe", "mbe", "kbe", "dbe", "gbe", "frs", "dl", "jp", "msp"}
    | {"ms", "kcb", "gcb", "cb", "kcmg", "gcmg", "cmg", "kcvo", "gcvo", "cvo", "lvo", "mvo"}
    | {"dso", "mc", "td", "vr", "qpm"}
)

_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """ "Ynys Môn" → "Ynys Mon", "Glyndŵr" → "Glyndwr"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Key for matching: lower case, no accents, punctuation as spaces, single spaces.

    "Brighton, Pavilion" and "brighton pavilion" fold to the same key, as do
    "Weston-super-Mare" and "weston super mare".
    """
    text = strip_accents(text).casefold().replace("&", " and ").replace("'", "").replace("’", "")
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _token_key(token: str) -> str:
    return token.strip(".,").casefold()


def person_name(printed: str) -> str:
    """The name without honorifics, as a person would say it.

    "Rt Hon Sir Alan Campbell MP" → "Alan Campbell"; "Alex Chalk KC MP" →
    "Alex Chalk"; "Mr Jonathan Lord MP" → "Jonathan Lord". A name made only of
    honorifics is returned unchanged (collapsed) rather than emptied.
    """
    tokens = printed.split()
    start, end = 0, len(tokens)
    changed = True
    while changed and start < end:
        changed = False
        for prefix in _PREFIXES:
            size = len(prefix)
            window = tuple(_token_key(t) for t in tokens[start : start + size])
            if window == prefix and end - start > size:
                start += size
                changed = True
                break
    while end - start > 1 and _token_key(tokens[end - 1]) in _SUFFIXES:
        end -= 1
    return " ".join(tokens[start:end])


def person_key(printed: str) -> str:
    """Folded key of a person's name without honorifics (for MP lookup)."""
    return fold(person_name(printed))


_SUFFIX_RULES: tuple[tuple[str, str], ...] = (
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("es", ""),
    ("ed", ""),
    ("s", ""),
)


def stem(word: str) -> str:
    """A crude English stem of a folded word, so that word forms can meet in search.

    "farming", "farms" and "farm" → "farm"; "charges"/"charge" → "charg";
    "businesses"/"business" → "business";
    "policies"/"policy" → "policy"; "stopped" → "stop". Deliberately small: it
    only has to make forms of one word collide, never to be a real word, and it
    keeps at least three letters ("bus", "nhs" stay as they are).
    """
    for suffix, replacement in _SUFFIX_RULES:
        if suffix == "s" and word.endswith("ss"):
            break  # "business", "access": not a plural
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]  # "stopp(ed)", "runn(ing)"
    return word
