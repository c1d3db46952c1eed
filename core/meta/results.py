"""The answers of ``/about`` and ``/help``."""

from __future__ import annotations

from dataclasses import dataclass

from core.common.commands import Command
from core.common.results import Result
from core.common.shards import ShardStatus
from core.petitions.types import Freshness

SOURCE_NAME = "petition.parliament.uk"


SOURCE_URL = "https://petition.parliament.uk"


LICENCE = "Open Government Licence v3.0"


LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True, slots=True, kw_only=True)
class About(Result):
    freshness: Freshness
    shards: ShardStatus | None = None
    """The answering process's gateway shards (None: the console, or not known)."""
    source_name: str = SOURCE_NAME
    source_url: str = SOURCE_URL
    licence: str = LICENCE
    licence_url: str = LICENCE_URL


@dataclass(frozen=True, slots=True, kw_only=True)
class HelpResult(Result):
    commands: tuple[Command, ...]
    command: str | None = None
