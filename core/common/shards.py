"""Gateway shards: which servers this process owns.

Discord routes every server's gateway events (and its interactions) to shard
``(guild_id >> 22) % shard_count``. A process that runs a subset of the shards
therefore sees only the servers of those shards, and everything it does *on
its own initiative* for a server (scheduled digests, channel follow alerts)
must follow the same rule, so that each server is served by exactly one
process whatever the number of processes.

DM follow alerts have no server. Any process can open a DM (it is plain REST,
no gateway needed), so the owner only has to be unique and deterministic: the
same rule applied to the *user* id. That spreads DM work over the processes as
evenly as servers are spread, and it needs no coordination — as long as every
shard is run by some process (which Discord requires anyway), every user id
maps to exactly one running process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SNOWFLAKE_SHIFT = 22


class ShardSpecError(ValueError):
    """A shard range that cannot be run (says which part and why)."""


def shard_of(snowflake: int, shard_count: int) -> int:
    """The shard Discord assigns to a server id (or, for DMs, our rule for a user id)."""
    return (snowflake >> SNOWFLAKE_SHIFT) % shard_count


def owns_guild(guild_id: int, shard_ids: Iterable[int], shard_count: int) -> bool:
    """Whether the process running ``shard_ids`` of ``shard_count`` serves ``guild_id``."""
    return shard_of(guild_id, shard_count) in set(shard_ids)


def parse_shard_ids(text: str) -> tuple[int, ...]:
    """ "0-3" → (0, 1, 2, 3); "4,5" → (4, 5); "0-1,4" → (0, 1, 4) (sorted, no repeats)."""
    ids: set[int] = set()
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise ShardSpecError("no shard ids given (write e.g. 0-3, 4,5 or 0-1,4)")
    for part in parts:
        first, dash, last = part.partition("-")
        try:
            low = int(first)
            high = int(last) if dash else low
        except ValueError:
            raise ShardSpecError(
                f"{part!r} is not a shard id or range (write e.g. 0-3, 4,5 or 0-1,4)"
            ) from None
        if low < 0 or high < low:
            raise ShardSpecError(f"{part!r}: a range goes from a low id to a higher one, from 0")
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """The shards this process runs. The default (no settings) is shard 0 of 1: everything."""

    shard_ids: tuple[int, ...] = (0,)
    shard_count: int = 1

    def __post_init__(self) -> None:
        if self.shard_count < 1:
            raise ShardSpecError(f"the shard count must be at least 1, not {self.shard_count}")
        if not self.shard_ids:
            raise ShardSpecError("a process must run at least one shard")
        outside = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
        if outside:
            raise ShardSpecError(
                f"shard id(s) {', '.join(map(str, outside))} outside 0-{self.shard_count - 1}"
                f" (the shard count is {self.shard_count})"
            )

    @classmethod
    def of(cls, shard_ids: str | Iterable[int] | None, shard_count: int | None) -> ShardPlan:
        """From the settings: ids without a count is an error; a count alone runs all shards."""
        if shard_count is None:
            if shard_ids is not None:
                raise ShardSpecError("SHARD_IDS needs SHARD_COUNT (the total over all processes)")
            return cls()
        if shard_ids is None:
            ids: tuple[int, ...] = tuple(range(shard_count))
        elif isinstance(shard_ids, str):
            ids = parse_shard_ids(shard_ids)
        else:
            ids = tuple(sorted(set(shard_ids)))
        return cls(ids, shard_count)

    @property
    def all_shards(self) -> bool:
        return len(self.shard_ids) == self.shard_count

    @property
    def syncs_commands(self) -> bool:
        """Only the process holding shard 0 syncs the command tree (one sync per deploy)."""
        return 0 in self.shard_ids

    def owns_guild(self, guild_id: int) -> bool:
        return self.all_shards or owns_guild(guild_id, self.shard_ids, self.shard_count)

    def owns_user(self, user_id: int) -> bool:
        """The owner of a user's DM alerts (see the module docstring for why by user id)."""
        return self.all_shards or owns_guild(user_id, self.shard_ids, self.shard_count)

    def describe(self) -> str:
        """ "0-3 of 8", "0,2 of 4", "0 of 1"."""
        return f"{format_ids(self.shard_ids)} of {self.shard_count}"


def format_ids(ids: Iterable[int]) -> str:
    """(0, 1, 2, 3, 6) → "0-3,6": the shortest spelling, the one the settings accept."""
    ordered = sorted(set(ids))
    runs: list[str] = []
    start = prev = None
    for i in [*ordered, None]:
        if i is not None and prev is not None and i == prev + 1:
            prev = i
            continue
        if start is not None:
            runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = i
    return ",".join(runs)


@dataclass(frozen=True, slots=True)
class ShardStatus:
    """This process's shards and each one's gateway latency, for ``/about`` and ``/admin stats``.

    Plain data filled in by the bot (the console has none), so renderers stay pure.
    """

    shard_ids: tuple[int, ...]
    shard_count: int
    latencies_ms: tuple[tuple[int, float | None], ...] = ()
    """(shard id, heartbeat round trip in ms, None until the shard's first ACK)."""

    def describe(self) -> str:
        return f"{format_ids(self.shard_ids)} of {self.shard_count}"

    def latency_lines(self) -> str:
        """ "0: 41 ms · 1: —", one entry per shard of this process."""
        return " · ".join(
            f"{shard}: {'—' if ms is None else f'{ms:.0f} ms'}" for shard, ms in self.latencies_ms
        )
