"""Scheduling is a pure function of the settings and an injected clock.

The DST cases walk a simulated clock in 15-minute steps through the change and
apply each due period the way the runner does (claim moves the watermarks), so
they prove both "09:00 stays 09:00 local" and "exactly one post per day".
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.digests.schedule import (
    DigestConfig,
    Period,
    due_period,
    latest_slot,
    manual_key,
    next_slot,
    parse_clock,
    period_key,
    preview_period,
    timezone_matches,
    valid_timezone,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def config(
    at: str = "09:00",
    tz: str = "Europe/London",
    *,
    since: datetime,
    cadence: str = "daily",
    weekday: int = 0,
    status: str = "enabled",
) -> DigestConfig:
    return DigestConfig(
        guild_id=1,
        channel_id=2,
        scheduled_through=since,
        reported_through=since,
        post_time=parse_clock(at),
        timezone=tz,
        cadence=cadence,  # type: ignore[arg-type]
        weekday=weekday,
        status=status,  # type: ignore[arg-type]
    )


def walk(
    cfg: DigestConfig, until: datetime, step: timedelta = timedelta(minutes=15)
) -> list[Period]:
    """Tick a clock from the config's watermark to ``until``; claim whatever is due."""
    periods: list[Period] = []
    now = cfg.scheduled_through
    while now <= until:
        period = due_period(cfg, now)
        if period is not None:
            periods.append(period)
            cfg = dataclasses.replace(
                cfg, scheduled_through=period.end, reported_through=period.end
            )
            assert due_period(cfg, now) is None  # claimed: never due twice
        now += step
    return periods


def ends(periods: list[Period]) -> list[str]:
    return [p.end.strftime("%Y-%m-%d %H:%M") for p in periods]


def test_london_spring_forward_stays_nine_local() -> None:
    periods = walk(config(since=utc("2024-03-29T00:00")), utc("2024-04-01T23:59"))
    assert ends(periods) == [
        "2024-03-29 09:00",  # GMT
        "2024-03-30 09:00",
        "2024-03-31 08:00",  # BST from 01:00 UTC on the 31st
        "2024-04-01 08:00",
    ]
    assert [p.key for p in periods] == [
        "daily 2024-03-29",
        "daily 2024-03-30",
        "daily 2024-03-31",
        "daily 2024-04-01",
    ]
    london = ZoneInfo("Europe/London")
    assert {p.end.astimezone(london).strftime("%H:%M") for p in periods} == {"09:00"}
    # Each window starts where the previous ended: nothing is reported twice or lost.
    assert [p.start for p in periods[1:]] == [p.end for p in periods[:-1]]


def test_london_fall_back_stays_nine_local() -> None:
    periods = walk(config(since=utc("2024-10-25T12:00")), utc("2024-10-28T23:59"))
    assert ends(periods) == [
        "2024-10-26 08:00",  # BST
        "2024-10-27 09:00",  # GMT from 01:00 UTC on the 27th
        "2024-10-28 09:00",
    ]


def test_new_york_both_changes() -> None:
    spring = walk(
        config(tz="America/New_York", since=utc("2024-03-09T00:00")), utc("2024-03-11T23:00")
    )
    assert ends(spring) == ["2024-03-09 14:00", "2024-03-10 13:00", "2024-03-11 13:00"]
    fall = walk(
        config(tz="America/New_York", since=utc("2024-11-02T00:00")), utc("2024-11-04T23:00")
    )
    assert ends(fall) == ["2024-11-02 13:00", "2024-11-03 14:00", "2024-11-04 14:00"]


def test_time_inside_the_spring_gap_posts_once_just_after_it() -> None:
    # 01:30 does not exist in London on 2024-03-31: it is read as 01:30 GMT = 02:30 BST.
    periods = walk(config("01:30", since=utc("2024-03-30T00:00")), utc("2024-04-01T23:59"))
    assert ends(periods) == ["2024-03-30 01:30", "2024-03-31 01:30", "2024-04-01 00:30"]
    assert [p.key for p in periods] == ["daily 2024-03-30", "daily 2024-03-31", "daily 2024-04-01"]


def test_time_that_happens_twice_posts_once_at_the_first() -> None:
    # 01:30 happens twice in London on 2024-10-27; only the first (BST, 00:30 UTC) is used.
    periods = walk(config("01:30", since=utc("2024-10-26T00:00")), utc("2024-10-28T23:59"))
    assert ends(periods) == ["2024-10-26 00:30", "2024-10-27 00:30", "2024-10-28 01:30"]


def test_weekly_posts_on_its_weekday_only() -> None:
    cfg = config(
        "18:00", "Europe/Paris", since=utc("2024-03-18T00:00"), cadence="weekly", weekday=2
    )
    periods = walk(cfg, utc("2024-04-08T00:00"), step=timedelta(hours=1))
    # Paris moves to summer time on 31 March: 18:00 local is 17:00 UTC, then 16:00 UTC.
    assert ends(periods) == ["2024-03-20 17:00", "2024-03-27 17:00", "2024-04-03 16:00"]
    assert [p.key for p in periods] == ["weekly 2024-W12", "weekly 2024-W13", "weekly 2024-W14"]
    assert periods[1].start == periods[0].end  # a week of news per post


def test_catch_up_after_downtime_is_one_period_covering_the_gap() -> None:
    monday = utc("2024-01-08T09:00")
    cfg = config(since=monday)
    thursday = utc("2024-01-11T10:17")
    period = due_period(cfg, thursday)
    assert period == Period("daily 2024-01-11", monday, utc("2024-01-11T09:00"))
    cfg = dataclasses.replace(cfg, scheduled_through=period.end)
    assert due_period(cfg, thursday) is None
    assert due_period(cfg, utc("2024-01-12T08:59")) is None
    assert due_period(cfg, utc("2024-01-12T09:00")) is not None


def test_enabling_starts_from_now() -> None:
    enabled = utc("2024-01-08T10:00")  # after today's 09:00
    cfg = config(since=enabled)
    assert due_period(cfg, enabled) is None
    assert due_period(cfg, utc("2024-01-09T08:59")) is None
    assert due_period(cfg, utc("2024-01-09T09:00")) == Period(
        "daily 2024-01-09", enabled, utc("2024-01-09T09:00")
    )


@pytest.mark.parametrize("status", ["paused", "disabled"])
def test_paused_or_disabled_is_never_due(status: str) -> None:
    cfg = config(since=utc("2024-01-01T00:00"), status=status)
    assert due_period(cfg, utc("2024-01-05T12:00")) is None


def test_window_never_starts_after_its_end() -> None:
    # A post-now at 08:30 moved reported_through past... nothing; one at 09:30 after a
    # missed 09:00 slot leaves an empty window rather than a negative one.
    cfg = dataclasses.replace(
        config(since=utc("2024-01-08T09:00")), reported_through=utc("2024-01-09T09:30")
    )
    period = due_period(cfg, utc("2024-01-09T09:45"))
    assert period is not None
    assert period.start == period.end == utc("2024-01-09T09:00")


def test_next_and_preview() -> None:
    cfg = config(since=utc("2024-03-30T12:00"))
    assert next_slot(cfg, utc("2024-03-30T12:00")) == utc("2024-03-31T08:00")
    assert next_slot(cfg, utc("2024-03-31T08:00")) == utc("2024-04-01T08:00")
    preview = preview_period(cfg, utc("2024-03-30T20:00"))
    assert preview == Period("daily 2024-03-31", utc("2024-03-30T12:00"), utc("2024-03-30T20:00"))


def test_keys() -> None:
    cfg = config("23:30", "Pacific/Auckland", since=utc("2024-01-01T00:00"))
    slot = latest_slot(cfg, utc("2024-01-01T12:00"))
    assert slot == utc("2024-01-01T10:30")  # 23:30 NZDT on 1 January
    assert period_key(cfg, slot) == "daily 2024-01-01"
    assert manual_key(utc("2024-01-01T12:00:05")) == "manual 2024-01-01T12:00:05Z"


@pytest.mark.parametrize(
    ("text", "expected"), [("09:00", time(9)), ("9:05", time(9, 5)), ("23:59", time(23, 59))]
)
def test_parse_clock(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["9", "24:00", "12:60", "9:5", "nine", "09:00:00", ""])
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


def test_timezone_helpers() -> None:
    assert valid_timezone("Europe/London")
    assert not valid_timezone("Europe/Atlantis")
    assert not valid_timezone("../etc/passwd")
    assert timezone_matches("new york")[0] == "America/New_York"
    assert timezone_matches("london") == ["Europe/London"]
    assert timezone_matches("")[:2] == ["Europe/London", "UTC"]
    assert len(timezone_matches("a")) == 25


ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    now=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
)
def test_slots_bracket_now_one_local_day_apart(
    zone: str, hour: int, minute: int, now: datetime
) -> None:
    cfg = config(f"{hour:02d}:{minute:02d}", zone, since=now - timedelta(days=30))
    last, upcoming = latest_slot(cfg, now), next_slot(cfg, now)
    assert last <= now < upcoming
    local_last, local_next = last.astimezone(cfg.zone), upcoming.astimezone(cfg.zone)
    assert (local_next.date() - local_last.date()).days == 1
    assert timedelta(hours=22) <= upcoming - last <= timedelta(hours=26)
