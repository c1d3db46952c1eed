"""The bot runs exactly the configured shards (an AutoShardedBot); one shard of one by default."""

from __future__ import annotations

from pathlib import Path

from bot.client import PetitionBot
from bot.settings import Settings


def settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(database_path=tmp_path / "db.sqlite3", _env_file=None, **kw)  # type: ignore[call-arg]


def test_default_is_one_process_with_shard_zero_of_one(tmp_path: Path) -> None:
    bot = PetitionBot(settings(tmp_path))
    assert (bot.shard_ids, bot.shard_count) == ([0], 1)
    assert bot.shard_plan.syncs_commands


def test_a_range_of_shards(tmp_path: Path) -> None:
    bot = PetitionBot(settings(tmp_path, shard_count=8, shard_ids="4-5,7"))
    assert (bot.shard_ids, bot.shard_count) == ([4, 5, 7], 8)
    assert not bot.shard_plan.syncs_commands  # shard 0 is another process's
    assert bot.instance_id != PetitionBot(settings(tmp_path)).instance_id
