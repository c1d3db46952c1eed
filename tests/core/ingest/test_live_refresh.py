"""Live refresh against a local stand-in of petition.parliament.uk on 127.0.0.1.

The server serves the shared real petition JSON files and list pages built
from them (links point at the public host, as the real site's do, so the
client must keep itself on the configured base). Time is a fake clock: the
backoff, Retry-After and pacing waits are checked as exact values, never
measured. Every walk is bounded and each test is wrapped in ``wait_for``.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from typer.testing import CliRunner

from core.ingest.json_reader import ListEntry
from core.ingest.live_refresh import RefreshConfig, Refresher, retry_after_seconds
from core.ingest.loader import ingest_paths_sync
from core.ingest.types import Outcome
from db.database import Database

PETITIONS = Path(__file__).resolve().parents[2] / "fixtures" / "petition_json" / "petitions"
PUBLIC = "https://petition.parliament.uk"
IDS = [300000, 300152, 300316, 300473, 301579, 303345, 311642, 317343, 321103, 323999]
TIMEOUT = 60  # seconds: a bound so a broken walk fails instead of hanging


class FakeSite:
    """petitions.json list pages + /petitions/<id>.json with ETags, 304s and scripted faults."""

    def __init__(self, ids: list[int], page_size: int = 4) -> None:
        self.documents: dict[int, dict[str, Any]] = {
            pid: json.loads((PETITIONS / f"{pid}.json").read_bytes()) for pid in ids
        }
        self.listed = list(ids)
        self.page_size = page_size
        self.faults: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.log: list[tuple[str, int]] = []
        self.conditional: list[str] = []  # paths requested with If-None-Match
        self.user_agents: set[str] = set()
        self.loop_links = False

    def pages(self) -> int:
        return max(1, -(-len(self.listed) // self.page_size))

    def list_body(self, page: int) -> bytes:
        chunk = self.listed[(page - 1) * self.page_size : page * self.page_size]
        data = []
        for pid in chunk:
            document = self.documents.get(pid)
            attributes = (
                {
                    k: v
                    for k, v in document["data"]["attributes"].items()
                    if "signatures_by" not in k
                }
                if document
                else {"state": "open", "signature_count": 1, "updated_at": "2023-01-01T00:00:00Z"}
            )
            data.append(
                {
                    "type": "petition",
                    "id": pid,
                    "links": {"self": f"{PUBLIC}/petitions/{pid}.json"},
                    "attributes": attributes,
                }
            )

        def link(n: int) -> str:
            return f"{PUBLIC}/petitions.json?page={n}&state=open"

        nxt = link(page + 1) if page < self.pages() else None
        links = {"self": link(page), "last": link(self.pages()), "next": nxt}
        if self.loop_links:
            links["next"] = link(page)
        return json.dumps({"links": links, "data": data}).encode()

    async def handle(self, request: web.Request) -> web.Response:
        key = request.path_qs
        self.user_agents.add(request.headers.get("User-Agent", ""))
        queued = self.faults.get(key)
        if queued:
            status, headers = queued.pop(0)
            self.log.append((key, status))
            return web.Response(status=status, headers=headers)
        if request.path == "/petitions.json":
            body = self.list_body(int(request.query.get("page", "1")))
        else:
            pid = int(request.match_info["id"])
            if pid not in self.documents:
                self.log.append((key, 404))
                return web.Response(status=404)
            body = json.dumps(self.documents[pid]).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match"):
            self.conditional.append(key)
            if request.headers["If-None-Match"] == etag:
                self.log.append((key, 304))
                return web.Response(status=304, headers={"ETag": etag})
        self.log.append((key, 200))
        return web.Response(body=body, content_type="application/json", headers={"ETag": etag})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/petitions.json", self.handle)
        app.router.add_get("/petitions/{id:\\d+}.json", self.handle)
        return app

    def change(self, pid: int, extra: int, updated_at: str) -> None:
        """The petition gained ``extra`` signatures (UK and its top seat) since last time."""
        attrs = self.documents[pid]["data"]["attributes"]
        attrs["signature_count"] += extra
        attrs["updated_at"] = updated_at
        for country in attrs["signatures_by_country"]:
            if country["name"] == "United Kingdom":
                country["signature_count"] += extra
        attrs["signatures_by_constituency"][0]["signature_count"] += extra


class FakeClock:
    """Time that only moves when the client sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def serve(site: FakeSite) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(site.app())
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def site() -> AsyncIterator[tuple[FakeSite, str]]:
    fake = FakeSite(IDS)
    runner, url = await serve(fake)
    try:
        yield fake, url
    finally:
        await runner.cleanup()


@pytest.fixture
async def empty_db(db_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(db_path)
    try:
        yield database
    finally:
        await database.close()


def config(base: str, **changes: Any) -> RefreshConfig:
    values: dict[str, Any] = {
        "base_url": base,
        "min_interval": 0.5,
        "backoff_base": 2.0,
        "max_attempts": 4,
        "batch_size": 4,
        "max_pages": 20,
    }
    values.update(changes)
    return RefreshConfig(**values)


def page(n: int) -> str:
    return "/petitions.json?state=open" if n == 1 else f"/petitions.json?page={n}&state=open"


def totals(path: Path) -> dict[int, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT id, total_signatures FROM petitions").fetchall())
    finally:
        conn.close()


# --------------------------------------------------------------------- full passes
async def test_three_passes_with_429_5xx_and_a_changed_petition(
    site: tuple[FakeSite, str], empty_db: Database
) -> None:
    fake, base = site
    fake.faults[page(2)] = [(429, {"Retry-After": "3"})]
    fake.faults["/petitions/300152.json"] = [(503, {}), (502, {})]
    clock = FakeClock()
    progress: list[tuple[str, int, int | None]] = []

    def record(phase: str, done: int, total: int | None) -> None:
        progress.append((phase, done, total))

    async with Refresher(config(base), sleep=clock.sleep, clock=clock) as refresher:
        # ---- pass 1: everything is new
        first = await asyncio.wait_for(refresher.run(empty_db, record), TIMEOUT)
        assert (first.pages, first.listed, first.to_fetch, first.fetched) == (3, 10, 10, 10)
        assert first.complete and first.failures == [] and first.rejected == []
        assert first.outcomes == {Outcome.ADDED: 10}
        client = refresher.client
        assert list(client.retry_delays) == [3.0, 2.0, 4.0]  # Retry-After, then 2 s, 4 s backoff
        assert [e for e in fake.log if e[0] in (page(2), "/petitions/300152.json")] == [
            (page(2), 429),
            (page(2), 200),
            ("/petitions/300152.json", 503),
            ("/petitions/300152.json", 502),
            ("/petitions/300152.json", 200),
        ]
        starts = client.request_times
        assert len(starts) == 3 + 1 + 10 + 2  # pages, the 429 retry, petitions, 5xx retries
        assert all(b - a >= 0.5 for a, b in itertools.pairwise(starts))
        assert progress[:3] == [("pages", 1, 3), ("pages", 2, 3), ("pages", 3, 3)]
        assert progress[3:] == [("petitions", n, 10) for n in range(1, 11)]
        assert fake.user_agents == {refresher.config.user_agent}
        assert len(totals(empty_db.path)) == 10

        # ---- pass 2: one petition changed on the site
        fake.change(300316, extra=25, updated_at="2023-02-01T09:00:00.000Z")
        fake.log.clear()
        fake.conditional.clear()
        second = await asyncio.wait_for(refresher.run(empty_db), TIMEOUT)
        assert (second.pages, second.listed, second.to_fetch, second.fetched) == (3, 10, 1, 1)
        assert second.outcomes == {Outcome.UPDATED: 1}
        assert fake.log == [
            (page(1), 200),  # 300316 is on page 1: its entry changed
            (page(2), 304),  # unchanged pages are re-read from memory
            (page(3), 304),
            ("/petitions/300316.json", 200),
        ]
        assert fake.conditional == [page(1), page(2), page(3), "/petitions/300316.json"]
        assert totals(empty_db.path)[300316] == 7628 + 25
        conn = sqlite3.connect(empty_db.path)
        snaps = conn.execute(
            "SELECT refreshed_at, total_signatures FROM snapshots WHERE petition_id = 300316"
            " ORDER BY refreshed_at"
        ).fetchall()
        conn.close()
        assert snaps == [("2020-11-13T18:01:06+00:00", 7628), ("2023-02-01T09:00:00+00:00", 7653)]

        # ---- pass 3: nothing changed: three 304s and no petition requests at all
        fake.log.clear()
        third = await asyncio.wait_for(refresher.run(empty_db), TIMEOUT)
        assert (third.to_fetch, third.fetched, third.outcomes) == (0, 0, {})
        assert fake.log == [(page(1), 304), (page(2), 304), (page(3), 304)]
        assert third.summary() == "3 pages, 10 listed, 0 fetched"


async def test_passes_into_postgres(site: tuple[FakeSite, str], pg_url: str) -> None:
    """The same passes with DATABASE_URL: fetched petitions land in PostgreSQL, and the
    changed-petition check reads them back from there."""
    fake, base = site
    database = await Database.open(pg_url)
    clock = FakeClock()
    try:
        async with Refresher(config(base), sleep=clock.sleep, clock=clock) as refresher:
            first = await asyncio.wait_for(refresher.run(database), TIMEOUT)
            assert first.outcomes == {Outcome.ADDED: 10}
            fake.change(300316, extra=25, updated_at="2023-02-01T09:00:00.000Z")
            second = await asyncio.wait_for(refresher.run(database), TIMEOUT)
            assert (second.to_fetch, second.outcomes) == (1, {Outcome.UPDATED: 1})
        async with database.conn.execute(
            "SELECT count(*), sum(total_signatures) FROM petitions"
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None and row[0] == 10
        async with database.conn.execute(
            "SELECT total_signatures FROM petitions WHERE id = ?", (300316,)
        ) as cursor:
            changed = await cursor.fetchone()
        assert changed is not None and changed[0] == 7628 + 25
    finally:
        await database.close()


async def test_missing_and_failing_petitions_do_not_stop_the_pass(
    site: tuple[FakeSite, str], empty_db: Database
) -> None:
    fake, base = site
    fake.listed = [300000, 999999, 300152]  # 999999 is listed but gone (404)
    fake.faults["/petitions/300152.json"] = [(500, {})] * 5
    clock = FakeClock()
    cfg = config(base, max_attempts=3, backoff_cap=3.0)
    async with Refresher(cfg, sleep=clock.sleep, clock=clock) as refresher:
        report = await asyncio.wait_for(refresher.run(empty_db), TIMEOUT)
        assert report.failures == [
            f"{base}/petitions/999999.json: HTTP 404",
            f"{base}/petitions/300152.json: gave up after 3 attempts (HTTP 500)",
        ]
        assert list(refresher.client.retry_delays) == [2.0, 3.0]  # 2 s, then 4 s capped at 3 s
    assert report.outcomes == {Outcome.ADDED: 1}
    assert report.summary() == "1 pages, 3 listed, 1 fetched: 1 added; 2 failed"
    assert list(totals(empty_db.path)) == [300000]


async def test_link_loops_and_page_limits_end_the_walk(
    site: tuple[FakeSite, str], empty_db: Database
) -> None:
    fake, base = site
    clock = FakeClock()
    async with Refresher(config(base, max_pages=2), sleep=clock.sleep, clock=clock) as refresher:
        limited = await asyncio.wait_for(refresher.run(empty_db), TIMEOUT)
    assert (limited.pages, limited.listed, limited.complete) == (2, 8, False)
    assert limited.summary().endswith("(list walk incomplete)")
    fake.loop_links = True  # every page says "next: me"
    fake.log.clear()
    async with Refresher(config(base), sleep=clock.sleep, clock=clock) as refresher:
        looped = await asyncio.wait_for(refresher.run(empty_db), TIMEOUT)
    # page 1 is first asked for without "page=1", so the loop shows on the second read
    assert (looped.pages, looped.complete) == (2, False)
    assert [key for key, _ in fake.log if key.startswith("/petitions.json")] == [
        page(1),
        "/petitions.json?page=1&state=open",
    ]


async def test_a_list_page_that_keeps_failing_ends_the_pass(
    site: tuple[FakeSite, str], empty_db: Database
) -> None:
    fake, base = site
    fake.faults[page(1)] = [(503, {"Retry-After": "1"})] * 3
    clock = FakeClock()
    async with Refresher(config(base, max_attempts=3), sleep=clock.sleep, clock=clock) as r:
        report = await asyncio.wait_for(r.run(empty_db), TIMEOUT)
        assert list(r.client.retry_delays) == [1.0, 1.0]
    assert report.failures == [
        f"{base}/petitions.json?state=open: gave up after 3 attempts (HTTP 503)"
    ]
    assert (report.pages, report.fetched) == (0, 0)
    assert totals(empty_db.path) == {}


async def test_refresh_ids_fetches_named_petitions(
    site: tuple[FakeSite, str], empty_db: Database
) -> None:
    _, base = site
    clock = FakeClock()
    async with Refresher(config(base), sleep=clock.sleep, clock=clock) as refresher:
        report = await refresher.refresh_ids(empty_db, [300473, 300473, 303345])
    assert (report.to_fetch, report.fetched, report.outcomes) == (2, 2, {Outcome.ADDED: 2})
    assert sorted(totals(empty_db.path)) == [300473, 303345]


# --------------------------------------------------------------------- decisions
async def test_which_listed_petitions_count_as_changed(db_path: Path) -> None:
    ingest_paths_sync(db_path, [PETITIONS / "300000.json"])  # 1,604 at 2021-08-04 14:50:59
    stored = datetime(2021, 8, 4, 14, 50, 59, tzinfo=UTC)
    later = datetime(2021, 9, 1, tzinfo=UTC)
    earlier = datetime(2021, 1, 1, tzinfo=UTC)
    url = f"{PUBLIC}/petitions/300000.json"
    entries = [
        ListEntry(300000, url, "closed", 1604, stored),  # same: skip
        ListEntry(300000, url, "closed", 1700, later),  # duplicate id on a later page: skip
    ]
    database = await Database.open(db_path)
    try:
        refresher = Refresher()
        assert await refresher.changed(database, entries) == []
        cases = {
            "newer": ListEntry(300000, url, "closed", 1604, later),
            "recount": ListEntry(300000, url, "closed", 1610, stored),
            "older": ListEntry(300000, url, "closed", 1500, earlier),
            "new": ListEntry(123, url, "open", 5, earlier),
            "untimed": ListEntry(300000, url, "closed", 1604, None),
        }
        picked = {
            name
            for name, entry in cases.items()
            if await refresher.changed(database, [entry]) == [entry]
        }
        assert picked == {"newer", "recount", "new", "untimed"}
        await refresher.aclose()
    finally:
        await database.close()


def test_retry_after_header_forms() -> None:
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120", 900) == 120.0
    assert retry_after_seconds("3600", 900) == 900.0  # capped
    assert retry_after_seconds("Mon, 01 Jan 2024 12:00:30 GMT", 900, now) == 30.0
    assert retry_after_seconds("Mon, 01 Jan 2024 11:00:00 GMT", 900, now) == 0.0  # past
    assert retry_after_seconds("soon", 900) is None
    assert retry_after_seconds(None, 900) is None


def test_links_to_other_hosts_are_rebased() -> None:
    refresher = Refresher(RefreshConfig(base_url="http://127.0.0.1:8080/mirror/"))
    current = "http://127.0.0.1:8080/mirror/petitions.json?state=open"
    assert refresher.on_base(f"{PUBLIC}/petitions.json?page=2&state=open", current) == (
        "http://127.0.0.1:8080/mirror/petitions.json?page=2&state=open"
    )
    assert refresher.on_base("?page=3&state=open", current) == (
        "http://127.0.0.1:8080/mirror/petitions.json?page=3&state=open"
    )
    assert refresher.petition_url(5, archived=True) == (
        "http://127.0.0.1:8080/mirror/archived/petitions/5.json"
    )


# --------------------------------------------------------------------- CLI
@pytest.fixture
def threaded_site() -> Iterator[tuple[FakeSite, str]]:
    """The fake site on its own thread and loop, for the synchronous CLI."""
    fake = FakeSite(IDS[:5], page_size=2)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        holder["runner"], holder["url"] = loop.run_until_complete(serve(fake))
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(TIMEOUT)
    try:
        yield fake, holder["url"]
    finally:
        asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(TIMEOUT)
        loop.close()


def test_cli_refresh_command(threaded_site: tuple[FakeSite, str], db_path: Path) -> None:
    from bot.cli import app

    fake, base = threaded_site
    args = ["refresh", "--db", str(db_path), "--base-url", base, "--interval", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 pages, 5 listed, 5 fetched: 5 added" in result.output
    assert sorted(totals(db_path)) == sorted(IDS[:5])
    conn = sqlite3.connect(db_path)
    linked = conn.execute("SELECT count(*) FROM constituencies WHERE ref_code IS NULL").fetchone()
    conn.close()
    assert linked == (0,)  # the command loads the reference: seats link as they arrive
    fake.documents.pop(IDS[0])  # now listed but gone: the command reports it and fails
    fake.change(IDS[1], 1, "2023-02-01T00:00:00.000Z")
    failed = CliRunner().invoke(app, args)
    assert failed.exit_code == 1
    assert "1 fetched: 1 updated; 1 failed" in failed.output
    assert fake.log[-1] == (f"/petitions/{IDS[1]}.json", 200)
