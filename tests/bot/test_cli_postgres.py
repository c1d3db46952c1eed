"""The launcher with DATABASE_URL=postgresql://… against the session's real PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings, get_settings
from db.migrate import PG_MIGRATIONS_DIR, available

runner = CliRunner()


@pytest.fixture(autouse=True)
def _postgres_settings(  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pg_url: str
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "unused.sqlite3"))
    monkeypatch.setenv("DATABASE_URL", pg_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_migrate_and_stats_on_postgres(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    for migration in available(PG_MIGRATIONS_DIR):
        assert migration.name in result.output
    assert "is up to date" in " ".join(runner.invoke(app, ["migrate"]).output.split())
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert re.search(r"petitions\W+0\W", said), said  # the same statistics as on SQLite
    assert "phase 2" not in said and "***" not in said  # the label has no password to hide
    assert not (tmp_path / "unused.sqlite3").exists()  # nothing went to SQLite


def test_ingest_goes_to_postgres_not_to_sqlite(seed_paths: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(seed_paths[0])])
    assert result.exit_code == 0, result.output
    assert "1 added" in " ".join(result.output.split())
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert re.search(r"petitions\W+1\W", said), said
    assert re.search(r"last ingest\W+\d{4}-\d\d-\d\d \d\d:\d\d added ", said), said
    assert not (tmp_path / "unused.sqlite3").exists()


def test_console_reads_petitions_from_postgres(seed_paths: list[Path], tmp_path: Path) -> None:
    """The console (the bot's services and renderers) answers from what the CLI ingested."""
    seed = next(p for p in seed_paths if "575833" in p.read_text(encoding="utf-8"))
    assert runner.invoke(app, ["ingest", str(seed)]).exit_code == 0
    result = runner.invoke(app, ["console", "-c", "petition show 575833"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Petition 575833" in said and "270,294 signatures" in said, said
    assert "Salford and Eccles" in said  # seat rows read from the packed tables
    assert not (tmp_path / "unused.sqlite3").exists()


def test_run_without_token_on_postgres_leaves_a_ready_database(tmp_path: Path) -> None:
    """No refusal any more: without a token it migrates PostgreSQL, then exits as on SQLite."""
    from bot.cli import NO_TOKEN_EXIT

    result = runner.invoke(app, ["run", "--no-console"])
    assert result.exit_code == NO_TOKEN_EXIT, result.output
    said = " ".join(result.output.split())
    assert "Database ready: postgresql://" in said, said
    stats = " ".join(runner.invoke(app, ["stats"]).output.split())
    assert re.search(r"constituencies\W+[1-9]", stats), stats  # reference loaded at start-up
    assert not (tmp_path / "unused.sqlite3").exists()


def test_a_url_with_a_password_is_secret_and_shown_masked() -> None:
    settings = Settings(
        database_url="postgresql://bot:s3cret@db.example/petitions",  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )
    assert "s3cret" not in repr(settings)
    assert settings.database_label == "postgresql://bot:***@db.example/petitions"
    assert settings.database_target == "postgresql://bot:s3cret@db.example/petitions"
    with pytest.raises(ValueError, match="postgresql://"):
        Settings(database_url="mysql://x/y", _env_file=None)  # type: ignore[arg-type,call-arg]
