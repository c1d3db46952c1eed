"""Typed settings from the environment and ``.env`` (pydantic-settings).

Every field is documented in ``.env.example``. The token is a ``SecretStr`` so
it never appears in logs, reprs or tracebacks; it is read only from the
environment / ``.env``, never from a command-line flag.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.common.shards import ShardPlan, ShardSpecError
from db.database import describe
from db.postgres import is_postgres_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA = PROJECT_ROOT / "data" / "petitions"


class Settings(BaseSettings):
    """petitionbot configuration. Environment variables win over ``.env``."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `DEV_GUILD_ID=` (as .env.example has it) means "not set", for every setting:
        # otherwise an empty value is a validation error and nothing starts.
        env_ignore_empty=True,
    )

    discord_token: SecretStr | None = Field(
        default=None, description="Bot token from the Discord developer portal."
    )
    database_path: Path = Field(
        default=PROJECT_ROOT / "var" / "petitionbot.sqlite3",
        description="SQLite database file (created on first run).",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql://user:password@host/db: PostgreSQL instead of the SQLite file "
        "(a secret: it may hold a password).",
    )
    data_dir: Path = Field(
        default=BUNDLED_DATA,
        description="Directory of petition documents ingested on first run and by reload.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    dev_guild_id: int | None = Field(
        default=None, description="Sync commands to this guild only (instant, for development)."
    )
    owner_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Extra bot owners (comma-separated user ids)."
    )
    digest_tick_seconds: float = Field(
        default=60.0, gt=0, description="How often the digest scheduler checks for due servers."
    )
    follow_tick_seconds: float = Field(
        default=5.0,
        gt=0,
        le=10,
        description="How often follows beat their heartbeat and look for due alerts "
        "(time-driven events, recovery); alerts after an ingest go out at once.",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Largest attachment /admin ingest accepts."
    )
    petitions_api_base: str = Field(
        default="https://petition.parliament.uk",
        description="Base URL of the petitions site for the optional live refresh.",
    )
    postcodes_api_base: str = Field(
        default="https://api.postcodes.io",
        description="postcodes.io (or a mirror) for postcode → constituency look-ups.",
    )
    live_refresh: bool = Field(default=False, description="Periodically refresh open petitions.")
    live_refresh_minutes: float = Field(default=60.0, gt=0)
    shard_count: int | None = Field(
        default=None,
        gt=0,
        description="Gateway shards over all processes (unset: 1, one process serves all).",
    )
    shard_ids: str | None = Field(
        default=None,
        description="The shards this process runs, e.g. 0-3, 4,5 or 0-1,4 (needs SHARD_COUNT; "
        "unset: all of them).",
    )
    index_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="How often a process checks whether another one (or the CLI) changed the "
        "petition data, to refresh its search index.",
    )

    @field_validator("owner_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept "1,2 3" as well as a list, so ``.env`` stays readable."""
        if isinstance(value, str):
            return [int(part) for part in value.replace(",", " ").split() if part]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _postgres_url(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not is_postgres_url(value.strip()):
            raise ValueError(
                "DATABASE_URL must start with postgresql:// (leave it empty for SQLite, "
                "which DATABASE_PATH names)"
            )
        return value.strip() if isinstance(value, str) else value

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _valid_shards(self) -> Settings:
        """A shard range that cannot run is refused at start-up, saying why."""
        try:
            ShardPlan.of(self.shard_ids, self.shard_count)
        except ShardSpecError as exc:
            raise ValueError(f"SHARD_IDS/SHARD_COUNT: {exc}") from None
        return self

    @property
    def shard_plan(self) -> ShardPlan:
        """The shards this process runs (default: shard 0 of 1, i.e. every server)."""
        return ShardPlan.of(self.shard_ids, self.shard_count)

    @property
    def has_token(self) -> bool:
        return self.discord_token is not None

    @property
    def database_target(self) -> str | Path:
        """What ``Database.open`` takes: the PostgreSQL URL when set, else the SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.database_path

    @property
    def database_label(self) -> str:
        """The database as the user may see it (a URL's password hidden)."""
        return describe(self.database_target)

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
