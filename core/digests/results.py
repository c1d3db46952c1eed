"""The answers of ``/digest show`` and ``/digest preview`` (drawn by ``core.digests.render``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.common.results import Result
from core.digests.compose import Digest
from core.digests.schedule import DigestConfig
from core.digests.types import DigestPost


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestSettings(Result):
    config: DigestConfig
    posts: tuple[DigestPost, ...]
    now: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestPreview(Result):
    """What the next post would contain: a note, then the messages themselves."""

    config: DigestConfig
    digest: Digest
    now: datetime
