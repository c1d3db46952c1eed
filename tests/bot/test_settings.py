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
