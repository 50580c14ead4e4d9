"""Specs for the Reddit source: listing parsing, public JSON vs OAuth, token caching, error bodies."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import parse_qs

import httpx
import pytest
from sources_helpers import NOW, SYMBOLS, FakeUpstream, fixture_bytes, source_config

from collector import __version__
from collector.config import Secrets
from collector.errors import FetchError, ParseError, RateLimited
from collector.http import Http
from collector.sources.reddit import RedditSource, parse, parse_token, status_error, subreddits_of

BASE = "https://www.reddit.example"
OAUTH = "https://oauth.reddit.example"
TOKEN_URL = "https://www.reddit.example/api/v1/access_token"
CLIENT_ID, CLIENT_SECRET = "rd-client-id-123", "rd-client-secret-456"
NO_SECRETS = Secrets()
OAUTH_SECRETS = Secrets(reddit_client_id=CLIENT_ID, reddit_client_secret=CLIENT_SECRET)


def test_reddit_parse_skips_stickied_and_reads_posts():
    """The stickied thread is skipped; title, selftext, permalink URL, time, fullname and engagement are read."""
    items = parse(fixture_bytes("reddit_listing.json"), subreddit="CryptoCurrency", now=NOW)
    assert [i.uid for i in items] == ["t3_abc01", "abc02"]
    first = items[0]
    assert first.source == "reddit" and first.feed == "CryptoCurrency" and first.kind == "social"
    assert first.title == "ETH gas fees are the lowest I have seen all year"
    assert first.summary == "Moved some tokens today & it cost cents."
    assert first.url == "https://www.reddit.com/r/CryptoCurrency/comments/abc01/eth_gas/"
    assert first.published == 1796150000.0
    assert first.engagement == 120 + 30
    assert first.domain == "reddit.com"


def test_reddit_parse_negative_score_and_string_time():
    """A negative score counts as 0 (comments still count); created_utc as a string is read."""
    second = parse(fixture_bytes("reddit_listing.json"), subreddit="CryptoCurrency", now=NOW)[1]
    assert second.engagement == 2.0 and second.published == 1796160000.0


def test_reddit_parse_only_stickied_posts_is_empty_not_an_error():
    """A listing whose only post is stickied gives 0 items and no error."""
    body = json.dumps({"kind": "Listing", "data": {"children": [
        {"kind": "t3", "data": {"title": "Rules", "stickied": True}}]}}).encode()
    assert parse(body, subreddit="x", now=NOW) == []


def test_reddit_parse_all_posts_unusable_is_an_error():
    """Posts without titles only: ParseError."""
    body = b'{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"score": 1}}, {"kind": "t3"}]}}'
    with pytest.raises(ParseError, match="none of the 2 posts"):
        parse(body, subreddit="x", now=NOW)


@pytest.mark.parametrize("fixture", ["reddit_401.json", "reddit_403.json", "reddit_429.json"])
def test_reddit_parse_error_bodies_are_parse_errors(fixture):
    """Reddit's JSON error bodies are ParseErrors quoting the error, not empty listings."""
    with pytest.raises(ParseError, match="Reddit answered error"):
        parse(fixture_bytes(fixture), subreddit="x", now=NOW)


def test_reddit_parse_block_page_names_the_user_agent():
    """The HTML 'Blocked' page is a ParseError that tells how to fix it."""
    with pytest.raises(ParseError, match="user_agent"):
        parse(fixture_bytes("reddit_blocked.html"), subreddit="x", now=NOW)


def test_reddit_status_error_tells_block_from_ban_from_bad_token():
    """403 + block page, 403 JSON and 401 give three different, actionable auth messages."""
    blocked = status_error(403, fixture_bytes("reddit_blocked.html"), "x", oauth=False)
    forbidden = status_error(403, fixture_bytes("reddit_403.json"), "x", oauth=True)
    refused = status_error(401, fixture_bytes("reddit_401.json"), "x", oauth=True)
    assert {blocked.reason, forbidden.reason, refused.reason} == {"auth"}
    assert "User-Agent" in blocked.message or "user_agent" in blocked.message
    assert "private" in forbidden.message
    assert "REDDIT_CLIENT_ID" in refused.message


def test_reddit_parse_token_reads_token_and_expiry():
    """access_token and expires_in; a body without a token is an auth failure."""
    assert parse_token(fixture_bytes("reddit_token.json")) == ("tok-first", 3600.0)
    with pytest.raises(FetchError) as info:
        parse_token(b'{"error": "invalid_grant"}')
    assert info.value.reason == "auth"


def test_reddit_subreddits_merge_params_and_symbols_case_insensitively():
    """params.subreddits first, then symbols' subreddits; r/ prefixes and case repeats removed."""
    assert subreddits_of({"subreddits": ["r/CryptoCurrency", "bitcoin"]}, SYMBOLS) == (
        "CryptoCurrency", "bitcoin", "ethereum")
    assert subreddits_of({}, ()) == ("CryptoCurrency",)


class FakeReddit:
    """A Reddit stand-in: token endpoint plus listings, with switchable token validity."""

    def __init__(self) -> None:
        self.issued = 0
        self.valid: set[str] = set()
        self.listing = fixture_bytes("reddit_listing.json")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            auth = request.headers.get("authorization", "")
            form = parse_qs(request.content.decode())
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if auth != expected or form.get("grant_type") != ["client_credentials"]:
                return httpx.Response(401, json={"message": "Unauthorized", "error": 401})
            self.issued += 1
            token = f"tok-{self.issued}"
            self.valid.add(token)
            return httpx.Response(200, json={"access_token": token, "token_type": "bearer", "expires_in": 3600})
        bearer = request.headers.get("authorization", "").removeprefix("bearer ")
        if request.url.host == "oauth.reddit.example" and bearer not in self.valid:
            return httpx.Response(401, content=fixture_bytes("reddit_401.json"))
        return httpx.Response(200, content=self.listing)


def _source(secrets: Secrets = NO_SECRETS, **params: object) -> RedditSource:
    return RedditSource(source_config("reddit", BASE, oauth_base_url=OAUTH, token_url=TOKEN_URL, **params),
                        secrets, ())


async def test_reddit_public_json_url_and_user_agent(http: Http, upstream: FakeUpstream):
    """Without credentials: {base}/r/<sub>/new.json?limit=N&raw_json=1 with the descriptive User-Agent."""
    upstream.handler = FakeReddit()
    got = await _source(subreddits=["CryptoCurrency"], limit=25).collect(http, NOW)
    assert len(got.items) == 2
    req = upstream.requests[0]
    assert req.url.path == "/r/CryptoCurrency/new.json"
    assert req.url.params["limit"] == "25" and req.url.params["raw_json"] == "1"
    assert req.headers["user-agent"] == f"linux:sigmax-collector:{__version__} (by /u/sigmax-collector)"
    assert "authorization" not in req.headers


async def test_reddit_configured_user_agent_and_listing_are_used(http, upstream):
    """params.user_agent (with {version}) and params.listing reach the request."""
    upstream.handler = FakeReddit()
    await _source(user_agent="linux:acme-bot:{version} (by /u/acme)", listing="hot").collect(http, NOW)
    req = upstream.requests[0]
    assert req.headers["user-agent"] == f"linux:acme-bot:{__version__} (by /u/acme)"
    assert req.url.path == "/r/CryptoCurrency/hot.json"


async def test_reddit_oauth_token_fetched_once_and_reused(http, upstream):
    """With id and secret: one token POST (basic auth, client_credentials, User-Agent), reused across runs."""
    fake = FakeReddit()
    upstream.handler = fake
    src = _source(OAUTH_SECRETS, subreddits=["CryptoCurrency", "Bitcoin"])
    await src.collect(http, NOW)
    await src.collect(http, NOW + 600)
    posts = [r for r in upstream.requests if r.method == "POST"]
    assert len(posts) == 1 and fake.issued == 1
    assert posts[0].headers["user-agent"].startswith("linux:sigmax-collector:")
    gets = [r for r in upstream.requests if r.method == "GET"]
    assert len(gets) == 4
    assert all(r.url.host == "oauth.reddit.example" and r.headers["authorization"] == "bearer tok-1" for r in gets)
    assert {r.url.path for r in gets} == {"/r/CryptoCurrency/new", "/r/Bitcoin/new"}


async def test_reddit_oauth_token_renewed_before_expiry(http, upstream):
    """Once within the margin of expires_in, a new token is fetched."""
    fake = FakeReddit()
    upstream.handler = fake
    src = _source(OAUTH_SECRETS)
    await src.collect(http, NOW)
    await src.collect(http, NOW + 3600 - 30)
    assert fake.issued == 2


async def test_reddit_oauth_refreshes_once_on_401(http, upstream):
    """A revoked token: the listing's 401 triggers one new token and one retry, which succeeds."""
    fake = FakeReddit()
    upstream.handler = fake
    src = _source(OAUTH_SECRETS)
    await src.collect(http, NOW)
    fake.valid.clear()  # Reddit revoked tok-1 early
    got = await src.collect(http, NOW + 60)
    assert len(got.items) == 2 and fake.issued == 2
    assert [f"{r.method} {r.headers.get('authorization', '')}" for r in upstream.requests[-3:]] == [
        "GET bearer tok-1", f"POST Basic {base64.b64encode(f'{CLIENT_ID}:{CLIENT_SECRET}'.encode()).decode()}",
        "GET bearer tok-2"]


async def test_reddit_oauth_401_after_refresh_fails_with_auth(http, upstream):
    """If the fresh token is refused as well, the run fails with reason auth (no endless retry)."""
    fake = FakeReddit()
    upstream.handler = lambda r: (fake(r) if r.method == "POST"
                                  else httpx.Response(401, content=fixture_bytes("reddit_401.json")))
    with pytest.raises(FetchError) as info:
        await _source(OAUTH_SECRETS).collect(http, NOW)
    assert info.value.reason == "auth" and fake.issued == 2
    assert CLIENT_SECRET not in str(info.value) and CLIENT_ID not in str(info.value)


async def test_reddit_wrong_credentials_fail_at_the_token_endpoint(http, upstream):
    """Bad id/secret: the token POST's 401 fails the run with reason auth."""
    upstream.handler = FakeReddit()
    with pytest.raises(FetchError) as info:
        await _source(Secrets(reddit_client_id="x" * 8, reddit_client_secret="y" * 8)).collect(http, NOW)
    assert info.value.reason == "auth"


@pytest.mark.parametrize(("status", "fixture", "words"), [
    (403, "reddit_blocked.html", "user_agent"),
    (403, "reddit_403.json", "private"),
])
async def test_reddit_403_bodies_give_clear_auth_errors(http, upstream, status, fixture, words):
    """A 403 block page and a 403 JSON fail with reason auth and different advice."""
    upstream.handler = lambda r: httpx.Response(status, content=fixture_bytes(fixture))
    with pytest.raises(FetchError, match=words) as info:
        await _source().collect(http, NOW)
    assert info.value.reason == "auth" and info.value.feed == "CryptoCurrency"


async def test_reddit_429_is_rate_limited(http, upstream):
    """A 429 JSON answer: RateLimited, and the api backs off."""
    upstream.handler = lambda r: httpx.Response(429, content=fixture_bytes("reddit_429.json"))
    with pytest.raises(RateLimited):
        await _source().collect(http, NOW)
    assert http.blocked_for("reddit") > 0


async def test_reddit_one_failing_subreddit_keeps_the_others(http, upstream, caplog):
    """One private subreddit among good ones: the run succeeds with the good items and logs a warning."""
    fake = FakeReddit()
    upstream.handler = lambda r: (httpx.Response(403, content=fixture_bytes("reddit_403.json"))
                                  if "/r/secretclub/" in r.url.path else fake(r))
    with caplog.at_level(logging.WARNING, logger="collector.sources.reddit"):
        got = await _source(subreddits=["CryptoCurrency", "secretclub", "Bitcoin"]).collect(http, NOW)
    assert len(got.items) == 4
    assert {i.feed for i in got.items} == {"CryptoCurrency", "Bitcoin"}
    assert any("secretclub" in rec.getMessage() for rec in caplog.records)


async def test_reddit_all_subreddits_failing_raises_the_first_error(http, upstream):
    """Every subreddit failing: the run fails with the first subreddit's error."""
    upstream.handler = lambda r: httpx.Response(403, content=fixture_bytes("reddit_403.json"))
    with pytest.raises(FetchError) as info:
        await _source(subreddits=["alpha", "beta"]).collect(http, NOW)
    assert info.value.feed == "alpha"


async def test_reddit_symbol_subreddits_are_fetched_too(http, upstream):
    """Subreddits named by symbols are fetched once each, alongside params.subreddits."""
    upstream.handler = FakeReddit()
    src = RedditSource(source_config("reddit", BASE, subreddits=["CryptoCurrency"]), Secrets(), SYMBOLS)
    await src.collect(http, NOW)
    assert sorted(r.url.path for r in upstream.requests) == [
        "/r/Bitcoin/new.json", "/r/CryptoCurrency/new.json", "/r/ethereum/new.json"]
