"""Gateway bookkeeping: connections (one websocket each) and resumable sessions."""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

ZLIB_SUFFIX = b"\x00\x00\xff\xff"


@dataclass
class GatewayFrame:
    """One gateway payload, either direction (``direction`` is ``"send"`` = stand-in → bot)."""

    direction: str
    op: int
    t: str | None
    s: int | None
    d: Any
    connection_id: int
    at: float = field(default_factory=time.monotonic)


class _Close:
    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason


class GatewayConnection:
    """A single websocket. Every outgoing frame goes through one queue + writer task so
    frames keep their order and the shared zlib stream stays consistent."""

    _ids = 0

    def __init__(self, ws: web.WebSocketResponse, *, compress: str | None, encoding: str) -> None:
        GatewayConnection._ids += 1
        self.id = GatewayConnection._ids
        self.ws = ws
        self.compress = compress
        self.encoding = encoding
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self.queue: asyncio.Queue[dict[str, Any] | _Close | None] = asyncio.Queue()
        self.session: GatewaySession | None = None
        self.identified = False
        self.heartbeats = 0
        self.close_code: int | None = None
        self.closed_by_server = False
        self.opened_at = time.monotonic()
        self.closed_at: float | None = None
        self.split_frames = False  # send zlib payloads in two websocket frames (test hook)

    def enqueue(self, payload: dict[str, Any]) -> None:
        self.queue.put_nowait(payload)

    def enqueue_close(self, code: int, reason: str = "") -> None:
        self.queue.put_nowait(_Close(code, reason))

    @property
    def open(self) -> bool:
        return self.closed_at is None

    async def writer(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                return
            if isinstance(item, _Close):
                self.closed_by_server = True
                await self.ws.close(code=item.code, message=item.reason.encode())
                return
            text = json.dumps(item, separators=(",", ":"))
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    if self.split_frames and len(data) > 8:
                        await self.ws.send_bytes(data[: len(data) // 2])
                        await self.ws.send_bytes(data[len(data) // 2 :])
                    else:
                        await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                return


@dataclass
class GatewaySession:
    """A READY'd session; survives its websocket so the bot can RESUME it."""

    session_id: str
    token: str
    identify: dict[str, Any]
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    buffer: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=2000))
    connection: GatewayConnection | None = None
    invalidated: bool = False
    resumes: int = 0

    def has_intent(self, bit: int) -> bool:
        return bool(self.intents & bit)

    def push(self, t: str, d: Any) -> dict[str, Any]:
        """Assign the next sequence number, buffer for RESUME, and send if connected."""
        self.seq += 1
        payload = {"op": OP_DISPATCH, "t": t, "s": self.seq, "d": d}
        self.buffer.append(payload)
        if self.connection is not None and self.connection.open:
            self.connection.enqueue(payload)
        return payload
