"""Optional live refresh: fetch changed petitions from petition.parliament.uk.

One pass walks the list pages of a state (``/petitions.json?state=open``,
following ``links.next``), compares each listed petition's ``updated_at`` and
signature count with what the database holds, fetches only the petitions that
changed, and ingests them through :func:`core.ingest.loader.ingest_documents` — the
same all-or-nothing, newer-wins rules as every other document.

Politeness, because this is somebody else's public service:

* one request at a time, at least ``min_interval`` seconds apart;
* conditional requests (``If-None-Match`` / ``If-Modified-Since``) for every
  URL fetched before by the same :class:`Refresher`; an unchanged list page
  (304) is re-read from memory;
* on 429 and 5xx (and network errors) exponential backoff with a cap, and a
  ``Retry-After`` header is honoured (seconds or an HTTP date, capped);
* bounded: at most ``max_pages`` pages, ``max_attempts`` tries per URL, and a
  page seen twice ends the walk. A link to another host is rebased onto the
  configured base URL, so a mirror or test server is never left.

It is off by default (``LIVE_REFRESH``); ``petitionbot refresh`` runs one pass.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import aiohttp

from core.ingest.json_reader import SITE, ListEntry, ListPage, parse_list_page
from core.ingest.loader import ingest_documents
from core.ingest.parser import ParseError
from core.ingest.types import Document, IngestReport, Outcome
from db import petitions as petition_repo
from db.database import Database

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
Progress = Callable[[str, int, int | None], None]
"""Called as (phase, done, total): phase "pages" (total from ``links.last`` when
known) then "petitions" (total = petitions to fetch)."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RefreshConfig:
    """How a refresh talks to the site. Defaults are deliberately slow."""

    base_url: str = SITE
    state: str = "open"
    min_interval: float = 1.0  # seconds between the starts of two requests
    max_attempts: int = 5  # tries per URL (1 + retries)
    backoff_base: float = 2.0  # first retry delay; doubles each retry
    backoff_cap: float = 120.0
    retry_after_cap: float = 900.0  # never wait longer than this for a Retry-After
    max_pages: int = 500
    batch_size: int = 25  # documents per ingest transaction batch
    timeout: float = 30.0
    user_agent: str = "petitionbot (Discord bot; live refresh of open petitions)"


class FetchError(Exception):
    """A URL could not be fetched (final status, or retries exhausted)."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"{url}: {reason}")


def retry_after_seconds(value: str | None, cap: float, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP date), capped.

    ``None`` when absent or unreadable (then the exponential backoff applies).
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, min(seconds, cap))


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response we use: 200 with its body, or 304 (``body`` re-read for list pages)."""

    url: str
    status: int
    body: bytes | None


@dataclass(slots=True)
class _Validators:
    etag: str | None
    last_modified: str | None
    body: bytes | None  # kept for list pages only, to re-read them on 304


class PoliteClient:
    """GET with pacing, conditional requests and retry/backoff over one aiohttp session.

    ``sleep`` and ``clock`` are injectable so tests can run the backoff and the
    pacing without waiting and check the delays exactly.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        config: RefreshConfig,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.session = session
        self.config = config
        self._sleep = sleep
        self._clock = clock
        self._last_start: float | None = None
        self._validators: dict[str, _Validators] = {}
        # Recent history for logs and tests, bounded for a client that lives for weeks.
        self.request_times: deque[float] = deque(maxlen=1000)  # clock() at request starts
        self.retry_delays: deque[float] = deque(maxlen=1000)  # backoff / Retry-After waits

    async def _pace(self) -> None:
        if self._last_start is not None:
            wait = self._last_start + self.config.min_interval - self._clock()
            if wait > 0:
                await self._sleep(wait)
        self._last_start = self._clock()
        self.request_times.append(self._last_start)

    def _headers(self, url: str) -> dict[str, str]:
        headers = {"User-Agent": self.config.user_agent, "Accept": "application/json"}
        known = self._validators.get(url)
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return headers

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based): base × 2^(attempt−1), capped."""
        return float(min(self.config.backoff_cap, self.config.backoff_base * 2 ** (attempt - 1)))

    async def get(self, url: str, *, keep_body: bool = False) -> Fetched:
        """Fetch ``url`` (200 or 304); raises :class:`FetchError` on failure."""
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        reason = "no attempt made"
        for attempt in range(1, self.config.max_attempts + 1):
            await self._pace()
            delay: float | None = None
            try:
                async with self.session.get(
                    url, headers=self._headers(url), timeout=timeout
                ) as response:
                    if response.status == 304 and url in self._validators:
                        return Fetched(url, 304, self._validators[url].body)
                    if response.status == 200:
                        body = await response.read()
                        self._validators[url] = _Validators(
                            response.headers.get("ETag"),
                            response.headers.get("Last-Modified"),
                            body if keep_body else None,
                        )
                        return Fetched(url, 200, body)
                    if response.status not in RETRY_STATUSES:
                        raise FetchError(url, f"HTTP {response.status}", response.status)
                    reason = f"HTTP {response.status}"
                    delay = retry_after_seconds(
                        response.headers.get("Retry-After"), self.config.retry_after_cap
                    )
            except (aiohttp.ClientError, TimeoutError) as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if attempt == self.config.max_attempts:
                break
            wait = delay if delay is not None else self.backoff(attempt)
            self.retry_delays.append(wait)
            await self._sleep(wait)
        raise FetchError(url, f"gave up after {self.config.max_attempts} attempts ({reason})")


@dataclass(slots=True)
class RefreshReport:
    """What one pass did, for the CLI, the logs and tests."""

    pages: int = 0
    listed: int = 0
    to_fetch: int = 0
    fetched: int = 0  # 200 responses for petitions
    not_modified: int = 0  # 304 responses for petitions
    complete: bool = False  # walked to the last page
    failures: list[str] = field(default_factory=list)
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    rejected: list[str] = field(default_factory=list)

    def add_ingest(self, report: IngestReport) -> None:
        self.outcomes.update(report.counts)
        self.rejected.extend(r.error or r.name for r in report.rejected)

    def summary(self) -> str:
        """One line such as "3 pages, 120 listed, 4 fetched: 3 updated, 1 added"."""
        parts = [f"{self.outcomes[o]} {o.value}" for o in Outcome if self.outcomes[o]]
        text = f"{self.pages} pages, {self.listed} listed, {self.fetched} fetched"
        if parts:
            text += ": " + ", ".join(parts)
        if self.not_modified:
            text += f"; {self.not_modified} not modified"
        if self.failures:
            text += f"; {len(self.failures)} failed"
        if not self.complete:
            text += " (list walk incomplete)"
        return text


def _page_number(url: str | None) -> int | None:
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get("page")
    return int(values[0]) if values and values[0].isdigit() else None


class Refresher:
    """Refreshes petitions from the site; keep one per process to reuse its HTTP cache.

    Use as ``async with Refresher(config) as refresher: await refresher.run(db)``.
    A session can be passed in (it is then not closed here).
    """

    def __init__(
        self,
        config: RefreshConfig | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.config = config or RefreshConfig()
        self._own_session = session is None
        self._session = session
        self._sleep = sleep
        self._clock = clock
        self._client: PoliteClient | None = None
        base = urlsplit(self.config.base_url.rstrip("/"))
        self._base = base

    async def __aenter__(self) -> Refresher:
        _ = self.client  # create the session inside the running loop
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None
            self._client = None

    @property
    def client(self) -> PoliteClient:
        if self._client is None:
            if self._session is None:
                self._session = aiohttp.ClientSession()
            self._client = PoliteClient(
                self._session, self.config, sleep=self._sleep, clock=self._clock
            )
        return self._client

    # ----------------------------------------------------------------- URLs
    def url(self, path: str) -> str:
        """``path`` (with query) on the configured base."""
        return f"{self.config.base_url.rstrip('/')}{path}"

    def on_base(self, url: str, current: str) -> str:
        """Resolve ``url`` against ``current`` and keep it on the configured host."""
        parts = urlsplit(urljoin(current, url))
        if (parts.scheme, parts.netloc) == (self._base.scheme, self._base.netloc):
            return urlunsplit(parts)
        prefix = self._base.path.rstrip("/")
        return urlunsplit(
            (self._base.scheme, self._base.netloc, prefix + parts.path, parts.query, "")
        )

    def petition_url(self, petition_id: int, archived: bool = False) -> str:
        return self.url(f"/{'archived/' if archived else ''}petitions/{petition_id}.json")

    # ----------------------------------------------------------------- walking
    async def list_entries(
        self, progress: Progress | None = None
    ) -> tuple[list[ListEntry], int, bool]:
        """Every entry of the state's list pages: (entries, pages read, reached the end)."""
        url: str | None = self.url(f"/petitions.json?state={self.config.state}")
        seen: set[str] = set()
        entries: list[ListEntry] = []
        total: int | None = None
        pages = 0
        while url is not None and pages < self.config.max_pages:
            if url in seen:
                return entries, pages, False  # a loop in the links: stop, incomplete
            seen.add(url)
            fetched = await self.client.get(url, keep_body=True)
            page: ListPage = parse_list_page(fetched.body or b"", url)
            pages += 1
            entries.extend(page.entries)
            total = total or _page_number(page.last_url)
            if progress is not None:
                progress("pages", pages, total)
            url = self.on_base(page.next_url, url) if page.next_url else None
        return entries, pages, url is None

    async def changed(self, db: Database, entries: Iterable[ListEntry]) -> list[ListEntry]:
        """Entries whose petition is new, or newer/different than what we hold."""
        result: list[ListEntry] = []
        seen: set[int] = set()
        for entry in entries:
            if entry.id in seen:
                continue  # lists shift while we walk them: a petition can appear twice
            seen.add(entry.id)
            stored = await petition_repo.get_summary(db, entry.id)
            if stored is None:
                result.append(entry)
                continue
            if entry.updated_at is not None and entry.updated_at < stored.refreshed_at:
                continue  # we hold newer data than the list describes
            newer = entry.updated_at is None or entry.updated_at > stored.refreshed_at
            if newer or entry.signature_count != stored.total_signatures:
                result.append(entry)
        return result

    async def fetch_and_ingest(
        self,
        db: Database,
        targets: list[tuple[int, bool]],
        report: RefreshReport,
        progress: Progress | None = None,
    ) -> None:
        """Fetch petitions by (id, archived) and ingest them in batches."""
        batch: list[Document] = []
        for done, (petition_id, archived) in enumerate(targets, start=1):
            url = self.petition_url(petition_id, archived)
            try:
                fetched = await self.client.get(url)
            except FetchError as exc:
                report.failures.append(str(exc))
            else:
                if fetched.status == 304:
                    report.not_modified += 1
                elif fetched.body is not None:
                    report.fetched += 1
                    batch.append(Document(url, fetched.body))
            if len(batch) >= self.config.batch_size:
                report.add_ingest(await ingest_documents(db.target, batch))
                batch = []
            if progress is not None:
                progress("petitions", done, len(targets))
        if batch:
            report.add_ingest(await ingest_documents(db.target, batch))

    async def run(self, db: Database, progress: Progress | None = None) -> RefreshReport:
        """One pass: walk the list pages, fetch what changed, ingest it."""
        report = RefreshReport()
        try:
            entries, report.pages, report.complete = await self.list_entries(progress)
        except (FetchError, ParseError) as exc:
            report.failures.append(str(exc))
            return report
        report.listed = len(entries)
        changed = await self.changed(db, entries)
        report.to_fetch = len(changed)
        targets = [(entry.id, entry.archived) for entry in changed]
        await self.fetch_and_ingest(db, targets, report, progress)
        return report

    async def refresh_ids(
        self, db: Database, ids: Iterable[int], progress: Progress | None = None
    ) -> RefreshReport:
        """Fetch and ingest these petitions now, whatever the list pages say."""
        report = RefreshReport(complete=True)
        targets = [(petition_id, False) for petition_id in dict.fromkeys(ids)]
        report.to_fetch = len(targets)
        await self.fetch_and_ingest(db, targets, report, progress)
        return report
