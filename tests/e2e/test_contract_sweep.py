"""Every command, subcommand, button, select and modal against Discord's contract.

The real bot, with hostile data (5,000-character titles, background and government
response, a 650-seat table whose MP names are Markdown and mentions, a channel, role
and user named like an attack), answers every leaf of the command tree it synced —
once with a meaningful case and once with the longest value each option allows — and
every control on every answer is pressed. The stand-in checks each body against
Discord's OpenAPI spec and documented limits: the test asserts zero violations, no
mention that could ping, and a visible answer every time.

The cases come from the tree the bot actually syncs: a synced command or subcommand
with no entry in :data:`CASES` fails the test, so a new command cannot skip the sweep.
"""

from __future__ import annotations

import dataclasses
import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core.ingest.models import GovernmentResponse
from core.ingest.writer import render_document
from tests.reliability.corpus import OFSTED
from tests.support import seed_petition, variant

from .fake_discord import FakeDiscord, InjectionError, InteractionHandle, message_text
from .fake_discord.recorder import walk_components
from .harness import BotProcess
from .scenario_support import assert_clean_output, assert_nothing_pings

HOSTILE = (
    "**@everyone** <@123456789012345678> <@&234567890123456789> "
    "__[sign](https://evil.example)__ `x` ~~y~~ ||z|| > # 1. "
)
"""Markdown, mentions and a masked link, as a title or response might carry them."""
HOSTILE_NAME = (
    "**@here** <@123456789012345678> <@&234567890123456789> "
    "__[mp](https://evil.example)__ `~~Sir~~`"
)
"""The same without ``|`` (a table cell separator in the document format)."""
IDS = (999_001, 999_002)
STRING_MAX = 6000
"""Discord's longest string option value when a command sets no ``max_length``."""
INTEGER_MAX = 2**53
OPTION_TYPES = {3: "string", 4: "integer", 5: "boolean", 6: "user", 7: "channel",
                8: "role", 9: "mentionable", 10: "number", 11: "attachment"}  # fmt: skip


def _fill(pattern: str, length: int) -> str:
    return (pattern * (length // len(pattern) + 1))[:length]


def hostile_petition(petition_id: int, extra: int = 0) -> str:
    """A real petition's shape (650 seats, 41 countries) with hostile text everywhere;
    ``extra`` signatures later (a day on) for digest news."""
    base = seed_petition(OFSTED)
    seats = tuple(
        s._replace(mp=f"{HOSTILE_NAME} {i}") if s.mp else s
        for i, s in enumerate(base.constituencies)
    )
    petition = dataclasses.replace(
        base,
        id=petition_id,
        url=f"https://petition.parliament.uk/petitions/{petition_id}",
        title=_fill(f"Sweep{petition_id} {HOSTILE}", 5000),
        background=_fill(HOSTILE, 5000),
        government_response=GovernmentResponse(
            summary=_fill(HOSTILE, 5000),
            details=_fill("Department for @everyone\n\n" + HOSTILE, 5000),
            department="Department for @everyone <@&234567890123456789>",
            responded_at=base.refreshed_at,
        ),
        constituencies=seats,
    )
    assert len(petition.constituencies) == 650
    if extra:
        petition = variant(petition, hours=24, extra=extra)
    return render_document(petition)


def hostile_zip(extra: int = 0) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for pid in IDS:
            zf.writestr(f"{pid}.md", hostile_petition(pid, extra))
    return buf.getvalue()


# ----------------------------------------------------------------------------- the cases
# Meaningful cases, in order: (qualified command, who runs it, options). Every synced leaf
# needs at least one; the sweep adds a longest-value case (run by ``hostile``, an owner
# and moderator with a hostile display name) after a command's first case. Order matters:
# ingest first (the data), news after the digest is set up, ``admin remove`` last.
Case = tuple[str, str, dict[str, Any]]
P1, P2 = str(IDS[0]), str(IDS[1])
CASES: list[Case] = [
    ("admin ingest", "owner", {"file": ("hostile.zip", hostile_zip())}),
    ("admin auditlog channel", "owner", {"channel": "hostile_channel"}),
    ("admin modrole set", "owner", {"role": "hostile_role"}),
    ("admin modrole clear", "owner", {}),
    ("admin stats", "owner", {}),
    ("admin reload", "owner", {}),
    ("admin sync", "owner", {}),
    ("me seat set", "owner", {"seat": "Sutton Coldfield"}),  # the cards below show the seat
    ("me seat show", "owner", {}),
    ("petition search", "owner", {"query": "Sweep999001"}),
    ("petition search", "owner", {"query": "everyone"}),
    ("petition show", "owner", {"petition": P1}),
    ("petition top", "owner", {"petition": P1, "by": "constituencies", "count": 700}),
    ("petition top", "owner", {"petition": P1, "by": "countries"}),
    ("petition top", "owner", {"petition": P1, "by": "rate"}),
    ("petition chart", "owner", {"petition": P1, "kind": "map", "metric": "rate"}),
    ("petition chart", "owner", {"petition": P1, "kind": "top", "by": "countries"}),
    ("petition chart", "owner", {"petition": P1, "kind": "history"}),
    ("petition compare", "owner", {"first": P1, "second": P2}),
    ("constituency show", "owner", {"name": "Sutton Coldfield", "petition": P1}),
    ("constituency show", "owner", {"name": "Sutton Coldfield"}),
    ("constituency show", "owner", {"name": "sutton coldfeld"}),
    ("mp show", "owner", {"name": "andrew mitchell", "petition": P1}),
    ("mp show", "owner", {"name": "everyone"}),
    ("ask", "owner", {"question": "how many people in Sutton Coldfield signed Sweep999001?"}),
    ("ask", "owner", {"question": f"compare {P1} and {P2}"}),
    ("ask", "owner", {"question": "what did sutton coldfeld sign most"}),
    ("ask", "owner", {"question": "who signed the @everyone <@123456789012345678> petition?"}),
    ("leaderboard", "owner", {}),
    ("leaderboard", "owner", {"state": "open"}),
    ("help", "owner", {}),
    ("help", "owner", {"command": "petition show"}),
    ("about", "owner", {}),
    ("message:Show petition", "owner", {"content": f"{HOSTILE} #{P1}"}),
    ("message:Show petition", "owner", {"content": f"#{P1} {HOSTILE} "
                                        f"https://petition.parliament.uk/petitions/{P2} #999999"}),
    ("message:Show petition", "owner", {"content": HOSTILE}),
    ("digest setup", "owner", {"channel": "hostile_channel", "time": "09:00",
                               "timezone": "Europe/London", "cadence": "weekly", "weekday": 6,
                               "thresholds": "1 2 3 60000 100000", "quiet": True}),
    # follows before the news: in the hostile channel and by DM (alerts carry hostile titles)
    ("follow petition", "owner", {"petition": P1, "milestones": "60000,250000",
                                  "channel": "hostile_channel"}),
    ("follow petition", "owner", {"petition": P2}),
    ("follow keyword", "owner", {"words": "everyone sign", "channel": "hostile_channel"}),
    ("follow constituency", "owner", {"name": "Sutton Coldfield", "channel": "hostile_channel"}),
    ("follow mp", "owner", {"name": "andrew mitchell"}),
    # news with hostile titles for the digest and follows: +60,000 crosses 100,000
    ("admin ingest", "curator", {"file": ("news.zip", hostile_zip(extra=60_000))}),
    ("follow list", "owner", {}),
    ("unfollow", "owner", {"id": 2}),
    ("digest show", "owner", {}),
    ("digest preview", "owner", {}),
    ("digest post-now", "owner", {}),
    ("digest pause", "owner", {}),
    ("digest resume", "owner", {}),
    ("digest disable", "owner", {}),
    ("admin auditlog off", "owner", {}),
    ("me forget", "owner", {}),
    ("admin remove", "owner", {"petition": P2}),
]  # fmt: skip


def synced_leaves(commands: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every invocable leaf of the synced tree by qualified name (context-menu commands
    as ``user:Name`` / ``message:Name``)."""
    leaves: dict[str, dict[str, Any]] = {}
    for cmd in commands:
        kind = cmd.get("type", 1)
        if kind != 1:
            leaves[f"{'user' if kind == 2 else 'message'}:{cmd['name']}"] = cmd
            continue
        subs = [o for o in cmd.get("options") or [] if o["type"] in (1, 2)]
        if not subs:
            leaves[cmd["name"]] = cmd
        for sub in subs:
            if sub["type"] == 1:
                leaves[f"{cmd['name']} {sub['name']}"] = sub
            for leaf in sub.get("options") or [] if sub["type"] == 2 else []:
                leaves[f"{cmd['name']} {sub['name']} {leaf['name']}"] = leaf
    return leaves


def longest_options(leaf: dict[str, Any]) -> dict[str, Any]:
    """Every option at the longest (or largest) value Discord lets a user send."""
    values: dict[str, Any] = {}
    for opt in leaf.get("options") or []:
        kind = OPTION_TYPES.get(opt["type"])
        if opt.get("choices"):
            values[opt["name"]] = opt["choices"][-1]["value"]
        elif kind == "string":
            values[opt["name"]] = _fill(HOSTILE, int(opt.get("max_length") or STRING_MAX))
        elif kind in ("integer", "number"):
            values[opt["name"]] = opt.get("max_value", INTEGER_MAX)
        elif kind == "boolean":
            values[opt["name"]] = True
        elif kind in ("user", "mentionable"):
            values[opt["name"]] = "hostile"
        elif kind == "channel":
            values[opt["name"]] = "hostile_channel"
        elif kind == "role":
            values[opt["name"]] = "hostile_role"
        elif kind == "attachment":
            values[opt["name"]] = (_fill("x", 200) + ".md", _fill(HOSTILE, 5000).encode())
    return values


# ----------------------------------------------------------------------------- the run
@dataclasses.dataclass
class Sweep:
    discord: FakeDiscord
    answered: list[str] = dataclasses.field(default_factory=list)
    controls: set[str] = dataclasses.field(default_factory=set)
    problems: list[str] = dataclasses.field(default_factory=list)

    def attempt(self, command: str, user: str, options: dict[str, Any]) -> None:
        """Run one case; a failure is noted and the sweep goes on (to list them all)."""
        try:
            self.run(command, user, options)
        except (AssertionError, TimeoutError, InjectionError) as exc:
            self.problems.append(f"/{command} as {user}: {str(exc)[:300]}")

    def visible(self, handle: InteractionHandle, what: str) -> dict[str, Any]:
        """The answer the user sees (after submitting any modal): it must say something."""
        cb = handle.callback(timeout=60)
        if cb.callback_type == 9:  # a modal: fill every text input to its maximum
            self.controls.add("modal:" + str(handle.record.modal.get("custom_id")))
            values = {
                c["custom_id"]: _fill(HOSTILE, int(c.get("max_length") or 4000))
                for c in walk_components(handle.record.modal.get("components"))
                if c.get("type") == 4
            }
            handle = self.discord.submit_modal(handle, values)
        msg = handle.reply(timeout=60)
        text = message_text(msg)
        assert text.strip() or msg.get("attachments"), f"{what}: nothing visible: {msg}"
        self.answered.append(what)
        return msg

    def press_everything(self, handle: InteractionHandle, msg: dict[str, Any], what: str) -> None:
        """Press each enabled button and pick the first and last option of each menu."""
        for comp in list(walk_components(msg.get("components"))):
            cid = comp.get("custom_id")
            if not cid or comp.get("disabled") or cid == "reply:page" or not self.has(msg, cid):
                continue
            kind = re.sub(r"\d+$", "N", cid) if cid.startswith("reply:") else cid
            if comp["type"] == 2:
                if kind in self.controls and kind != "reply:next":
                    continue
                self.controls.add(kind)
                click = self.discord.click(msg["id"], cid, user=handle.record.user_id)
                page = self.visible(click, f"{what} → {comp.get('label')}")
                if cid == "reply:next":  # page through to the end (650 seats)
                    self.page_through(click, page, what)
            elif comp["type"] == 3:
                self.controls.add(kind)
                for option in {o["value"]: o for o in (comp["options"][0], comp["options"][-1])}:
                    if not self.has(msg, cid):  # the first pick replaced this reply
                        break
                    pick = self.discord.select(msg["id"], cid, [option], user=handle.record.user_id)
                    self.visible(pick, f"{what} → menu {option}")

    def has(self, msg: dict[str, Any], custom_id: str) -> bool:
        """Whether the message, as it is now, still carries an enabled ``custom_id``."""
        now = self.discord.message(msg["id"]) or {}
        return any(
            c.get("custom_id") == custom_id and not c.get("disabled")
            for c in walk_components(now.get("components"))
        )

    def page_through(self, handle: InteractionHandle, msg: dict[str, Any], what: str) -> None:
        for page in range(2, 100):
            nxt = [c for c in walk_components(msg.get("components"))
                   if c.get("custom_id") == "reply:next" and not c.get("disabled")]  # fmt: skip
            if not nxt:
                return
            click = self.discord.click(msg["id"], "reply:next", user=handle.record.user_id)
            msg = self.visible(click, f"{what} → page {page}")
            if page == 2 or not self.has(msg, "reply:next"):  # and back once
                self.controls.add("reply:previous")
                back = self.discord.click(msg["id"], "reply:previous", user=handle.record.user_id)
                msg = self.visible(back, f"{what} → back from page {page}")
                forward = self.discord.click(msg["id"], "reply:next", user=handle.record.user_id)
                msg = self.visible(forward, f"{what} → page {page} again")
        raise AssertionError(f"{what}: more than 100 pages")

    def run(self, command: str, user: str, options: dict[str, Any]) -> None:
        if command.startswith("message:"):  # on a message someone posted (longest: 2,000)
            text = options.get("content") or _fill(f"#{P1} {HOSTILE} #{P2} ", 2000)
            said = self.discord.user_message("general", "member", text)
            handle = self.discord.message_command(command.split(":", 1)[1], said, user=user)
        else:
            handle = self.discord.slash(command, options, user=user)
        msg = self.visible(handle, f"/{command} {sorted(options)}")
        for follow in handle.followups():
            assert message_text(follow).strip() or follow.get("attachments")
        if command == "digest setup":
            time.sleep(1.1)  # news must come strictly after the set-up instant (whole seconds)
        labels = {c.get("label"): c for c in walk_components(msg.get("components"))}
        if {"Confirm", "Cancel"} <= set(labels):  # Cancel, then ask again and Confirm
            self.visible(self.discord.click(msg["id"], labels["Cancel"]["custom_id"]),
                         f"/{command} → Cancel")  # fmt: skip
            handle = self.discord.slash(command, options, user=user)
            msg = self.visible(handle, f"/{command} again")
            confirm = next(c for c in walk_components(msg["components"])
                           if c.get("label") == "Confirm")  # fmt: skip
            self.visible(self.discord.click(msg["id"], confirm["custom_id"]),
                         f"/{command} → Confirm")  # fmt: skip
            self.controls.update({"confirm:Cancel", "confirm:Confirm"})
            return
        self.press_everything(handle, msg, f"/{command}")

    def autocomplete(self, command: str, leaf: dict[str, Any], user: str) -> None:
        """Every autocomplete option, typed at its longest, answers ≤ 25 valid choices."""
        for opt in leaf.get("options") or []:
            if not opt.get("autocomplete"):
                continue
            for typed in ("sweep", _fill(HOSTILE, int(opt.get("max_length") or 100))):
                longest = longest_options(leaf)
                values = {
                    o["name"]: longest[o["name"]] for o in leaf["options"] if o.get("required")
                }
                values[opt["name"]] = typed
                choices = self.discord.autocomplete(command, values, focused=opt["name"], user=user)
                assert isinstance(choices.choices(timeout=30), list)
                self.answered.append(f"/{command} autocomplete {opt['name']}")


@pytest.fixture
def hostile_world(fake_discord: FakeDiscord) -> Iterator[FakeDiscord]:
    d = fake_discord
    d.create_channel("hostile_channel")  # renamed below; the world name stays usable
    d.update_channel("hostile_channel", name=_fill(HOSTILE_NAME, 100))
    guild = d.world.guild(None)
    role_id = d.world.resolve("Moderator")
    hostile_role = next(r for r in guild["roles"] if int(r["id"]) == role_id)
    hostile_role["name"] = _fill(HOSTILE_NAME, 100)
    d.world.names["hostile_role"] = role_id
    yield d


def test_every_command_and_control_meets_discords_contract(
    hostile_world: FakeDiscord, spawn_bot: Callable[..., BotProcess]
) -> None:
    d = hostile_world
    d.add_member("hostile", roles=["Moderator"])
    user = d.world.users[d.id("hostile")]
    user["global_name"] = _fill(HOSTILE_NAME, 32)
    d.add_member("curator", roles=["Moderator"])
    owners = f"{d.id('hostile')},{d.id('curator')}"
    bot = spawn_bot(env={"OWNER_IDS": owners, "DIGEST_TICK_SECONDS": "3600"})
    leaves = synced_leaves(d.wait_commands_synced())
    cased = {name for name, _, _ in CASES}
    missing = sorted(set(leaves) - cased)
    assert not missing, (
        f"synced command(s) without a sweep case: {missing}. Add meaningful cases to CASES in "
        "tests/e2e/test_contract_sweep.py (the longest-value case is generated)."
    )
    stale = sorted(cased - set(leaves))
    assert not stale, f"CASES name commands the bot no longer syncs: {stale}"
    sweep = Sweep(d)
    longest_done: set[str] = set()
    for name, user_name, options in CASES:
        sweep.attempt(name, user_name, options)
        if name not in longest_done:
            longest_done.add(name)
            sweep.attempt(name, "hostile", longest_options(leaves[name]))
            sweep.autocomplete(name, leaves[name], "owner")

    print(f"sweep: {len(sweep.answered)} answers, controls {sorted(sweep.controls)}")
    for violation in d.violations():
        print("VIOLATION", violation.describe()[:400])
    assert not sweep.problems, "\n".join(sweep.problems)
    posted = [message_text(m) for m in d.channel_messages("hostile_channel")]
    digest = [t for t in posted if t.startswith("Petition digest") and "Sweep999001" in t]
    assert digest, "the digest with the hostile news was not posted"
    assert any("modrole set" in t for t in posted), posted[:3]  # audit notices, hostile names
    alerts = [t for t in posted if "follow alert" in t.lower() and "Sweep999001" in t]
    assert alerts, "the follow alert with the hostile news was not posted"
    assert {"reply:next", "reply:previous", "reply:menu", "confirm:Confirm"} <= sweep.controls
    assert any(c.startswith("reply:action:") for c in sweep.controls), sweep.controls
    d.assert_no_violations()
    assert assert_nothing_pings(d) > 50
    d.assert_no_unknown_routes()
    assert bot.stop() == 0
    assert_clean_output(bot)
