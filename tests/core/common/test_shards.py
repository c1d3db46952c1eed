"""Which servers a process owns, and the shard ranges people type."""

from __future__ import annotations

import pytest

from core.common.shards import (
    ShardPlan,
    ShardSpecError,
    ShardStatus,
    format_ids,
    owns_guild,
    parse_shard_ids,
    shard_of,
)

# A real snowflake (the e2e world's first guild id style): shard = (id >> 22) % count.
GUILD = 1_219_000_000_000_000_000


def test_owns_guild_is_discords_formula() -> None:
    assert shard_of(GUILD, 8) == (GUILD >> 22) % 8
    for count in (1, 2, 4, 8, 16):
        owners = [s for s in range(count) if owns_guild(GUILD, [s], count)]
        assert owners == [(GUILD >> 22) % count]  # exactly one shard owns it
    assert owns_guild(5 << 22, {1, 5}, 8) and not owns_guild(4 << 22, {1, 5}, 8)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("0-3", (0, 1, 2, 3)),
        ("4,5", (4, 5)),
        ("0-1,4", (0, 1, 4)),
        (" 7 ", (7,)),
        ("3,1-2,2", (1, 2, 3)),
    ],
)
def test_parse_shard_ids(text: str, ids: tuple[int, ...]) -> None:
    assert parse_shard_ids(text) == ids
    assert parse_shard_ids(format_ids(ids)) == ids


@pytest.mark.parametrize(
    ("text", "says"),
    [("", "no shard ids"), ("a-b", "'a-b' is not a shard id"), ("3-1", "'3-1'"), ("-1", "'-1'")],
)
def test_bad_ranges_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ShardSpecError, match=says):
        parse_shard_ids(text)


def test_plan_checks_ids_against_the_count() -> None:
    assert ShardPlan.of(None, None) == ShardPlan((0,), 1)
    assert ShardPlan.of(None, 4) == ShardPlan((0, 1, 2, 3), 4)
    assert ShardPlan.of("2-3", 4).describe() == "2-3 of 4"
    with pytest.raises(ShardSpecError, match=r"shard id\(s\) 8, 9 outside 0-7"):
        ShardPlan.of("0-1,8-9", 8)
    with pytest.raises(ShardSpecError, match="SHARD_IDS needs SHARD_COUNT"):
        ShardPlan.of("0-1", None)
    with pytest.raises(ShardSpecError, match="at least 1"):
        ShardPlan((0,), 0)


def test_plan_ownership_and_sync() -> None:
    alone = ShardPlan()
    assert alone.owns_guild(GUILD) and alone.owns_user(123) and alone.syncs_commands
    first, second = ShardPlan((0, 1), 4), ShardPlan((2, 3), 4)
    assert first.syncs_commands and not second.syncs_commands
    for snowflake in [n << 22 for n in range(40)] + [GUILD, GUILD + 1]:
        assert first.owns_guild(snowflake) != second.owns_guild(snowflake)
        assert first.owns_user(snowflake) != second.owns_user(snowflake)


def test_status_lines() -> None:
    status = ShardStatus((2, 3), 4, ((2, 41.4), (3, None)))
    assert status.describe() == "2-3 of 4"
    assert status.latency_lines() == "2: 41 ms · 3: —"
    assert format_ids([0, 1, 2, 3, 6, 8, 9]) == "0-3,6,8-9"
