"""Follows: the commands and the engine that finds events and delivers them exactly once.

The engine runs one *pass* right after every ingest or live refresh
(``PetitionBot.data_changed``) and on a short timer (for time-driven events
such as "closing within 24 hours" and for recovery):

1. **detect** — read the petitions changed since the watermark (and every
   followed petition), let the pure rules (:mod:`core.follows.events`) say
   which events are true, drop those the ledger already holds, and insert the
   rest as ``pending`` (the ledger's primary key makes this idempotent, so a
   crash anywhere only means the next pass finds the same events again);
2. **deliver** — claim every pending alert (and any claim a dead instance left:
   its heartbeat went stale) in one statement, group them per destination,
   send one message per destination (a burst becomes one summary) and mark
   them ``sent`` with the message id.

A claim held by a live instance is never taken, so two processes on one
database cannot both send. A recovered claim is re-sent with the same nonce
(Discord drops a duplicate of a message it already created with that nonce).
A refused DM, a deleted channel or a lost permission pauses the follow with
the reason (and an audit row for channel follows); other errors are retried
at most :data:`MAX_ATTEMPTS` times.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.admin.types import AuditEntry
from core.common.cards import Card, escape, truncate
from core.common.errors import UserFacingError
from core.common.liveness import STALE_AFTER, reap_gone_processes, this_host
from core.common.names import fold
from core.common.numbers import parse_signature_counts
from core.common.shards import ShardPlan
from core.common.times import utc_datetime
from core.follows import events as rules
from core.follows.render import TITLE_CHARS, alert_card, alert_line
from core.follows.types import (
    MAX_DM_FOLLOWS,
    MAX_MILESTONES,
    MAX_SERVER_FOLLOWS,
    Alert,
    Destination,
    Follow,
    FollowRow,
    FollowStart,
    Kind,
    PetitionState,
    SeatCrossing,
)
from core.search.picking import Picking
from core.search.resolver import Resolver
from db import audit
from db import follows as repo
from db.database import Database

log = logging.getLogger(__name__)

MAX_MILESTONE = 100_000_000
LABEL_CHARS = 80
"""A followed petition's title is cut to this in its label (lists, answers)."""
MAX_KEYWORD_WORDS = 6
MAX_ATTEMPTS = 3
"""A send that fails for another reason than lost access is tried this often, then dropped."""

Sender = Callable[[Destination, Card, str], Awaitable[int]]
"""Send one message (a card, with a nonce) to a destination; returns the message id."""
AuditHook = Callable[[AuditEntry], Awaitable[None]]
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class DestinationUnavailable(Exception):
    """The DM was refused, or the channel is gone or closed to the bot: pause, don't retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message of one pass (or the reason it was not sent)."""

    destination: Destination
    alerts: int
    message_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PassReport:
    found: int = 0
    deliveries: tuple[Delivery, ...] = ()


@dataclass(frozen=True)
class PassData:
    """Everything one pass matches follows against (read by ``db.follows``)."""

    follows: Sequence[Follow]
    states: Mapping[int, PetitionState]
    """Touched petitions and every followed petition."""
    new_ids: frozenset[int]
    """Petitions first seen in this pass's window (keyword and top-10 events)."""
    texts: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    crossings: Sequence[SeatCrossing] = ()
    mp_seats: Mapping[int, Sequence[str]] = field(default_factory=dict)
    ledger: Mapping[int, set[str]] = field(default_factory=dict)
    since: str | None = None
    """The watermark this pass reads from."""

    @property
    def seat_keys(self) -> set[str]:
        """Every followed seat (constituency follows and MPs' seats)."""
        keys = {f.target for f in self.follows if f.kind == "constituency"}
        keys.update(k for seats in self.mp_seats.values() for k in seats)
        return keys


def parse_milestones(text: str | None) -> tuple[int, ...]:
    """ "250000,1000000" or "250,000 1,000,000" → (250000, 1000000)."""
    return parse_signature_counts(
        text, noun="milestone", maximum=MAX_MILESTONE, most=MAX_MILESTONES
    )


# ---------------------------------------------------------------- matching (pure)
def _seat_keys(follow: Follow, mp_seats: Mapping[int, Sequence[str]]) -> Sequence[str]:
    if follow.kind == "constituency":
        return (follow.target,)
    return mp_seats.get(int(follow.target), ())


def compose_alerts(data: PassData, now: datetime) -> list[Alert]:
    """The new alerts of one pass: every follow against what changed, minus the ledger."""
    alerts: list[Alert] = []
    by_kind: dict[str, list[Follow]] = defaultdict(list)
    for follow in data.follows:
        by_kind[follow.kind].append(follow)
    empty: set[str] = set()

    def add(follow: Follow, event: rules.Event) -> None:
        if event.key in data.ledger.get(follow.id, empty):
            return
        state = data.states[event.petition_id]
        line = alert_line(follow, state, event)
        alerts.append(Alert(follow.id, event.key, event.petition_id, line))

    for follow in by_kind["petition"]:
        state = data.states.get(int(follow.target))
        if state is not None:
            for event in rules.petition_events(state, follow.milestones, now):
                add(follow, event)
    if by_kind["keyword"]:
        _keyword_alerts(data, by_kind["keyword"], add)
    seat_follows = by_kind["constituency"] + by_kind["mp"]
    if seat_follows:
        by_seat: dict[str, list[SeatCrossing]] = defaultdict(list)
        for crossing in data.crossings:
            by_seat[crossing.seat_key].append(crossing)
        for follow in seat_follows:
            for key in _seat_keys(follow, data.mp_seats):
                for crossing in by_seat.get(key, ()):
                    state = data.states.get(crossing.petition_id)
                    if state is None or not rules.is_new_for(state.updated_at, follow.created_at):
                        continue  # changed before the follow was made: not news to it
                    is_new = crossing.petition_id in data.new_ids and rules.is_new_for(
                        state.first_seen_at, follow.created_at
                    )
                    for event in rules.seat_events(crossing, is_new=is_new):
                        add(follow, event)
    return alerts


def _keyword_alerts(
    data: PassData, follows: Sequence[Follow], add: Callable[[Follow, rules.Event], None]
) -> None:
    """New petitions matching keyword follows, via an index of the new petitions' words."""
    index: dict[str, set[int]] = defaultdict(set)
    for pid in data.new_ids:
        title, text = data.texts.get(pid, ("", ""))
        for term in rules.text_terms(title, text):
            index[term].add(pid)
    by_terms: dict[tuple[str, ...], list[Follow]] = defaultdict(list)
    for follow in follows:
        by_terms[rules.keyword_terms(follow.target)].append(follow)
    for terms, group in by_terms.items():
        if not terms:
            continue
        matched = set.intersection(*(index.get(t, set()) for t in terms))
        for pid in sorted(matched):
            state = data.states.get(pid)
            if state is None:
                continue
            for follow in group:
                if rules.is_new_for(state.first_seen_at, follow.created_at):
                    add(follow, rules.new_petition_event(pid, "is a new petition"))


def nonce_for(alerts: Iterable[Alert]) -> str:
    """The same batch gets the same nonce, so a re-send after a crash is dropped by Discord."""
    keys = sorted(f"{a.follow_id}/{a.event_key}" for a in alerts)
    return hashlib.sha256("|".join(keys).encode()).hexdigest()[:25]


# ---------------------------------------------------------------- the service
class FollowService:
    """The follow commands and the engine, over one database and one ``send`` callable."""

    def __init__(
        self,
        db: Database,
        resolver: Resolver,
        *,
        send: Sender | None = None,
        clock: Clock = _now,
        instance_id: str | None = None,
        on_audit: AuditHook | None = None,
        shards: ShardPlan | None = None,
    ) -> None:
        self.db = db
        self.engine = db
        """The connection the engine (heartbeat, passes) uses; the bot gives it its own, so
        a heartbeat waiting on an ingest's write lock never holds up the commands' reads."""
        self.picking = Picking(db, resolver)
        self.send = send
        self.clock = clock
        self.instance_id = instance_id or uuid.uuid4().hex
        self.on_audit = on_audit
        self.shards = shards
        """The gateway shards of this process: it delivers only their alerts (None: all)."""
        self._lock = asyncio.Lock()

    # ------------------------------------------------------------ commands
    async def follow(
        self,
        kind: Kind,
        query: str,
        *,
        user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
        milestones: str | None = None,
    ) -> FollowStart:
        """Make a follow (DM when ``channel_id`` is None); the events true now are its baseline.

        The caller has already checked that the user may post follows in ``channel_id``.
        """
        extra = parse_milestones(milestones) if kind == "petition" else ()
        if milestones and kind != "petition":
            raise UserFacingError("Milestones are for petition follows only.")
        target, label, now_lines = await self._target(kind, query)
        await self._check_limits(user_id, guild_id, channel_id)
        same = await repo.find_same(self.db, kind, target, user_id, channel_id)
        if same is not None:
            raise UserFacingError(
                f"Already following that there (id {same.id}); `/follow list` shows it."
            )
        now = self.clock()
        async with self._lock:
            if await repo.get_watermark(self.db) is None:
                await repo.set_watermark(self.db, await repo.latest_update(self.db) or "")
            follow = await repo.add_follow(
                self.db,
                kind=kind,
                target=target,
                label=label,
                user_id=user_id,
                guild_id=guild_id if channel_id is not None else None,
                channel_id=channel_id,
                milestones=extra,
                now=now,
            )
            await self._baseline(follow, now)
        return FollowStart(follow, now_lines)

    async def _check_limits(
        self, user_id: int, guild_id: int | None, channel_id: int | None
    ) -> None:
        if channel_id is None:
            if await repo.count_dm_follows(self.db, user_id) >= MAX_DM_FOLLOWS:
                raise UserFacingError(
                    f"You already have {MAX_DM_FOLLOWS} follows by DM, the most allowed: "
                    "`/unfollow` one first."
                )
            return
        if guild_id is None:
            raise UserFacingError("Channel follows are made in a server.")
        if await repo.count_server_follows(self.db, guild_id) >= MAX_SERVER_FOLLOWS:
            raise UserFacingError(
                f"This server already has {MAX_SERVER_FOLLOWS} channel follows, the most allowed: "
                "`/unfollow` one first."
            )

    async def _target(self, kind: Kind, query: str) -> tuple[str, str, list[str]]:
        """(stored target, label, lines describing the state now) for what was typed."""
        if kind == "petition":
            picked = await self.picking.pick_petition(query)
            ref = picked.ref
            states = await repo.petition_states(self.db, [ref.id])
            state = states[ref.id]
            label = f"{ref.id} ({truncate(ref.title, LABEL_CHARS)})"
            return str(ref.id), label, _petition_now(state)
        if kind == "keyword":
            words = fold(query)
            terms = rules.keyword_terms(words)
            if not terms:
                raise UserFacingError("Give a word or two to look for in new petitions.")
            if len(terms) > MAX_KEYWORD_WORDS:
                raise UserFacingError(f"At most {MAX_KEYWORD_WORDS} words, please.")
            return (
                words,
                words,
                [
                    "You'll hear of each new petition whose title or text has every one of these "
                    "words (in any form: “farm” matches “farms” and “farming”)."
                ],
            )
        if kind == "constituency":
            seat = (await self.picking.pick_seat(query)).ref
            key = fold(seat.name)
            return key, seat.name, await self._seat_now(key, seat.name)
        mp = (await self.picking.pick_mp(query)).ref
        seats = (await repo.mp_seat_keys(self.db, [mp.id])).get(mp.id, [])
        if not seats:
            raise UserFacingError(f"{escape(mp.name)} is not recorded as holding any seat.")
        names = await repo.seat_names(self.db, seats[:1])
        seat_name = names.get(seats[0], seats[0])
        return str(mp.id), f"{mp.name} ({seat_name})", await self._seat_now(seats[0], seat_name)

    async def _seat_now(self, key: str, name: str) -> list[str]:
        listed, passed = await repo.seat_summary(self.db, key, rules.SEAT_THRESHOLDS)
        past = ", ".join(f"{n:,} past {t:,}" for t, n in passed.items())
        return [
            f"Now: {escape(name)} has signatures in {listed:,} petitions ({past}).",
            "You'll hear when a petition passes 100, 1,000 or 10,000 signatures there, and of a "
            f"new petition where it is in the top {rules.TOP_SEATS}.",
        ]

    async def _baseline(self, follow: Follow, now: datetime) -> None:
        """Events already true are recorded as seen, so following starts from now."""
        if follow.kind == "petition":
            pid = int(follow.target)
            state = (await repo.petition_states(self.db, [pid]))[pid]
            baseline = [
                Alert(follow.id, e.key, pid, "", "baseline")
                for e in rules.petition_events(state, follow.milestones, now)
            ]
            await repo.record_alerts(self.db, baseline, now)
        elif follow.kind in ("constituency", "mp"):
            keys = _seat_keys(
                follow,
                await repo.mp_seat_keys(self.db, [int(follow.target)])
                if follow.kind == "mp"
                else {},
            )
            for key in keys:
                await repo.seed_seat(self.db, key)

    async def list_follows(self, user_id: int, guild_id: int | None) -> list[FollowRow]:
        follows = await repo.visible_follows(self.db, user_id, guild_id)
        sent = await repo.alert_counts(self.db, [f.id for f in follows])
        return [FollowRow(f, sent.get(f.id, 0)) for f in follows]

    async def unfollow(
        self, follow_id: int, *, user_id: int, guild_id: int | None, moderator: bool
    ) -> Follow:
        """Stop a follow: your own DM follow, or (moderators) a channel follow of this server."""
        follow = await repo.get_follow(self.db, follow_id)
        mine = follow is not None and follow.by_dm and follow.user_id == user_id
        here = follow is not None and not follow.by_dm and follow.guild_id == guild_id
        if follow is None or not (mine or here):
            raise UserFacingError(
                f"No follow {follow_id} of yours here; `/follow list` shows them."
            )
        if here and not moderator:
            raise UserFacingError(
                "Stopping a channel follow needs Manage Server or this server's moderator role."
            )
        async with self._lock:
            await repo.delete_follow(self.db, follow_id)
        return follow

    # ------------------------------------------------------------ the engine
    async def start(self) -> None:
        """Register this instance (its heartbeat guards its claims); forget dead ones."""
        now = self.clock()
        await reap_gone_processes(self.engine)
        await repo.forget_dead_instances(self.engine, now - STALE_AFTER)
        await repo.register_instance(self.engine, self.instance_id, os.getpid(), now, this_host())

    async def beat(self) -> None:
        """Beat the heartbeat; re-register if another process forgot this one meanwhile
        (it saw the heartbeat stale, e.g. while this process was blocked for long)."""
        await repo.register_instance(
            self.engine, self.instance_id, os.getpid(), self.clock(), this_host()
        )

    async def stop(self) -> None:
        async with self._lock:
            await repo.unregister_instance(self.engine, self.instance_id)

    async def run_pass(self) -> PassReport:
        """Detect new events and deliver every open alert; safe to call at any rate."""
        async with self._lock:
            now = self.clock()
            found = await self.detect(now)
            deliveries = await self.deliver(now) if self.send is not None else []
        return PassReport(found, tuple(deliveries))

    async def gather(self, now: datetime) -> tuple[PassData, str | None]:
        """Read what this pass matches against; returns it and the new watermark."""
        follows = await repo.active_follows(self.engine)
        latest = await repo.latest_update(self.engine)
        since = await repo.get_watermark(self.engine)
        if not follows:
            return PassData((), {}, frozenset(), since=since), latest
        if since is None:
            since = latest  # nothing was followed before: nothing is "new" yet
        touched = await repo.touched_since(self.engine, since)
        followed = {int(f.target) for f in follows if f.kind == "petition"}
        states = dict(touched)
        states.update(await repo.petition_states(self.engine, followed - touched.keys()))
        since_at = utc_datetime(since) if since else None
        new_ids = frozenset(
            pid
            for pid, s in touched.items()
            if s.first_seen_at is not None and (since_at is None or s.first_seen_at >= since_at)
        )
        kinds = {f.kind for f in follows}
        texts = await repo.petition_texts(self.engine, new_ids) if "keyword" in kinds else {}
        mp_ids = [int(f.target) for f in follows if f.kind == "mp"]
        mp_seats = await repo.mp_seat_keys(self.engine, mp_ids) if mp_ids else {}
        seat_keys = PassData(follows, {}, frozenset(), mp_seats=mp_seats).seat_keys
        crossings = (
            await repo.seat_crossings(
                self.engine,
                seat_keys,
                since,
                thresholds=rules.SEAT_THRESHOLDS,
                top=rules.TOP_SEATS,
            )
            if seat_keys
            else []
        )
        ledger = await repo.ledger_keys(self.engine, [f.id for f in follows])
        data = PassData(follows, states, new_ids, texts, crossings, mp_seats, ledger, since)
        return data, latest

    async def detect(self, now: datetime) -> int:
        data, latest = await self.gather(now)
        alerts = await asyncio.to_thread(compose_alerts, data, now) if data.follows else []
        found = await repo.record_alerts(self.engine, alerts, now)
        if data.crossings:
            await repo.remember_seats(self.engine, data.crossings)
        if data.seat_keys:
            await repo.see_new_seat_rows(self.engine, data.seat_keys, data.since)
        if latest is not None and latest != data.since:
            await repo.set_watermark(self.engine, latest)
        return found

    async def deliver(self, now: datetime) -> list[Delivery]:
        """Send every claimable alert: one message per destination."""
        assert self.send is not None
        claimed = await repo.claim_open(
            self.engine, self.instance_id, now, now - STALE_AFTER, self.shards
        )
        groups: dict[Destination, list[tuple[Follow, Alert]]] = defaultdict(list)
        paused: list[Alert] = []
        for follow, alert in claimed:
            if follow.status != "active":
                paused.append(alert)
            else:
                groups[follow.destination].append((follow, alert))
        if paused:
            await repo.mark_failed(
                self.engine, paused, self.instance_id, "follow paused", retry=False
            )
        return [await self._send(dest, items) for dest, items in sorted(groups.items(), key=_order)]

    async def _send(self, dest: Destination, items: list[tuple[Follow, Alert]]) -> Delivery:
        assert self.send is not None
        alerts = [a for _, a in items]
        card = alert_card([a.line for a in alerts])
        try:
            message_id = await self.send(dest, card, nonce_for(alerts))
        except DestinationUnavailable as exc:
            await repo.mark_failed(self.engine, alerts, self.instance_id, exc.reason, retry=False)
            await self._pause({f.id: f for f, _ in items}.values(), exc.reason)
            return Delivery(dest, len(alerts), error=exc.reason)
        except Exception as exc:  # network, 5xx after discord.py's retries: try again later
            log.warning("Sending %d follow alert(s) failed", len(alerts), exc_info=True)
            error = f"{type(exc).__name__}: {exc}"[:300]
            retry = max(a.attempts for a in alerts) + 1 < MAX_ATTEMPTS
            await repo.mark_failed(self.engine, alerts, self.instance_id, error, retry=retry)
            return Delivery(dest, len(alerts), error=error)
        await repo.mark_sent(self.engine, alerts, self.instance_id, message_id, self.clock())
        return Delivery(dest, len(alerts), message_id)

    async def _pause(self, follows: Iterable[Follow], reason: str) -> None:
        by_id = {f.id: f for f in follows}
        for follow_id in await repo.pause_follows(self.engine, by_id, reason):
            follow = by_id[follow_id]
            log.warning("Follow %s paused: %s", follow_id, reason)
            if follow.guild_id is None:
                continue
            entry = AuditEntry(
                action="follow paused",
                result=f"paused by the bot: {reason}",
                scope="server",
                guild_id=follow.guild_id,
                channel_id=follow.channel_id,
                arguments={"follow": follow_id, "channel": follow.channel_id},
            )
            await audit.record(self.engine, entry)
            if self.on_audit is not None:
                try:
                    await self.on_audit(entry)
                except Exception:
                    log.warning("Audit hook failed for follow %s", follow_id, exc_info=True)


def _order(item: tuple[Destination, object]) -> tuple[int, int]:
    """DMs first, then channels, each by id (a stable order for tests and logs)."""
    dest = item[0]
    return (0, dest.user_id or 0) if dest.channel_id is None else (1, dest.channel_id)


def _petition_now(state: PetitionState) -> list[str]:
    """Where a followed petition stands now (shown in the answer to ``/follow``)."""
    lines = [
        f"Now: **[{truncate(escape(state.title), TITLE_CHARS)}]({state.url})** — "
        f"{state.total_signatures:,} signatures,"
        f" {state.state}."
    ]
    upcoming = [m for m in rules.SIGNATURE_MILESTONES if state.total_signatures < m]
    if upcoming:
        lines.append(f"Next milestone: {upcoming[0]:,}.")
    lines.append(
        "Government response: "
        + ("yes (already given)." if state.has_response else "not yet; you'll hear when it comes.")
    )
    return lines


__all__ = [
    "MAX_DM_FOLLOWS",
    "MAX_SERVER_FOLLOWS",
    "DestinationUnavailable",
    "FollowService",
    "compose_alerts",
    "parse_milestones",
]
