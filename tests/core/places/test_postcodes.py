"""Postcodes → seats: the format checked locally, postcodes.io asked politely, answers cached.

The service is the stand-in of tests/postcode_support.py on 127.0.0.1; the database is a
real SQLite file with the seeds and the bundled seat reference.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from core.places.postcodes import (
    MalformedPostcode,
    PostcodeLookup,
    PostcodeServiceDown,
    UnknownPostcode,
    cache_key,
    codes_from,
    looks_like_postcode,
    normalise_postcode,
)
from db.database import Database

from ...postcode_support import (
    CHANGEOVER,
    CURRENT,
    DOWN,
    WOKING_2010,
    WOKING_2024,
    serve_postcodes,
)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        (" gu21  6xx ", "GU21 6XX"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("SW1A 1A", None),
        ("1AA SW1A", None),
        ("SW1A 1AAA", None),
        ("Woking", None),
    ],
)
def test_normalise_postcode(typed: str, normal: str | None) -> None:
    assert normalise_postcode(typed) == normal


def test_what_looks_like_a_postcode() -> None:
    assert looks_like_postcode("SW1A 1AA") and looks_like_postcode("gu21 6x")
    assert not looks_like_postcode("Woking")  # seat names have no digits
    assert not looks_like_postcode("Brighton, Pavilion")
    assert not looks_like_postcode("Ynys Môn")
    assert not looks_like_postcode("486")  # an autocompleted seat's id


def test_codes_from_takes_both_boundary_sets_once() -> None:
    both = {"codes": {"parliamentary_constituency": "A", "parliamentary_constituency_2024": "B"}}
    same = {"codes": {"parliamentary_constituency": "B", "parliamentary_constituency_2024": "B"}}
    assert codes_from(both) == ("A", "B")
    assert codes_from(same) == ("B",)
    assert codes_from({"codes": {}}) == () and codes_from(None) == ()


@pytest.mark.both_databases
async def test_a_postcode_is_asked_once_then_read_from_the_cache(db: Database) -> None:
    async with serve_postcodes() as service:
        lookup = PostcodeLookup(db, service.url)
        found = await lookup.codes("gu216xx")
        assert found.postcode == CHANGEOVER
        assert found.codes == (WOKING_2010, WOKING_2024)
        again = await lookup.codes(CHANGEOVER)
        assert again.codes == found.codes
        assert service.asked == ["GU216XX"]
        later = datetime.now(UTC) + timedelta(days=31)  # the cache has expired
        await lookup.codes(CHANGEOVER, now=later)
        assert service.asked == ["GU216XX", "GU216XX"]
        assert (await lookup.codes(CURRENT)).codes == (WOKING_2024,)


@pytest.mark.both_databases
async def test_the_cache_holds_a_hash_not_the_postcode(db: Database) -> None:
    async with serve_postcodes() as service:
        await PostcodeLookup(db, service.url).codes(CHANGEOVER)
    async with db.conn.execute("SELECT postcode_hash, codes FROM postcode_cache") as cursor:
        rows = [tuple(r) for r in await cursor.fetchall()]
    assert rows == [(cache_key(CHANGEOVER), f"{WOKING_2010} {WOKING_2024}")]
    assert "GU21" not in repr(rows)


async def test_a_malformed_postcode_is_refused_without_asking(db: Database) -> None:
    async with serve_postcodes() as service:
        with pytest.raises(MalformedPostcode, match=r"'SW1A 1A' is not a UK postcode"):
            await PostcodeLookup(db, service.url).codes("SW1A 1A")
        assert service.asked == []


@pytest.mark.both_databases
async def test_an_unknown_postcode_is_said_and_remembered_for_a_day(db: Database) -> None:
    async with serve_postcodes() as service:
        lookup = PostcodeLookup(db, service.url)
        for _ in range(2):
            with pytest.raises(UnknownPostcode, match="knows no constituency for ZZ9 9ZZ"):
                await lookup.codes("ZZ9 9ZZ")
        assert service.asked == ["ZZ99ZZ"]
        with pytest.raises(UnknownPostcode):
            await lookup.codes("ZZ9 9ZZ", now=datetime.now(UTC) + timedelta(days=2))
        assert service.asked == ["ZZ99ZZ", "ZZ99ZZ"]


async def test_a_failing_service_is_retried_with_backoff_then_said(db: Database) -> None:
    async with serve_postcodes() as service:
        lookup = PostcodeLookup(db, service.url, backoff=0.05)
        started = time.monotonic()
        with pytest.raises(PostcodeServiceDown, match="not answering just now"):
            await lookup.codes(DOWN)
        assert service.asked == ["SW1A1AA"] * 3
        assert time.monotonic() - started >= 0.05 + 0.1  # waited between the tries
        with pytest.raises(PostcodeServiceDown):  # a failure is not cached
            await lookup.codes(DOWN)
        assert len(service.asked) == 6


async def test_an_unreachable_service_is_said(db: Database) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lookup = PostcodeLookup(db, f"http://127.0.0.1:{port}", backoff=0.01)
    with pytest.raises(PostcodeServiceDown):
        await lookup.codes(CHANGEOVER)


@asynccontextmanager
async def serve(handler: Callable[[web.Request], Awaitable[web.Response]]) -> AsyncIterator[str]:
    """One handler for every postcode, on a free port of 127.0.0.1; yields the base URL."""
    app = web.Application()
    app.router.add_get("/postcodes/{postcode}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_a_slow_service_times_out(db: Database) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.json_response({})

    async with serve(slow) as url:
        lookup = PostcodeLookup(db, url, timeout=0.1, backoff=0.01)
        started = time.monotonic()
        with pytest.raises(PostcodeServiceDown):
            await lookup.codes(CHANGEOVER)
        assert time.monotonic() - started < 0.9  # three 0.1 s tries, not three 1 s waits


async def test_retry_after_is_honoured_up_to_its_cap(db: Database) -> None:
    calls: list[float] = []

    async def limited(request: web.Request) -> web.Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return web.json_response({}, status=429, headers={"Retry-After": "0.3"})
        return web.json_response({"status": 200, "result": {"codes": {
            "parliamentary_constituency_2024": WOKING_2024}}})  # fmt: skip

    async with serve(limited) as url:
        lookup = PostcodeLookup(db, url, backoff=0.01)
        assert (await lookup.codes(CURRENT)).codes == (WOKING_2024,)
        assert len(calls) == 2 and calls[1] - calls[0] >= 0.3
