"""The offline console: every slash command in a terminal, no Discord needed.

``petitionbot console`` (and ``petitionbot run`` without a token) lands here.
It is not a second implementation: a typed line becomes the same
:class:`~core.services.Invocation` a slash command makes, runs through the
same :class:`~core.services.Services`, is drawn by the same renderer
(:func:`core.places.render.render`) and printed with
:func:`core.common.cards.reply_to_text`. Menus and buttons work too: type ``next`` /
``prev`` to page, a number to pick from a menu, a button's label to press it.

Typed forms (a leading ``/`` is fine)::

    petition search verified id [state=open]
    petition show ofsted
    petition top 652057 [by countries] [count 10]
    petition compare ofsted | send training     (the ``|`` may be left out)
    constituency show woking [ofsted]            (so may the petition)
    mp show andrew mitchell [ofsted]
    leaderboard [open|closed|rejected|all]
    ask how many people in woking signed the ofsted petition?
    help [command] · about · quit

Without ``|`` the line is split where both halves resolve best (a seat or MP
first, then a petition), so ``constituency show woking ofsted`` just works.

Non-interactive use: ``python -m bot.console --command "petition show ofsted"``
(repeatable), or pipe commands on stdin (one a line).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from bot.settings import Settings, get_settings
from bot.startup import open_database
from core.common.cards import Card, CardField, Reply, reply_to_text, unescape
from core.common.errors import UserFacingError
from core.common.results import FollowUp, Invocation, Result
from core.petitions.types import STATES, TABLES
from core.places.render import choices_per_page, render
from core.search.resolver import Resolution
from core.services import Services

log = logging.getLogger(__name__)

PROMPT = "petitionbot> "
GENERIC = "Sorry, something went wrong answering that (see the log)."
QUIT = frozenset({"quit", "exit", "q", ":q"})
_RANK = {"exact": 3, "clear": 2, "ambiguous": 1, "none": 0}

USAGE = {
    "petition search": "petition search <words|id|url> [state=open|closed|rejected|all]",
    "petition show": "petition show <petition>",
    "petition top": "petition top <petition> [by constituencies|countries|rate] [count N]",
    "petition chart": "petition chart <petition> [top|history|map] [rate] [countries]",
    "petition compare": "petition compare <first> | <second>",
    "petition response": "petition response <petition>",
    "petition history": "petition history <petition>",
    "constituency show": "constituency show <name> [| <petition>]",
    "mp show": "mp show <name> [| <petition>]",
}


class UsageError(UserFacingError):
    """The line could not be understood; the message says how to type it."""


# ---------------------------------------------------------------- terminal text
_BOLD = re.compile(r"(?<!\\)\*\*")
_ITALIC = re.compile(r"(?<![\\*])\*(?!\*)")
_LINK = re.compile(r"(?<!\\)\[(.+?)(?<!\\)\]\((https?://[^)\s]+)\)")
_CODE = re.compile(r"(?<!\\)`")


def plain(text: str) -> str:
    """Drop the renderer's own Markdown (escaped document text is left alone)."""
    text = _LINK.sub(r"\1 <\2>", text)
    text = _BOLD.sub("", text)
    text = _ITALIC.sub("", text)
    return _CODE.sub("", text)


def _plain_card(card: Card) -> Card:
    return replace(
        card,
        title=plain(card.title) if card.title else None,
        description=plain(card.description) if card.description else None,
        fields=[CardField(plain(f.name), plain(f.value), f.inline) for f in card.fields],
        footer=plain(card.footer) if card.footer else None,
    )


@dataclass
class Screen:
    """What the last answer left on screen: its pages, menu and buttons."""

    result: Result | None = None
    reply: Reply = field(default_factory=Reply)
    page: int = 0

    @property
    def per_page(self) -> int | None:
        return choices_per_page(self.result) if self.result is not None else None

    def menu(self) -> list[tuple[int, FollowUp]]:
        """(index in result.choices, follow-up) for the options of the page shown."""
        if self.result is None:
            return []
        indexed = list(enumerate(self.result.choices))
        if self.per_page is None:
            return indexed[:25]
        start = self.page * self.per_page
        return indexed[start : start + self.per_page]

    def text(self) -> str:
        """The reply as terminal text: reply_to_text of the page shown, menu numbered."""
        reply = self.reply.fitted()
        cards = reply.cards or ([reply.pages[self.page]] if reply.pages else [])
        content = plain(reply.content) if reply.content else None
        shown = Reply(content=content, cards=[_plain_card(c) for c in cards])
        parts = [reply_to_text(shown)]
        if len(reply.pages) > 1:
            parts.append(f"(page {self.page + 1} of {len(reply.pages)}: type next or prev)")
        menu = self.menu()
        if menu:
            lines = [f"{reply.choices_placeholder} (type a number)"]
            lines += [f"  {n}. {unescape(f.label)}" for n, (_, f) in enumerate(menu, start=1)]
            parts.append("\n".join(lines))
        if reply.actions:
            labels = " · ".join(a.label for a in reply.actions)
            parts.append(f"Buttons: {labels} (type one)")
        return "\n\n".join(p for p in parts if p)


# ---------------------------------------------------------------- parsing
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
    if count_text is None and len(words) >= 3 and words[-2].lower() == "count":
        count_text = words.pop()
        words.pop()
    if count_text is None and len(words) > 1 and words[-1].isdigit() and len(words[-1]) <= 3:
        count_text = words.pop()
    table = _table(by)
    if table is None:
        raise UsageError(
            f"Rank by constituencies, countries or rate. Usage: {USAGE['petition top']}"
        )
    if not words:
        raise UsageError(f"Which petition? Usage: {USAGE['petition top']}")
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
        "constituencies": ("by", "constituencies"),
    }
    while len(words) > 1 and words[-1].lower() in keywords:
        name, value = keywords[words.pop().lower()]
        options[name] = value
    if not words:
        raise UsageError(f"Which petition? Usage: {USAGE['petition chart']}")
    return Invocation.of("petition chart", petition=" ".join(words), **options)


def _table(word: str) -> str | None:
    lowered = word.lower()
    if lowered.startswith(("constituenc", "seat")):
        return "constituencies"
    if lowered.startswith("countr"):
        return "countries"
    if lowered.startswith(("rate", "per")):
        return "rate"
    return lowered if lowered in TABLES else None


async def parse(line: str, services: Services) -> Invocation:
    """One typed line → the invocation the matching slash command would make."""
    text = " ".join(line.strip().lstrip("/").split())
    lowered = text.lower()
    head, _, rest = text.partition(" ")
    head = head.lower()
    if head == "ask":
        if not rest.strip():
            raise UsageError(
                "Usage: ask <question>, e.g. ask how many people in Woking signed ofsted?"
            )
        return Invocation.of("ask", question=rest)
    if head in ("help", "about", "leaderboard"):
        if head == "help":
            return Invocation.of("help", command=rest or None)
        if head == "about":
            return Invocation.of("about")
        state = rest.lower().removeprefix("state=").strip() or None
        if state is not None and state not in STATES:
            raise UsageError(f"Usage: leaderboard [{'|'.join(STATES)}]")
        return Invocation.of("leaderboard", state=state)
    for command in USAGE:
        if lowered == command or lowered.startswith(command + " "):
            return await _parse_command(command, text[len(command) :].strip(), services)
    raise UsageError(
        f"I don't know '{text}'. Try: ask <a question> · petition show ofsted"
        " · constituency show woking ofsted"
        " · mp show andrew mitchell · leaderboard · help"
    )


async def _parse_command(command: str, rest: str, services: Services) -> Invocation:
    if not rest:
        raise UsageError(f"Usage: {USAGE[command]}")
    resolver = services.resolver
    if command == "petition search":
        words = _words(rest)
        state = _take_option(words, "state")
        return Invocation.of("petition search", query=" ".join(words), state=state)
    if command == "petition top":
        return _parse_top(rest)
    if command == "petition chart":
        return _parse_chart(rest)
    if command in ("petition show", "petition response", "petition history"):
        return Invocation.of(command, petition=rest)
    if command == "petition compare":
        pair = _split_explicit(rest) or await _best_split(
            _words(rest), resolver.petition, resolver.petition, second_optional=False
        )
        if pair[1] is None:
            raise UsageError(f"Name two petitions. Usage: {USAGE[command]}")
        return Invocation.of(command, first=pair[0], second=pair[1])
    first = resolver.constituency if command == "constituency show" else resolver.mp
    explicit = _split_explicit(rest)
    name, petition = explicit or await _best_split(
        _words(rest), first, resolver.petition, second_optional=True
    )
    return Invocation.of(command, name=name, petition=petition)


# ---------------------------------------------------------------- the loop
class Console:
    """One terminal session over one :class:`Services` (keeps what is on screen)."""

    def __init__(self, services: Services, out: TextIO) -> None:
        self.services = services
        self.out = out
        self.screen = Screen()

    def print(self, text: str) -> None:
        self.out.write(text.rstrip() + "\n\n")
        self.out.flush()

    async def handle(self, line: str) -> bool:
        """Answer one line; False when the user asked to quit."""
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        if text.lower() in QUIT:
            return False
        try:
            await self._handle(text)
        except UserFacingError as error:
            self.print(unescape(str(error)))
        except Exception:
            log.exception("Console command failed: %s", text)
            self.print(GENERIC)
        return True

    async def _handle(self, text: str) -> None:
        lowered = text.lower()
        screen = self.screen
        if lowered in ("next", "n", "prev", "previous", "p"):
            pages = len(screen.reply.pages)
            if pages < 2:
                raise UserFacingError("There is only one page.")
            step = 1 if lowered in ("next", "n") else -1
            screen.page = max(0, min(screen.page + step, pages - 1))
            self.print(screen.text())
            return
        if text.isdigit():
            menu = screen.menu()
            number = int(text)
            if not menu:
                raise UserFacingError("There is no menu on screen to pick from.")
            if not 1 <= number <= len(menu):
                raise UserFacingError(f"Pick a number from 1 to {len(menu)}.")
            await self.follow(menu[number - 1][1])
            return
        if screen.result is not None:
            for follow_up in screen.result.actions:
                if follow_up.label.lower() == lowered:
                    await self.follow(follow_up)
                    return
        await self.show(await self.services.run(await parse(text, self.services)))

    async def follow(self, follow_up: FollowUp) -> None:
        await self.show(await self.services.run(follow_up.invocation))

    async def show(self, result: Result) -> None:
        self.screen = Screen(result, render(result))
        self.print(self.screen.text())

    async def run_lines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.out.write(f"{PROMPT}{line.strip()}\n")
            if not await self.handle(line):
                return

    async def interact(self) -> None:
        """Read lines until quit or end of input (input() runs off the event loop)."""
        while True:
            try:
                line = await asyncio.to_thread(input, PROMPT)
            except (EOFError, KeyboardInterrupt):
                self.out.write("\n")
                return
            if not await self.handle(line):
                return


async def console_main(
    settings: Settings,
    *,
    commands: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> None:
    """Open the database (first run ingests the bundled petitions) and serve commands."""
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    db, report = await open_database(settings)
    try:
        services = await Services.load(db)
        console = Console(services, out)
        interactive = commands is None and stdin.isatty()
        if report is not None and interactive:
            console.print(f"First run: loaded the bundled petitions ({report.summary()}).")
        if commands is not None:
            await console.run_lines(commands)
        elif interactive:
            console.print(
                "petitionbot console: the bot's commands, offline."
                " Try: petition show ofsted · mp show andrew mitchell · help · quit"
            )
            await console.interact()
        else:
            await console.run_lines(stdin)
    finally:
        await db.close()


def run_console(
    settings: Settings,
    *,
    commands: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> None:
    """Run the console: ``commands`` if given, else stdin (interactive on a terminal)."""
    asyncio.run(console_main(settings, commands=commands, stdin=stdin, out=out))


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m bot.console [--command "..."]...``."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.console", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "-c", "--command", action="append", dest="commands", help="run this command (repeatable)"
    )
    args = parser.parse_args(argv)
    run_console(get_settings(), commands=args.commands)


if __name__ == "__main__":
    main()
