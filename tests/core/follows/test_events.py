"""The pure event rules, driven by an injected clock (``now`` is an argument)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from core.follows import events as rules
from core.follows.types import PetitionState, SeatCrossing

NOW = datetime(2031, 1, 1, 12, tzinfo=UTC)
OPEN = PetitionState(1, "Save the hedgehogs", "https://x/1", "open", 9_999)


def keys(state: PetitionState, milestones: tuple[int, ...] = (), now: datetime = NOW) -> list[str]:
    return [e.key for e in rules.petition_events(state, milestones, now)]


def test_milestones_are_crossed_at_the_threshold_not_before() -> None:
    assert keys(OPEN) == []
    assert keys(replace(OPEN, total_signatures=10_000)) == ["signatures:10000"]
    assert keys(replace(OPEN, total_signatures=250_000), (250_000, 1_000_000)) == [
        "signatures:10000",
        "signatures:100000",
        "signatures:250000",
    ]


def test_response_debate_and_closed() -> None:
    state = replace(
        OPEN,
        state="closed",
        has_response=True,
        debate_scheduled_for="2031-02-03",
        debated_on="2031-02-03T00:00:00Z",
    )
    events = {e.key: e.what for e in rules.petition_events(state, (), NOW)}
    assert events == {
        "response": "got a government response",
        "debate-scheduled": "has a debate scheduled for 2031-02-03",
        "debated": "was debated in Parliament on 2031-02-03",
        "closed": "closed with 9,999 signatures",
    }


def test_closing_windows_follow_the_clock() -> None:
    state = replace(OPEN, deadline=NOW + timedelta(days=10))
    assert keys(state) == []
    assert keys(state, now=NOW + timedelta(days=3, hours=1)) == ["closing:7d"]
    assert keys(state, now=NOW + timedelta(days=9, hours=1)) == ["closing:7d", "closing:24h"]
    # past the deadline: not "closing" any more, but closed as of now
    assert keys(state, now=NOW + timedelta(days=11)) == ["closed"]
    assert keys(replace(state, state="closed"), now=NOW + timedelta(days=9, hours=1)) == ["closed"]
    assert keys(replace(OPEN, deadline=None), now=NOW + timedelta(days=400)) == []


def test_keywords_fold_and_stem_like_search() -> None:
    terms = rules.keyword_terms("Farming PAYS")
    assert rules.keyword_matches(terms, rules.text_terms("Fair pay for farming", None))
    assert rules.keyword_matches(terms, rules.text_terms("Help", "farm pay is too low"))
    assert not rules.keyword_matches(terms, rules.text_terms("Fair pay for nurses", None))
    assert not rules.keyword_matches((), rules.text_terms("anything", None))


def test_new_means_first_seen_after_the_follow() -> None:
    assert rules.is_new_for(NOW + timedelta(seconds=1), NOW)
    assert not rules.is_new_for(NOW, NOW)
    assert not rules.is_new_for(None, NOW)


def test_seat_crossings_and_top_ten() -> None:
    crossing = SeatCrossing("woking", "Woking", 7, before=950, after=10_200, rank=3)
    assert [e.key for e in rules.seat_events(crossing, is_new=False)] == [
        "seat:7:1000",
        "seat:7:10000",
    ]
    unseen = replace(crossing, before=None, after=150)
    assert [e.key for e in rules.seat_events(unseen, is_new=False)] == []
    assert [e.key for e in rules.seat_events(unseen, is_new=True)] == ["top:7"]
    low = replace(unseen, rank=11)
    assert rules.seat_events(low, is_new=True) == []
    same = replace(crossing, before=10_200)
    assert rules.seat_events(same, is_new=False) == []
