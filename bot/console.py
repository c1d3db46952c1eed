"""The offline console: every slash command in a terminal, no Discord needed.

``petitionbot console`` (and ``petitionbot run`` without a token) lands here.
It is not a second implementation: a typed line becomes the same
:class:`~core.services.Invocation` a slash command makes, runs through the
same :class:`~core.services.Services`, is drawn by the same renderer
(:func:`core.places.render.render`) and printed with
:func:`core.common.cards.reply_to_text`. Menus and buttons work too: type ``next`` /
``prev`` to page, a number to pick from a menu, a button's label to press it.

Every command in the registry can be typed (a leading ``/`` is fine), the
moderator and owner ones too: the local user is the bot's owner in a fixed
local server whose one channel prints what is posted to it. How a line is
read is in :mod:`bot.console_parse`; for example::

    petition search verified id [state=open]
    petition top 652057 [by countries] [count 10]
    petition compare ofsted | send training     (the ``|`` may be left out)
    constituency show woking [ofsted]            (so may the petition)
    leaderboard [open|closed|rejected|all] · help [command] · about · quit
    digest setup here 09:00 Europe/London [weekly] [weekday=friday]
    digest preview · digest post-now · digest pause · admin stats
    admin ingest ~/petitions.zip · admin reload · admin remove 652057
    follow petition ofsted [milestones 250000] · follow keyword nurses pay
    follow constituency woking · follow mp jonathan lord · follow list · unfollow 3
    (follows are DM-style: their alerts print here after an ingest)

Non-interactive use: ``python -m bot.console --command "petition show ofsted"``
(repeatable), or pipe commands on stdin (one a line).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import bot as bot_package
from bot.console_parse import LOCAL_CHANNEL, LOCAL_GUILD_ID, UsageError, parse
from bot.settings import Settings, get_settings
from bot.startup import open_database
from core.admin.types import Caller, RuntimeFacts
from core.common.cards import Card, CardField, Reply, reply_to_text, unescape
from core.common.errors import UserFacingError
from core.common.results import FollowUp, Result
from core.follows.render import list_card, started_text
from core.follows.service import FollowService
from core.follows.types import KINDS, MAX_DM_FOLLOWS, MAX_SERVER_FOLLOWS, Destination
from core.places.render import choices_per_page, render
from core.services import Services

__all__ = ["Console", "LocalHost", "UsageError", "parse", "plain", "run_console"]

log = logging.getLogger(__name__)

PROMPT = "petitionbot> "
GENERIC = "Sorry, something went wrong answering that (see the log)."
QUIT = frozenset({"quit", "exit", "q", ":q"})
CONSOLE_USER = 0
"""The console user's id for follows (the same person as ``LOCAL_OWNER``)."""
DATA_CHANGES = frozenset({"admin ingest", "admin reload", "admin remove"})
"""Commands after which the console runs a follow pass (as ``PetitionBot.data_changed``)."""
LOCAL_OWNER = Caller(
    user_id=0, user_name="console", guild_id=LOCAL_GUILD_ID, channel_id=LOCAL_CHANNEL.id
)
"""Who types in the console: the bot's owner, in the console's one server and channel."""


# ---------------------------------------------------------------- terminal text
_BOLD = re.compile(r"(?<!\\)\*\*")
_ITALIC = re.compile(r"(?<![\\*])\*(?!\*)")
_LINK = re.compile(r"(?<!\\)\[(.+?)(?<!\\)\]\((https?://[^)\s]+)\)")
_CODE = re.compile(r"(?<!\\)`")
_TIMESTAMP = re.compile(r"<t:(-?\d+):\w>")
_CHANNEL = re.compile(r"<#(\d+)>")


def _channel_name(match: re.Match[str]) -> str:
    channel_id = int(match.group(1))
    return f"#{LOCAL_CHANNEL.name}" if channel_id == LOCAL_CHANNEL.id else f"#{channel_id}"


def _moment(match: re.Match[str]) -> str:
    return f"{datetime.fromtimestamp(int(match.group(1)), UTC):%Y-%m-%d %H:%M} UTC"


def plain(text: str) -> str:
    """Drop the renderer's own Markdown and Discord's mentions (document text is left alone)."""
    text = _TIMESTAMP.sub(_moment, text)
    text = _CHANNEL.sub(_channel_name, text)
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


# ---------------------------------------------------------------- the loop
class LocalHost:
    """The services' host in the console: the one local channel prints what is posted."""

    def __init__(self, settings: Settings, out: TextIO) -> None:
        self.data_dir: Path = settings.data_dir
        self.max_upload_bytes: int = settings.max_upload_bytes
        self.out = out
        self.started = time.monotonic()
        self.posted = 0

    async def post(self, channel_id: int, cards: list[Card]) -> int:
        self.posted += 1
        shown = Reply(cards=[_plain_card(c) for c in cards])
        self.out.write(f"[posted in #{LOCAL_CHANNEL.name}]\n{reply_to_text(shown)}\n\n")
        return self.posted

    def missing_permissions(self, channel_id: int) -> list[str]:
        return []

    async def data_changed(self) -> None:
        """Nothing to tell: the console runs its follow pass after the command answers."""

    def runtime(self) -> RuntimeFacts:
        return RuntimeFacts(
            uptime_seconds=time.monotonic() - self.started,
            latency_ms=None,
            guilds=1,
            discord_version="not connected",
            bot_version=bot_package.__version__,
        )


class Console:
    """One terminal session over one :class:`Services` (keeps what is on screen)."""

    def __init__(self, services: Services, out: TextIO) -> None:
        self.services = services
        self.out = out
        self.screen = Screen()
        self.follows = FollowService(services.db, services.resolver, send=self._alert)
        self._alerts = 0

    async def _alert(self, destination: Destination, card: Card, nonce: str) -> int:
        """A follow alert "sent" to the console user (DM-style): printed like any answer."""
        self._alerts += 1
        self.print("🔔 " + reply_to_text(Reply(cards=[_plain_card(card)])))
        return self._alerts

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
        head = lowered.split(" ", 1)[0]
        if head in ("follow", "unfollow"):
            await self._follows(head, text.split(" ", 1)[1].strip() if " " in text else "")
            return
        invocation = await parse(text, self.services)
        await self.show(await self.services.run(invocation, LOCAL_OWNER))
        if invocation.command in DATA_CHANGES:
            await self.follows.run_pass()  # as the bot does after data_changed: alerts print

    async def _follows(self, head: str, rest: str) -> None:
        """``follow …`` and ``unfollow N`` for the console user (alerts print here)."""
        if head == "unfollow":
            if not rest.isdigit():
                raise UsageError("Usage: unfollow <id> (ids are in `follow list`)")
            stopped = await self.follows.unfollow(
                int(rest), user_id=CONSOLE_USER, guild_id=None, moderator=False
            )
            self.print(f"Stopped follow {stopped.id}; no more alerts from it.")
            return
        kind, _, what = rest.partition(" ")
        if kind == "list":
            rows = await self.follows.list_follows(CONSOLE_USER, None)
            card = list_card(rows, dm_limit=MAX_DM_FOLLOWS, server_limit=MAX_SERVER_FOLLOWS)
            self.print(reply_to_text(Reply(cards=[_plain_card(card)])))
            return
        if kind not in KINDS or not what.strip():
            raise UsageError("Usage: follow petition|keyword|constituency|mp <what> · follow list")
        words = what.split()
        milestones = None
        if len(words) > 2 and words[-2].lower() == "milestones":
            milestones = words.pop()
            words.pop()
        start = await self.follows.follow(
            kind, " ".join(words), user_id=CONSOLE_USER, milestones=milestones
        )
        self.print(plain(unescape(started_text(start)).replace("alerts by DM", "alerts here")))

    async def follow(self, follow_up: FollowUp) -> None:
        await self.show(await self.services.run(follow_up.invocation, LOCAL_OWNER))

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
        services = await Services.load(
            db, LocalHost(settings, out), postcodes_base=settings.postcodes_api_base
        )
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
