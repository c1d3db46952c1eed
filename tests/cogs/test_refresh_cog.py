"""The live refresh cog: off by default, and a pass refreshes search when data changed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bot.settings import Settings
from cogs import refresh as refresh_cog
from core.ingest.types import Outcome


class _Bot:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = object()
        self.cogs: list[Any] = []
        self.refreshed = 0
        self.services = SimpleNamespace(resolver=SimpleNamespace(refresh=self._refresh))

    async def _refresh(self) -> None:
        self.refreshed += 1

    async def data_changed(self) -> None:
        """As PetitionBot.data_changed: the resolver is rebuilt."""
        await self.services.resolver.refresh()

    async def add_cog(self, cog: Any) -> None:
        self.cogs.append(cog)


async def test_disabled_by_default(tmp_path: Path) -> None:
    bot = _Bot(Settings(database_path=tmp_path / "x.db"))
    await refresh_cog.setup(bot)  # type: ignore[arg-type]
    assert bot.cogs == []


async def test_a_pass_with_changes_refreshes_the_resolver(tmp_path: Path) -> None:
    bot = _Bot(Settings(database_path=tmp_path / "x.db", live_refresh=True))
    await refresh_cog.setup(bot)  # type: ignore[arg-type]
    (cog,) = bot.cogs
    outcomes: list[Counter[Outcome]] = [Counter(), Counter({Outcome.UPDATED: 2})]

    async def fake_run(db: Any) -> Any:
        return SimpleNamespace(outcomes=outcomes.pop(0), summary=lambda: "ok")

    cog.refresher.run = fake_run
    await cog._tick()
    assert bot.refreshed == 0
    await cog._tick()
    assert bot.refreshed == 1
    await cog.refresher.aclose()


async def test_a_failed_pass_does_not_raise(tmp_path: Path) -> None:
    bot = _Bot(Settings(database_path=tmp_path / "x.db", live_refresh=True))
    await refresh_cog.setup(bot)  # type: ignore[arg-type]
    (cog,) = bot.cogs

    async def broken(db: Any) -> Any:
        raise RuntimeError("site down")

    cog.refresher.run = broken
    await cog._tick()
    assert bot.refreshed == 0
    await cog.refresher.aclose()
