"""The stand-in itself: an aiohttp app speaking Discord's REST v10 API and gateway v10.

It runs on its own event loop in a background thread, so it works from sync tests, async
tests (any loop scope) and session/module fixtures alike. All state lives behind one
``threading.RLock``; the sync test API reads it directly and blocks on a condition
variable for waits. Every blocking wait has an ``*_async`` twin (runs in a worker thread)
for async tests that must keep their own loop responsive (e.g. while also serving a fake
petitions API from it).

Typical use (see ``tests/e2e/conftest.py`` for fixtures)::

    with FakeDiscord() as discord:
        bot = BotProcess.spawn(discord, target="tests.e2e.sample_bot:main")
        discord.wait_ready()
        discord.wait_commands_synced()
        h = discord.slash("echo", {"text": "hi"}, user="moderator")
        assert h.callback().content == "echo: hi"
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import mimetypes
import re
import secrets
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

import aiohttp
from aiohttp import web

from . import payloads as P
from .contract import Contract
from .gateway import (
    OP_HEARTBEAT,
    OP_HEARTBEAT_ACK,
    OP_HELLO,
    OP_IDENTIFY,
    OP_INVALID_SESSION,
    OP_PRESENCE_UPDATE,
    OP_RECONNECT,
    OP_REQUEST_GUILD_MEMBERS,
    OP_RESUME,
    GatewayConnection,
    GatewayFrame,
    GatewaySession,
)
from .interactions import InteractionHandle, InteractionRecord, build_interaction
from .ratelimit import Injection, RateLimiter
from .recorder import (
    PathMatch,
    RecordedFile,
    RecordedRequest,
    Recorder,
    path_matches,
    walk_components,
)
from .validation import (
    ApiError,
    form_error,
    validate_choices,
    validate_commands,
    validate_message,
    validate_modal,
)

log = logging.getLogger("fake_discord")
T = TypeVar("T")

_API_PREFIX = re.compile(r"^/api(?:/v(?P<version>\d+))?(?P<path>/.*)$")
_PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

Handler = Callable[["RequestContext"], Awaitable[tuple[int, Any]]]


@dataclass
class RequestContext:
    request: web.Request
    record: RecordedRequest
    params: dict[str, str]

    @property
    def body(self) -> Any:
        return self.record.body

    @property
    def files(self) -> list[RecordedFile]:
        return self.record.files

    @property
    def query(self) -> dict[str, str]:
        return self.record.query

    def int_param(self, name: str) -> int:
        return int(self.params[name])


@dataclass
class Override:
    """A test-installed rule that answers (or delays) matching requests instead of the
    normal handler. ``times=None`` means forever."""

    method: str | None
    path: PathMatch
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int | None = 1
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return path_matches(self.path, path)


@dataclass
class Violation:
    """A request Discord would refuse with ``400 Invalid Form Body`` (50035)."""

    request: RecordedRequest
    answer: dict[str, Any]

    def describe(self) -> str:
        """One line per failing field: ``POST /channels/1/messages embeds.0.title: …``."""
        lines = []
        for path, errs in _flatten_errors(self.answer.get("errors") or {}):
            for err in errs:
                lines.append(
                    f"{self.request.method} {self.request.path} {'.'.join(path) or '<body>'}:"
                    f" {err.get('code')} {err.get('message')}"
                )
        return "\n".join(lines) or f"{self.request.summary()} {self.answer.get('message')}"


def _flatten_errors(
    tree: dict[str, Any], path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], list[dict[str, Any]]]]:
    out: list[tuple[tuple[str, ...], list[dict[str, Any]]]] = []
    for key, value in tree.items():
        if key == "_errors":
            out.append((path, value))
        elif isinstance(value, dict):
            out.extend(_flatten_errors(value, (*path, key)))
    return out


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Handler
    auth: bool


class FakeDiscord:
    """Local stand-in for Discord (REST + gateway). See module docstring."""

    def __init__(
        self,
        world: P.World | None = None,
        *,
        token: str = "standin.bot.token",
        host: str = "127.0.0.1",
        heartbeat_interval_ms: int = 41250,
        ack_deadline: float | None = None,
        validate: bool = True,
        allowed_privileged_intents: int = P.PRIVILEGED_INTENTS,
        emit_message_events: bool = True,
        shard_count: int = 1,
    ) -> None:
        self.world = world or P.default_world()
        #: What ``GET /gateway/bot`` recommends. Sessions identify with ``shard: [id, count]``
        #: and then get READY, GUILD_CREATE, guild events and interactions only for the guilds
        #: they own (``(guild_id >> 22) % count == id``); DM interactions go to shard 0.
        self.shard_count = shard_count
        self.token = token
        self.host = host
        self.heartbeat_interval_ms = heartbeat_interval_ms
        #: If set, interaction callbacks later than this many seconds after injection get
        #: Discord's ``404 Unknown interaction`` (real Discord: 3 s). Off by default.
        self.ack_deadline = ack_deadline
        self.validate = validate
        #: Discord's OpenAPI contract (``../shared/discord-api-spec``). Loading it fails
        #: loudly when the pinned copy is missing: validation is never skipped silently.
        self.contract: Contract | None = Contract.pinned() if validate else None
        #: Every request refused with 50035 Invalid Form Body (see :meth:`violations`).
        self._violations: list[Violation] = []
        #: Discord's rate limiting, off until a test configures it (``rate_limits``).
        self.rate_limits = RateLimiter()
        self.allowed_privileged_intents = allowed_privileged_intents
        self.emit_message_events = emit_message_events

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self.recorder = Recorder(self._cond)
        self.gateway_log: list[GatewayFrame] = []
        self.connections: list[GatewayConnection] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.ready_count = 0
        self.presence_updates: list[dict[str, Any]] = []
        #: Application commands: key ``None`` = global, else guild id. Values keep the
        #: registration order.
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.command_syncs: list[tuple[int | None, float]] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.channel_history: dict[int, list[int]] = {}
        self.deleted_messages: dict[int, dict[str, Any]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self._interactions_by_token: dict[str, InteractionRecord] = {}
        self.dm_channels: dict[int, dict[str, Any]] = {}  # by recipient user id
        self._nonces: dict[tuple[int, str], int] = {}  # (channel, nonce) → message id
        self.dm_blocked: set[int] = set()
        self.attachments: dict[int, tuple[str | None, bytes]] = {}
        self.overrides: list[Override] = []

        self._routes: list[_Route] = []
        self._register_routes()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._started = threading.Event()
        self._startup_error: BaseException | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """Base URL to give the launcher (``--rest`` / ``DISCORD_STANDIN_URL``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.url}/api/v10"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def app_id(self) -> int:
        return self.world.app_id

    @property
    def bot_id(self) -> int:
        return self.world.bot_id

    @property
    def guild_id(self) -> int:
        return self.world.guild_id

    def id(self, name: str | int) -> int:
        """Snowflake for a world name: ``discord.id("moderator")``, ``discord.id("general")``."""
        return self.world.resolve(name)

    def start(self) -> FakeDiscord:
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(
            target=self._thread_main, args=(sock,), name="fake-discord", daemon=True
        )
        self._thread.start()
        self._started.wait(10)
        if self._startup_error is not None:
            raise RuntimeError("fake discord failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        try:
            fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
            fut.result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> FakeDiscord:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _thread_main(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", self._entry)
            self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
            loop.run_until_complete(self._runner.setup())
            loop.run_until_complete(web.SockSite(self._runner, sock).start())
        except BaseException as exc:
            self._startup_error = exc
            self._started.set()
            return
        self._started.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self) -> None:
        for conn in list(self.connections):
            if conn.open:
                conn.enqueue_close(1001, "stand-in shutting down")
        await asyncio.sleep(0.05)
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ thread plumbing
    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run ``fn`` on the server loop (needed for anything that sends gateway frames)."""
        if self._loop is None:
            raise RuntimeError("FakeDiscord is not started")
        if threading.current_thread() is self._thread:
            return fn()

        async def runner() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(runner(), self._loop).result(timeout)

    def wait_until(
        self, fn: Callable[[], T | None], timeout: float = 10.0, describe: str = "condition"
    ) -> T:
        """Block until ``fn()`` (evaluated under the state lock, re-checked on every state
        change) returns something truthy; return it."""
        with self._cond:
            result = self._cond.wait_for(fn, timeout)
            if not result:
                raise TimeoutError(f"timed out after {timeout}s waiting for {describe}")
            return result

    @staticmethod
    async def to_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)

    # ------------------------------------------------------------------ HTTP entry
    async def _entry(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.rstrip("/") == "/gateway" and request.headers.get("Upgrade", "").lower() == (
            "websocket"
        ):
            return await self._gateway(request)
        if path.startswith("/cdn/"):
            return web.Response(body=_PNG_1PX, content_type="image/png")
        if path.startswith("/attachments/"):
            return self._serve_attachment(path)

        m = _API_PREFIX.match(path)
        api_path = m.group("path") if m else path
        record = await self._record(request, api_path)
        route, params = self._match(record.method, api_path) if m else (None, {})
        if route is not None:
            record.route = route.name
            self._attribute(record, params)
        try:
            for ov in list(self.overrides):
                if ov.matches(record.method, api_path):
                    ov.hits += 1
                    if ov.delay:
                        await asyncio.sleep(ov.delay)
                    if ov.status is not None:
                        record.overridden = True
                        return self._respond(record, ov.status, ov.body, ov.headers)
                    break
            if route is None:
                record.unknown = True
                log.warning("fake discord: unknown route %s %s", record.method, api_path)
                raise ApiError(404, "404: Not Found", 0)
            if route.auth:
                auth = request.headers.get("Authorization", "")
                if auth != f"Bot {self.token}":
                    raise ApiError(401, "401: Unauthorized", 0)
            limited = self.rate_limits.check(record.method, api_path, route.name, params)
            if limited is not None:
                record.rate_limited = True
                return self._respond(record, 429, limited.body, limited.headers)
            if self.contract is not None:
                errors = self.contract.check(record.method, api_path, record.body)
                if errors:
                    raise form_error(errors)
            status, body = await route.handler(RequestContext(request, record, params))
            limits = self.rate_limits.headers(record.method, api_path, route.name, params)
            return self._respond(record, status, body, limits)
        except ApiError as err:
            if err.code == 50035:
                with self._lock:
                    self._violations.append(Violation(record, err.body()))
            return self._respond(record, err.status, err.body())
        except Exception as exc:  # a bug in the stand-in: make it loud, not a retried 500
            log.exception("fake discord handler crashed for %s %s", record.method, api_path)
            return self._respond(record, 400, {"message": f"stand-in crashed: {exc!r}", "code": 0})

    def _attribute(self, record: RecordedRequest, params: dict[str, str]) -> None:
        """Tag interaction requests with their interaction id up front, so waits on a
        handle also see rejected or overridden requests."""
        if "interaction_id" in params:
            record.interaction_id = int(params["interaction_id"])
        elif "token" in params:
            with self._lock:
                rec = self._interactions_by_token.get(params["token"])
            if rec is not None:
                record.interaction_id = rec.id

    def _respond(
        self, record: RecordedRequest, status: int, body: Any, headers: dict | None = None
    ) -> web.Response:
        self.recorder.finish(record, status, body)
        if status == 204 or body is None:
            return web.Response(status=status if status != 200 else 204, headers=headers)
        # discord.py compares Content-Type with == 'application/json': no charset suffix.
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(status=status, body=json.dumps(body).encode(), headers=hdrs)

    async def _record(self, request: web.Request, api_path: str) -> RecordedRequest:
        body: Any = None
        files: list[RecordedFile] = []
        form: dict[str, str] = {}
        multipart = False
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            multipart = True
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader):
                    continue
                data = await part.read(decode=False)
                if part.filename is not None:
                    files.append(
                        RecordedFile(
                            field=part.name or "",
                            filename=part.filename,
                            content_type=part.headers.get("Content-Type"),
                            data=bytes(data),
                        )
                    )
                elif part.name == "payload_json":
                    body = json.loads(bytes(data).decode())
                else:
                    form[part.name or ""] = bytes(data).decode(errors="replace")
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
        keep = ("Authorization", "Content-Type", "X-Audit-Log-Reason", "User-Agent")
        return self.recorder.new(
            method=request.method,
            path=api_path,
            query=dict(request.query),
            headers={k: request.headers[k] for k in keep if k in request.headers},
            body=body,
            files=files,
            form=form,
            multipart=multipart,
        )

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
        for route in self._routes:
            if route.method != method:
                continue
            m = route.pattern.fullmatch(path)
            if m:
                return route, {k: unquote(v) for k, v in m.groupdict().items()}
        return None, {}

    def _serve_attachment(self, path: str) -> web.Response:
        parts = path.strip("/").split("/")
        try:
            ctype, data = self.attachments[int(parts[2])]
        except (IndexError, ValueError, KeyError):
            return web.Response(status=404)
        return web.Response(body=data, content_type=ctype or "application/octet-stream")

    # ------------------------------------------------------------------ routes
    def _register_routes(self) -> None:
        def add(method: str, pattern: str, name: str, handler: Handler, auth: bool = True) -> None:
            self._routes.append(_Route(method, re.compile(pattern), name, handler, auth))

        app = r"/applications/(?P<app_id>\d+)"
        guild_app = app + r"/guilds/(?P<guild_id>\d+)"
        cmd = r"/commands/(?P<command_id>\d+)"
        hook = r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)"
        hook_msg = hook + r"/messages/(?P<message>@original|\d+)"
        chan = r"/channels/(?P<channel_id>\d+)"
        msg = chan + r"/messages/(?P<message_id>\d+)"
        guild = r"/guilds/(?P<guild_id>\d+)"

        add("GET", "/users/@me", "get_me", self._h_get_me)
        add("GET", r"/users/(?P<user_id>\d+)", "get_user", self._h_get_user)
        add("POST", "/users/@me/channels", "create_dm", self._h_create_dm)
        add("DELETE", r"/users/@me/guilds/(?P<guild_id>\d+)", "leave_guild", self._h_leave_guild)
        add("GET", "/oauth2/applications/@me", "application_info", self._h_app_info)
        add("GET", "/applications/@me", "application_info", self._h_app_info)
        add("GET", "/gateway", "get_gateway", self._h_gateway, auth=False)
        add("GET", "/gateway/bot", "get_bot_gateway", self._h_gateway_bot)
        for scope in (app, guild_app):
            add("GET", scope + "/commands", "get_commands", self._h_get_cmds)
            add("PUT", scope + "/commands", "put_commands", self._h_put_cmds)
            add("POST", scope + "/commands", "create_command", self._h_post_cmd)
            add("GET", scope + cmd, "get_command", self._h_get_cmd)
            add("PATCH", scope + cmd, "edit_command", self._h_patch_cmd)
            add("DELETE", scope + cmd, "delete_command", self._h_delete_cmd)
        add("GET", guild_app + "/commands/permissions", "get_command_perms", self._h_empty_list)
        add(
            "POST",
            r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback",
            "interaction_callback",
            self._h_callback,
            auth=False,
        )
        add("GET", hook_msg, "get_webhook_message", self._h_get_webhook_message, auth=False)
        add("PATCH", hook_msg, "edit_webhook_message", self._h_edit_webhook_message, auth=False)
        add("DELETE", hook_msg, "delete_webhook_message", self._h_del_webhook_message, auth=False)
        add("POST", hook, "execute_webhook", self._h_followup, auth=False)
        add("GET", chan, "get_channel", self._h_get_channel)
        add("GET", chan + "/messages", "get_messages", self._h_history)
        add("POST", chan + "/messages", "create_message", self._h_create_message)
        add("GET", msg, "get_message", self._h_get_message)
        add("PATCH", msg, "edit_message", self._h_edit_message)
        add("DELETE", msg, "delete_message", self._h_delete_message)
        add("POST", chan + "/typing", "typing", self._h_no_content)
        add("PUT", msg + r"/reactions/(?P<emoji>[^/]+)/@me", "add_reaction", self._h_no_content)
        add("DELETE", msg + r"/reactions/(?P<emoji>[^/]+)/@me", "del_reaction", self._h_no_content)
        add("GET", guild, "get_guild", self._h_get_guild)
        add("GET", guild + "/channels", "get_guild_channels", self._h_guild_channels)
        add("GET", guild + "/roles", "get_roles", self._h_guild_roles)
        add("GET", guild + "/members", "get_members", self._h_list_members)
        add("GET", guild + r"/members/(?P<user_id>\d+)", "get_member", self._h_get_member)

    # ------------------------------------------------------------------ simple handlers
    async def _h_get_me(self, ctx: RequestContext) -> tuple[int, Any]:
        return 200, self.world.bot_user

    async def _h_get_user(self, ctx: RequestContext) -> tuple[int, Any]:
        uid = ctx.int_param("user_id")
        with self._lock:
            if uid not in self.world.users:
                raise ApiError(404, "Unknown User", 10013)
            return 200, self.world.users[uid]

    async def _h_app_info(self, ctx: RequestContext) -> tuple[int, Any]:
        return 200, self.world.app

    async def _h_gateway(self, ctx: RequestContext) -> tuple[int, Any]:
        return 200, {"url": self.ws_url}

    async def _h_gateway_bot(self, ctx: RequestContext) -> tuple[int, Any]:
        return 200, {
            "url": self.ws_url,
            "shards": self.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14400000,
                "max_concurrency": 1,
            },
        }

    async def _h_no_content(self, ctx: RequestContext) -> tuple[int, Any]:
        self._channel_or_404(ctx.int_param("channel_id"))
        return 204, None

    async def _h_empty_list(self, ctx: RequestContext) -> tuple[int, Any]:
        return 200, []

    async def _h_create_dm(self, ctx: RequestContext) -> tuple[int, Any]:
        uid = int((ctx.body or {}).get("recipient_id", 0))
        with self._lock:
            if uid not in self.world.users:
                raise ApiError(400, "Invalid Recipient(s)", 50033)
            return 200, self._dm_channel(uid)

    def _dm_channel(self, uid: int) -> dict[str, Any]:
        with self._lock:
            if uid not in self.dm_channels:
                self.dm_channels[uid] = P.dm_channel(P.snowflake(), self.world.users[uid])
            return self.dm_channels[uid]

    async def _h_leave_guild(self, ctx: RequestContext) -> tuple[int, Any]:
        gid = ctx.int_param("guild_id")
        with self._lock:
            if gid not in self.world.guilds:
                raise ApiError(404, "Unknown Guild", 10004)
        self.remove_guild(gid)
        return 204, None

    # ------------------------------------------------------------------ guild handlers
    def _guild_or_404(self, gid: int) -> dict[str, Any]:
        with self._lock:
            guild = self.world.guilds.get(gid)
            if guild is None:
                raise ApiError(404, "Unknown Guild", 10004)
            return guild

    async def _h_get_guild(self, ctx: RequestContext) -> tuple[int, Any]:
        with self._lock:
            guild = self._guild_or_404(ctx.int_param("guild_id"))
            data = P.public_guild(guild)
            if ctx.query.get("with_counts") in ("1", "true", "True"):
                data["approximate_member_count"] = len(guild["members"])
                data["approximate_presence_count"] = 0
            return 200, data

    async def _h_guild_channels(self, ctx: RequestContext) -> tuple[int, Any]:
        with self._lock:
            return 200, self._guild_or_404(ctx.int_param("guild_id"))["channels"]

    async def _h_guild_roles(self, ctx: RequestContext) -> tuple[int, Any]:
        with self._lock:
            return 200, self._guild_or_404(ctx.int_param("guild_id"))["roles"]

    async def _h_get_member(self, ctx: RequestContext) -> tuple[int, Any]:
        with self._lock:
            guild = self._guild_or_404(ctx.int_param("guild_id"))
            mem = self.world.member(guild, ctx.int_param("user_id"))
            if mem is None:
                raise ApiError(404, "Unknown Member", 10007)
            return 200, mem

    async def _h_list_members(self, ctx: RequestContext) -> tuple[int, Any]:
        with self._lock:
            guild = self._guild_or_404(ctx.int_param("guild_id"))
            limit = int(ctx.query.get("limit", 1))
            after = int(ctx.query.get("after", 0))
            members = sorted(guild["members"], key=lambda m: int(m["user"]["id"]))
            return 200, [m for m in members if int(m["user"]["id"]) > after][:limit]

    # ------------------------------------------------------------------ commands
    def _check_app(self, ctx: RequestContext) -> None:
        if ctx.int_param("app_id") != self.app_id:
            raise ApiError(403, "Missing Access", 50001)

    def _cmd_scope(self, ctx: RequestContext) -> int | None:
        self._check_app(ctx)
        if "guild_id" in ctx.params:
            gid = ctx.int_param("guild_id")
            self._guild_or_404(gid)
            return gid
        return None

    def _store_command(
        self, scope: int | None, data: dict[str, Any], existing: dict | None
    ) -> dict[str, Any]:
        cmd = copy.deepcopy(data)
        cmd["id"] = existing["id"] if existing else str(P.snowflake())
        cmd["application_id"] = str(self.app_id)
        cmd["version"] = str(P.snowflake())
        cmd.setdefault("type", 1)
        cmd.setdefault("description", "")
        cmd.setdefault("default_member_permissions", None)
        cmd.setdefault("nsfw", False)
        cmd.setdefault("options", [])
        if cmd["default_member_permissions"] is not None:
            cmd["default_member_permissions"] = str(cmd["default_member_permissions"])
        if scope is not None:
            cmd["guild_id"] = str(scope)
            cmd.pop("dm_permission", None)
        else:
            cmd.setdefault("dm_permission", True)
            if cmd.get("contexts") is None:
                cmd["contexts"] = None
        return cmd

    async def _h_get_cmds(self, ctx: RequestContext) -> tuple[int, Any]:
        scope = self._cmd_scope(ctx)
        with self._lock:
            return 200, self.commands.get(scope, [])

    async def _h_put_cmds(self, ctx: RequestContext) -> tuple[int, Any]:
        scope = self._cmd_scope(ctx)
        if self.validate:
            validate_commands(ctx.body)
        with self._lock:
            old = {(c["name"], c["type"]): c for c in self.commands.get(scope, [])}
            new = [
                self._store_command(scope, c, old.get((c["name"], c.get("type", 1))))
                for c in ctx.body or []
            ]
            self.commands[scope] = new
            self.command_syncs.append((scope, time.monotonic()))
            self._cond.notify_all()
            return 200, new

    async def _h_post_cmd(self, ctx: RequestContext) -> tuple[int, Any]:
        scope = self._cmd_scope(ctx)
        if self.validate:
            validate_commands([ctx.body])
        with self._lock:
            cmds = self.commands.setdefault(scope, [])
            key = (ctx.body["name"], ctx.body.get("type", 1))
            existing = next((c for c in cmds if (c["name"], c["type"]) == key), None)
            cmd = self._store_command(scope, ctx.body, existing)
            if existing:
                cmds[cmds.index(existing)] = cmd
            else:
                cmds.append(cmd)
            self._cond.notify_all()
            return (200 if existing else 201), cmd

    def _find_cmd(self, ctx: RequestContext) -> tuple[list[dict], dict]:
        scope = self._cmd_scope(ctx)
        cmds = self.commands.get(scope, [])
        cmd_id = ctx.params["command_id"]
        found = next((c for c in cmds if c["id"] == cmd_id), None)
        if found is None:
            raise ApiError(404, "Unknown application command", 10063)
        return cmds, found

    async def _h_get_cmd(self, ctx: RequestContext) -> tuple[int, Any]:
        with self._lock:
            return 200, self._find_cmd(ctx)[1]

    async def _h_patch_cmd(self, ctx: RequestContext) -> tuple[int, Any]:
        with self._lock:
            cmds, found = self._find_cmd(ctx)
            merged = {**found, **(ctx.body or {})}
            if self.validate:
                validate_commands([merged])
            cmd = self._store_command(self._cmd_scope(ctx), merged, found)
            cmds[cmds.index(found)] = cmd
            self._cond.notify_all()
            return 200, cmd

    async def _h_delete_cmd(self, ctx: RequestContext) -> tuple[int, Any]:
        with self._lock:
            cmds, found = self._find_cmd(ctx)
            cmds.remove(found)
            self._cond.notify_all()
            return 204, None

    # ------------------------------------------------------------------ messages (shared)
    def _channel_or_404(self, cid: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        with self._lock:
            for g in self.world.guilds.values():
                for c in g["channels"]:
                    if int(c["id"]) == cid:
                        return g, c
            for dm in self.dm_channels.values():
                if int(dm["id"]) == cid:
                    return None, dm
        raise ApiError(404, "Unknown Channel", 10003)

    def bot_permissions(self, guild: dict[str, Any], channel: dict | None = None) -> int:
        with self._lock:
            me = self.world.member(guild, self.bot_id)
            return 0 if me is None else P.compute_permissions(guild, me, channel)

    def _make_attachments(
        self, channel_id: int, data: dict[str, Any], files: list[RecordedFile], keep: list[dict]
    ) -> list[dict[str, Any]]:
        """Resolve ``attachments`` (``{"id": <file index>}`` for uploads, real ids for kept
        attachments) plus uploaded ``files[n]`` parts into attachment objects."""
        by_field = {}
        for f in files:
            m = re.fullmatch(r"files\[(\d+)\]", f.field)
            by_field[int(m.group(1)) if m else len(by_field)] = f
        out: list[dict[str, Any]] = []
        used: set[int] = set()
        kept = {a["id"]: a for a in keep}
        for att in data.get("attachments") or []:
            att_id = str(att.get("id"))
            if att_id in kept:
                out.append(kept[att_id])
                continue
            try:
                idx = int(att_id)
            except ValueError:
                continue
            if idx in by_field:
                used.add(idx)
                out.append(self._attachment(channel_id, by_field[idx], att))
        for idx, f in sorted(by_field.items()):
            if idx not in used:
                out.append(self._attachment(channel_id, f, {}))
        return out

    def _attachment(self, channel_id: int, f: RecordedFile, meta: dict) -> dict[str, Any]:
        att_id = P.snowflake()
        name = meta.get("filename") or f.filename or "file"
        self.attachments[att_id] = (f.content_type, f.data)
        url = f"{self.url}/attachments/{channel_id}/{att_id}/{name}"
        data = {
            "id": str(att_id),
            "filename": name,
            "size": len(f.data),
            "url": url,
            "proxy_url": url,
            "content_type": f.content_type,
        }
        if meta.get("description"):
            data["description"] = meta["description"]
        return data

    def user_attachment(
        self,
        value: Any,
        *,
        channel_id: int = 0,
        ephemeral: bool = True,
    ) -> dict[str, Any]:
        """An attachment a *user* uploaded (e.g. for an attachment command option).

        ``value``: a ``pathlib.Path``, ``(filename, bytes)``, ``{"filename", "data",
        "content_type"?}`` or an attachment dict from an earlier call (returned as-is).
        The file is served at the attachment's ``url`` so ``Attachment.read()`` works."""
        if isinstance(value, dict) and "id" in value and "url" in value:
            return value
        if isinstance(value, Path):
            filename, data, ctype = value.name, value.read_bytes(), None
        elif isinstance(value, tuple):
            filename, data = value
            ctype = None
        elif isinstance(value, dict):
            filename, data, ctype = value["filename"], value["data"], value.get("content_type")
        else:
            raise TypeError(f"cannot make an attachment from {value!r}")
        if isinstance(data, str):
            data = data.encode()
        ctype = ctype or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        with self._lock:
            att = self._attachment(channel_id, RecordedFile("upload", filename, ctype, data), {})
        att["ephemeral"] = ephemeral
        return att

    def _new_message(
        self,
        channel_id: int,
        data: dict[str, Any],
        files: list[RecordedFile],
        *,
        author: dict[str, Any] | None = None,
        guild: dict | None = None,
        message_type: int = 0,
        flags: int | None = None,
        interaction: InteractionRecord | None = None,
    ) -> dict[str, Any]:
        author = author or self.world.users[self.bot_id]
        embeds = [{"type": "rich", **e} for e in data.get("embeds") or []]
        msg = P.message(
            P.snowflake(),
            channel_id,
            author,
            content=data.get("content") or "",
            embeds=embeds,
            components=copy.deepcopy(data.get("components") or []),
            attachments=self._make_attachments(channel_id, data, files, []),
            flags=int(data.get("flags") or 0) if flags is None else flags,
            message_type=message_type,
            tts=bool(data.get("tts")),
        )
        if interaction is not None:
            msg["webhook_id"] = str(self.app_id)
            msg["application_id"] = str(self.app_id)
            msg["interaction_metadata"] = interaction.metadata()
        if data.get("message_reference"):
            msg["message_reference"] = data["message_reference"]
            msg["type"] = 19
        if data.get("allowed_mentions") is not None:
            msg["_allowed_mentions"] = data["allowed_mentions"]  # stand-in bookkeeping
        with self._lock:
            self.messages[int(msg["id"])] = msg
            if not msg["flags"] & P.MESSAGE_FLAG_EPHEMERAL:
                self.channel_history.setdefault(channel_id, []).append(int(msg["id"]))
            self._cond.notify_all()
        if not msg["flags"] & P.MESSAGE_FLAG_EPHEMERAL:
            self._emit_message("MESSAGE_CREATE", msg, guild)
        return msg

    def _apply_edit(
        self,
        msg: dict[str, Any],
        data: dict[str, Any],
        files: list[RecordedFile],
        guild: dict | None,
    ) -> dict[str, Any]:
        with self._lock:
            if "content" in data:
                msg["content"] = data["content"] or ""
            if "embeds" in data:
                msg["embeds"] = [{"type": "rich", **e} for e in data["embeds"] or []]
            if "components" in data:
                msg["components"] = copy.deepcopy(data["components"] or [])
            if "flags" in data and data["flags"] is not None:
                keep = msg["flags"] & (P.MESSAGE_FLAG_EPHEMERAL | (1 << 15))
                msg["flags"] = (int(data["flags"]) & ~P.MESSAGE_FLAG_EPHEMERAL) | keep
            if "attachments" in data or files:
                if "attachments" in data:
                    msg["attachments"] = self._make_attachments(
                        int(msg["channel_id"]), data, files, msg["attachments"]
                    )
                else:
                    msg["attachments"] = msg["attachments"] + self._make_attachments(
                        int(msg["channel_id"]), {}, files, []
                    )
            if data.get("allowed_mentions") is not None:
                msg["_allowed_mentions"] = data["allowed_mentions"]
            msg["flags"] &= ~P.MESSAGE_FLAG_LOADING
            msg["edited_timestamp"] = P.iso_now()
            self._cond.notify_all()
        if not msg["flags"] & P.MESSAGE_FLAG_EPHEMERAL:
            self._emit_message("MESSAGE_UPDATE", msg, guild)
        return msg

    def _delete_message(self, msg: dict[str, Any], guild: dict | None) -> None:
        mid = int(msg["id"])
        cid = int(msg["channel_id"])
        with self._lock:
            self.messages.pop(mid, None)
            self.deleted_messages[mid] = msg
            hist = self.channel_history.get(cid, [])
            if mid in hist:
                hist.remove(mid)
            self._cond.notify_all()
        if not msg["flags"] & P.MESSAGE_FLAG_EPHEMERAL:
            d: dict[str, Any] = {"id": str(mid), "channel_id": str(cid)}
            if guild is not None:
                d["guild_id"] = guild["id"]
            intent = P.INTENT_GUILD_MESSAGES if guild else P.INTENT_DIRECT_MESSAGES
            self._dispatch("MESSAGE_DELETE", d, intent=intent)

    @staticmethod
    def public_message(msg: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in msg.items() if not k.startswith("_")}

    def _emit_message(self, event: str, msg: dict[str, Any], guild: dict | None) -> None:
        if not self.emit_message_events:
            return
        d = self.public_message(msg)
        if guild is not None:
            d["guild_id"] = guild["id"]
            mem = self.world.member(guild, int(msg["author"]["id"]))
            if mem is not None:
                d["member"] = {k: v for k, v in mem.items() if k != "user"}
        intent = P.INTENT_GUILD_MESSAGES if guild else P.INTENT_DIRECT_MESSAGES
        self._dispatch(event, d, intent=intent, message_author=int(msg["author"]["id"]))

    # ------------------------------------------------------------------ channel handlers
    async def _h_get_channel(self, ctx: RequestContext) -> tuple[int, Any]:
        guild, channel = self._channel_or_404(ctx.int_param("channel_id"))
        if guild is not None and not self.bot_permissions(guild, channel) & P.VIEW_CHANNEL:
            raise ApiError(403, "Missing Access", 50001)
        return 200, channel

    async def _h_create_message(self, ctx: RequestContext) -> tuple[int, Any]:
        cid = ctx.int_param("channel_id")
        guild, channel = self._channel_or_404(cid)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        if guild is not None:
            perms = self.bot_permissions(guild, channel)
            if not perms & P.VIEW_CHANNEL:
                raise ApiError(403, "Missing Access", 50001)
            if not perms & P.SEND_MESSAGES:
                raise ApiError(403, "Missing Permissions", 50013)
            if ctx.files and not perms & P.ATTACH_FILES:
                raise ApiError(403, "Missing Permissions", 50013)
        else:
            recipient = int(channel["recipients"][0]["id"])
            if recipient in self.dm_blocked:
                raise ApiError(403, "Cannot send messages to this user", 50007)
        if self.validate:
            validate_message(body, n_files=len(ctx.files))
        nonce = body.get("nonce") if body.get("enforce_nonce") else None
        with self._lock:
            earlier = self._nonces.get((cid, str(nonce))) if nonce is not None else None
            if earlier is not None and earlier in self.messages:
                # Discord: the same author and nonce within minutes returns the first message
                ctx.record.message_id = earlier
                ctx.record.channel_id = cid
                return 200, self.public_message(self.messages[earlier])
        msg = self._new_message(cid, body, ctx.files, guild=guild)
        if nonce is not None:
            with self._lock:
                self._nonces[(cid, str(nonce))] = int(msg["id"])
        ctx.record.message_id = int(msg["id"])
        ctx.record.channel_id = cid
        return 200, self.public_message(msg)

    def _channel_message(self, ctx: RequestContext) -> tuple[dict | None, dict[str, Any]]:
        cid = ctx.int_param("channel_id")
        guild, _channel = self._channel_or_404(cid)
        with self._lock:
            msg = self.messages.get(ctx.int_param("message_id"))
            if (
                msg is None
                or int(msg["channel_id"]) != cid
                # ephemeral messages only exist for their interaction's webhook
                or msg["flags"] & P.MESSAGE_FLAG_EPHEMERAL
            ):
                raise ApiError(404, "Unknown Message", 10008)
            ctx.record.message_id = int(msg["id"])
            ctx.record.channel_id = cid
            return guild, msg

    async def _h_get_message(self, ctx: RequestContext) -> tuple[int, Any]:
        _guild, msg = self._channel_message(ctx)
        return 200, self.public_message(msg)

    async def _h_history(self, ctx: RequestContext) -> tuple[int, Any]:
        cid = ctx.int_param("channel_id")
        self._channel_or_404(cid)
        limit = int(ctx.query.get("limit", 50))
        before = int(ctx.query.get("before", 0)) or None
        after = int(ctx.query.get("after", 0)) or None
        with self._lock:
            ids = list(self.channel_history.get(cid, []))
            if before:
                ids = [i for i in ids if i < before]
            if after:
                ids = [i for i in ids if i > after]
                ids = ids[:limit]
            else:
                ids = ids[-limit:]
            return 200, [self.public_message(self.messages[i]) for i in reversed(ids)]

    async def _h_edit_message(self, ctx: RequestContext) -> tuple[int, Any]:
        guild, msg = self._channel_message(ctx)
        if int(msg["author"]["id"]) != self.bot_id:
            raise ApiError(403, "Cannot edit a message authored by another user", 50005)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        if self.validate:
            validate_message(body, creating=False)
        return 200, self.public_message(self._apply_edit(msg, body, ctx.files, guild))

    async def _h_delete_message(self, ctx: RequestContext) -> tuple[int, Any]:
        guild, msg = self._channel_message(ctx)
        if int(msg["author"]["id"]) != self.bot_id and guild is not None:
            _, channel = self._channel_or_404(int(msg["channel_id"]))
            if not self.bot_permissions(guild, channel) & P.MANAGE_MESSAGES:
                raise ApiError(403, "Missing Permissions", 50013)
        self._delete_message(msg, guild)
        return 204, None

    # ------------------------------------------------------------------ interactions REST
    def _interaction_by_token(self, app_id: int, token: str) -> InteractionRecord:
        with self._lock:
            rec = self._interactions_by_token.get(token)
        if rec is None or app_id != self.app_id:
            raise ApiError(404, "Unknown Webhook", 10015)
        return rec

    def _guild_of(self, rec: InteractionRecord) -> dict[str, Any] | None:
        return self.world.guilds.get(rec.guild_id) if rec.guild_id else None

    async def _h_callback(self, ctx: RequestContext) -> tuple[int, Any]:
        iid = ctx.int_param("interaction_id")
        with self._lock:
            rec = self.interactions.get(iid)
        if rec is None or rec.token != ctx.params["token"]:
            raise ApiError(404, "Unknown interaction", 10062)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        rtype = body.get("type")
        data = body.get("data") or {}
        with self._lock:
            if rec.acked_type is not None:
                raise ApiError(400, "Interaction has already been acknowledged.", 40060)
            late = time.monotonic() - rec.created
            if self.ack_deadline is not None and late > self.ack_deadline:
                raise ApiError(404, "Unknown interaction", 10062)
        allowed = {
            P.INTERACTION_PING: {1},
            P.INTERACTION_APPLICATION_COMMAND: {4, 5, 9},
            P.INTERACTION_MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
            P.INTERACTION_AUTOCOMPLETE: {8},
            P.INTERACTION_MODAL_SUBMIT: {4, 5, 6, 7} if rec.source_message_id else {4, 5},
        }[rec.type]
        if rtype not in allowed:
            raise ApiError(400, f"Interaction response type {rtype} invalid here", 50035)
        guild = self._guild_of(rec)
        ephemeral = bool(int(data.get("flags") or 0) & P.MESSAGE_FLAG_EPHEMERAL)
        message: dict[str, Any] | None = None
        if rtype == 4:
            if self.validate:
                validate_message(data, n_files=len(ctx.files), prefix=("data",))
            message = self._new_message(
                rec.channel_id,
                data,
                ctx.files,
                guild=guild,
                message_type=20 if rec.type == P.INTERACTION_APPLICATION_COMMAND else 0,
                interaction=rec,
            )
            rec.original_id = int(message["id"])
        elif rtype == 5:
            flags = P.MESSAGE_FLAG_LOADING | (P.MESSAGE_FLAG_EPHEMERAL if ephemeral else 0)
            message = self._new_message(
                rec.channel_id,
                {"content": ""},
                [],
                guild=guild,
                flags=flags,
                message_type=20 if rec.type == P.INTERACTION_APPLICATION_COMMAND else 0,
                interaction=rec,
            )
            rec.original_id = int(message["id"])
        elif rtype in (6, 7):
            with self._lock:
                source = self.messages.get(rec.source_message_id or 0)
            if source is None:
                raise ApiError(404, "Unknown Message", 10008)
            rec.original_id = int(source["id"])
            if rtype == 7:
                if self.validate:
                    validate_message(data, creating=False, prefix=("data",))
                message = self._apply_edit(source, data, ctx.files, guild)
        elif rtype == 8:
            if self.validate:
                validate_choices(data.get("choices"))
            rec.choices = data.get("choices") or []
        elif rtype == 9:
            if self.validate:
                validate_modal(data)
            rec.modal = data
        with self._lock:
            rec.acked_type = rtype
            rec.acked_at = time.monotonic()
            self._cond.notify_all()
        if rec.original_id:
            ctx.record.message_id = rec.original_id
        result: dict[str, Any] = {
            "interaction": {
                "id": str(rec.id),
                "type": rec.type,
                "response_message_loading": rtype == 5,
                "response_message_ephemeral": ephemeral,
            }
        }
        if message is not None:
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": rtype, "message": self.public_message(message)}
        elif rtype in (9, 6):
            result["resource"] = {"type": rtype}
        if ctx.query.get("with_response") in ("1", "true", "True"):
            return 200, result
        return 204, None

    def _webhook_target(self, ctx: RequestContext) -> tuple[InteractionRecord, dict[str, Any]]:
        rec = self._interaction_by_token(ctx.int_param("app_id"), ctx.params["token"])
        ctx.record.interaction_id = rec.id
        ref = ctx.params["message"]
        with self._lock:
            if ref == "@original":
                if rec.acked_type is None or rec.original_id is None:
                    raise ApiError(404, "Unknown Message", 10008)
                mid = rec.original_id
            else:
                mid = int(ref)
                if mid not in rec.followup_ids and mid != rec.original_id:
                    raise ApiError(404, "Unknown Message", 10008)
            msg = self.messages.get(mid)
            if msg is None:
                raise ApiError(404, "Unknown Message", 10008)
            ctx.record.message_id = mid
            ctx.record.channel_id = int(msg["channel_id"])
            return rec, msg

    async def _h_get_webhook_message(self, ctx: RequestContext) -> tuple[int, Any]:
        _rec, msg = self._webhook_target(ctx)
        return 200, self.public_message(msg)

    async def _h_edit_webhook_message(self, ctx: RequestContext) -> tuple[int, Any]:
        rec, msg = self._webhook_target(ctx)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        if self.validate:
            validate_message(body, creating=False)
        return 200, self.public_message(self._apply_edit(msg, body, ctx.files, self._guild_of(rec)))

    async def _h_del_webhook_message(self, ctx: RequestContext) -> tuple[int, Any]:
        rec, msg = self._webhook_target(ctx)
        self._delete_message(msg, self._guild_of(rec))
        return 204, None

    async def _h_followup(self, ctx: RequestContext) -> tuple[int, Any]:
        rec = self._interaction_by_token(ctx.int_param("app_id"), ctx.params["token"])
        ctx.record.interaction_id = rec.id
        if rec.acked_type is None:
            raise ApiError(404, "Unknown Webhook", 10015)
        body = ctx.body if isinstance(ctx.body, dict) else {}
        if self.validate:
            validate_message(body, n_files=len(ctx.files))
        guild = self._guild_of(rec)
        with self._lock:
            original = self.messages.get(rec.original_id or 0)
            first_after_defer = (
                rec.acked_type == 5
                and original is not None
                and original["flags"] & P.MESSAGE_FLAG_LOADING
                and not rec.followup_ids
            )
        if first_after_defer and original is not None:
            # Discord: the first followup after a "thinking" defer edits the deferred
            # message (keeping the defer's ephemerality) instead of posting a new one.
            edit = {k: v for k, v in body.items() if k != "flags"}
            msg = self._apply_edit(original, edit, ctx.files, guild)
        else:
            msg = self._new_message(rec.channel_id, body, ctx.files, guild=guild, interaction=rec)
        with self._lock:
            rec.followup_ids.append(int(msg["id"]))
            self._cond.notify_all()
        ctx.record.message_id = int(msg["id"])
        ctx.record.channel_id = int(msg["channel_id"])
        if ctx.query.get("wait") in ("1", "true", "True"):
            return 200, self.public_message(msg)
        return 204, None

    # ------------------------------------------------------------------ gateway
    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        encoding = request.query.get("encoding", "json")
        conn = GatewayConnection(
            ws, compress=compress if compress == "zlib-stream" else None, encoding=encoding
        )
        with self._lock:
            self.connections.append(conn)
            self._cond.notify_all()
        writer = asyncio.create_task(conn.writer())
        try:
            if encoding != "json":
                conn.enqueue_close(4002, "Decode error: only encoding=json is supported")
            else:
                self._send_op(conn, OP_HELLO, {"heartbeat_interval": self.heartbeat_interval_ms})
                async for msg in ws:
                    if msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                        try:
                            payload = json.loads(msg.data)
                        except ValueError:
                            conn.enqueue_close(4002, "Decode error")
                            break
                        self._on_frame(conn, payload)
                    elif msg.type == aiohttp.WSMsgType.ERROR:
                        break
        finally:
            with self._lock:
                conn.close_code = ws.close_code
                conn.closed_at = time.monotonic()
                if conn.session is not None and conn.session.connection is conn:
                    conn.session.connection = None
                self._cond.notify_all()
            conn.queue.put_nowait(None)
            try:
                await asyncio.wait_for(writer, 2)
            except (TimeoutError, asyncio.CancelledError):
                writer.cancel()
        return ws

    def _log_frame(self, conn: GatewayConnection, direction: str, payload: dict) -> None:
        with self._lock:
            self.gateway_log.append(
                GatewayFrame(
                    direction=direction,
                    op=payload.get("op", -1),
                    t=payload.get("t"),
                    s=payload.get("s"),
                    d=payload.get("d"),
                    connection_id=conn.id,
                )
            )
            self._cond.notify_all()

    def _send_op(self, conn: GatewayConnection, op: int, d: Any) -> None:
        payload = {"op": op, "d": d, "s": None, "t": None}
        self._log_frame(conn, "send", payload)
        conn.enqueue(payload)

    def _on_frame(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        d = payload.get("d")
        self._log_frame(conn, "recv", payload)
        if op == OP_HEARTBEAT:
            conn.heartbeats += 1
            self._send_op(conn, OP_HEARTBEAT_ACK, None)
        elif op == OP_IDENTIFY:
            self._identify(conn, d or {})
        elif op == OP_RESUME:
            self._resume(conn, d or {})
        elif op == OP_REQUEST_GUILD_MEMBERS:
            self._request_members(conn, d or {})
        elif op == OP_PRESENCE_UPDATE:
            with self._lock:
                self.presence_updates.append(d)
        elif op == 4:  # voice state update: ignore
            pass
        else:
            conn.enqueue_close(4001, f"Unknown opcode {op}")

    def _identify(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        if d.get("token") != self.token and d.get("token") != f"Bot {self.token}":
            conn.enqueue_close(4004, "Authentication failed.")
            return
        if conn.identified:
            conn.enqueue_close(4005, "Already authenticated.")
            return
        intents = int(d.get("intents", 0))
        if intents & P.PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            conn.enqueue_close(4014, "Disallowed intent(s).")
            return
        shard = tuple(d["shard"]) if d.get("shard") else None
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            token=self.token,
            identify=d,
            intents=intents,
            shard=shard,  # type: ignore[arg-type]
            connection=conn,
        )
        with self._lock:
            conn.identified = True
            conn.session = session
            self.sessions[session.session_id] = session
            guilds = [g for g in self.world.guilds.values() if self._on_shard(g, shard)]
            ready = {
                "v": 10,
                "user": self.world.bot_user,
                "user_settings": {},
                "guilds": [{"id": g["id"], "unavailable": True} for g in guilds],
                "session_id": session.session_id,
                "session_type": "normal",
                "resume_gateway_url": self.ws_url,
                "application": {"id": str(self.app_id), "flags": self.world.app["flags"]},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "geo_ordered_rtc_regions": ["london"],
                "auth": {},
                "_trace": ["fake-discord"],
            }
            if shard:
                ready["shard"] = list(shard)
            self._push(session, "READY", ready)
            for g in guilds:
                self._push(session, "GUILD_CREATE", self._guild_create_for(session, g))
            self.ready_count += 1
            self._cond.notify_all()

    @staticmethod
    def _on_shard(guild: dict[str, Any], shard: tuple[int, int] | None) -> bool:
        return FakeDiscord._owns(int(guild["id"]), shard)

    @staticmethod
    def _owns(guild_id: int | None, shard: tuple[int, int] | None) -> bool:
        """Whether a session identified with ``shard`` gets this guild's traffic (DMs and
        other guild-less traffic: shard 0, as Discord does)."""
        if not shard:
            return True
        if guild_id is None:
            return shard[0] == 0
        return (guild_id >> 22) % shard[1] == shard[0]

    @staticmethod
    def _dispatch_guild(t: str, d: Any) -> int | None:
        """The guild a dispatch concerns (None: not a guild event)."""
        if not isinstance(d, dict):
            return None
        if d.get("guild_id") is not None:
            return int(d["guild_id"])
        if t.startswith("GUILD_") and t not in ("GUILD_MEMBERS_CHUNK",) and "id" in d:
            return int(d["id"])
        return None

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The live session that Discord would send this guild's events to (the newest one
        when several could, e.g. while a bot restarts)."""
        with self._lock:
            live = [
                s
                for s in self.sessions.values()
                if not s.invalidated
                and s.connection is not None
                and s.connection.open
                and self._owns(guild_id, s.shard)
            ]
            return live[-1] if live else None

    def _guild_create_for(self, session: GatewaySession, guild: dict[str, Any]) -> dict:
        data = copy.deepcopy(guild)
        if not session.has_intent(P.INTENT_GUILD_MEMBERS):
            # Without GUILD_MEMBERS Discord only includes the bot itself (and voice members).
            data["members"] = [m for m in data["members"] if m["user"]["id"] == str(self.bot_id)]
        data["member_count"] = len(guild["members"])
        return data

    def _resume(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        with self._lock:
            session = self.sessions.get(d.get("session_id", ""))
            if (
                session is None
                or session.invalidated
                or d.get("token") not in (self.token, f"Bot {self.token}")
            ):
                self._send_op(conn, OP_INVALID_SESSION, False)
                return
            seq = int(d.get("seq") or 0)
            conn.identified = True
            conn.session = session
            session.connection = conn
            session.resumes += 1
            for payload in session.buffer:
                if payload["s"] > seq:
                    self._log_frame(conn, "send", payload)
                    conn.enqueue(payload)
            self._push(session, "RESUMED", {"_trace": ["fake-discord"]})
            self._cond.notify_all()

    def _request_members(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        if conn.session is None:
            conn.enqueue_close(4003, "Not authenticated.")
            return
        gids = d.get("guild_id")
        gids = gids if isinstance(gids, list) else [gids]
        query = (d.get("query") or "").lower()
        limit = int(d.get("limit") or 0)
        user_ids = d.get("user_ids")
        if user_ids is not None and not isinstance(user_ids, list):
            user_ids = [user_ids]
        with self._lock:
            for gid in gids:
                guild = self.world.guilds.get(int(gid))
                if guild is None:
                    continue
                members = guild["members"]
                if user_ids is not None:
                    wanted = {str(u) for u in user_ids}
                    members = [m for m in members if m["user"]["id"] in wanted]
                elif query:
                    members = [m for m in members if m["user"]["username"].startswith(query)]
                if limit:
                    members = members[:limit]
                chunk = {
                    "guild_id": guild["id"],
                    "members": copy.deepcopy(members),
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "not_found": [],
                }
                if d.get("nonce") is not None:
                    chunk["nonce"] = d["nonce"]
                self._push(conn.session, "GUILD_MEMBERS_CHUNK", chunk)

    def _push(self, session: GatewaySession, t: str, d: Any) -> None:
        """Dispatch to one session (must run on the server loop thread)."""
        with self._lock:
            payload = session.push(t, copy.deepcopy(d))
            if session.connection is not None:
                self._log_frame(session.connection, "send", payload)

    def _dispatch(
        self,
        t: str,
        d: Any,
        *,
        intent: int | None = None,
        message_author: int | None = None,
    ) -> int:
        """Dispatch to every identified session whose intents allow it. Loop thread only.
        Returns the number of sessions it went to."""
        sent = 0
        with self._lock:
            guild_id = self._dispatch_guild(t, d)
            for session in self.sessions.values():
                if session.invalidated:
                    continue
                if intent is not None and not session.has_intent(intent):
                    continue
                if guild_id is not None and not self._owns(guild_id, session.shard):
                    continue  # another shard's guild
                data = d
                if (
                    message_author is not None
                    and message_author != self.bot_id
                    and "guild_id" in d
                    and not session.has_intent(P.INTENT_MESSAGE_CONTENT)
                    and f"<@{self.bot_id}>" not in d.get("content", "")
                ):
                    data = {**d, "content": "", "embeds": [], "attachments": [], "components": []}
                self._push(session, t, data)
                sent += 1
        return sent

    # ------------------------------------------------------------------ public: gateway
    def dispatch(self, event: str, data: Any, *, intent: int | None = None) -> int:
        """Send an arbitrary DISPATCH to the bot (any thread)."""
        return self.call(lambda: self._dispatch(event, data, intent=intent))

    def active_session(self) -> GatewaySession | None:
        with self._lock:
            live = [
                s
                for s in self.sessions.values()
                if not s.invalidated and s.connection is not None and s.connection.open
            ]
            return live[-1] if live else None

    def wait_ready(self, count: int = 1, timeout: float = 20.0) -> GatewaySession:
        """Block until at least ``count`` READYs have been sent in total (pass
        ``discord.ready_count + 1`` to wait for the *next* login); returns the live session."""

        def check() -> GatewaySession | None:
            if self.ready_count >= count:
                return self.active_session()
            return None

        return self.wait_until(check, timeout, f"READY #{count}")

    async def wait_ready_async(self, *args: Any, **kwargs: Any) -> GatewaySession:
        return await asyncio.to_thread(self.wait_ready, *args, **kwargs)

    def wait_commands_synced(
        self,
        names: list[str] | None = None,
        *,
        guild: int | str | None = None,
        after: float = 0.0,
        timeout: float = 20.0,
    ) -> list[dict[str, Any]]:
        """Block until a bulk overwrite (``PUT``) of the scope happened after monotonic time
        ``after`` and (if given) all ``names`` are registered; returns the command list."""
        scope = None if guild is None else self.world.resolve(guild)

        def check() -> list[dict[str, Any]] | None:
            if not any(s == scope and at > after for s, at in self.command_syncs):
                return None
            cmds = self.commands.get(scope, [])
            have = {c["name"] for c in cmds}
            if names and not set(names) <= have:
                return None
            return list(cmds)

        where = "global" if scope is None else f"guild {scope}"
        return self.wait_until(check, timeout, f"{where} command sync {names or ''}")

    async def wait_commands_synced_async(self, *args: Any, **kwargs: Any) -> list[dict]:
        return await asyncio.to_thread(self.wait_commands_synced, *args, **kwargs)

    def wait_gateway_closed(self, timeout: float = 10.0) -> GatewayConnection:
        """Block until the most recent gateway websocket has closed; returns it
        (``close_code`` is the bot's code: 1000 for a clean ``Client.close()``)."""

        def check() -> GatewayConnection | None:
            if self.connections and not self.connections[-1].open:
                return self.connections[-1]
            return None

        return self.wait_until(check, timeout, "gateway close")

    def reconnect_gateway(self) -> None:
        """Send op 7 RECONNECT: discord.py closes and RESUMEs."""

        def go() -> None:
            s = self.active_session()
            if s and s.connection:
                self._send_op(s.connection, OP_RECONNECT, None)

        self.call(go)

    def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION: discord.py re-IDENTIFYs (or RESUMEs if resumable)."""

        def go() -> None:
            s = self.active_session()
            if s and s.connection:
                if not resumable:
                    s.invalidated = True
                self._send_op(s.connection, OP_INVALID_SESSION, resumable)

        self.call(go)

    def drop_gateway(self, code: int = 4000, reason: str = "dropped by test") -> None:
        """Close the live websocket from the server side with ``code``."""

        def go() -> None:
            s = self.active_session()
            if s and s.connection:
                s.connection.enqueue_close(code, reason)

        self.call(go)

    # ------------------------------------------------------------------ public: requests
    def requests(
        self, method: str | None = None, path: PathMatch = None, **kw: Any
    ) -> list[RecordedRequest]:
        """Finished recorded requests, filtered (see :meth:`Recorder.filter`)."""
        return self.recorder.filter(method, path, **kw)

    def wait_request(
        self, method: str | None = None, path: PathMatch = None, **kw: Any
    ) -> RecordedRequest:
        """Block for a matching request (``since=`` a seq to only look at newer ones)."""
        return self.recorder.wait(method, path, **kw)

    async def wait_request_async(
        self, method: str | None = None, path: PathMatch = None, **kw: Any
    ) -> RecordedRequest:
        return await asyncio.to_thread(self.recorder.wait, method, path, **kw)

    def mark(self) -> int:
        """Current request sequence number, for ``since=`` / ``after_mark`` filters."""
        return self.recorder.last_seq

    def violations(self, since: int = 0) -> list[Violation]:
        """Requests refused with 50035 Invalid Form Body (spec or documented limits),
        optionally only those after ``since`` (a :meth:`mark`)."""
        with self._lock:
            return [v for v in self._violations if v.request.seq > since]

    def assert_no_violations(self, since: int = 0) -> None:
        found = self.violations(since)
        assert not found, "the bot sent bodies Discord refuses (400 / 50035):\n" + "\n".join(
            v.describe() for v in found
        )

    def unknown_requests(self) -> list[RecordedRequest]:
        return [r for r in self.recorder.all() if r.unknown]

    def assert_no_unknown_routes(self) -> None:
        unknown = self.unknown_requests()
        assert not unknown, "bot used routes the stand-in does not implement:\n" + "\n".join(
            r.summary() for r in unknown
        )

    def override(
        self,
        method: str | None,
        path: PathMatch,
        *,
        status: int | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        times: int | None = 1,
    ) -> Override:
        """Answer the next ``times`` matching requests with ``status``/``body`` (or just
        delay them by ``delay`` seconds when ``status`` is None). For a 429 discord.py
        retries only when a ``Via`` header is present and the body has ``retry_after``.
        Note discord.py retries 5xx answers up to 5 times with 1/3/5/7 s sleeps."""
        ov = Override(method, path, status, body, dict(headers or {}), delay, times)
        with self._lock:
            self.overrides.append(ov)
        return ov

    def rate_limit(
        self, method: str | None, path: PathMatch, retry_after: float = 0.2, times: int = 1
    ) -> Injection:
        """Answer the next ``times`` matching requests with a 429 as Discord sends it
        (``retry_after``, ``X-RateLimit-*``, ``Via``). For buckets, a global limit or
        every-n-th injection use :attr:`rate_limits` (``ratelimit.RateLimiter``)."""
        return self.rate_limits.inject(method, path, times=times, retry_after=retry_after)

    # ------------------------------------------------------------------ public: messages
    def message(self, message_id: int | str) -> dict[str, Any] | None:
        with self._lock:
            msg = self.messages.get(int(message_id))
            return copy.deepcopy(msg) if msg else None

    def channel_messages(self, channel: int | str) -> list[dict[str, Any]]:
        """Visible (non-ephemeral, not deleted) messages in a channel, oldest first."""
        cid = self.world.resolve(channel)
        with self._lock:
            return [
                copy.deepcopy(self.messages[i])
                for i in self.channel_history.get(cid, [])
                if i in self.messages
            ]

    def wait_channel_message(
        self,
        channel: int | str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        *,
        after: int | str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Block until a message (id > ``after``) matching ``predicate`` is in the channel."""
        cid = self.world.resolve(channel)
        floor = int(after or 0)

        def check() -> dict[str, Any] | None:
            for i in self.channel_history.get(cid, []):
                msg = self.messages.get(i)
                if msg and i > floor and (predicate is None or predicate(msg)):
                    return copy.deepcopy(msg)
            return None

        return self.wait_until(check, timeout, f"message in channel {channel}")

    async def wait_channel_message_async(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.wait_channel_message, *args, **kwargs)

    def last_message_id(self) -> int:
        """Highest message id so far (use as ``after=`` for :meth:`wait_channel_message`)."""
        with self._lock:
            return max(self.messages, default=0)

    def user_message(self, channel: int | str, user: int | str, content: str) -> dict[str, Any]:
        """A user posts in a channel (MESSAGE_CREATE, subject to intents)."""
        guild, ch = self._channel_or_404(self.world.resolve(channel))
        author = self.world.users[self.world.resolve(user)]
        return self.call(
            lambda: self._new_message(
                int(ch["id"]), {"content": content}, [], author=author, guild=guild
            )
        )

    # ------------------------------------------------------------------ public: world changes
    def _guild_for(self, guild: int | str | None) -> dict[str, Any]:
        return self.world.guild(guild)

    def add_member(
        self, name: str, *, roles: list[int | str] | None = None, guild: int | str | None = None
    ) -> dict[str, Any]:
        """A new user joins (GUILD_MEMBER_ADD). Returns the member object."""
        g = self._guild_for(guild)
        with self._lock:
            u = self.world.add_user(name)
            mem = P.member(u, roles=[self.world.resolve(r) for r in roles or []])
            g["members"].append(mem)
            g["member_count"] = len(g["members"])
        self.call(
            lambda: self._dispatch(
                "GUILD_MEMBER_ADD", {**mem, "guild_id": g["id"]}, intent=P.INTENT_GUILD_MEMBERS
            )
        )
        return mem

    def set_member_roles(
        self, user: int | str, roles: list[int | str], *, guild: int | str | None = None
    ) -> dict[str, Any]:
        g = self._guild_for(guild)
        with self._lock:
            mem = self.world.member(g, user)
            if mem is None:
                raise KeyError(f"{user!r} is not a member")
            mem["roles"] = [str(self.world.resolve(r)) for r in roles]
        self.call(
            lambda: self._dispatch(
                "GUILD_MEMBER_UPDATE", {**mem, "guild_id": g["id"]}, intent=P.INTENT_GUILD_MEMBERS
            )
        )
        return mem

    def update_channel(self, channel: int | str, **fields: Any) -> dict[str, Any]:
        """Change a channel (e.g. ``permission_overwrites=[...]``) and send CHANNEL_UPDATE."""
        _guild, ch = self._channel_or_404(self.world.resolve(channel))
        with self._lock:
            ch.update(fields)
        self.call(lambda: self._dispatch("CHANNEL_UPDATE", ch, intent=P.INTENT_GUILDS))
        return ch

    def create_channel(
        self, name: str, *, guild: int | str | None = None, **fields: Any
    ) -> dict[str, Any]:
        g = self._guild_for(guild)
        with self._lock:
            ch = P.text_channel(P.snowflake(), int(g["id"]), name, **fields)
            g["channels"].append(ch)
            self.world.names.setdefault(name, int(ch["id"]))
        self.call(lambda: self._dispatch("CHANNEL_CREATE", ch, intent=P.INTENT_GUILDS))
        return ch

    def delete_channel(self, channel: int | str) -> None:
        guild, ch = self._channel_or_404(self.world.resolve(channel))
        if guild is None:
            raise ValueError("cannot delete a DM channel")
        with self._lock:
            guild["channels"].remove(ch)
        self.call(lambda: self._dispatch("CHANNEL_DELETE", ch, intent=P.INTENT_GUILDS))

    def remove_guild(self, guild: int | str) -> None:
        """The bot is removed from a guild (GUILD_DELETE without ``unavailable``)."""
        gid = self.world.resolve(guild)
        with self._lock:
            self.world.guilds.pop(gid, None)
        self.call(lambda: self._dispatch("GUILD_DELETE", {"id": str(gid)}, intent=P.INTENT_GUILDS))

    def add_guild(self, name: str, *, key: str, **kw: Any) -> dict[str, Any]:
        """The bot joins another guild (GUILD_CREATE). Names get the ``key:`` prefix."""
        with self._lock:
            g = self.world.add_guild(name, key=key, **kw)

        def go() -> None:
            for s in list(self.sessions.values()):
                if not s.invalidated and self._on_shard(g, s.shard):
                    self._push(s, "GUILD_CREATE", self._guild_create_for(s, g))

        self.call(go)
        return g

    def block_dms(self, user: int | str) -> None:
        """DMs to this user fail with 403 / 50007 from now on."""
        with self._lock:
            self.dm_blocked.add(self.world.resolve(user))

    # ------------------------------------------------------------------ public: interactions
    def _register_and_send(self, rec: InteractionRecord) -> InteractionHandle:
        handle = InteractionHandle(self, rec, since=self.mark())

        def go() -> None:
            with self._lock:
                self.interactions[rec.id] = rec
                self._interactions_by_token[rec.token] = rec
                rec.created = time.monotonic()
                session = self.session_for(rec.guild_id)
                if session is None:
                    raise RuntimeError(
                        "no live gateway session for this guild's shard: is the bot running "
                        "and READY? (use wait_ready() first)"
                    )
                rec.shard = session.shard
                self._push(session, "INTERACTION_CREATE", rec.payload)

        self.call(go)
        return handle

    def slash(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        user: int | str = "member",
        channel: int | str = "general",
        locale: str = "en-GB",
        force: bool = False,
    ) -> InteractionHandle:
        """Inject a chat-input command (INTERACTION_CREATE type 2).

        ``command`` may include subcommands: ``"petition watch"``. ``options`` maps option
        names to values; user/channel/role/mentionable options accept world names or ids
        and get ``resolved`` entries. The command must have been synced (registered) and the
        user must pass its ``default_member_permissions`` — as on real Discord — unless
        ``force=True``. ``channel="dm"`` sends it from the user's DM with the bot.
        """
        with self._lock:
            rec = build_interaction(
                self,
                P.INTERACTION_APPLICATION_COMMAND,
                command=command,
                options=options or {},
                user=user,
                channel=channel,
                locale=locale,
                force=force,
            )
        return self._register_and_send(rec)

    def message_command(
        self,
        name: str,
        message: dict[str, Any] | int,
        *,
        user: int | str = "member",
        channel: int | str | None = None,
        locale: str = "en-GB",
        force: bool = False,
    ) -> InteractionHandle:
        """Inject a message command (type 2 with ``data.type`` 3) run on ``message``.

        ``message`` is a message object (e.g. what ``user_message`` returns) or its id;
        the channel defaults to the message's. The command must have been synced.
        """
        with self._lock:
            if not isinstance(message, dict):
                message = self.messages[int(message)]
            rec = build_interaction(
                self,
                P.INTERACTION_APPLICATION_COMMAND,
                command=name,
                target=message,
                options={},
                user=user,
                channel=channel if channel is not None else int(message["channel_id"]),
                locale=locale,
                force=force,
            )
        return self._register_and_send(rec)

    def autocomplete(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        focused: str,
        user: int | str = "member",
        channel: int | str = "general",
        locale: str = "en-GB",
        force: bool = False,
    ) -> InteractionHandle:
        """Inject an autocomplete request (type 4) with ``focused`` as the typed option.
        Await the choices with ``handle.choices()``."""
        with self._lock:
            rec = build_interaction(
                self,
                P.INTERACTION_AUTOCOMPLETE,
                command=command,
                options=options or {},
                focused=focused,
                user=user,
                channel=channel,
                locale=locale,
                force=force,
            )
        return self._register_and_send(rec)

    def click(
        self,
        message: InteractionHandle | dict[str, Any] | int | str,
        custom_id: str,
        *,
        user: int | str | None = None,
        values: list[Any] | None = None,
        force: bool = False,
        timeout: float = 10.0,
    ) -> InteractionHandle:
        """Click a button / choose select ``values`` on a message the bot sent (type 3).

        ``message`` may be a handle (its original response, else its last followup), a
        message dict or a message id. The component must exist and be enabled unless
        ``force``. ``user`` defaults to whoever triggered the original interaction.
        With a handle, waits up to ``timeout`` for the bot to post a message (original or
        followup) carrying ``custom_id``."""
        if isinstance(message, InteractionHandle):
            rec = message.record

            def has_component() -> dict[str, Any] | None:
                for mid in [rec.original_id, *reversed(rec.followup_ids)]:
                    msg = self.messages.get(mid or 0)
                    if msg and any(
                        c.get("custom_id") == custom_id for c in walk_components(msg["components"])
                    ):
                        return msg
                return None

            # on timeout build_interaction raises a descriptive InjectionError
            with contextlib.suppress(TimeoutError):
                message = self.wait_until(has_component, timeout, f"component {custom_id!r}")
        with self._lock:
            rec = build_interaction(
                self,
                P.INTERACTION_MESSAGE_COMPONENT,
                message=message,
                custom_id=custom_id,
                values=values,
                user=user,
                force=force,
            )
        return self._register_and_send(rec)

    def select(
        self,
        message: InteractionHandle | dict[str, Any] | int | str,
        custom_id: str,
        values: list[Any],
        **kw: Any,
    ) -> InteractionHandle:
        return self.click(message, custom_id, values=values, **kw)

    def submit_modal(
        self,
        source: InteractionHandle,
        values: dict[str, Any],
        *,
        user: int | str | None = None,
        force: bool = False,
        timeout: float = 10.0,
    ) -> InteractionHandle:
        """Submit the modal the bot opened in response to ``source`` (type 5). ``values``
        maps text-input custom_ids to strings (select custom_ids to lists). Waits up to
        ``timeout`` for the bot to answer ``source`` with the modal."""
        with contextlib.suppress(TimeoutError):  # else build_interaction explains
            self.wait_until(lambda: source.record.acked_type is not None, timeout, "modal")
        with self._lock:
            rec = build_interaction(
                self,
                P.INTERACTION_MODAL_SUBMIT,
                source=source.record,
                values=values,
                user=user,
                force=force,
            )
        return self._register_and_send(rec)

    def register_commands(
        self, commands: list[dict[str, Any]], *, guild: int | str | None = None
    ) -> list[dict[str, Any]]:
        """Pre-register commands as if synced earlier (Discord keeps them across bot
        restarts; useful when the bot skips syncing because its DB says "unchanged")."""
        scope = None if guild is None else self.world.resolve(guild)
        with self._lock:
            old = {(c["name"], c["type"]): c for c in self.commands.get(scope, [])}
            new = [
                self._store_command(scope, c, old.get((c["name"], c.get("type", 1))))
                for c in commands
            ]
            self.commands[scope] = new
            self._cond.notify_all()
            return copy.deepcopy(new)

    def find_command(
        self, name: str, guild_id: int | None = None, *, ctype: int = 1
    ) -> tuple[dict[str, Any], int | None] | None:
        """Registered command by name and type (1 slash, 3 message): guild first, then global."""
        with self._lock:
            if guild_id is not None:
                for c in self.commands.get(guild_id, []):
                    if c["name"] == name and c.get("type", 1) == ctype:
                        return c, guild_id
            for c in self.commands.get(None, []):
                if c["name"] == name and c.get("type", 1) == ctype:
                    return c, None
        return None
