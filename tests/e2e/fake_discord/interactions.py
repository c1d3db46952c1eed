"""INTERACTION_CREATE payload builders and the test-facing :class:`InteractionHandle`."""

from __future__ import annotations

import asyncio
import copy
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import payloads as P
from .recorder import RecordedRequest, message_text, walk_components

if TYPE_CHECKING:
    from .server import FakeDiscord


class InjectionError(ValueError):
    """The interaction could not happen on real Discord (unknown command, missing
    permission, missing required option, disabled button, ...). Pass ``force=True`` to
    inject it anyway."""


@dataclass
class InteractionRecord:
    id: int
    token: str
    type: int
    payload: dict[str, Any]
    name: str  # command name / custom_id
    user_id: int
    guild_id: int | None
    channel_id: int
    source_message_id: int | None = None  # component / modal-from-component
    created: float = field(default_factory=time.monotonic)
    acked_type: int | None = None
    acked_at: float | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    shard: tuple[int, int] | None = None  # the gateway shard it was delivered on

    def metadata(self) -> dict[str, Any]:
        """``interaction_metadata`` for messages created in response."""
        user = self.payload.get("member", {}).get("user") or self.payload.get("user")
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "user": user,
            "authorizing_integration_owners": self.payload["authorizing_integration_owners"],
        }
        if self.type == P.INTERACTION_APPLICATION_COMMAND:
            data["name"] = self.name
            data["command_type"] = 1
        if self.source_message_id is not None:
            data["interacted_message_id"] = str(self.source_message_id)
        return data


_PY_TYPES = {str: P.OPTION_STRING, bool: P.OPTION_BOOLEAN, int: P.OPTION_INTEGER}


def _context(server: FakeDiscord, user: int | str, channel: int | str) -> dict[str, Any]:
    """guild/channel/member|user/app_permissions part of an interaction payload."""
    world = server.world
    uid = world.resolve(user)
    if uid not in world.users:
        raise InjectionError(f"unknown user {user!r}")
    if channel == "dm":
        dm = server._dm_channel(uid)
        return {
            "channel_id": dm["id"],
            "channel": copy.deepcopy(dm),
            "user": copy.deepcopy(world.users[uid]),
            "app_permissions": str(
                P.VIEW_CHANNEL
                | P.SEND_MESSAGES
                | P.EMBED_LINKS
                | P.ATTACH_FILES
                | P.READ_MESSAGE_HISTORY
            ),
            "authorizing_integration_owners": {"1": str(uid)},
            "context": 1,
            "_guild": None,
            "_perms": P.ALL_PERMISSIONS,
        }
    guild, ch = world.channel(channel)
    assert guild is not None
    mem = world.member(guild, uid)
    if mem is None:
        raise InjectionError(f"user {user!r} is not a member of guild {guild['name']!r}")
    perms = P.compute_permissions(guild, mem, ch)
    member_payload = copy.deepcopy(mem)
    member_payload["permissions"] = str(perms)
    return {
        "guild_id": guild["id"],
        "guild": {"id": guild["id"], "locale": guild["preferred_locale"], "features": []},
        "guild_locale": guild["preferred_locale"],
        "channel_id": ch["id"],
        "channel": copy.deepcopy(ch),
        "member": member_payload,
        "app_permissions": str(server.bot_permissions(guild, ch)),
        "authorizing_integration_owners": {"0": guild["id"]},
        "context": 0,
        "_guild": guild,
        "_perms": perms,
    }


def _build_options(
    server: FakeDiscord,
    schema: list[dict[str, Any]] | None,
    values: dict[str, Any],
    resolved: dict[str, dict[str, Any]],
    guild: dict[str, Any] | None,
    *,
    focused: str | None,
    strict: bool,
) -> list[dict[str, Any]]:
    by_name = {o["name"]: o for o in schema or []}
    out = []
    if strict and focused is None:
        missing = [o["name"] for o in schema or [] if o.get("required") and o["name"] not in values]
        if missing:
            raise InjectionError(f"missing required option(s) {missing}")
    for name, value in values.items():
        opt = by_name.get(name)
        if opt is None and strict:
            raise InjectionError(f"unknown option {name!r}; command has {sorted(by_name)}")
        otype = opt["type"] if opt else _PY_TYPES.get(type(value), P.OPTION_STRING)
        entry: dict[str, Any] = {"name": name, "type": otype}
        if name == focused:
            entry["value"] = str(value)
            entry["focused"] = True
        elif otype in (P.OPTION_USER, P.OPTION_CHANNEL, P.OPTION_ROLE, P.OPTION_MENTIONABLE):
            entry["value"] = str(_resolve_entity(server, otype, value, resolved, guild))
        elif otype == P.OPTION_ATTACHMENT:
            att = server.user_attachment(value)
            resolved.setdefault("attachments", {})[att["id"]] = att
            entry["value"] = att["id"]
        else:
            if opt and strict and opt.get("choices"):
                allowed = [c["value"] for c in opt["choices"]]
                if value not in allowed:
                    raise InjectionError(f"{name}={value!r} is not one of the choices {allowed}")
            if opt and strict and otype == P.OPTION_INTEGER and not isinstance(value, int):
                raise InjectionError(f"{name} must be an int, got {value!r}")
            entry["value"] = value
        out.append(entry)
    return out


def _resolve_entity(
    server: FakeDiscord,
    otype: int,
    value: Any,
    resolved: dict[str, dict[str, Any]],
    guild: dict[str, Any] | None,
) -> int:
    world = server.world
    ident = world.resolve(value)
    sid = str(ident)
    if ident in world.users and otype in (P.OPTION_USER, P.OPTION_MENTIONABLE):
        resolved.setdefault("users", {})[sid] = world.users[ident]
        mem = world.member(guild, ident) if guild else None
        if mem is not None:
            m = {k: v for k, v in mem.items() if k != "user"}
            m["permissions"] = str(P.compute_permissions(guild, mem))  # type: ignore[arg-type]
            resolved.setdefault("members", {})[sid] = m
        return ident
    if guild is not None and otype in (P.OPTION_ROLE, P.OPTION_MENTIONABLE):
        role = next((r for r in guild["roles"] if r["id"] == sid), None)
        if role is not None:
            resolved.setdefault("roles", {})[sid] = role
            return ident
    if otype == P.OPTION_CHANNEL:
        _g, ch = world.channel(ident)
        resolved.setdefault("channels", {})[sid] = {
            k: ch[k] for k in ("id", "name", "type", "parent_id", "guild_id") if k in ch
        } | {"permissions": str(P.ALL_PERMISSIONS)}
        return ident
    raise InjectionError(f"cannot resolve {value!r} for option type {otype}")


def _message_command_payload(server: FakeDiscord, ctx: dict[str, Any], kw: dict[str, Any]) -> tuple:
    """A message command (type 2, ``data.type`` 3) on ``kw["target"]``.

    As on Discord, the target message arrives whole in ``resolved.messages`` (content
    included: message commands need no message content intent).
    """
    guild = ctx["_guild"]
    name = kw["command"]
    found = server.find_command(name, int(guild["id"]) if guild else None, ctype=3)
    if found is None:
        if not kw["force"]:
            raise InjectionError(f"message command {name!r} is not registered with the stand-in")
        cmd, scope = {"id": str(P.snowflake()), "name": name}, None
    else:
        cmd, scope = found
    if not kw["force"] and guild is None:
        contexts = cmd.get("contexts")
        if cmd.get("dm_permission") is False or (contexts is not None and 1 not in contexts):
            raise InjectionError(f"{name!r} is not available in DMs")
    target = kw["target"]
    if isinstance(target, InteractionHandle | int | str):
        target = server.messages.get(
            int(target)
            if not isinstance(target, InteractionHandle)
            else target.record.original_id or 0
        )
    if target is None:
        raise InjectionError("no such message to run the message command on")
    msg = server.public_message(copy.deepcopy(target))
    data: dict[str, Any] = {
        "id": cmd["id"],
        "name": name,
        "type": 3,
        "target_id": str(msg["id"]),
        "resolved": {"messages": {str(msg["id"]): msg}},
    }
    if scope is not None:
        data["guild_id"] = str(scope)
    return data, name


def _command_payload(server: FakeDiscord, ctx: dict[str, Any], kw: dict[str, Any]) -> tuple:
    if kw.get("target") is not None:
        return _message_command_payload(server, ctx, kw)
    guild = ctx["_guild"]
    parts = kw["command"].split()
    force = kw["force"]
    found = server.find_command(parts[0], int(guild["id"]) if guild else None)
    if found is None:
        if not force:
            with server._lock:
                have = {scope: [c["name"] for c in cmds] for scope, cmds in server.commands.items()}
            raise InjectionError(
                f"/{parts[0]} is not registered with the stand-in (synced commands: {have})"
            )
        cmd, scope = {"id": str(P.snowflake()), "name": parts[0], "options": []}, None
    else:
        cmd, scope = found
    if not force:
        dmp = cmd.get("default_member_permissions")
        if dmp is not None and guild is not None:
            need = int(dmp)
            if ctx["_perms"] & need != need:
                raise InjectionError(
                    f"user lacks default_member_permissions={need} for /{parts[0]}; "
                    "Discord would not show them the command"
                )
        if guild is None and (
            cmd.get("guild_id")
            or cmd.get("dm_permission") is False
            or (cmd.get("contexts") is not None and 1 not in cmd["contexts"])
        ):
            raise InjectionError(f"/{parts[0]} is not available in DMs")
    schema = cmd.get("options") or []
    resolved: dict[str, dict[str, Any]] = {}
    # walk subcommand groups / subcommands
    chain: list[dict[str, Any]] = []
    for sub in parts[1:]:
        node = next(
            (o for o in schema if o["name"] == sub and o["type"] in (1, 2)),
            None,
        )
        if node is None and not force:
            raise InjectionError(f"/{kw['command']}: no subcommand {sub!r}")
        node = node or {"name": sub, "type": 1, "options": []}
        chain.append(node)
        schema = node.get("options") or []
    leaf = _build_options(
        server,
        schema,
        kw["options"],
        resolved,
        guild,
        focused=kw.get("focused"),
        strict=not force,
    )
    for node in reversed(chain):
        leaf = [{"name": node["name"], "type": node["type"], "options": leaf}]
    data: dict[str, Any] = {"id": cmd["id"], "name": parts[0], "type": 1, "options": leaf}
    if scope is not None:
        data["guild_id"] = str(scope)
    if resolved:
        data["resolved"] = resolved
    return data, parts[0]


def _resolve_message(server: FakeDiscord, message: Any) -> dict[str, Any]:
    if isinstance(message, InteractionHandle):
        rec = message.record
        mid = rec.original_id or (rec.followup_ids[-1] if rec.followup_ids else None)
        if mid is None:
            raise InjectionError("that interaction has no message (not answered yet?)")
    elif isinstance(message, dict):
        mid = int(message["id"])
    else:
        mid = int(message)
    msg = server.messages.get(mid)
    if msg is None:
        raise InjectionError(f"message {mid} does not exist (deleted?)")
    return msg


def _component_payload(
    server: FakeDiscord, msg: dict[str, Any], custom_id: str, values: list | None, force: bool
) -> dict[str, Any]:
    comp = next(
        (c for c in walk_components(msg.get("components")) if c.get("custom_id") == custom_id),
        None,
    )
    if comp is None:
        if not force:
            have = [c["custom_id"] for c in walk_components(msg["components"]) if "custom_id" in c]
            raise InjectionError(f"no component {custom_id!r} on message; it has {have}")
        comp = {"type": 3 if values is not None else 2, "custom_id": custom_id}
    if comp.get("disabled") and not force:
        raise InjectionError(f"component {custom_id!r} is disabled")
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"]}
    if comp["type"] == 2:
        if values is not None:
            raise InjectionError("buttons take no values")
        return data
    values = list(values or [])
    if not force:
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise InjectionError(f"select {custom_id!r} needs {lo}..{hi} values")
        if comp["type"] == 3:
            allowed = [o["value"] for o in comp.get("options", [])]
            bad = [v for v in values if v not in allowed]
            if bad:
                raise InjectionError(f"{bad} not among select options {allowed}")
    if comp["type"] in (5, 6, 7, 8):  # user / role / mentionable / channel selects
        otype = {5: P.OPTION_USER, 6: P.OPTION_ROLE, 7: P.OPTION_MENTIONABLE, 8: P.OPTION_CHANNEL}
        resolved: dict[str, dict[str, Any]] = {}
        guild = server.world.guilds.get(int(msg.get("guild_id") or server.guild_id))
        values = [
            str(_resolve_entity(server, otype[comp["type"]], v, resolved, guild)) for v in values
        ]
        data["resolved"] = resolved
    data["values"] = [str(v) for v in values]
    return data


def _modal_components(modal: dict[str, Any], values: dict[str, Any], force: bool) -> list:
    used: set[str] = set()

    def answer(comp: dict[str, Any]) -> dict[str, Any] | None:
        cid = comp.get("custom_id")
        if comp.get("type") == 4:
            if cid not in values and comp.get("required", True) and not force:
                raise InjectionError(f"required text input {cid!r} has no value")
            used.add(cid)
            return {"type": 4, "custom_id": cid, "value": str(values.get(cid, ""))}
        if comp.get("type") in (3, 5, 6, 7, 8):
            used.add(cid)
            return {"type": comp["type"], "custom_id": cid, "values": list(values.get(cid, []))}
        return None

    out = []
    for top in modal.get("components") or []:
        if top.get("type") == 1:
            inner = [a for a in (answer(c) for c in top.get("components") or []) if a]
            out.append({"type": 1, "components": inner})
        elif top.get("type") == 18:
            inner_answer = answer(top.get("component") or {})
            if inner_answer:
                out.append({"type": 18, "component": inner_answer})
        else:
            a = answer(top)
            if a:
                out.append(a)
    unknown = set(values) - used
    if unknown and not force:
        raise InjectionError(f"modal has no inputs {sorted(unknown)}")
    return out


def build_interaction(server: FakeDiscord, itype: int, **kw: Any) -> InteractionRecord:
    """Build the INTERACTION_CREATE payload + bookkeeping record (caller holds the lock)."""
    source_message_id: int | None = None
    message: dict[str, Any] | None = None
    source: InteractionRecord | None = kw.get("source")
    if itype == P.INTERACTION_MESSAGE_COMPONENT:
        message = _resolve_message(server, kw["message"])
        source_message_id = int(message["id"])
        user = kw.get("user")
        if user is None:
            owner = (message.get("interaction_metadata") or {}).get("user") or {}
            user = int(owner["id"]) if owner else "member"
        channel = int(message["channel_id"])
        in_dm = any(int(d["id"]) == channel for d in server.dm_channels.values())
        ctx = _context(server, user, "dm" if in_dm else channel)
        data = _component_payload(server, message, kw["custom_id"], kw["values"], kw["force"])
        name = kw["custom_id"]
    elif itype == P.INTERACTION_MODAL_SUBMIT:
        assert source is not None
        if source.modal is None:
            raise InjectionError("that interaction was not answered with a modal (type 9)")
        user = kw.get("user") or source.user_id
        in_dm = source.guild_id is None
        ctx = _context(server, user, "dm" if in_dm else source.channel_id)
        data = {
            "custom_id": source.modal["custom_id"],
            "components": _modal_components(source.modal, kw["values"], kw["force"]),
        }
        name = source.modal["custom_id"]
        if source.source_message_id is not None:
            source_message_id = source.source_message_id
            message = server.messages.get(source_message_id)
    else:
        ctx = _context(server, kw["user"], kw["channel"])
        data, name = _command_payload(server, ctx, kw)
    iid = P.snowflake()
    token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
    payload: dict[str, Any] = {
        "id": str(iid),
        "application_id": str(server.app_id),
        "type": itype,
        "data": data,
        "token": token,
        "version": 1,
        "locale": kw.get("locale", "en-GB"),
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    payload.update({k: v for k, v in ctx.items() if not k.startswith("_")})
    if message is not None:
        msg = server.public_message(copy.deepcopy(message))
        if ctx.get("guild_id"):
            msg["guild_id"] = ctx["guild_id"]
        payload["message"] = msg
    uid = int((payload.get("member") or {}).get("user", payload.get("user", {})).get("id"))
    return InteractionRecord(
        id=iid,
        token=token,
        type=itype,
        payload=payload,
        name=name,
        user_id=uid,
        guild_id=int(ctx["guild_id"]) if ctx.get("guild_id") else None,
        channel_id=int(ctx["channel_id"]),
        source_message_id=source_message_id,
    )


class InteractionHandle:
    """Test-side view of one injected interaction.

    * ``callback()`` — the ``POST /interactions/{id}/{token}/callback`` request
      (``.callback_type``, ``.content``, ``.embeds``, ``.components``, ``.allowed_mentions``,
      ``.ephemeral``, ``.files``...).
    * ``next_response()`` — the next request the bot made *for this interaction*
      (callback, ``@original`` edit/delete, followup), each call advancing a cursor.
    * ``reply()`` — the message the user ends up seeing (waits through a defer).
    * ``choices()`` — autocomplete results. ``modal`` — the modal the bot opened.
    * ``original()`` / ``followups()`` — current server-side message state.

    Every wait has an ``*_async`` twin for async tests.
    """

    def __init__(self, server: FakeDiscord, record: InteractionRecord, *, since: int) -> None:
        self.server = server
        self.record = record
        self._since = since
        self._cursor = since

    def __repr__(self) -> str:
        return f"<InteractionHandle {self.record.name!r} type={self.record.type} id={self.id}>"

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def token(self) -> str:
        return self.record.token

    @property
    def payload(self) -> dict[str, Any]:
        return self.record.payload

    @property
    def acked_type(self) -> int | None:
        return self.record.acked_type

    @property
    def ack_latency(self) -> float | None:
        """Seconds from injection to the callback (Discord allows 3)."""
        if self.record.acked_at is None:
            return None
        return self.record.acked_at - self.record.created

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.record.modal

    # ---- waits ---------------------------------------------------------------------
    def callback(self, timeout: float = 10.0) -> RecordedRequest:
        """The callback Discord took: a 429 answered by the rate limiter is not the
        answer (Discord never saw it), so this waits for the retry."""
        return self.server.recorder.wait(
            route="interaction_callback",
            interaction_id=self.id,
            predicate=lambda r: not r.rate_limited,
            since=self._since,
            timeout=timeout,
            describe=f"callback for {self!r}",
        )

    def next_response(self, timeout: float = 10.0) -> RecordedRequest:
        req = self.server.recorder.wait(
            interaction_id=self.id,
            since=self._cursor,
            timeout=timeout,
            describe=f"next response for {self!r}",
        )
        self._cursor = req.seq
        return req

    def responses(self) -> list[RecordedRequest]:
        return self.server.recorder.filter(interaction_id=self.id, since=self._since)

    def choices(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        req = self.callback(timeout)
        if req.callback_type != 8:
            raise AssertionError(f"expected autocomplete result (8), got {req.summary()}")
        return req.choices

    def original(self) -> dict[str, Any] | None:
        rec = self.record
        return self.server.message(rec.original_id) if rec.original_id else None

    def followups(self) -> list[dict[str, Any]]:
        with self.server._lock:
            ids = list(self.record.followup_ids)
        return [m for m in (self.server.message(i) for i in ids) if m]

    def wait_original(
        self,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Block until the original response exists and satisfies ``predicate``."""
        rec = self.record

        def check() -> dict[str, Any] | None:
            msg = self.server.messages.get(rec.original_id or 0)
            if msg is not None and (predicate is None or predicate(msg)):
                return copy.deepcopy(msg)
            return None

        return self.server.wait_until(check, timeout, f"original response of {self!r}")

    def wait_followup(
        self,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            for mid in self.record.followup_ids:
                msg = self.server.messages.get(mid)
                if msg is not None and (predicate is None or predicate(msg)):
                    return copy.deepcopy(msg)
            return None

        return self.server.wait_until(check, timeout, f"followup of {self!r}")

    def reply(self, timeout: float = 10.0) -> dict[str, Any]:
        """The message the user sees: the type-4 response, the deferred message once
        it stops "thinking", or the updated component message (type 7 / 6 + edit)."""
        deadline = time.monotonic() + timeout
        cb = self.callback(timeout)
        remaining = max(0.1, deadline - time.monotonic())
        if cb.status >= 400:
            raise AssertionError(f"callback was rejected: {cb.status} {cb.response}")
        if cb.callback_type in (4, 7):
            msg = self.original()
            assert msg is not None
            return msg
        if cb.callback_type == 5:
            return self.wait_original(lambda m: not m["flags"] & P.MESSAGE_FLAG_LOADING, remaining)
        if cb.callback_type == 6:
            self.server.recorder.wait(
                "PATCH",
                route="edit_webhook_message",
                interaction_id=self.id,
                since=cb.seq,
                timeout=remaining,
            )
            msg = self.original()
            assert msg is not None
            return msg
        raise AssertionError(f"interaction answered with type {cb.callback_type}; no message")

    def reply_text(self, timeout: float = 10.0) -> str:
        """``reply()`` flattened to text (content + embeds), for ``in`` assertions."""
        return message_text(self.reply(timeout))

    # ---- async twins (same arguments; the wait runs in a worker thread) -------------
    async def callback_async(self, *args: Any, **kwargs: Any) -> RecordedRequest:
        return await asyncio.to_thread(self.callback, *args, **kwargs)

    async def next_response_async(self, *args: Any, **kwargs: Any) -> RecordedRequest:
        return await asyncio.to_thread(self.next_response, *args, **kwargs)

    async def choices_async(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.choices, *args, **kwargs)

    async def reply_async(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.reply, *args, **kwargs)

    async def reply_text_async(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.reply_text, *args, **kwargs)

    async def wait_original_async(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.wait_original, *args, **kwargs)

    async def wait_followup_async(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.wait_followup, *args, **kwargs)
