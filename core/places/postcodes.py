"""UK postcodes → constituencies, through postcodes.io, politely and with a cache.

People know their postcode better than their constituency's exact name, so
wherever a seat is asked for a postcode works too. The format is checked here
first (a typo is told at once, without a request). A look-up asks
``{base}/postcodes/{postcode}`` with a short timeout and a few retries with
backoff (429, 5xx, network errors), and keeps the answer in the database, so
the service sees each postcode about once a month. postcodes.io gives the seat
under the boundaries in force and, during the change-over, under the 2024 set
too; only the ONS codes are kept, and they are mapped to the reference seats
by code, so whichever sets the service names are both known.

The cache is keyed by a hash of the postcode, never the postcode itself, and
holds no user: a home seat (``core.me``) keeps only the seat.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import aiohttp

from core.common.errors import UserFacingError
from db import postcodes as cache
from db.database import Database

DEFAULT_BASE = "https://api.postcodes.io"
USER_AGENT = "petitionbot (Discord bot; UK Parliament petitions by constituency)"
FOUND_FOR = timedelta(days=30)
UNKNOWN_FOR = timedelta(days=1)
"""An unknown postcode may be a new one the service learns soon: ask again sooner."""

_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_ATTEMPT = re.compile(r"[A-Za-z0-9 ]{2,10}")
_CODE_FIELDS = ("parliamentary_constituency", "parliamentary_constituency_2024")


class PostcodeError(UserFacingError):
    """A postcode could not be turned into a seat; the message says why and what to do."""


class MalformedPostcode(PostcodeError):
    pass


class UnknownPostcode(PostcodeError):
    pass


class PostcodeServiceDown(PostcodeError):
    pass


def looks_like_postcode(text: str) -> bool:
    """Typed as a postcode: short, a letter then letters and digits with a digit among them.

    Seat names have no digits, and an autocompleted seat is sent as its id (digits only),
    so neither is ever taken for a postcode.
    """
    text = text.strip()
    return bool(_ATTEMPT.fullmatch(text)) and text[0].isalpha() and any(c.isdigit() for c in text)


def normalise_postcode(text: str) -> str | None:
    """``sw1a1aa`` → ``SW1A 1AA``; None when it is not in the UK postcode format."""
    compact = "".join(text.split()).upper()
    match = _POSTCODE.fullmatch(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def cache_key(postcode: str) -> str:
    """What the cache is keyed by: a hash, so the database file never holds the postcode."""
    return hashlib.sha256(postcode.encode()).hexdigest()


def malformed(text: str) -> MalformedPostcode:
    return MalformedPostcode(
        f"'{text.strip()}' is not a UK postcode (they look like SW1A 1AA or M1 1AE)."
        " Check it, or type the constituency's name instead."
    )


@dataclass(frozen=True, slots=True)
class PostcodeCodes:
    """The ONS codes of a postcode's constituencies (one per boundary set the service gives)."""

    postcode: str
    codes: tuple[str, ...]


def codes_from(result: object) -> tuple[str, ...]:
    """The constituency codes in a postcodes.io ``result`` (both boundary sets, once each)."""
    if not isinstance(result, dict):
        return ()
    codes = result.get("codes")
    found: list[str] = []
    if isinstance(codes, dict):
        for name in _CODE_FIELDS:
            code = codes.get(name)
            if isinstance(code, str) and code and code not in found:
                found.append(code)
    return tuple(found)


@dataclass
class PostcodeLookup:
    """Postcode → ONS seat codes: validate, then the cache, then the service."""

    db: Database
    base_url: str = DEFAULT_BASE
    timeout: float = 4.0
    """Seconds for one request, all in (a slow answer is deferred by the bot after 2 s)."""
    attempts: int = 3
    backoff: float = 0.5
    """First retry delay; doubles each retry."""
    retry_after_cap: float = 5.0

    async def codes(self, text: str, *, now: datetime | None = None) -> PostcodeCodes:
        postcode = normalise_postcode(text)
        if postcode is None:
            raise malformed(text)
        now = now or datetime.now(UTC)
        key = cache_key(postcode)
        cached = await cache.cached_codes(self.db, key, now)
        if cached is None:
            found = await self._fetch(postcode)
            ttl = FOUND_FOR if found else UNKNOWN_FOR
            await cache.store_codes(self.db, key, found, now + ttl)
            cached = tuple(found)
        if not cached:
            raise UnknownPostcode(
                f"postcodes.io knows no constituency for {postcode} (it may be new, retired or"
                " mistyped). Type the constituency's name instead."
            )
        return PostcodeCodes(postcode, tuple(cached))

    async def _fetch(self, postcode: str) -> Sequence[str]:
        """Ask the service; () when it says the postcode does not exist."""
        url = f"{self.base_url.rstrip('/')}/postcodes/{quote(postcode.replace(' ', ''))}"
        delay = self.backoff
        for attempt in range(self.attempts):
            try:
                status, codes, retry_after = await self._ask(url)
            except (aiohttp.ClientError, TimeoutError, ValueError):
                status, codes, retry_after = 0, (), 0.0
            if status == 200:
                return codes
            if status == 404:
                return ()
            if status and status != 429 and status < 500:
                break  # another 4xx will not get better by asking again
            if attempt + 1 < self.attempts:
                await asyncio.sleep(min(max(delay, retry_after), self.retry_after_cap))
                delay *= 2
        raise PostcodeServiceDown(
            f"The postcode service is not answering just now, so {postcode} could not be looked"
            " up. Try again later, or type the constituency's name instead."
        )

    async def _ask(self, url: str) -> tuple[int, tuple[str, ...], float]:
        """One request: (status, codes when 200, Retry-After seconds)."""
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, headers=headers) as resp,
        ):
            if resp.status != 200:
                return resp.status, (), _retry_after(resp.headers.get("Retry-After"))
            body = await resp.json(content_type=None)
            result = body.get("result") if isinstance(body, dict) else None
            return 200, codes_from(result), 0.0


def _retry_after(value: str | None) -> float:
    try:
        return float(value) if value else 0.0
    except ValueError:
        return 0.0
