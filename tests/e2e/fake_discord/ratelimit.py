"""Discord's rate limits, as documented ("Rate Limits" in the developer docs).

Off by default (the stand-in then sends no rate-limit headers, as before). A test turns
on what it needs:

* ``limiter.configure(per_route=(5, 1.0), global_per_second=50)`` — every route bucket
  (the route plus its major parameter: channel, guild or webhook/interaction token)
  allows ``limit`` requests per ``window`` seconds and every answer carries
  ``X-RateLimit-Limit/-Remaining/-Reset/-Reset-After/-Bucket``; going over gets a
  ``429`` with ``retry_after`` and ``X-RateLimit-Scope: user``. Over the global limit
  (interaction callbacks are exempt, as on Discord) the 429 says ``"global": true``
  with ``X-RateLimit-Global: true`` and ``X-RateLimit-Scope: global``.
* ``limiter.inject(method, path, every=3, retry_after=0.05, scope="shared")`` — answer
  every 3rd matching request with a 429 regardless of counts (a shared-resource or
  sub-rate limit, which a client cannot foresee from the headers). Reusable by any
  burst test (digest fan-out, paging, alert bursts).

A 429 also carries ``Via`` and ``Retry-After`` like Discord's edge does; discord.py
treats a 429 without ``Via`` as a Cloudflare ban and gives up.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .recorder import PathMatch, path_matches

_MAJOR = ("channel_id", "guild_id", "token", "interaction_id")
_GLOBAL_EXEMPT = frozenset({"interaction_callback"})


@dataclass
class Limited:
    """A 429 to send: body and headers."""

    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Injection:
    method: str | None
    path: PathMatch
    every: int = 1
    times: int | None = None
    retry_after: float = 0.05
    scope: str = "shared"
    global_: bool = False
    seen: int = 0
    hits: int = 0

    def fire(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        if not path_matches(self.path, path):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.seen += 1
        if self.seen % self.every:
            return False
        self.hits += 1
        return True


@dataclass
class _Bucket:
    name: str
    limit: int
    window: float
    reset_at: float = 0.0
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.reset_at:
            self.reset_at = now + self.window
            self.used = 0


@dataclass
class RateLimitStats:
    """What the limiter did, for test assertions and the closing figures."""

    route_429s: int = 0
    global_429s: int = 0
    injected_429s: int = 0
    by_bucket: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.route_429s + self.global_429s + self.injected_429s


class RateLimiter:
    """Per-route buckets, a global limit and injected 429s (all off until configured)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.per_route: tuple[int, float] | None = None
        self.global_per_second: int | None = None
        self.injections: list[Injection] = []
        self.stats = RateLimitStats()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._global = _Bucket("global", 0, 1.0)

    def configure(
        self,
        *,
        per_route: tuple[int, float] | None = (5, 1.0),
        global_per_second: int | None = 50,
    ) -> None:
        with self._lock:
            self.per_route = per_route
            self.global_per_second = global_per_second
            self._buckets.clear()

    def inject(
        self,
        method: str | None,
        path: PathMatch,
        *,
        every: int = 1,
        times: int | None = None,
        retry_after: float = 0.05,
        scope: str = "shared",
    ) -> Injection:
        """Answer every ``every``-th matching request with a 429 (``times`` in all, or
        forever). ``scope="global"`` sends a global 429."""
        inj = Injection(method, path, every, times, retry_after, scope, scope == "global")
        with self._lock:
            self.injections.append(inj)
        return inj

    def clear(self) -> None:
        with self._lock:
            self.per_route = None
            self.global_per_second = None
            self.injections.clear()
            self._buckets.clear()

    # ------------------------------------------------------------------ used by the server
    @staticmethod
    def _key(route: str, params: dict[str, str]) -> tuple[str, str]:
        major = next((params[k] for k in _MAJOR if k in params), "")
        return route, major

    @staticmethod
    def _hash(route: str) -> str:
        return hashlib.sha1(route.encode()).hexdigest()[:16]

    def _bucket(self, route: str, params: dict[str, str]) -> _Bucket | None:
        if self.per_route is None:
            return None
        key = self._key(route, params)
        if key not in self._buckets:
            limit, window = self.per_route
            self._buckets[key] = _Bucket(self._hash(route), limit, window)
        return self._buckets[key]

    def check(self, method: str, path: str, route: str, params: dict[str, str]) -> Limited | None:
        """A 429 for this request, or None (then the request counts against its bucket)."""
        now = time.monotonic()
        with self._lock:
            for inj in self.injections:
                if inj.fire(method, path):
                    self.stats.injected_429s += 1
                    bucket = self._bucket(route, params) or _Bucket(self._hash(route), 1, 0)
                    return self._limited(bucket, inj.retry_after, inj.scope, now, inj.global_)
            if self.global_per_second and route not in _GLOBAL_EXEMPT:
                g = self._global
                g.limit = self.global_per_second
                g.roll(now)
                if g.used >= g.limit:
                    self.stats.global_429s += 1
                    return self._limited(g, g.reset_at - now, "global", now, True)
                g.used += 1
            bucket = self._bucket(route, params)
            if bucket is None:
                return None
            bucket.roll(now)
            if bucket.used >= bucket.limit:
                self.stats.route_429s += 1
                self.stats.by_bucket[route] = self.stats.by_bucket.get(route, 0) + 1
                return self._limited(bucket, bucket.reset_at - now, "user", now, False)
            bucket.used += 1
            return None

    def headers(self, method: str, path: str, route: str, params: dict[str, str]) -> dict:
        """``X-RateLimit-*`` headers for a successful answer (none when limits are off)."""
        with self._lock:
            key = self._key(route, params)
            bucket = self._buckets.get(key)
            if bucket is None:
                return {}
            return self._bucket_headers(bucket, time.monotonic())

    @staticmethod
    def _bucket_headers(bucket: _Bucket, now: float) -> dict[str, str]:
        reset_after = max(bucket.reset_at - now, 0.0)
        return {
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": str(max(bucket.limit - bucket.used, 0)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket.name,
        }

    def _limited(
        self, bucket: _Bucket, retry_after: float, scope: str, now: float, is_global: bool
    ) -> Limited:
        retry_after = max(round(retry_after, 3), 0.001)
        headers = {
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",
        }
        body: dict[str, Any] = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update(self._bucket_headers(bucket, now))
            headers["X-RateLimit-Remaining"] = "0"
            headers["X-RateLimit-Reset-After"] = f"{retry_after:.3f}"
            headers["X-RateLimit-Reset"] = f"{time.time() + retry_after:.3f}"
            if scope == "shared":
                body["code"] = 0
        return Limited(body, headers)
