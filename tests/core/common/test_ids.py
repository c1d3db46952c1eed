"""The one petition-id pattern: typed ids, URLs, and links built from the id."""

from __future__ import annotations

from core.common.ids import MAX_PETITION_ID, find_petition_ids, parse_petition_id, petition_url


def test_parse_petition_id() -> None:
    assert parse_petition_id("652057") == 652057
    assert parse_petition_id("https://petition.parliament.uk/petitions/652057.json") == 652057
    assert parse_petition_id("http://PETITION.parliament.uk/petitions/1/") == 1
    assert parse_petition_id("pause 652057") is None
    assert parse_petition_id("https://example.com/petitions/652057") is None
    assert parse_petition_id("12345678901") is None
    assert parse_petition_id("#652057") == 652057
    assert parse_petition_id("https://petition.parliament.uk/archived/petitions/1234") == 1234
    assert parse_petition_id(str(MAX_PETITION_ID)) == MAX_PETITION_ID
    assert parse_petition_id(str(MAX_PETITION_ID + 1)) is None


def test_petition_url_is_built_from_the_id() -> None:
    assert petition_url(652057) == "https://petition.parliament.uk/petitions/652057"


def test_find_petition_ids_in_a_chat_message() -> None:
    text = (
        "sign https://petition.parliament.uk/petitions/652057 and #700001 too!\n"
        "(old one: petition.parliament.uk/archived/petitions/123456?reveal_response=yes)"
        " and again https://petition.parliament.uk/petitions/652057/signatures/new"
    )
    assert find_petition_ids(text) == (652057, 700001, 123456)


def test_find_petition_ids_needs_a_link_or_a_hash_id() -> None:
    assert find_petition_ids("") == ()
    assert find_petition_ids("652057 people signed in 2024") == ()  # bare numbers: counts, years
    assert find_petition_ids("point #1, issue #12 and PR #1234") == ()  # too short for an id
    assert find_petition_ids("see issue#12345 or a/#54321") == ()  # glued to a word or path
    assert find_petition_ids("https://example.com/petitions/652057") == ()
    assert find_petition_ids("(#54321)") == (54321,)
    assert find_petition_ids("#1234567890") == ()  # longer than any id
