"""Fixtures for end-to-end tests against the local Discord stand-in.

* ``fake_discord`` / ``fake_discord_module`` — a started :class:`FakeDiscord` (function /
  module scope; it runs on its own thread, so any scope works with sync or async tests).
* ``spawn_bot`` / ``spawn_bot_module`` — factories that start the bot process against it:

      def test_search(fake_discord, spawn_bot):
          bot = spawn_bot("run", env={...}, commands=["petition"])   # waits for READY+sync
          h = fake_discord.slash("petition search", {"query": "nhs"}, user="moderator")
          assert "NHS" in h.reply_text()

  Default target is the product CLI ``bot.cli:app`` with args ``("run",)``; pass
  ``target="pkg.module:callable"`` for something else. ``DATABASE_PATH`` defaults to a
  fresh file in the test's tmp dir. Bot output is printed at teardown (shown by pytest
  only when the test fails).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .fake_discord import FakeDiscord
from .harness import BotProcess
from .launch_bot import DEFAULT_TARGET

_E2E_DIR = Path(__file__).resolve().parent

SpawnBot = Callable[..., BotProcess]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _refuses_violations(node: pytest.Item | pytest.Module | None) -> bool:
    """A test that sends invalid bodies on purpose says so with
    ``@pytest.mark.invalid_bodies``; for every other test a body Discord would refuse
    (400 / 50035, checked against Discord's OpenAPI spec) fails it at teardown."""
    return node is None or node.get_closest_marker("invalid_bodies") is None


@pytest.fixture
def fake_discord(request: pytest.FixtureRequest) -> Iterator[FakeDiscord]:
    with FakeDiscord() as discord:
        yield discord
        if _refuses_violations(request.node):
            discord.assert_no_violations()


@pytest.fixture(scope="module")
def fake_discord_module(request: pytest.FixtureRequest) -> Iterator[FakeDiscord]:
    with FakeDiscord() as discord:
        yield discord
        if _refuses_violations(request.node):
            discord.assert_no_violations()


class _Spawner:
    def __init__(self, discord: FakeDiscord, tmp: Path) -> None:
        self.discord = discord
        self.tmp = tmp
        self.procs: list[BotProcess] = []

    def __call__(
        self,
        *args: str,
        target: str = DEFAULT_TARGET,
        module: str | None = None,
        env: dict[str, str] | None = None,
        wait: bool = True,
        commands: list[str] | None = None,
        timeout: float = 20.0,
        discord: FakeDiscord | None = None,
    ) -> BotProcess:
        if not args and target == DEFAULT_TARGET and module is None:
            args = ("run",)
        full_env: dict[str, Any] = {
            "DATABASE_PATH": str(self.tmp / "bot.db"),
            # nothing leaves the machine: postcode look-ups fail fast unless a test serves them
            "POSTCODES_API_BASE": "http://127.0.0.1:9",
            **(env or {}),
        }
        proc = BotProcess(
            discord or self.discord,
            args=list(args),
            target=target,
            module=module,
            env=full_env,
            log_path=self.tmp / f"bot-{len(self.procs)}.log",
            cwd=self.tmp,  # keeps a developer's ./.env (real token, live URLs) out of tests
        )
        self.procs.append(proc)
        proc.start()
        if wait:
            proc.wait_ready(timeout, commands=commands)
        return proc

    def close(self) -> None:
        for proc in self.procs:
            proc.stop(timeout=10)
        for i, proc in enumerate(self.procs):
            print(f"----- bot process {i} output ({proc.log_path}) -----")
            print(proc.output()[-20000:])


@pytest.fixture
def spawn_bot(fake_discord: FakeDiscord, tmp_path: Path) -> Iterator[SpawnBot]:
    spawner = _Spawner(fake_discord, tmp_path)
    yield spawner
    spawner.close()


@pytest.fixture(scope="module")
def spawn_bot_module(
    fake_discord_module: FakeDiscord, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SpawnBot]:
    spawner = _Spawner(fake_discord_module, tmp_path_factory.mktemp("bot"))
    yield spawner
    spawner.close()
