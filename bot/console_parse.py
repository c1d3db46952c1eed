"""Typed console lines → the invocation the matching slash command would make.

Parsing follows the command registry (:mod:`core.commands`), so a new command
is typed in the console with no code here: the words after its name fill its
required options in order (the last one takes the rest of the line),
``name=value`` or ``--name value`` set any option, and a trailing word that
is one of an optional option's choices sets it (``leaderboard open``,
``digest setup here 09:00 Europe/London weekly``). Values are checked and
converted by the option's declared type, choices and range.

Petition, seat and MP arguments keep their forgiving free-text forms
(:data:`FREE_TEXT`): ``constituency show woking ofsted`` is split where both
names resolve best, ``petition top ofsted by countries 10`` finds its options
by keyword. Discord-only option types become local things: a channel is the
console's one local channel, a file is a path on this machine, a role is its id.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from core.admin.types import Ref, Upload
from core.commands import REGISTRY, Command, Option, OptionType
from core.common.cards import truncate
from core.common.errors import UserFacingError
from core.common.results import Invocation
from core.petitions.types import TABLES
from core.places.postcodes import looks_like_postcode, normalise_postcode
from core.search.resolver import Resolution
from core.search.results import ECHO_LIMIT
from core.services import Services

LOCAL_GUILD_ID = 1
"""The console's one server (no real Discord server has so small an id)."""
LOCAL_CHANNEL = Ref(1, "console")
"""The console's one channel: digests and audit notices "posted" there are printed."""
_RANK = {"exact": 3, "clear": 2, "ambiguous": 1, "none": 0}
_TRUE = frozenset({"yes", "y", "true", "on", "1"})
_FALSE = frozenset({"no", "n", "false", "off", "0"})


class UsageError(UserFacingError):
    """The line could not be understood; the message says how to type it."""


def _usage(name: str) -> str:
    return REGISTRY[name].console_usage


# ---------------------------------------------------------------- free-text forms
def _words(text: str) -> list[str]:
    return text.split()


async def _best_split(
    words: Sequence[str],
    first: Callable[[str], Awaitable[Resolution[Any]]],
    second: Callable[[str], Awaitable[Resolution[Any]]],
    *,
    second_optional: bool,
) -> tuple[str, str | None]:
    """Split words into two names where both resolve best (longer first half on ties)."""
    best: tuple[int, int] | None = None
    choice: tuple[str, str | None] = (" ".join(words), None)
    for k in range(len(words), 0, -1):
        head, tail = " ".join(words[:k]), " ".join(words[k:])
        head_rank = _RANK[(await first(head)).status]
        if tail:
            tail_rank = _RANK[(await second(tail)).status]
            if tail_rank == 0 or head_rank == 0:
                continue
            score = head_rank + tail_rank
        elif second_optional:
            score = head_rank
        else:
            continue
        if best is None or (score, k) > best:
            best, choice = (score, k), (head, tail or None)
    # The whole line read as one name: if a shorter head is that name exactly, the
    # rest was meant as the second argument (a petition); keep it, so a typo there
    # is answered "no petition matches", never silently dropped.
    whole = second_optional and choice[1] is None and len(words) > 1
    if whole and _RANK[(await first(" ".join(words))).status] < _RANK["exact"]:
        for k in range(len(words) - 1, 0, -1):
            head = " ".join(words[:k])
            if (await first(head)).status == "exact":
                return head, " ".join(words[k:])
    return choice


def _split_explicit(text: str) -> tuple[str, str] | None:
    """``a | b`` or ``a vs b``: the user said where the second name starts."""
    for separator in (" | ", "|", " vs ", " versus "):
        if separator in text:
            head, _, tail = text.partition(separator)
            if head.strip() and tail.strip():
                return head.strip(), tail.strip()
    return None


def _take_option(words: list[str], name: str) -> str | None:
    """Remove ``name=value`` or ``--name value`` from ``words`` and return the value."""
    for i, word in enumerate(words):
        lowered = word.lower()
        if lowered.startswith(f"{name}="):
            del words[i]
            return word.split("=", 1)[1]
        if lowered == f"--{name}" and i + 1 < len(words):
            value = words[i + 1]
            del words[i : i + 2]
            return value
    return None


def _parse_top(rest: str) -> Invocation:
    words = _words(rest)
    by = _take_option(words, "by") or "constituencies"
    count_text = _take_option(words, "count")
    for i in range(len(words) - 1, 0, -1):
        # "by X" ends the line (or comes just before the count): X is the table.
        at_end = i == len(words) - 1 or words[i + 1].isdigit() or words[i + 1].lower() == "count"
        if words[i - 1].lower() == "by" and (at_end or _table(words[i]) is not None):
            by = words[i]
            del words[i - 1 : i + 1]
            break
    if by == "constituencies" and len(words) > 1 and _table(words[-1]) is not None:
        by = words.pop()  # "petition top ofsted rate": a trailing table word is the table
    if count_text is None and len(words) >= 3 and words[-2].lower() == "count":
        count_text = words.pop()
        words.pop()
    if count_text is None and len(words) > 1 and words[-1].isdigit() and len(words[-1]) <= 3:
        count_text = words.pop()
    table = _table(by)
    if table is None:
        raise UsageError(
            f"Rank by constituencies, countries, rate or region. Usage: {_usage('petition top')}"
        )
    if not words:
        raise UsageError(f"Which petition? Usage: {_usage('petition top')}")
    if count_text is not None and not count_text.isdigit():
        raise UsageError("Count must be a whole number.")
    count = int(count_text) if count_text is not None else None
    return Invocation.of("petition top", petition=" ".join(words), by=table, count=count)


def _parse_chart(rest: str) -> Invocation:
    """``petition chart ofsted map rate``: kind, metric and table are trailing keywords."""
    words = _words(rest)
    options = {"kind": "top", "metric": "count", "by": "constituencies"}
    keywords = {
        "top": ("kind", "top"),
        "bar": ("kind", "top"),
        "history": ("kind", "history"),
        "map": ("kind", "map"),
        "rate": ("metric", "rate"),
        "count": ("metric", "count"),
        "countries": ("by", "countries"),
        "region": ("by", "region"),
        "regions": ("by", "region"),
        "constituencies": ("by", "constituencies"),
    }
    while len(words) > 1 and words[-1].lower() in keywords:
        name, value = keywords[words.pop().lower()]
        options[name] = value
    if not words:
        raise UsageError(f"Which petition? Usage: {_usage('petition chart')}")
    return Invocation.of("petition chart", petition=" ".join(words), **options)


def _table(word: str) -> str | None:
    lowered = word.lower()
    if lowered.startswith(("constituenc", "seat")):
        return "constituencies"
    if lowered.startswith("countr"):
        return "countries"
    if lowered.startswith(("rate", "per")):
        return "rate"
    if lowered.startswith("region"):
        return "region"
    return lowered if lowered in TABLES else None


async def _parse_search(command: Command, rest: str, services: Services) -> Invocation:
    words = _words(rest)
    state = _take_option(words, "state")
    return Invocation.of(command.name, query=" ".join(words), state=state)


async def _parse_top_line(command: Command, rest: str, services: Services) -> Invocation:
    return _parse_top(rest)


async def _parse_chart_line(command: Command, rest: str, services: Services) -> Invocation:
    return _parse_chart(rest)


async def _parse_compare(command: Command, rest: str, services: Services) -> Invocation:
    resolver = services.resolver
    pair = _split_explicit(rest) or await _best_split(
        _words(rest), resolver.petition, resolver.petition, second_optional=False
    )
    if pair[1] is None:
        raise UsageError(f"Name two petitions. Usage: {command.console_usage}")
    return Invocation.of(command.name, first=pair[0], second=pair[1])


async def _parse_place(command: Command, rest: str, services: Services) -> Invocation:
    resolver = services.resolver
    if command.name == "constituency show":
        if not rest:  # no seat named: the home seat
            return Invocation.of(command.name, name=None, petition=None)
        postcode = _postcode_head(rest)
        if postcode is not None:
            return Invocation.of(command.name, name=postcode[0], petition=postcode[1])
    first = resolver.constituency if command.name == "constituency show" else resolver.mp
    name, petition = _split_explicit(rest) or await _best_split(
        _words(rest), first, resolver.petition, second_optional=True
    )
    return Invocation.of(command.name, name=name, petition=petition)


def _postcode_head(rest: str) -> tuple[str, str | None] | None:
    """``SW1A 1AA ofsted`` → (postcode, petition): a line that starts with a postcode."""
    words = _words(rest.replace("|", " "))
    for size in (2, 1):
        head = " ".join(words[:size])
        if len(words) >= size and normalise_postcode(head) is not None:
            return head, " ".join(words[size:]) or None
    return (rest, None) if looks_like_postcode(rest) else None


async def _parse_message_text(command: Command, rest: str, services: Services) -> Invocation:
    """``show petition <text>``: the console's stand-in for a right-clicked message."""
    return Invocation.of(command.name, text=rest)


async def _parse_question(command: Command, rest: str, services: Services) -> Invocation:
    """``ask <question>``: the whole rest of the line is the question."""
    return Invocation.of(command.name, question=rest)


FreeText = Callable[[Command, str, Services], Awaitable[Invocation]]

FREE_TEXT: dict[str, FreeText] = {
    "petition search": _parse_search,
    "petition top": _parse_top_line,
    "petition chart": _parse_chart_line,
    "petition compare": _parse_compare,
    "constituency show": _parse_place,
    "mp show": _parse_place,
    "Show petition": _parse_message_text,
    "ask": _parse_question,
}
"""Commands whose arguments are names typed loosely, split by what resolves best."""


# ---------------------------------------------------------------- from the registry
async def parse(line: str, services: Services) -> Invocation:
    """One typed line → the invocation the matching slash command would make."""
    text = " ".join(line.strip().lstrip("/").split())
    words = text.split()
    command = REGISTRY.longest_prefix(words)
    if command is None:
        raise UsageError(_unknown(text))
    if command.handler is None:
        raise UsageError(f"`{command.name}` only works in Discord.")
    rest = " ".join(words[len(command.name.split()) :])
    if not rest and any(o.required for o in command.options):
        raise UsageError(f"Usage: {command.console_usage}")
    free_text = FREE_TEXT.get(command.name)
    if free_text is not None:
        return await free_text(command, rest, services)
    return Invocation(command.name, tuple(parse_options(command, rest).items()))


def _unknown(text: str) -> str:
    group = [c.name for c in REGISTRY if c.handler and c.name.startswith(text.lower() + " ")]
    if text and group:
        return f"`{text}` needs a subcommand: " + " · ".join(group)
    return (
        f"I don't know '{truncate(text, ECHO_LIMIT)}'. Try: petition show ofsted"
        " · constituency show woking ofsted · mp show andrew mitchell · leaderboard · help"
    )


def _tokens(rest: str) -> list[str]:
    try:
        return shlex.split(rest)
    except ValueError:  # an unbalanced quote: take the words as typed
        return rest.split()


def _named(command: Command, tokens: list[str]) -> tuple[dict[str, str], list[str]]:
    """Split ``name=value`` / ``--name value`` from the positional words."""
    names = {o.name for o in command.options}
    named: dict[str, str] = {}
    positional: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        key, equals, value = token.partition("=")
        if equals and key.lower() in names:
            named[key.lower()] = value
        elif token.startswith("--") and token[2:].lower() in names and i + 1 < len(tokens):
            named[token[2:].lower()] = tokens[i + 1]
            i += 1
        else:
            positional.append(token)
        i += 1
    return named, positional


def parse_options(command: Command, rest: str) -> dict[str, object]:
    """The option values a line gives, converted by the declared types (declared order)."""
    values, positional = _named(command, _tokens(rest))
    optional = [o for o in command.options if not o.required and o.name not in values]
    while positional:  # trailing choice words: "leaderboard open", "… weekly"
        word = positional[-1]
        match = next((o for o in optional if o.choices and _choice(o, word) is not None), None)
        if match is None:
            break
        values[match.name] = positional.pop()
        optional.remove(match)
    required = [o for o in command.options if o.required and o.name not in values]
    free = [o for o in optional if o.type is OptionType.STRING and not o.choices][:1]
    targets = required or free
    for index, option in enumerate(targets):
        if not positional:
            break
        if index == len(targets) - 1 and option.type is OptionType.STRING:
            values[option.name], positional = " ".join(positional), []
        else:
            values[option.name] = positional.pop(0)
    if positional:
        raise UsageError(
            f"I don't understand `{' '.join(positional)}`. Usage: {command.console_usage}"
        )
    if any(o.required and o.name not in values for o in command.options):
        raise UsageError(f"Usage: {command.console_usage}")
    return {
        o.name: convert(command, o, values[o.name]) for o in command.options if o.name in values
    }


def _choice(option: Option, word: str) -> object | None:
    """The choice a typed word names (its value or label, any case; a label's prefix)."""
    lowered = word.lower()
    for label, value in option.choices:
        if lowered in (str(value).lower(), label.lower()):
            return value
    prefixed = [v for label, v in option.choices if label.lower().startswith(lowered)]
    return prefixed[0] if len(prefixed) == 1 and len(lowered) >= 2 else None


def convert(command: Command, option: Option, text: str) -> object:
    """One typed value as its option's type; a clear usage error otherwise."""
    if option.choices:
        value = _choice(option, text)
        if value is None:
            labels = "|".join(label for label, _ in option.choices)
            raise UsageError(
                f"{option.name} must be one of {labels}. Usage: {command.console_usage}"
            )
        return value
    converter = _CONVERTERS.get(option.type)
    return converter(option, text) if converter is not None else _string(option, text)


def _string(option: Option, text: str) -> str:
    if option.max_length is not None and len(text) > option.max_length:
        raise UsageError(f"{option.name} is at most {option.max_length} characters.")
    return text


def _integer(option: Option, text: str) -> int:
    cleaned = text.replace(",", "").replace("_", "")
    if not cleaned.lstrip("-").isdigit():
        raise UsageError(f"{option.name} must be a whole number, not `{text}`.")
    value = int(cleaned)
    low, high = option.min_value, option.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        raise UsageError(f"{option.name} must be between {low} and {high}.")
    return value


def _boolean(option: Option, text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    raise UsageError(f"{option.name} is yes or no, not `{text}`.")


def _channel(option: Option, text: str) -> Ref:
    return LOCAL_CHANNEL  # the console has one channel; everything "posted" there is printed


def _role(option: Option, text: str) -> Ref:
    digits = text.strip("<@&>")
    if not digits.isdigit():
        raise UsageError(f"Give the role's id for {option.name} (Discord: Copy Role ID).")
    return Ref(int(digits), f"role {digits}")


def _file(option: Option, text: str) -> Upload:
    path = Path(text).expanduser()
    if not path.is_file():
        raise UsageError(f"No file at `{text}`.")
    return Upload(path.name, path.read_bytes())


_CONVERTERS: dict[OptionType, Callable[[Option, str], Any]] = {
    OptionType.INTEGER: _integer,
    OptionType.BOOLEAN: _boolean,
    OptionType.CHANNEL: _channel,
    OptionType.ROLE: _role,
    OptionType.ATTACHMENT: _file,
}
