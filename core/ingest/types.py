"""What an ingest takes and gives back: documents to read, and per-file outcomes.

Kept apart from the loader so the admin renderers and the upload reader can
name these without importing the database side of ingest.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

Progress = Callable[[int, int, str], None]
"""Called after each document as (done, total, name)."""


class Outcome(StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    OLDER = "older"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Document:
    """A document in memory (an upload, a fetched page): a display name and its bytes."""

    name: str
    data: bytes

    def read(self) -> bytes:
        return self.data


@dataclass(frozen=True, slots=True)
class FileDocument:
    """A document on disk, read when the loader reaches it rather than up front.

    A 50k archive is 1.9 GB of Markdown: holding every file for the whole batch
    would cost that much memory. Reading twice (the parse helper, then the
    loader) is cheap, as the second read comes from the OS cache.
    """

    path: str | os.PathLike[str]

    @property
    def name(self) -> str:
        return os.fspath(self.path)

    def read(self) -> bytes:
        with open(self.path, "rb") as handle:
            return handle.read()


class Source(Protocol):
    """Something to ingest that has a name and bytes, read when the loader reaches it
    (:class:`Document`, :class:`FileDocument`, an upload's ``ZipEntry``). ``read``
    raises OSError when the bytes cannot be had: that document is rejected."""

    @property
    def name(self) -> str: ...

    def read(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class FileResult:
    name: str
    outcome: Outcome
    petition_id: int | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class IngestReport:
    """Per-file results of one batch, in input order."""

    batch_id: str
    results: list[FileResult] = field(default_factory=list)
    problem: str | None = None
    """Why the batch stopped early (storage failed), when it did."""

    @property
    def counts(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.results)

    @property
    def rejected(self) -> list[FileResult]:
        return [r for r in self.results if r.outcome is Outcome.REJECTED]

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return [(r.name, w) for r in self.results for w in r.warnings]

    def summary(self) -> str:
        """One line such as "3 files: 2 added, 1 rejected"."""
        counts = self.counts
        parts = [f"{counts[o]:,} {o.value}" for o in Outcome if counts[o]]
        noun = "file" if len(self.results) == 1 else "files"
        return f"{len(self.results):,} {noun}: " + (", ".join(parts) if parts else "nothing to do")
