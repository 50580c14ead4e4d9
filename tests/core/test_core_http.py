"""The HTTP edge: classification, size cap, redaction, Retry-After backoff."""

from __future__ import annotations

import httpx
import pytest

from collector.errors import FetchError, RateLimited
from collector.http import parse_retry_after
from collector.redact import Redactor, redact_url

TOKEN = "tok_5f9c2a7e81d4b3"


async def test_http_get_returns_body_and_counts_success(make_http):
    """A 200 comes back as bytes and is reported as a successful request."""
    http, obs = make_http(lambda req: httpx.Response(200, content=b"hello", headers={"content-type": "text/plain"}))
    resp = await http.get("rss", "https://feeds.example/a.xml")
    assert resp.body == b"hello" and resp.status == 200
    assert obs.requests == [("rss", True, None)]


@pytest.mark.parametrize(("status", "reason"), [(401, "auth"), (403, "auth"), (404, "http_4xx"),
                                                (500, "http_5xx"), (503, "http_5xx")])
async def test_http_get_classifies_error_statuses(make_http, status, reason):
    """Error statuses become FetchError with a fixed reason, counted once."""
    http, obs = make_http(lambda req: httpx.Response(status, content=b"{}"))
    with pytest.raises(FetchError) as info:
        await http.get("coingecko", "https://api.example/x")
    assert info.value.reason == reason
    assert info.value.counted
    assert obs.requests == [("coingecko", False, reason)]


async def test_http_429_honours_retry_after(make_http, clock):
    """After a 429 with Retry-After no request goes out until it expires."""
    calls = []

    def handler(req):
        calls.append(req)
        return httpx.Response(429, headers={"retry-after": "120"}, content=b"{}")

    http, obs = make_http(handler)
    with pytest.raises(RateLimited) as info:
        await http.get("reddit", "https://r.example/new.json")
    assert info.value.retry_after == 120
    assert obs.backoffs["reddit"] == clock.now + 120
    with pytest.raises(RateLimited):
        await http.get("reddit", "https://r.example/new.json")
    assert len(calls) == 1
    clock.advance(121)
    with pytest.raises(RateLimited):
        await http.get("reddit", "https://r.example/new.json")
    assert len(calls) == 2


async def test_http_body_over_cap_is_too_large(make_http):
    """A body larger than the cap fails with reason too_large."""
    http, _ = make_http(lambda req: httpx.Response(200, content=b"x" * 2048), max_body_bytes=1024)
    with pytest.raises(FetchError) as info:
        await http.get("rss", "https://feeds.example/big.xml")
    assert info.value.reason == "too_large"


async def test_http_connect_error_message_has_no_token(make_http):
    """A transport error's message never carries the token from the query string."""
    def handler(req):
        raise httpx.ConnectError(f"failed to reach {req.url}", request=req)

    http, _ = make_http(handler, redactor=Redactor([TOKEN]))
    with pytest.raises(FetchError) as info:
        await http.get("cryptopanic", f"https://cp.example/api/v1/posts/?auth_token={TOKEN}&public=true")
    assert info.value.reason == "connect"
    assert TOKEN not in str(info.value)
    assert "REDACTED" in str(info.value)


async def test_http_timeout_is_reason_timeout(make_http):
    """A read timeout is reported as reason timeout."""
    def handler(req):
        raise httpx.ReadTimeout("slow", request=req)

    http, _ = make_http(handler)
    with pytest.raises(FetchError) as info:
        await http.get("feargreed", "https://fg.example/fng/")
    assert info.value.reason == "timeout"


def test_redact_url_masks_secret_params_and_userinfo():
    """Secret-looking query values and credentials in the host part are removed."""
    out = redact_url("https://user:pw@api.example/v1/tx?api_key=abc123&min_value=5&auth_token=zz")
    assert "abc123" not in out and "pw" not in out and "zz" not in out
    assert "min_value=5" in out


def test_redactor_replaces_known_secrets_anywhere():
    """Known secret values are masked wherever they appear in text."""
    r = Redactor([TOKEN])
    assert TOKEN not in r(f"header x-cg-demo-api-key: {TOKEN}")


def test_parse_retry_after_accepts_seconds_and_dates():
    """Retry-After as seconds or as an HTTP date; garbage gives None."""
    assert parse_retry_after("30", 0) == 30
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", 0) == 60
    assert parse_retry_after("soon", 0) is None
    assert parse_retry_after(None, 0) is None


async def test_http_repeated_5xx_backs_off_with_the_failure_reason(make_http, clock):
    """After repeated 5xx the api is skipped for a while; the skip carries http_5xx and is not re-counted."""
    calls = []

    def handler(req):
        calls.append(req)
        return httpx.Response(503)

    http, obs = make_http(handler)
    for _ in range(2):
        with pytest.raises(FetchError):
            await http.get("coingecko", "https://api.example/x")
    with pytest.raises(FetchError) as info:
        await http.get("coingecko", "https://api.example/x")
    assert len(calls) == 2
    assert info.value.reason == "http_5xx" and info.value.counted
    assert len(obs.requests) == 2
    clock.advance(3600)
    with pytest.raises(FetchError):
        await http.get("coingecko", "https://api.example/x")
    assert len(calls) == 3


async def test_http_failing_rss_feed_does_not_hold_back_other_feeds(make_http):
    """Backoff of one RSS feed leaves the other feeds alone."""
    def handler(req):
        return httpx.Response(503) if req.url.host == "bad.example" else httpx.Response(200, content=b"ok")

    http, obs = make_http(handler)
    for _ in range(3):
        with pytest.raises(FetchError):
            await http.get("rss", "https://bad.example/feed", feed="bad")
    assert http.blocked_for("rss", "bad") > 0
    assert (await http.get("rss", "https://good.example/feed", feed="good")).body == b"ok"
    assert obs.backoffs["rss:bad"] is not None


def test_redactor_masks_percent_encoded_secrets():
    """A key with URL-special characters is masked raw, percent-encoded once or twice, and form-encoded."""
    from urllib.parse import quote, quote_plus

    secret = "cpSECRETabc/def+ghi="
    r = Redactor([secret])
    once = quote(secret, safe="")
    for text in (secret, once, quote(once, safe=""), quote_plus(secret)):
        assert "SECRETabc" not in r(f"redirected to /final?next=https://x.example/?auth_token%3D{text}")
