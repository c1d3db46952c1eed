"""Parse the next documents in a helper process while the loader writes (large ingests).

Why: parsing a document (≈2 ms of Python) and inserting its ≈650 seat rows
(≈2 ms, mostly SQLite) both need the interpreter, so in one process they add
up. With a spare core, a helper process parses ahead while the loader writes,
and a large ingest costs roughly the larger of the two instead of their sum.
It also takes the parsing off the GIL that the bot's event loop shares with
the ingest thread.

The helper only parses; every decision (unchanged by hash, newer, older,
rejected) is still taken by the loader, in input order, when it reaches the
document. Anything that goes wrong here (the process cannot start or dies, a
parse fails unexpectedly, the helper is not ready yet) makes
:meth:`ParseAhead.take` return None, and the loader parses that document
itself: the outcome is identical with or without the helper.

Plain pipes rather than :class:`concurrent.futures.ProcessPoolExecutor`: the
executor moves results through threads of the loader's process, and the GIL
hand-offs between them and ``executemany`` (which releases the GIL for every
row) cost more than the parsing saved. Here the loader's thread does all the
talking itself and no thread is added to its process.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import queue
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

D = TypeVar("D")  # what is sent to a helper (a document)
R = TypeVar("R")  # what comes back (its parse)

MIN_DOCUMENTS = 64
"""Fewer documents to parse than this: parse inline (a process takes ≈0.3 s to start)."""
CHUNK = 8
"""Documents per request (≈300 KB of Markdown): amortises the pipe, keeps requests small."""
WINDOW = 4
"""Requests in flight per helper: bounds the memory held by parsed documents."""
PIPE_BYTES = 1 << 20
"""Pipe buffer asked for (Linux allows 1 MiB unprivileged), so a request rarely blocks."""
HELPER_NICENESS = 5
"""Added to a helper's niceness: the bot and the loader come first on a busy machine."""
JOIN_SECONDS = 5.0
POLL_SECONDS = 1.0
"""How often a loader waiting for an answer checks that the helper is still alive."""


def default_workers() -> int:
    """Helper processes: one per core, at most two; none on a single core.

    Since seat tables are stored packed (issue 22) the loader's own work per
    document (hash, decide, pack, one row) is about a third of a parse, so
    parsing is the bottleneck: on two cores, two helpers plus the loader keep
    both cores busy where one helper left the loader waiting. Helpers run at a
    lower priority (:data:`HELPER_NICENESS`), so the bot's event loop, which
    shares the machine with an ingest, still gets a core when it needs one.
    """
    try:
        cores = len(os.sched_getaffinity(0))  # what this process may use (containers)
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(2, cores)


def _parse_chunk(parse: Callable[[D], R], documents: list[D]) -> list[R | None]:
    """Each document's result, or None where ``parse`` raised.

    ``parse`` returns its expected failures (a malformed document) as values;
    None makes the loader parse the document itself, so an unexpected error is
    raised (and reported) exactly as it would be without the helper.
    """
    results: list[R | None] = []
    for document in documents:
        try:
            results.append(parse(document))
        except Exception:
            results.append(None)
    return results


def _serve(parse: Callable[[D], R], requests: Connection, results: Connection) -> None:
    """The helper process: parse each request, send back the results, in order.

    A thread drains the request pipe so that the loader's sends never wait for
    a parse to finish. The loader's end closing (it finished, or was killed)
    ends the helper: EOF on requests, or a broken pipe on results.
    """
    sys.setswitchinterval(0.001)  # let the reader thread drain requests promptly
    with contextlib.suppress(OSError, AttributeError):
        os.nice(HELPER_NICENESS)
    inbox: queue.SimpleQueue[list[D] | None] = queue.SimpleQueue()

    def read() -> None:
        while True:
            try:
                inbox.put(requests.recv())
            except BaseException:  # EOF: the loader is done or gone; anything else: stop too
                inbox.put(None)
                return

    threading.Thread(target=read, name="requests", daemon=True).start()
    while (documents := inbox.get()) is not None:
        # One pickle per document: the loader unpickles each only when it writes it,
        # so at most one parsed document is alive there at a time (fewer objects for
        # its garbage collector to keep walking over).
        blobs = [
            None if result is None else pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
            for result in _parse_chunk(parse, documents)
        ]
        try:
            results.send_bytes(pickle.dumps(blobs, pickle.HIGHEST_PROTOCOL))
        except OSError:  # the loader is gone
            return


def _grow_pipe(connection: Connection) -> None:
    """Best effort: Linux only (elsewhere the helper's reader thread still drains it)."""
    with contextlib.suppress(ImportError, OSError, AttributeError):
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


class _Helper:
    """One helper process and the loader's ends of its two pipes."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        # Never fork: the bot has threads and an event loop a child must not inherit.
        context = multiprocessing.get_context("spawn")
        theirs_requests, self.requests = context.Pipe(duplex=False)
        self.results, theirs_results = context.Pipe(duplex=False)
        _grow_pipe(self.requests)
        _grow_pipe(self.results)
        self.process = context.Process(
            target=_serve,
            args=(parse, theirs_requests, theirs_results),
            name="petitionbot-parse",
            daemon=True,
        )
        try:
            self.process.start()
        finally:
            # Only the helper may hold these: then our exit is its EOF / broken pipe.
            theirs_requests.close()
            theirs_results.close()

    def receive(self) -> bytes:
        """The next answer, waiting for it; EOFError if the helper died meanwhile."""
        while not self.results.poll(POLL_SECONDS):
            if not self.process.is_alive():
                raise EOFError(f"parse helper exited with code {self.process.exitcode}")
        return self.results.recv_bytes()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.requests.send(None)
        self.requests.close()
        self.results.close()
        self.process.join(JOIN_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(JOIN_SECONDS)


class ParseAhead(Generic[D, R]):
    """Parses ``documents`` (keyed by the loader's item index) ahead, in helper processes.

    Use as a context manager (or call :meth:`close`); :meth:`take` must be
    called with increasing keys.
    """

    def __init__(
        self,
        documents: Sequence[tuple[int, D]],
        parse: Callable[[D], R],
        workers: int,
    ) -> None:
        self._chunks = [list(documents[i : i + CHUNK]) for i in range(0, len(documents), CHUNK)]
        self._next = 0  # the next chunk to send
        self._in_flight: deque[tuple[list[int], _Helper]] = deque()  # in the order sent
        self._position = -1  # the last key asked for
        self._started = False  # a helper has answered: from then on, wait for answers
        self._current: dict[int, bytes | None] = {}  # pickled results of the head chunk
        self._helpers: list[_Helper] = []
        try:
            for _ in range(workers):
                self._helpers.append(_Helper(parse))
        except Exception as exc:  # no processes here (limits, sandbox)
            self._give_up(exc)
        except BaseException:  # interrupted while starting: stop what did start
            self.close()
            raise
        self._fill()

    @classmethod
    def maybe(
        cls,
        documents: Sequence[tuple[int, D]],
        parse: Callable[[D], R],
        workers: int | None = None,
    ) -> ParseAhead[D, R] | None:
        """A parser-ahead when it pays (enough documents, a spare core), else None."""
        workers = default_workers() if workers is None else workers
        if workers <= 0 or len(documents) < MIN_DOCUMENTS:
            return None
        return cls(documents, parse, workers)

    def __enter__(self) -> ParseAhead[D, R]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def running(self) -> bool:
        """False once closed or given up on (every take() then returns None)."""
        return bool(self._helpers)

    def take(self, key: int) -> R | None:
        """The parse of document ``key``; None: parse it yourself.

        Until a helper has answered once (it takes a moment to start), this
        never waits: the loader parses inline meanwhile. After that it waits
        for the answer, which is then normally ready already.
        """
        self._position = key
        if key in self._current:
            return self._unpickle(self._current.pop(key))
        while self._helpers and self._in_flight:
            keys, helper = self._in_flight[0]
            if keys[0] > key:
                return None  # not among the documents given (or its chunk was skipped)
            try:
                if not self._started and not helper.results.poll():
                    return None
                blobs: list[bytes | None] = pickle.loads(helper.receive())
            except (EOFError, OSError) as exc:  # the helper died
                self._give_up(exc)
                return None
            self._started = True
            self._in_flight.popleft()
            self._fill()
            if keys[-1] >= key:
                self._current = dict(zip(keys, blobs, strict=True))
                return self._unpickle(self._current.pop(key, None))
            # Else a chunk the loader is already past (parsed inline while starting).
        return None

    @staticmethod
    def _unpickle(blob: bytes | None) -> R | None:
        result: R | None = None if blob is None else pickle.loads(blob)
        return result

    def close(self) -> None:
        """Stop the helpers (each finishes at most the chunk it is parsing)."""
        helpers, self._helpers = self._helpers, []
        self._in_flight.clear()
        self._current.clear()
        for helper in helpers:
            helper.stop()

    def _fill(self) -> None:
        """Keep ``WINDOW`` requests in flight per helper, skipping chunks already passed."""
        while self._helpers and self._next < len(self._chunks):
            chunk = self._chunks[self._next]
            keys = [key for key, _ in chunk]
            if keys[-1] <= self._position:
                self._next += 1
                continue
            load = Counter(helper for _, helper in self._in_flight)
            helper = min(self._helpers, key=lambda h: load[h])
            if load[helper] >= WINDOW:
                return
            try:
                helper.requests.send([document for _, document in chunk])
            except Exception as exc:  # the helper is gone, or a document would not pickle
                self._give_up(exc)
                return
            self._next += 1
            self._in_flight.append((keys, helper))

    def _give_up(self, error: BaseException) -> None:
        log.warning("parse helper unavailable, parsing in the loader instead: %r", error)
        self.close()
