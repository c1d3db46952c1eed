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
    for table in ("seat_tables", "digest_posts", "follow_alerts", "schema_migrations"):
        assert table in result.output
    assert "phase 2" in " ".join(result.output.split())
    assert not (tmp_path / "unused.sqlite3").exists()  # nothing went to SQLite


def test_ingest_goes_to_postgres_not_to_sqlite(seed_paths: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(seed_paths[0])])
    assert result.exit_code == 0, result.output
    assert "1 added" in " ".join(result.output.split())
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    assert re.search(r"seat_tables\W+1\W", result.output), result.output
    assert not (tmp_path / "unused.sqlite3").exists()


def test_run_without_token_on_postgres_says_what_works(tmp_path: Path) -> None:
    for command in (["run", "--no-console"], ["console", "-c", "help"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        said = " ".join(result.output.split())
        assert "phase 2" in said and "petitionbot migrate" in said
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
