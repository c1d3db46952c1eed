"""The one petition-id pattern: typed ids, URLs, and links built from the id."""

from __future__ import annotations

from core.common.ids import MAX_PETITION_ID, parse_petition_id, petition_url


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
