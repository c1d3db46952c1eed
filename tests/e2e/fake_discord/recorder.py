"""Recording of every REST request the bot makes, with blocking waits for tests."""

from __future__ import annotations

import fnmatch
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordedFile:
    field: str  # multipart field name, e.g. "files[0]"
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class RecordedRequest:
    """One HTTP request as the stand-in saw it, plus what it answered.

    ``path`` is the API path without the ``/api/v10`` prefix (``/channels/1/messages``).
    ``body`` is the parsed JSON body, or the parsed ``payload_json`` part of a multipart
    request (then ``files`` holds the file parts and ``form`` any other text parts).
    ``route`` names the matched route (``"interaction_callback"``, ``"create_message"``, ...)
    or is ``None`` for unknown routes (``unknown=True``, answered 404).
    """

    seq: int
    at: float
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    files: list[RecordedFile] = field(default_factory=list)
    form: dict[str, str] = field(default_factory=dict)
    multipart: bool = False
    route: str | None = None
    unknown: bool = False
    overridden: bool = False  # answered by a test-installed FakeDiscord.override()
    rate_limited: bool = False  # answered 429 by the rate limiter (FakeDiscord.rate_limits)
    status: int = 0
    response: Any = None
    interaction_id: int | None = None
    message_id: int | None = None
    channel_id: int | None = None
    done: bool = False  # set once the response has been decided

    # ---- convenience views for message-ish payloads -----------------------------------
    @property
    def data(self) -> dict[str, Any]:
        """The message part: ``body["data"]`` for interaction callbacks, else ``body``."""
        body = self.body if isinstance(self.body, dict) else {}
        if self.route == "interaction_callback":
            return body.get("data") or {}
        return body

    @property
    def callback_type(self) -> int | None:
        if self.route == "interaction_callback" and isinstance(self.body, dict):
            return self.body.get("type")
        return None

    @property
    def content(self) -> str | None:
        return self.data.get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.data.get("components") or []

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.data.get("allowed_mentions")

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (callback type 8)."""
        return self.data.get("choices") or []

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    def text(self) -> str:
        """Content plus all embed text, for loose ``in`` assertions."""
        return message_text(self.data)

    def summary(self) -> str:
        extra = f" -> {self.status}" if self.done else " (pending)"
        return f"#{self.seq} {self.method} {self.path}{extra} route={self.route}"


def walk_components(components: list[dict[str, Any]] | None) -> Iterator[dict[str, Any]]:
    """Yield every component, recursing into action rows, containers, sections, labels."""
    for comp in components or []:
        yield comp
        yield from walk_components(comp.get("components"))
        if isinstance(comp.get("component"), dict):
            yield from walk_components([comp["component"]])
        if isinstance(comp.get("accessory"), dict):
            yield from walk_components([comp["accessory"]])


def message_text(data: dict[str, Any]) -> str:
    """Content plus every embed's title/description/fields/footer/author, newline-joined."""
    parts: list[str] = []
    if data.get("content"):
        parts.append(data["content"])
    for embed in data.get("embeds") or []:
        for key in ("title", "description"):
            if embed.get(key):
                parts.append(str(embed[key]))
        for fld in embed.get("fields") or []:
            parts.append(f"{fld.get('name', '')}: {fld.get('value', '')}")
        for key in ("footer", "author"):
            sub = embed.get(key) or {}
            if sub.get("text") or sub.get("name"):
                parts.append(str(sub.get("text") or sub.get("name")))
    for comp in walk_components(data.get("components")):
        if comp.get("type") == 10 and comp.get("content"):  # components-v2 text display
            parts.append(comp["content"])
    return "\n".join(parts)


_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def effective_pings(data: dict[str, Any]) -> dict[str, Any]:
    """Who Discord would actually notify for this message payload.

    Applies ``allowed_mentions`` the way Discord does: when it is absent, every user/role
    mention and @everyone/@here in ``content`` pings. Returns
    ``{"everyone": bool, "users": set[int], "roles": set[int]}``.
    """
    content = data.get("content") or ""
    users = {int(u) for u in _USER_MENTION.findall(content)}
    roles = {int(r) for r in _ROLE_MENTION.findall(content)}
    everyone = "@everyone" in content or "@here" in content
    am = data.get("allowed_mentions")
    if am is None:
        return {"everyone": everyone, "users": users, "roles": roles}
    parse = set(am.get("parse") or [])
    allowed_users = {int(u) for u in am.get("users") or []}
    allowed_roles = {int(r) for r in am.get("roles") or []}
    return {
        "everyone": everyone and "everyone" in parse,
        "users": users if "users" in parse else users & allowed_users,
        "roles": roles if "roles" in parse else roles & allowed_roles,
    }


PathMatch = str | re.Pattern[str] | None


def path_matches(pattern: PathMatch, path: str) -> bool:
    """``None`` matches all; a compiled regex uses ``fullmatch``; a str with ``*`` is a glob
    (``/channels/*/messages``); any other str must be equal."""
    if pattern is None:
        return True
    if isinstance(pattern, re.Pattern):
        return pattern.fullmatch(path) is not None
    if "*" in pattern:
        return fnmatch.fnmatchcase(path, pattern)
    return pattern == path


class Recorder:
    """Thread-safe list of :class:`RecordedRequest` sharing the server's condition variable."""

    def __init__(self, cond: threading.Condition) -> None:
        self._cond = cond
        self._items: list[RecordedRequest] = []
        self.last_activity = time.monotonic()

    def new(self, **kwargs: Any) -> RecordedRequest:
        with self._cond:
            self.last_activity = time.monotonic()
            req = RecordedRequest(seq=len(self._items) + 1, at=self.last_activity, **kwargs)
            self._items.append(req)
            self._cond.notify_all()
            return req

    def finish(self, req: RecordedRequest, status: int, response: Any) -> None:
        with self._cond:
            self.last_activity = time.monotonic()
            req.status = status
            req.response = response
            req.done = True
            self._cond.notify_all()

    @property
    def last_seq(self) -> int:
        with self._cond:
            return len(self._items)

    def all(self) -> list[RecordedRequest]:
        with self._cond:
            return list(self._items)

    def filter(
        self,
        method: str | None = None,
        path: PathMatch = None,
        *,
        route: str | None = None,
        since: int = 0,
        interaction_id: int | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        include_pending: bool = False,
    ) -> list[RecordedRequest]:
        with self._cond:
            out = []
            for req in self._items[since:]:
                if not (req.done or include_pending):
                    continue
                if method is not None and req.method != method.upper():
                    continue
                if route is not None and req.route != route:
                    continue
                if interaction_id is not None and req.interaction_id != interaction_id:
                    continue
                if not path_matches(path, req.path):
                    continue
                if predicate is not None and not predicate(req):
                    continue
                out.append(req)
            return out

    def wait(
        self,
        method: str | None = None,
        path: PathMatch = None,
        *,
        route: str | None = None,
        since: int = 0,
        interaction_id: int | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,
        describe: str = "",
    ) -> RecordedRequest:
        """Block until a finished request matching all filters exists (after seq ``since``);
        return the first such. Raises ``TimeoutError`` listing what *was* seen."""

        def find() -> RecordedRequest | None:
            found = self.filter(
                method,
                path,
                route=route,
                since=since,
                interaction_id=interaction_id,
                predicate=predicate,
            )
            return found[0] if found else None

        with self._cond:
            result = self._cond.wait_for(find, timeout)
            if result is None:
                seen = "\n  ".join(r.summary() for r in self._items[since:][-15:]) or "(none)"
                what = describe or f"{method or '*'} {path or route or '*'}"
                raise TimeoutError(
                    f"no request matching {what} within {timeout}s; recent requests:\n  {seen}"
                )
            return result
