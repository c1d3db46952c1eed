"""The stand-in holds request bodies to Discord's OpenAPI contract and rate-limits like
Discord (no bot needed: plain HTTP against the stand-in)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from .fake_discord import FakeDiscord
from .fake_discord.contract import DEFAULT_SPEC, Contract, SpecMissing, load_spec

pytestmark = pytest.mark.e2e


def _http(
    d: FakeDiscord, method: str, path: str, body: Any = None, *, multipart: bool = False
) -> tuple[int, Any, dict[str, str]]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bot {d.token}"}
    if multipart:
        b = "standinboundary"
        data = (
            f'--{b}\r\nContent-Disposition: form-data; name="payload_json"\r\n'
            f"Content-Type: application/json\r\n\r\n{json.dumps(body)}\r\n"
            f'--{b}\r\nContent-Disposition: form-data; name="files[0]"; filename="a.png"\r\n'
            f"Content-Type: image/png\r\n\r\npng\r\n--{b}--\r\n"
        ).encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={b}"
    req = urllib.request.Request(d.api_base + path, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None, dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null"), dict(err.headers)


def test_pinned_spec_is_there_and_a_missing_one_fails_loudly(tmp_path: Path) -> None:
    assert DEFAULT_SPEC.is_file(), (
        f"Discord's OpenAPI spec is missing at {DEFAULT_SPEC}: the e2e suite validates every "
        "request body against it (copy ../shared/discord-api-spec next to the repository)"
    )
    contract = Contract.pinned()
    assert contract.version == "10"
    with pytest.raises(SpecMissing, match="does not exist"):
        load_spec(tmp_path / "nowhere" / "openapi.json")
    broken = tmp_path / "openapi.json"
    broken.write_text("{not json")
    with pytest.raises(SpecMissing, match="not valid JSON"):
        load_spec(broken)


@pytest.mark.invalid_bodies
def test_spec_violations_are_refused_like_discord_and_collected(
    fake_discord: FakeDiscord,
) -> None:
    d = fake_discord
    general = d.id("general")
    # Rules only the spec has (the old hand-written checks did not know them).
    too_colourful = {"embeds": [{"title": "t", "color": 2**24}], "allowed_mentions": {"parse": []}}
    status, body, _ = _http(d, "POST", f"/channels/{general}/messages", too_colourful)
    assert status == 400 and body["code"] == 50035 and body["message"] == "Invalid Form Body"
    assert body["errors"] == {
        "embeds": {"0": {"color": {"_errors": [{
            "code": "NUMBER_TYPE_MAX",
            "message": "int value should be less than or equal to 16777215.",
        }]}}}
    }  # fmt: skip
    # payload_json of a multipart upload is checked the same way
    bad_mentions = {"content": "hi", "allowed_mentions": {"parse": ["nobody"]}}
    status, body, _ = _http(
        d, "POST", f"/channels/{general}/messages", bad_mentions, multipart=True
    )
    assert status == 400
    assert body["errors"]["allowed_mentions"]["parse"]["0"]["_errors"][0]["code"] == (
        "BASE_TYPE_CHOICES"
    )
    # interaction callbacks: the union is resolved by "type", errors sit under "data"
    options = [{"label": "x" * 101, "value": "v"}]
    callback = {
        "type": 4,
        "data": {
            "embeds": [{"url": "javascript:alert(1)"}],
            "components": [{"type": 1, "components": [
                {"type": 3, "custom_id": "m", "options": options}]}],
        },
    }  # fmt: skip
    status, body, _ = _http(d, "POST", "/interactions/1/token/callback", callback)
    assert status == 400
    data = body["errors"]["data"]
    assert data["embeds"]["0"]["url"]["_errors"][0]["code"] == "URL_TYPE_INVALID_URL"
    label = data["components"]["0"]["components"]["0"]["options"]["0"]["label"]
    assert label["_errors"][0]["message"] == "Must be 100 or fewer in length."
    # webhook follow-ups and edits of the original
    status, body, _ = _http(d, "POST", f"/webhooks/{d.app_id}/tok", {"content": "x" * 2001})
    assert status == 400 and "content" in body["errors"]
    status, body, _ = _http(
        d, "PATCH", f"/webhooks/{d.app_id}/tok/messages/@original", {"embeds": [{}] * 11}
    )
    assert status == 400 and body["errors"]["embeds"]["_errors"][0]["code"] == (
        "BASE_TYPE_MAX_LENGTH"
    )
    # the bulk overwrite of commands
    cmds = [{"name": "ok", "description": "d" * 101, "type": 1}]
    status, body, _ = _http(d, "PUT", f"/applications/{d.app_id}/commands", cmds)
    assert status == 400 and "description" in body["errors"]["0"]
    assert len(d.violations()) == 6
    assert "embeds.0.color: NUMBER_TYPE_MAX" in d.violations()[0].describe()
    with pytest.raises(AssertionError, match="Discord refuses"):
        d.assert_no_violations()


@pytest.mark.invalid_bodies
def test_relaxed_rule_accepts_what_discord_documents(fake_discord: FakeDiscord) -> None:
    """discord.py sends a new upload's attachment id as its integer index (Discord's
    docs: "Uploading Files"); the schema's snowflake is a string. Nothing else is relaxed:
    ``default_member_permissions`` as a string is still refused (discord.py sends an int)."""
    d = fake_discord
    upload = {"content": "chart", "attachments": [{"id": 0, "filename": "a.png"}]}
    status, _, _ = _http(d, "POST", f"/channels/{d.id('general')}/messages", upload,
                         multipart=True)  # fmt: skip
    assert status == 200
    d.assert_no_violations()
    cmds = [{"name": "ok", "description": "d", "type": 1, "default_member_permissions": "32"}]
    status, body, _ = _http(d, "PUT", f"/applications/{d.app_id}/commands", cmds)
    assert status == 400 and "default_member_permissions" in body["errors"]["0"]
    mention = {"content": "x", "allowed_mentions": {"users": [123]}}  # ids stay strings
    status, body, _ = _http(d, "POST", f"/channels/{d.id('general')}/messages", mention)
    assert status == 400 and "users" in body["errors"]["allowed_mentions"]
    assert len(d.violations()) == 2


def test_rate_limit_buckets_headers_and_global(fake_discord: FakeDiscord) -> None:
    d = fake_discord
    d.rate_limits.configure(per_route=(2, 0.5), global_per_second=None)
    path = f"/channels/{d.id('general')}/messages"
    msg = {"content": "hi", "allowed_mentions": {"parse": []}}
    answers = [_http(d, "POST", path, msg) for _ in range(3)]
    assert [a[0] for a in answers] == [200, 200, 429]
    ok_headers = answers[1][2]
    assert ok_headers["X-RateLimit-Limit"] == "2" and ok_headers["X-RateLimit-Remaining"] == "0"
    assert float(ok_headers["X-RateLimit-Reset-After"]) <= 0.5
    assert float(ok_headers["X-RateLimit-Reset"]) > time.time() - 1
    _, body, headers = answers[2]
    assert body["message"] == "You are being rate limited." and body["global"] is False
    assert 0 < body["retry_after"] <= 0.5
    assert headers["X-RateLimit-Scope"] == "user" and headers["Via"]
    assert headers["X-RateLimit-Bucket"] == ok_headers["X-RateLimit-Bucket"]
    # another channel is another bucket
    other = f"/channels/{d.id('petitions')}/messages"
    assert _http(d, "POST", other, msg)[0] == 200
    time.sleep(0.55)
    assert _http(d, "POST", path, msg)[0] == 200
    # the global limit: 429 with global true and X-RateLimit-Global
    d.rate_limits.configure(per_route=None, global_per_second=3)
    statuses = [_http(d, "GET", f"/channels/{d.id('general')}") for _ in range(4)]
    assert [s[0] for s in statuses] == [200, 200, 200, 429]
    _, body, headers = statuses[3]
    assert body["global"] is True and headers["X-RateLimit-Global"] == "true"
    assert headers["X-RateLimit-Scope"] == "global"
    assert d.rate_limits.stats.route_429s == 1 and d.rate_limits.stats.global_429s == 1
    # injected: every 2nd matching request, a shared-scope 429
    d.rate_limits.clear()
    d.rate_limits.inject("POST", path, every=2, retry_after=0.01)
    assert [_http(d, "POST", path, msg)[0] for _ in range(4)] == [200, 429, 200, 429]
    assert d.rate_limits.stats.injected_429s == 2
