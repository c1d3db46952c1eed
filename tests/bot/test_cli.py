"""The launcher commands, run through typer's runner on real files."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cli.sqlite3"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_migrate_then_ingest_then_stats(seed_paths: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "0001_initial.sql" in result.output
    result = runner.invoke(app, ["ingest", str(seed_paths[0].parent)])
    assert result.exit_code == 0, result.output
    assert "3 files: 3 added" in result.output
    result = runner.invoke(app, ["ingest", str(seed_paths[0].parent)])
    assert "3 files: 3 unchanged" in result.output
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    assert "petitions" in result.output and "1,949" in result.output


def test_ingest_reports_rejections_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("# Title\n\n### Background\n\nx\n\n### Signatures\n\n**12x signatures**\n")
    result = runner.invoke(app, ["ingest", str(bad)])
    assert result.exit_code == 1
    assert "bad.md:9:" in result.output
    assert "1 rejected" in result.output


def test_run_without_token_explains_how_to_set_one() -> None:
    result = runner.invoke(app, ["run", "--no-console"])
    assert result.exit_code == 2
    assert "No Discord token is set" in result.output
    assert "DISCORD_TOKEN" in result.output
    assert "petitionbot console" in result.output


class _FakeBot:
    """Stands in for ``PetitionBot`` to see the settings ``run`` starts it with."""

    started: ClassVar[list[object]] = []

    def __init__(self, settings: object) -> None:
        self.settings = settings

    async def __aenter__(self) -> _FakeBot:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def start(self, token: str) -> None:
        _FakeBot.started.append(self.settings)


def test_run_shard_options_override_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.client

    monkeypatch.setenv("DISCORD_TOKEN", "x.y.z")
    monkeypatch.setenv("SHARD_COUNT", "2")
    monkeypatch.setenv("SHARD_IDS", "1")
    monkeypatch.setattr(bot.client, "PetitionBot", _FakeBot)
    _FakeBot.started.clear()
    result = runner.invoke(app, ["run", "--shards", "4-7", "--shard-count", "8"])
    assert result.exit_code == 0, result.output
    [settings] = _FakeBot.started
    assert settings.shard_plan.describe() == "4-7 of 8"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--shards", "0-9", "--shard-count", "8"], {}, "shard id(s) 8, 9 outside 0-7"),
        (["--shards", "0-1"], {}, "SHARD_IDS needs SHARD_COUNT"),
        ([], {"SHARD_IDS": "3", "SHARD_COUNT": "2"}, "Invalid setting"),
    ],
)
def test_run_refuses_bad_shards_in_one_line(
    monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], says: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "x.y.z")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(app, ["run", *args])
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output
