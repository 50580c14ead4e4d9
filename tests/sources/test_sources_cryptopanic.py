"""Specs for the CryptoPanic source: v1 and v2 shapes, error bodies, the request, secrecy of the token."""

from __future__ import annotations

import json

import httpx
import pytest
from sources_helpers import NOW, FakeUpstream, fixture_bytes, source_config

from collector.config import Secrets
from collector.errors import FetchError, ParseError, RateLimited
from collector.http import Http
from collector.sources.cryptopanic import CryptoPanicSource, error_from_body, is_v2, parse, request_params

TOKEN = "cp-TOKEN-4f9a-very-secret"
V1 = "https://cryptopanic.example/api/v1"
V2 = "https://cryptopanic.example/api/developer/v2"


def test_cryptopanic_parse_v1_reads_every_field():
    """A v1 post gives title, url, UTC time, domain, upper-case tags and net votes."""
    items = parse(fixture_bytes("cryptopanic_v1.json"), now=NOW)
    first = items[0]
    assert first.source == first.feed == "cryptopanic" and first.kind == "news"
    assert first.title == "Bitcoin miners expand capacity as hashprice recovers"
    assert first.url.startswith("https://cryptopanic.example/news/1001/")
    assert first.published == 1796033700.0  # 2026-11-30T10:15:00Z
    assert first.domain == "chainwire.example"
    assert first.tags == frozenset({"BTC", "ETH"})
    assert first.uid == "1001"
    assert first.engagement == (5 + 3 + 2) - (1 + 0 + 1)


def test_cryptopanic_parse_v1_tolerates_missing_keys():
    """No currencies and no votes: no tags, engagement 0; fractional seconds in the date are fine."""
    second = parse(fixture_bytes("cryptopanic_v1.json"), now=NOW)[1]
    assert second.tags == frozenset() and second.engagement == 0.0
    assert second.published == pytest.approx(1796029200.123456)


def test_cryptopanic_parse_v1_cleans_html_and_falls_back_to_created_at():
    """HTML in a title is stripped; a bad published_at falls back to created_at (with its offset)."""
    third = parse(fixture_bytes("cryptopanic_v1.json"), now=NOW)[2]
    assert third.title == "SOL price is up 12.5% & climbing"
    assert third.published == 1796018400.0  # 2026-11-30T08:00+02:00 = 06:00Z
    assert third.tags == frozenset({"SOL"})
    assert third.engagement == 0.0  # more down-votes than up-votes is clipped at 0


def test_cryptopanic_parse_skips_posts_without_a_title():
    """The untitled post is skipped, the others kept."""
    assert [i.uid for i in parse(fixture_bytes("cryptopanic_v1.json"), now=NOW)] == ["1001", "1002", "1003"]


def test_cryptopanic_parse_v2_uses_instruments_and_original_url():
    """v2: tags from instruments[], url from original_url, domain from source, summary from description."""
    items = parse(fixture_bytes("cryptopanic_v2.json"), now=NOW)
    first = items[0]
    assert first.tags == frozenset({"ETH"})
    assert first.url == "https://blocknotes.example/eth-staking?utm_source=cryptopanic"
    assert first.domain == "blocknotes.example"
    assert first.summary == "Validators queue up again."
    assert first.engagement == 3.0


def test_cryptopanic_parse_v2_null_original_url_falls_back_to_url():
    """original_url null: the cryptopanic link is used, and its host is the domain."""
    second = parse(fixture_bytes("cryptopanic_v2.json"), now=NOW)[1]
    assert second.url == "https://cryptopanic.example/news/2002/stablecoin-guidance"
    assert second.domain == "cryptopanic.example"


def test_cryptopanic_parse_missing_date_uses_now():
    """A post with no date at all is kept, dated at the fetch time."""
    body = json.dumps({"results": [{"title": "Undated post", "id": 1}]}).encode()
    assert parse(body, now=NOW)[0].published == NOW


def test_cryptopanic_parse_empty_results_is_fine():
    """No posts is a valid answer with 0 items."""
    assert parse(b'{"count": 0, "next": null, "previous": null, "results": []}', now=NOW) == []


@pytest.mark.parametrize("body", [b"[]", b'{"results": null}', b'{"results": {"a": 1}}', b'"text"',
                                  b"<html><body>Not Found</body></html>", b"", b'{"results": [1, 2'])
def test_cryptopanic_parse_rejects_wrong_shapes(body):
    """Anything that is not an object with a results list is a ParseError."""
    with pytest.raises(ParseError):
        parse(body, now=NOW)


def test_cryptopanic_parse_all_posts_unusable_is_an_error():
    """Posts were there but none could be used: that is a ParseError, not an empty success."""
    with pytest.raises(ParseError, match="none of the 2 posts"):
        parse(b'{"results": [{"title": ""}, {"id": 3}]}', now=NOW)


def test_cryptopanic_parse_api_error_body_is_an_error():
    """A 200 answer with status api_error is a ParseError that quotes the upstream's info."""
    with pytest.raises(ParseError, match="Token not found"):
        parse(fixture_bytes("cryptopanic_token.json"), now=NOW)


@pytest.mark.parametrize("status", [200, 403, 429])
def test_cryptopanic_quota_body_is_reason_quota(status):
    """The quota-exceeded body means reason quota, whatever the status, and says the plan is used up."""
    err = error_from_body(status, fixture_bytes("cryptopanic_quota.json"))
    assert err is not None and err.reason == "quota"
    assert "quota of this CryptoPanic plan is used up" in err.message


@pytest.mark.parametrize(("status", "body"), [(401, b""), (403, b"<html>denied</html>"),
                                              (400, b'{"status":"api_error","info":"Token not found"}')])
def test_cryptopanic_bad_token_is_reason_auth(status, body):
    """401, 403 and "Token not found" mean reason auth, pointing at CRYPTOPANIC_API_KEY."""
    err = error_from_body(status, body)
    assert err is not None and err.reason == "auth" and "CRYPTOPANIC_API_KEY" in err.message


def test_cryptopanic_404_hints_at_the_plan_route():
    """A 404 (a v2 route the plan lacks) says to check base_url."""
    err = error_from_body(404, b"<html><body>Not Found</body></html>")
    assert err is not None and err.reason == "http_4xx" and "base_url" in err.message


def test_cryptopanic_post_list_is_no_error():
    """A normal 200 post list classifies as no error."""
    assert error_from_body(200, fixture_bytes("cryptopanic_v1.json")) is None


def test_cryptopanic_version_is_detected_from_the_path():
    """/v2 in the base URL means v2; /api/v1 and /api/free/v1 mean v1."""
    assert is_v2(V2) and is_v2("https://c.example/api/growth/v2/")
    assert not is_v2(V1) and not is_v2("https://cryptopanic.com/api/free/v1")


def test_cryptopanic_request_params_follow_the_config():
    """public, kind, filter, currencies (upper case, comma separated) and regions go in the query."""
    q = request_params({"filter": "hot", "currencies": ["btc", "eth"], "regions": "en"}, "T")
    assert q == {"auth_token": "T", "public": "true", "kind": "news", "filter": "hot", "currencies": "BTC,ETH",
                 "regions": "en"}
    assert request_params({"public": False, "kind": "all"}, "T") == {"auth_token": "T"}


async def test_cryptopanic_collect_sends_token_and_params(http: Http, upstream: FakeUpstream):
    """collect GETs {base}/posts/ with the token and parameters and returns the items."""
    upstream.handler = lambda r: httpx.Response(200, content=fixture_bytes("cryptopanic_v2.json"))
    src = CryptoPanicSource(source_config("cryptopanic", V2, currencies=["BTC"]), Secrets(cryptopanic_api_key=TOKEN))
    got = await src.collect(http, NOW)
    assert len(got.items) == 2
    sent = upstream.requests[0].url
    assert sent.path == "/api/developer/v2/posts/"
    assert sent.params["auth_token"] == TOKEN and sent.params["currencies"] == "BTC"
    assert src.key == "cryptopanic" and src.api == "cryptopanic" and src.feed is None


@pytest.mark.parametrize(("status", "fixture", "reason"), [
    (200, "cryptopanic_quota.json", "quota"),
    (403, "cryptopanic_quota.json", "quota"),
    (401, "cryptopanic_token.json", "auth"),
    (400, "cryptopanic_token.json", "auth"),
])
async def test_cryptopanic_collect_error_answers_never_show_the_token(http, upstream, status, fixture, reason):
    """Quota and auth answers fail with their reason and a message without the token."""
    upstream.handler = lambda r: httpx.Response(status, content=fixture_bytes(fixture))
    src = CryptoPanicSource(source_config("cryptopanic", V1), Secrets(cryptopanic_api_key=TOKEN))
    with pytest.raises(FetchError) as info:
        await src.collect(http, NOW)
    assert info.value.reason == reason
    assert TOKEN not in str(info.value)


async def test_cryptopanic_collect_429_backs_off_and_redacts(http, upstream):
    """A 429 is left to Http: rate_limited with backoff, the token masked in the shown URL."""
    upstream.handler = lambda r: httpx.Response(429, headers={"Retry-After": "120"}, json={"status": "api_error"})
    src = CryptoPanicSource(source_config("cryptopanic", V1), Secrets(cryptopanic_api_key=TOKEN))
    with pytest.raises(RateLimited) as info:
        await src.collect(http, NOW)
    assert TOKEN not in str(info.value) and "REDACTED" in str(info.value)
    assert http.blocked_for("cryptopanic") > 0


async def test_cryptopanic_collect_without_token_fails_clearly(http, upstream):
    """No key: reason auth naming the variable, and no request goes out."""
    src = CryptoPanicSource(source_config("cryptopanic", V1), Secrets())
    with pytest.raises(FetchError, match="CRYPTOPANIC_API_KEY") as info:
        await src.collect(http, NOW)
    assert info.value.reason == "auth" and upstream.requests == []

