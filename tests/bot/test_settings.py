"""Settings come from the environment / .env; the token stays secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.logs import RedactFilter
from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_env_values_and_owner_list(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def.ghi")
    monkeypatch.setenv("OWNER_IDS", "1, 2 3")
    monkeypatch.setenv("DEV_GUILD_ID", "99")
    settings = Settings()
    assert settings.owner_ids == [1, 2, 3]
    assert settings.dev_guild_id == 99
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "abc.def.ghi"
    assert "abc.def.ghi" not in repr(settings)
    assert "abc.def.ghi" not in str(settings.model_dump())


def test_dotenv_file_is_read_and_blank_token_means_none(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    (tmp_path / ".env").write_text("DISCORD_TOKEN=\nLOG_LEVEL=DEBUG\n")
    settings = Settings()
    assert settings.discord_token is None
    assert not settings.has_token
    assert settings.log_level == "DEBUG"


def test_every_setting_is_documented_in_env_example() -> None:
    documented = {
        line.split("=", 1)[0].strip()
        for line in (REPO / ".env.example").read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    fields = {name.upper() for name in Settings.model_fields}
    assert fields == documented


def test_redact_filter_hides_the_token() -> None:
    import logging

    record = logging.LogRecord("x", logging.INFO, "f", 1, "token is %s", ("s3cr3t",), None)
    RedactFilter(["s3cr3t"]).filter(record)
    assert record.getMessage() == "token is [REDACTED]"


def _without_settings_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_env_example_as_a_users_env_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The README says: copy .env.example to .env. Its empty values once failed validation
    ("DEV_GUILD_ID: unable to parse string as an integer") and nothing could start."""
    _without_settings_env(monkeypatch)
    (tmp_path / ".env").write_text((REPO / ".env.example").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.dev_guild_id is None
    assert settings.discord_token is None
    assert settings.owner_ids == []
    assert settings.max_upload_bytes == 20 * 1024 * 1024


@pytest.mark.parametrize(
    "name", ["DEV_GUILD_ID", "OWNER_IDS", "MAX_UPLOAD_BYTES", "DIGEST_TICK_SECONDS", "LOG_LEVEL"]
)
def test_every_empty_value_means_not_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    _without_settings_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"{name}=\n")
    from_file = Settings()
    monkeypatch.setenv(name, "")
    from_env = Settings()
    default = Settings.model_fields[name.lower()].get_default(call_default_factory=True)
    assert getattr(from_file, name.lower()) == getattr(from_env, name.lower()) == default


def test_cli_and_console_start_with_env_example(tmp_path: Path) -> None:
    """The CLI and the console (the bot reads the same settings) run with .env.example as .env."""
    import os
    import subprocess
    import sys

    (tmp_path / ".env").write_text((REPO / ".env.example").read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env["PYTHONPATH"] = str(REPO)
    for args in (["migrate"], ["console", "-c", "help"], ["stats"]):
        proc = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        assert "validation error" not in proc.stderr
    assert (tmp_path / "var" / "petitionbot.sqlite3").exists()


def test_shard_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings().shard_plan.describe() == "0 of 1"  # unset: one process, everything
    monkeypatch.setenv("SHARD_COUNT", "8")
    monkeypatch.setenv("SHARD_IDS", "0-1,4")
    plan = Settings().shard_plan
    assert (plan.shard_ids, plan.shard_count) == ((0, 1, 4), 8)


@pytest.mark.parametrize(
    ("ids", "count", "says"),
    [("6-9", "8", "outside 0-7"), ("0-1", None, "SHARD_IDS needs SHARD_COUNT"), ("x", "2", "'x'")],
)
def test_bad_shard_settings_are_refused_clearly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ids: str, count: str | None, says: str
) -> None:
    from pydantic import ValidationError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHARD_IDS", ids)
    if count is not None:
        monkeypatch.setenv("SHARD_COUNT", count)
    with pytest.raises(ValidationError, match=says):
        Settings()
