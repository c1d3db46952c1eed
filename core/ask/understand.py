"""Reading a question: which kind of question it is, and which spans name what.

Pure text work, no database: a question is normalised (case, curly quotes,
apostrophes, trailing punctuation) and matched against an ordered list of
question forms. Each form says what is asked (an :class:`Intent`) and captures
the spans that should name a petition (``p``, ``p2``), a place — a seat or an
MP — (``place``), or a search text (``q``). :mod:`core.ask.route` then hands
those spans to the one resolver and decides whether it knows enough to answer.

Deterministic on purpose: the same question always reads the same way, and the
reading can be shown back to the user ("Woking × 'Pause Ofsted inspections…'").
A question matching no form is not guessed at: it falls through to "a petition,
seat or MP named on its own" and, failing that, to the closest command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from rapidfuzz.distance import OSA


class Intent(StrEnum):
    """What a question asks for (each maps onto one existing command)."""

    SEAT_COUNT = "seat_count"  # a seat's / MP's count for a petition
    SEAT_MOST = "seat_most"  # what a seat / MP's constituents signed most
    WHERE = "where"  # where a petition is strongest / weakest
    TOTAL = "total"  # a petition's total
    STATE = "state"  # open / closed / rejected
    DEADLINE = "deadline"
    RESPONSE = "response"
    DEBATE = "debate"
    COMPARE = "compare"
    LEADERBOARD = "leaderboard"
    SEARCH = "search"
    CHART = "chart"
    CHANGES = "changes"  # what crossed a threshold / was new in a time window
    FOLLOW = "follow"
    WHO_MP = "who_mp"  # who is the MP for a seat
    MP_SEAT = "mp_seat"  # which seat an MP holds
    NAMED = "named"  # just a name: show it


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a question: the intent, its spans and its modifiers."""

    intent: Intent
    spans: dict[str, str] = field(default_factory=dict)
    by: str = "constituencies"  # WHERE: constituencies | countries | rate
    weakest: bool = False
    kind: str = "top"  # CHART: top | history | map
    metric: str = "count"  # CHART: count | rate
    state: str | None = None  # LEADERBOARD / SEARCH filter
    mp_lean: bool = False  # the place span reads as a person ("X's constituents")
    region: str | None = None  # "in Scotland": a region the question narrows to
    text: str = ""


_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "´": "'"})
_TRAILING = re.compile(r"[\s?!.,;:]+$")
_LEADING = re.compile(r"^(?:/?ask\s+|hey\s+|hi\s+|ok\s+|so\s+|please\s+|pls\s+|bot,?\s+)+")
_POLITE = re.compile(r"\s+(?:please|pls|thanks|thank you|mate)$")
_SPACES = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+")


# The words questions are made of: a typo in one of these ("constiituents",
# "leaderbord", "govvernment") is corrected before the forms are matched, so
# the forms need not list misspellings. Only longer words, and only to a word
# of this list, so titles and names are left alone.
KEYWORDS = frozenset(
    [
        "signatures",
        "signature",
        "signed",
        "signing",
        "constituents",
        "constituency",
        "constituencies",
        "government",
        "petition",
        "petitions",
        "leaderboard",
        "deadline",
        "difference",
        "between",
        "compare",
        "popular",
        "responded",
        "response",
        "debated",
        "strongest",
        "weakest",
        "countries",
        "electors",
        "parliament",
        "popular",
        "biggest",
        "largest",
        "closed",
        "rejected",
        "inquiry",
    ]
)
_KEYWORDS_BY_LENGTH: dict[int, list[str]] = {}
for _word in KEYWORDS:
    _KEYWORDS_BY_LENGTH.setdefault(len(_word), []).append(_word)


def _keyword(word: str) -> str:
    """The keyword ``word`` is a slip of, or ``word`` itself."""
    if len(word) < 6 or word in KEYWORDS or not word.isalpha():
        return word
    edits = 2 if len(word) >= 9 else 1
    best, best_distance = word, edits + 1
    for size in range(len(word) - edits, len(word) + edits + 1):
        for keyword in sorted(_KEYWORDS_BY_LENGTH.get(size, ())):
            distance = OSA.distance(word, keyword, score_cutoff=edits)
            if distance > edits:
                continue
            if distance < best_distance or (distance == best_distance and keyword[-1] == word[-1]):
                best, best_distance = keyword, distance
    return best


def normalise(question: str) -> str:
    """Lower case, plain quotes, no apostrophes, no trailing punctuation or pleasantries.

    Apostrophes go entirely ("mitchell's" and "mitchells" read the same); URLs
    are kept as typed so the resolver can read a petition id from them.
    """
    text = question.translate(_QUOTES).strip()
    urls = _URL.findall(text)
    for n, url in enumerate(urls):
        text = text.replace(url, f" \x00{n}\x00 ")
    text = text.lower().replace("'", "").replace('"', " ")
    text = re.sub(r"[(){}\[\]]", " ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _TRAILING.sub("", text)
    text = _LEADING.sub("", text)
    text = _POLITE.sub("", text)
    text = _TRAILING.sub("", text)
    text = re.sub(r"\s*,\s*", " ", text)
    text = " ".join(_keyword(w) for w in text.split())
    for n, url in enumerate(urls):
        text = text.replace(f"\x00{n}\x00", url.rstrip("?.!,"))
    return _SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------- vocabulary
_SIGN = r"(?:signed|sign|signing|backed|back|supported|support|supporting|voted for|vote for)"
_PEOPLE = (
    r"(?:people|voters|residents|constituents|folk|folks|persons|locals|signatures|"
    r"signers|signatories|ppl)"
)
_HOW_MANY = r"(?:how many|how much|how mnay|hw many|how meny|number of|the number of)"
_GOVT = r"(?:the )?(?:government|goverment|govenment|govt|gov|ministers|uk government)"
_RESPONDED = r"(?:responded|respond|replied|reply|answered|answer|responsed|resonded)"
_RATE = re.compile(
    r"\b(?:by rate|rate|rates|per 1 ?000|per thousand|per capita|per head|per elector|"
    r"per voter|proportion|proportionally|relative to (?:population|electorate|size)|"
    r"electorate|share of voters|normalised|normalized)\b"
)
_WEAK = re.compile(r"\b(?:weakest|least|fewest|lowest|smallest|worst|bottom)\b")
_COUNTRIES = re.compile(r"\b(?:countries|country|abroad|overseas|outside the uk|worldwide)\b")
REGIONS = (
    "scotland",
    "wales",
    "northern ireland",
    "england",
    "london",
    "north east",
    "north west",
    "yorkshire and the humber",
    "yorkshire",
    "east midlands",
    "west midlands",
    "east of england",
    "south east",
    "south west",
    "the north",
    "the south",
    "the midlands",
)
_REGION = re.compile(
    r" ?\b(?:in|across|within|around) (?:the )?(" + "|".join(REGIONS) + r")"
    r"(?=$| is | was | did | does | do | are | were | has | have | signed | sign | backed "
    r"| supported | support )"
)
"""A region that ends the question or its subject ("where in Wales is …"); a seat
named after one ("in South West Norfolk") is not followed by a verb."""
_HOME = re.compile(
    r"^(?:my|our) (?:constituency|constituancy|consituency|seat|area|town|patch|"
    r"local area|mp|constituents|mps constituents|mps constituency)$|^here$|^round here$"
)

_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "petition",
        "petitions",
        "to",
        "of",
        "for",
        "on",
        "about",
        "regarding",
        "in",
        "and",
        "that",
        "this",
    ]
)
GENERIC = frozenset(
    [
        "ban",
        "make",
        "stop",
        "end",
        "give",
        "allow",
        "introduce",
        "review",
        "reduce",
        "increase",
        "cut",
        "scrap",
        "fund",
        "protect",
        "require",
        "keep",
        "hold",
        "continue",
        "remove",
        "overturn",
        "create",
        "change",
        "provide",
        "legal",
        "illegal",
        "uk",
        "government",
        "public",
        "new",
        "all",
        "use",
        "more",
        "less",
        "law",
        "laws",
        "free",
        "people",
    ]
)
"""Words too common in titles to tell petitions apart ("ban", "make"): a span
must match on its other words ("ban cats" is not "ban … cars")."""


def is_home(span: str) -> bool:
    """ "my constituency", "my mp", "here": the asker's own seat."""
    return bool(_HOME.match(span.strip()))


def clean_petition_span(span: str) -> str:
    """The title words of a petition span: no "the … petition", "petition to", quotes."""
    text = f" {span.strip()} "
    text = re.sub(r" (?:the|a|an|that|this) (?=\S)", " ", text, count=1)
    text = re.sub(
        r" (?:e-?petition|petition|petiton|petion|pettition)s?"
        r"(?: (?:called|named|titled|to|about|on|for|against|regarding|saying|asking))? ",
        " ",
        text,
    )
    text = re.sub(r" one (?:about|on) ", " ", text)
    text = re.sub(r" one $", " ", text)
    text = re.sub(r"^ (?:about|on|for|regarding) ", " ", text)
    text = re.sub(
        r" (?:so far|in total|overall|altogether|now|currently|yet|then)$", "", text.rstrip()
    )
    text = re.sub(r"^\s*(?:the|a|an)\s+", "", text.strip())
    return text.strip()


def clean_place_span(span: str) -> tuple[str, bool]:
    """A place span without "people in", "the … constituency"; and whether it reads as an MP."""
    text = span.strip()
    mp_lean = False
    text = re.sub(
        r"^(?:the )?(?:people|voters|residents|constituents|folk) (?:in|of|from) ", "", text
    )
    text = re.sub(r"^(?:the )?(?:constituency|seat|constituancy) of ", "", text)
    if re.search(r"\b(?:constituents|mps? constituency|mps? seat)$", text) or re.match(
        r"^(?:mp|the mp|my mp|member of parliament|member) ", text
    ):
        mp_lean = not re.match(r"^(?:the )?mp (?:for|of|in) ", text)
    text = re.sub(r"^(?:the )?(?:mp|member of parliament) (?:for|of|in) ", "", text)
    text = re.sub(r"^(?:mp|the mp|member of parliament) ", "", text)
    if is_home(text):
        return text, mp_lean
    text = re.sub(r" (?:mps?|s) (?:constituents|constituency|seat|area)$", "", text)
    text = re.sub(
        r" (?:constituents|constituency|constituancy|seat|area|voters|residents|mp)$", "", text
    )
    text = re.sub(r"^(?:the )?(?:people|voters|residents) (?:of|in) ", "", text)
    text = re.sub(r"^(?:the|in|from) ", "", text)
    return text.strip(), mp_lean


# ---------------------------------------------------------------- question forms
@dataclass(frozen=True, slots=True)
class Form:
    intent: Intent
    pattern: re.Pattern[str]


def _f(intent: Intent, pattern: str) -> Form:
    return Form(intent, re.compile(pattern))


_FORMS: tuple[Form, ...] = (
    # follow requests (answered once /follow exists)
    _f(
        Intent.FOLLOW,
        r"^(?:can you |could you |will you )?(?:tell|notify|alert|ping|message|dm|remind|let) me"
        r"(?: know)? (?:when|if|once|as soon as) (?P<p>.+?) (?:gets?|has|reaches|receives|is|hits|"
        r"crosses|passes|goes|will get|closes|gets to)\b.*$",
    ),
    _f(
        Intent.FOLLOW,
        r"^(?:follow|watch|track|subscribe to|keep me posted on|keep an eye on) (?P<p>.+)$",
    ),
    # recent changes
    _f(
        Intent.CHANGES,
        r"^(?:what|which|whats|any|did any)(?: petitions?)?(?: has| have| had)? (?:crossed|passed|"
        r"reached|hit|went over|gone over|got to|broke|topped) .*$",
    ),
    _f(
        Intent.CHANGES,
        r"^(?:what|which|whats|any)(?: new)? petitions? (?:got|received|had|have had|have got)"
        r" (?:a )?(?:government )?(?:response|responses|answer|reply)"
        r"(?: this week| today| yesterday| recently| lately| this month)?$",
    ),
    _f(
        Intent.CHANGES,
        r"^(?:whats|what is|what has|what petitions are|which petitions are)? ?(?:new|changed|"
        r"moving|"
        r"trending|rising|growing fastest|fastest growing)(?: petitions)?"
        r"(?: this week| today| yesterday| recently| lately| this month| since yesterday)$",
    ),
    _f(
        Intent.CHANGES,
        r"^(?:new|latest|recent) petitions(?: this week| today| yesterday| recently| lately)?$",
    ),
    # search
    _f(
        Intent.SEARCH,
        r"^(?:are there |is there |find |find me |search for |search |show me |list |any |get |"
        r"look for |look up )*(?:any )?(?P<st>new |recent |latest |open |closed |rejected )?"
        r"(?:e-?)?petitions? (?:about|on|regarding|concerning|to do with|mentioning|with|related "
        r"to|"
        r"relating to|against|for|calling for|asking for) (?P<q>.+)$",
    ),
    _f(Intent.SEARCH, r"^(?:find|search for|search|look for|look up) (?P<q>.+)$"),
    # who is the MP / which seat does an MP hold
    _f(
        Intent.WHO_MP,
        r"^(?:who is|whos|who are|who|who represents|who is the mp for|what mp is)"
        r"(?: the)?(?: current)?(?: local)? (?:mp|member of parliament|mp for|member)?"
        r" ?(?:for|of|in|representing) (?P<place>.+)$",
    ),
    _f(Intent.WHO_MP, r"^(?:who represents|who is mp for|who is the mp in) (?P<place>.+)$"),
    _f(Intent.WHO_MP, r"^(?:who is|whos|who s) (?P<place>my mp|our mp)$"),
    _f(
        Intent.MP_SEAT,
        r"^(?:which|what) (?:seat|constituency|constituancy|area) (?:does|did|is) (?P<place>.+?)"
        r" (?:represent|hold|sit for|mp for|cover|the mp for)$",
    ),
    _f(Intent.MP_SEAT, r"^where is (?P<place>.+?) (?:the )?mp (?:for|of)$"),
    _f(Intent.MP_SEAT, r"^(?:who is|whos|who was|tell me about mp) (?P<place>[a-z ]+)$"),
    # compare
    _f(
        Intent.COMPARE,
        r"^(?:compare|comparison of|comparison between|difference between|contrast|compare the"
        r" petitions|how does|how do) (?P<pair>.+?)(?: compare| stack up| differ)?$",
    ),
    _f(Intent.COMPARE, r"^(?P<pair>.+ (?:vs|versus|v|compared to|compared with) .+)$"),
    _f(
        Intent.COMPARE,
        r"^(?:which|what) (?:is|has|got) (?:bigger|more signatures|more popular)"
        r"(?: between)? (?P<pair>.+)$",
    ),
    # charts and maps
    _f(
        Intent.CHART,
        r"^(?:.*\b)?(?:map|maps|hex ?map|chart|graph|plot|bar chart|histogram|visuali[sz]e|"
        r"visuali[sz]ation|timeline|picture)\b(?P<rest>.*)$",
    ),
    _f(Intent.CHART, r"^(?:history of|signatures over time (?:for|of)|growth of) (?P<p>.+)$"),
    _f(
        Intent.CHART,
        r"^(?:how has|how did) (?P<p>.+?) (?:grown|grow|grow over time|changed|progressed)$",
    ),
    # what a seat / an MP's constituents signed most
    _f(
        Intent.SEAT_MOST,
        r"^(?:what|which)(?: petitions?)?(?: have| did| do| has| does)(?: the)?(?: "
        + _PEOPLE
        + r")?(?: in| from| of)? (?P<place>.+?) "
        + _SIGN
        + r"(?: the)?(?: most| more| mostly|"
        r" the most| lots of| a lot)?(?: often)?$",
    ),
    _f(
        Intent.SEAT_MOST,
        r"^(?:what|which|whats)(?: petitions?)?(?: are| is)?(?: " + _PEOPLE + r")?(?: in| from)?"
        r" (?P<place>.+?) (?:signing|backing|supporting|most interested in|into)$",
    ),
    _f(
        Intent.SEAT_MOST,
        r"^(?:what|which) petitions (?:are|were) (?:popular|big|most signed|trending|signed most|"
        r"most popular|the most popular) (?:in|among|with|for) (?P<place>.+)$",
    ),
    _f(
        Intent.SEAT_MOST,
        r"^(?:(?:what|which) (?:are|were) )?(?:the )?(?:top|most signed|most popular|biggest|"
        r"favourite|favorite|popular|leading|main) petitions? (?:in|for|from|of|among|amongst)"
        r" (?P<place>.+)$",
    ),
    _f(
        Intent.SEAT_MOST,
        r"^(?:what|which) (?:petition|petitions) (?:is|are|was|were) (?:most|the most|most often)"
        r" (?:signed|popular|supported) (?:in|by|among) (?P<place>.+)$",
    ),
    _f(Intent.SEAT_MOST, r"^(?:what does|what do) (?P<place>.+?) care about(?: most)?$"),
    # a seat's / an MP's count for a petition
    _f(
        Intent.SEAT_COUNT,
        r"^" + _HOW_MANY + r"(?: " + _PEOPLE + r")?(?: have| has| did)?(?: in| from| living in| at)"
        r" (?P<place>.+?)(?: have| has| did)? " + _SIGN + r" (?P<p>.+)$",
    ),
    _f(
        Intent.SEAT_COUNT,
        r"^" + _HOW_MANY + r"(?: of)? (?P<place>.+? (?:constituents|voters|residents)) "
        r"(?:have |did )?" + _SIGN + r" (?P<p>.+)$",
    ),
    _f(
        Intent.SEAT_COUNT,
        r"^"
        + _HOW_MANY
        + r" (?:constituents|voters|people) (?:of|in) (?P<place>.+?)(?: have| did)? "
        + _SIGN
        + r" (?P<p>.+)$",
    ),
    _f(
        Intent.SEAT_COUNT,
        r"^"
        + _HOW_MANY
        + r" (?:signatures|votes|signers|people)(?: did| does| has| have)? (?P<p>.+?)"
        r" (?:get|got|have|had|receive|received|gotten)(?: in| from) (?P<place>.+)$",
    ),
    _f(
        Intent.SEAT_COUNT,
        r"^" + _HOW_MANY + r" (?:signatures|votes|signers)(?: for| on| of| to) (?P<p>.+?)"
        r" (?:came |come |are |were )?(?:from|in) (?P<place>.+)$",
    ),
    _f(
        Intent.SEAT_COUNT,
        r"^(?:did|do|have|has)(?: many| any| lots of| a lot of| loads of| much| most)?(?: "
        + _PEOPLE
        + r"| anyone| anybody| someone| everyone)? (?:in|from) (?P<place>.+?) "
        + _SIGN
        + r" (?P<p>.+)$",
    ),
    _f(
        Intent.SEAT_COUNT,
        r"^(?:did|do|have|has) (?P<place>.+? (?:constituents|voters|residents)) "
        + _SIGN
        + r" (?P<p>.+)$",
    ),
    _f(
        Intent.SEAT_COUNT,
        r"^how (?:popular|strong|big|well supported|supported|many signed|well) (?:is|was|did)"
        r" (?P<p>.+?) (?:in|among|with|do in|go in|amongst) (?P<place>.+)$",
    ),
    _f(
        Intent.SEAT_COUNT,
        r"^how (?:did|does) (?P<place>.+?) (?:do|vote|respond|react|feel) (?:on|to|about) "
        r"(?P<p>.+)$",
    ),
    # where a petition is strongest / weakest
    _f(
        Intent.WHERE,
        r"^where (?:is|was|are|were|did|does|do|has)(?: the)? (?P<p>.+?) (?:the )?(?:most |least )?"
        r"(?:strongest|weakest|popular|most popular|least popular|signed|signed most|signed least|"
        r"most signed|least signed|supported|most supported|least supported|biggest|smallest|"
        r"highest|lowest|best|worst|strong|weak|get most|get the most|get its|get the)\b.*$",
    ),
    _f(
        Intent.WHERE,
        r"^where (?:did|do) (?:most|the most|fewest|the fewest|the least|least|more|many)"
        r"(?: " + _PEOPLE + r")? " + _SIGN + r" (?P<p>.+?)(?: the)?(?: most| least)?$",
    ),
    _f(
        Intent.WHERE,
        r"^where (?:were|are|did) (?:the |most )?(?:signatures|signers|signatories|people who "
        r"signed)"
        r" (?:for|on|of|to)? ?(?P<p>.+?)(?: from| come from| came from)?$",
    ),
    _f(
        Intent.WHERE,
        r"^(?:which|what) (?:constituencies|constituency|seats|seat|areas|area|places|place|"
        r"countries|country|parts of the country|towns|regions) (?:signed|backed|supported|like|"
        r"liked|"
        r"love|loved|signed up to|care about|cared about|had most signatures for|have the most"
        r" signatures for|had the most signatures for|gave most to)? ?(?P<p>.+?)"
        r"(?: the)?(?: most| least| more| less| best| hardest)?(?: strongly)?$",
    ),
    _f(
        Intent.WHERE,
        r"^(?:top|best|leading|strongest|weakest|bottom) (?:\d+ )?(?:constituencies|seats|"
        r"countries|"
        r"areas|places) (?:for|on|signing|backing|behind) (?P<p>.+)$",
    ),
    _f(
        Intent.WHERE,
        r"^(?P<p>.+?) (?:by|per) (?:constituency|constituencies|seat|seats|country|countries|area|"
        r"rate|electorate|1000 electors|thousand electors)$",
    ),
    # a petition's facts
    _f(
        Intent.RESPONSE,
        r"^(?:has|have|did|will|does)(?: the)? "
        + _GOVT
        + r" (?:ever |already |yet |officially )?"
        + _RESPONDED
        + r"(?: to| on| about)? (?P<p>.+?)(?: yet| already)?$",
    ),
    _f(
        Intent.RESPONSE,
        r"^(?:what|wat|wot) (?:did|has|does|was)(?: the)? "
        + _GOVT
        + r" (?:say|said|reply|respond|response|answer)(?:ed)? (?:about|to|on|regarding) "
        r"(?P<p>.+)$",
    ),
    _f(
        Intent.RESPONSE,
        r"^(?:(?:what is|whats|what was|show me|read|show)(?: the)? )?"
        + _GOVT
        + r"(?:s)? (?:response|reply|answer|position) (?:to|on|for|about|re) (?P<p>.+)$",
    ),
    _f(
        Intent.RESPONSE,
        r"^(?:has|did|have|does) (?P<p>.+?) (?:got|get|had|have|received|receive|gotten)"
        r" (?:a|any|an)? ?(?:government |official )?(?:response|reply|answer)(?: yet)?$",
    ),
    _f(
        Intent.RESPONSE,
        r"^(?:response|reply|government response) (?:to|for|on) (?P<p>.+)$",
    ),
    _f(
        Intent.DEBATE,
        r"^(?:was|has|will|is|did|have|were|would) (?P<p>.+?)(?: ever| already)? (?:been |be |"
        r"being |get |got |gotten )?"
        r"(?:debated|debate|discussed|talked about|heard)(?: in parliament| by parliament| by mps| "
        r"yet)?$",
    ),
    _f(
        Intent.DEBATE,
        r"^(?:did|has|have|will) (?:parliament|mps|the commons|westminster) (?:debate|debated|"
        r"discuss|"
        r"discussed) (?P<p>.+)$",
    ),
    _f(
        Intent.DEBATE,
        r"^(?:when (?:is|was|will) )?(?:the )?(?:debate|debates|parliamentary debate) (?:on|about|"
        r"for|of)"
        r" (?P<p>.+?)(?: be| happen)?$",
    ),
    _f(
        Intent.DEADLINE,
        r"^when (?:does|did|will|do|is) (?P<p>.+?) (?:close|closes|end|ends|finish|expire|run out|"
        r"closing|ending|stop|due to close|shut)$",
    ),
    _f(
        Intent.DEADLINE,
        r"^(?:what is |whats |what was |when is |when was )?(?:the )?(?:deadline|closing date|"
        r"close date|"
        r"end date|closing time|cut off|cutoff) (?:for|of|on) (?P<p>.+)$",
    ),
    _f(
        Intent.DEADLINE,
        r"^how (?:long|much time|many days) (?:is|does|has|have|until|till|left (?:on|for))?"
        r" ?(?P<p>.+?)(?: got| have| has)?(?: left| open| to go| to run| until it closes| "
        r"running)?$",
    ),
    _f(
        Intent.STATE,
        r"^(?:is|was|has|are) (?P<p>.+?) (?:still )?(?:been )?(?:open|closed|rejected|live|active|"
        r"running|finished|over|ended|accepted|going|signable|alive|done|still open)(?: now| "
        r"yet)?$",
    ),
    _f(
        Intent.STATE,
        r"^(?:(?:what is|whats)(?: the)? )?(?:status|state) (?:of|for) (?P<p>.+)$",
    ),
    _f(Intent.STATE, r"^can i (?:still )?sign (?P<p>.+)$"),
    _f(
        Intent.TOTAL,
        r"^"
        + _HOW_MANY
        + r"(?: "
        + _PEOPLE
        + r")?(?: have| has| did| does| are| is)?(?: "
        + _SIGN
        + r"| on| signed up to| put their names to)? (?!(?:in|from|of|at) )(?P<p>.+?)"
        r"(?: got| have| get| has| had| so "
        r"far|"
        r" in total| altogether| now| signed|)$",
    ),
    _f(
        Intent.TOTAL,
        r"^(?:what is|whats|what was|what are)(?: the)? (?:signature count|signatures|total|"
        r"number of signatures|count|total signatures|tally|numbers) (?:for|of|on) (?P<p>.+)$",
    ),
    _f(Intent.TOTAL, r"^how (?:popular|big|large|well supported|successful) (?:is|was) (?P<p>.+)$"),
    _f(
        Intent.TOTAL,
        r"^(?:did|has|have|will) (?P<p>.+?) (?:reach|reached|hit|get to|got to|make it to|pass|"
        r"passed)"
        r" (?:10 ?000|10k|100 ?000|100k|the threshold|the debate threshold|the response "
        r"threshold)$",
    ),
    # leaderboards
    _f(
        Intent.LEADERBOARD,
        r"^(?:(?:what|which) (?:are|were|is) |show me |show |list |give me |tell me )?(?:the )?"
        r"(?:biggest|largest|top|most signed|most popular|most supported|highest|best|leading|"
        r"popular|main)(?: \d+)?(?P<st> open| closed| rejected| live| current| active| running|"
        r" ongoing)? (?:e-?)?petitions?(?: ever| of all time| right now| currently| at the moment|"
        r" now| today| overall| so far| still open| on the site)?$",
    ),
    _f(
        Intent.LEADERBOARD,
        r"^(?:which|what) (?P<st>open |closed |rejected |live |current )?petitions? (?:has|have|"
        r"had|got|"
        r"gets) (?:the )?(?:most|biggest|highest|largest) (?:signatures|support|number of "
        r"signatures)"
        r"(?: ever| right now| now)?$",
    ),
    _f(
        Intent.LEADERBOARD,
        r"^(?:show me |show |open |see |view )?(?:the )?(?:leaderboard|leader board|rankings|"
        r"league table)$",
    ),
)

_STATES = {
    "open": "open",
    "live": "open",
    "current": "open",
    "active": "open",
    "running": "open",
    "ongoing": "open",
    "new": "open",
    "recent": "open",
    "latest": "open",
    "closed": "closed",
    "rejected": "rejected",
}


def _state_word(text: str | None) -> str | None:
    return _STATES.get((text or "").strip()) if text else None


def _chart(text: str, rest: str) -> Reading:
    """ "map of X by rate", "chart X countries": kind, metric and the petition span."""
    kind = "top"
    if re.search(r"\b(?:map|maps|hex ?map)\b", text):
        kind = "map"
    elif re.search(r"\b(?:history|timeline|over time|grow|grown|growth|progress)", text):
        kind = "history"
    metric = "rate" if _RATE.search(text) else "count"
    by = "countries" if _COUNTRIES.search(text) else "constituencies"
    span = text
    span = re.sub(
        r"\b(?:show me|show|draw|make|give me|can i see|can i have|i want|plot|"
        r"a|an|the|of|for|on|please|bar|chart|graph|map|maps|hex ?map|histogram|timeline|"
        r"visuali[sz]e|visuali[sz]ation|picture|history|over time|signatures|by|per|rate|count|"
        r"countries|country|constituencies|constituency|seats|seat|1 ?000|thousand|electors|"
        r"capita|head|proportion|uk|across|growth|grown|grow)\b",
        " ",
        span,
    )
    span = _SPACES.sub(" ", span).strip()
    return Reading(Intent.CHART, {"p": span}, kind=kind, metric=metric, by=by, text=text)


def readings(question: str) -> list[Reading]:
    """Every form the question fits, most specific first (route tries them in turn)."""
    text = normalise(question)
    found: list[Reading] = []
    region_match = _REGION.search(text)
    if region_match is not None:  # read the question without it; the reading keeps it
        text = _SPACES.sub(" ", text.replace(region_match.group(0), " ", 1)).strip()
    for form in _FORMS:
        match = form.pattern.match(text)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        if form.intent is Intent.CHART:
            if "p" in groups:
                chart = Reading(Intent.CHART, {"p": groups["p"]}, kind="history", text=text)
            else:
                chart = _chart(text, groups.get("rest", ""))
            if region_match is not None:
                chart = replace(chart, region=region_match.group(1))
            found.append(chart)
            continue
        state = _state_word(groups.pop("st", None))
        spans = {k: v.strip() for k, v in groups.items() if v.strip()}
        by = "constituencies"
        weakest = False
        if form.intent is Intent.WHERE:
            if _COUNTRIES.search(text):
                by = "countries"
            elif _RATE.search(text):
                by = "rate"
            weakest = bool(_WEAK.search(text))
            p = spans.get("p", "")
            p = _RATE.sub(" ", p)
            p = re.sub(r"\b(?:countries|country|abroad|overseas|outside the uk)\b", " ", p)
            p = re.sub(r"\b(?:the )?(?:most|least|strongest|weakest)$", " ", p.strip())
            spans["p"] = _SPACES.sub(" ", p).strip()
        mp_lean = False
        if "place" in spans:
            spans["place"], mp_lean = clean_place_span(spans["place"])
        found.append(
            Reading(
                form.intent,
                spans,
                by=by,
                weakest=weakest,
                state=state,
                mp_lean=mp_lean,
                region=region_match.group(1) if region_match else None,
                text=text,
            )
        )
    region = region_match.group(1) if region_match else None
    found.append(Reading(Intent.NAMED, {"p": text, "place": text}, region=region, text=text))
    return found


_EXPLICIT = frozenset({" vs ", " versus ", " v ", " compared to ", " compared with "})
_PAIR_SEPARATORS = (
    " vs ",
    " versus ",
    " v ",
    " compared to ",
    " compared with ",
    " against ",
    " and ",
    " with ",
    " or ",
    " to ",
)


def pair_splits(pair: str) -> list[tuple[str, str, bool]]:
    """Every way to cut "X and Y" into two petition spans (explicit "vs" cuts first).

    The flag says the cut is explicit ("vs", "versus", "compared to"): no title
    says that, so the first one that resolves is the answer.
    """
    splits: list[tuple[str, str, bool]] = []
    for separator in _PAIR_SEPARATORS:
        start = 0
        while True:
            at = pair.find(separator, start)
            if at < 0:
                break
            head, tail = pair[:at].strip(), pair[at + len(separator) :].strip()
            if head and tail:
                splits.append((head, tail, separator in _EXPLICIT))
            start = at + 1
    return splits


def place_splits(text: str) -> list[tuple[str, str]]:
    """ "P in L": every cut at " in " / " for " / " from ", the last cut first."""
    splits: list[tuple[str, str]] = []
    for match in re.finditer(r" (?:in|for|from|among) ", text):
        head, tail = text[: match.start()].strip(), text[match.end() :].strip()
        if head and tail:
            splits.append((head, tail))
    return splits[::-1]


def content_words(span: str) -> list[str]:
    """The words of a span that must match: no articles, no "petition"."""
    return [w for w in re.split(r"[^\w]+", span) if w and w not in _STOP]


def telling_words(span: str) -> list[str]:
    """The content words that tell petitions apart (all of them if only generic ones)."""
    words = content_words(span)
    telling = [w for w in words if w not in GENERIC]
    return telling or words
