"""A postcodes.io stand-in for tests: an aiohttp app on 127.0.0.1 that counts what it is asked.

It knows two Woking postcodes (one answered as during the 2024 change-over, with the
2010 and 2024 seat codes; one as today, the 2024 code under both names), answers 404
for any other, and 503 for ``SW1A 1AA`` (the service "down").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

WOKING_2010, WOKING_2024 = "E14001047", "E14001592"
CHANGEOVER = "GU21 6XX"
CURRENT = "GU22 4AA"
DOWN = "SW1A 1AA"


def _result(postcode: str, first: str, second: str) -> dict[str, Any]:
    return {
        "postcode": postcode,
        "parliamentary_constituency": "Woking",
        "parliamentary_constituency_2024": "Woking",
        "codes": {"parliamentary_constituency": first, "parliamentary_constituency_2024": second},
    }


KNOWN = {
    CHANGEOVER.replace(" ", ""): _result(CHANGEOVER, WOKING_2010, WOKING_2024),
    CURRENT.replace(" ", ""): _result(CURRENT, WOKING_2024, WOKING_2024),
}


@dataclass
class PostcodeService:
    asked: list[str] = field(default_factory=list)
    url: str = ""

    async def lookup(self, request: web.Request) -> web.Response:
        postcode = request.match_info["postcode"].upper()
        self.asked.append(postcode)
        if postcode == DOWN.replace(" ", ""):
            return web.json_response({"status": 503, "error": "down"}, status=503)
        result = KNOWN.get(postcode)
        if result is None:
            return web.json_response({"status": 404, "error": "Postcode not found"}, status=404)
        return web.json_response({"status": 200, "result": result})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/postcodes/{postcode}", self.lookup)
        return app


@asynccontextmanager
async def serve_postcodes() -> AsyncIterator[PostcodeService]:
    """Run the stand-in on the current event loop, on a free port of 127.0.0.1."""
    service = PostcodeService()
    runner = web.AppRunner(service.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    service.url = f"http://127.0.0.1:{port}"
    try:
        yield service
    finally:
        await runner.cleanup()
