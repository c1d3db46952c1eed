"""The answers of the ``/admin`` commands (drawn by ``core.admin.render``)."""

from __future__ import annotations

from dataclasses import dataclass

from core.admin.types import DatabaseStats, RuntimeFacts
from core.common.cards import TITLE_LIMIT, escape, truncate
from core.common.results import Result
from core.ingest.types import IngestReport


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestDone(Result):
    report: IngestReport
    title: str = "Ingest report"


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsResult(Result):
    stats: DatabaseStats
    runtime: RuntimeFacts


@dataclass(frozen=True, slots=True, kw_only=True)
class RemovalPrompt(Result):
    """Ask before removing a petition; its actions are Confirm and Cancel."""

    petition_id: int
    title: str

    @property
    def question(self) -> str:
        # A title can run to thousands of characters; the prompt must stay under Discord's
        # 2,000-character content limit or the owner sees nothing to confirm.
        title = truncate(escape(self.title), TITLE_LIMIT)
        return (
            f"Remove petition **{self.petition_id}** “{title}” and all its counts? "
            "Every server loses it."
        )
