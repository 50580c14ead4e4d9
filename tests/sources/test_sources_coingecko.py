"""Specs for the CoinGecko source: prices with unknown ids, trending, global, key headers and base URLs."""

from __future__ import annotations

import httpx
import pytest
from sources_helpers import NOW, SYMBOLS, FakeUpstream, fixture_bytes, source_config

from collector.config import Secrets
from collector.errors import FetchError, ParseError, RateLimited
from collector.http import Http
from collector.models import Quote
from collector.sources.coingecko import CoinGeckoSource, parse_global, parse_prices, parse_trending

PUBLIC = "https://cg.example/api/v3"
PRO = "https://pro-cg.example/api/v3"
KEY = "CG-key-7d1e-secret"


def test_coingecko_parse_prices_reads_quotes():
    """Price, 24h change and market cap per id."""
    quotes = parse_prices(fixture_bytes("coingecko_price.json"))
    assert quotes["bitcoin"] == Quote("bitcoin", 91234.5, -1.75, 1810000000000.25)
    assert quotes["ethereum"].price_usd == 3100.25


def test_coingecko_parse_prices_unknown_id_means_no_quote():
    """`{}` for an unknown id is no quote for it, not an error."""
    assert "not-a-real-coin" not in parse_prices(fixture_bytes("coingecko_price.json"))
    assert parse_prices(b'{"not-a-real-coin": {}}') == {}
    assert parse_prices(b"{}") == {}


def test_coingecko_parse_prices_partial_figures():
    """A bare price (no change, no cap) is a quote with unknowns; a numeric string is read."""
    assert parse_prices(b'{"ethereum": {"usd": "1500.5"}}') == {"ethereum": Quote("ethereum", 1500.5, None, None)}


def test_coingecko_parse_prices_skips_bad_entries():
    """A non-object entry is skipped when others are good."""
    quotes = parse_prices(b'{"bitcoin": {"usd": 1}, "junk": [1, 2], "null": null}')
    assert list(quotes) == ["bitcoin"]


@pytest.mark.parametrize("body", [b"[]", b'{"bitcoin": {"eur": 1}}', b'{"a": "x"}', b"<!DOCTYPE html><html>",
                                  b"", b'{"bitcoin": {"usd": 1}'])
def test_coingecko_parse_prices_wrong_shapes_are_errors(body):
    """Not an object, no usable figure anywhere, HTML, empty or truncated: ParseError."""
    with pytest.raises(ParseError):
        parse_prices(body)


def test_coingecko_error_body_is_an_error_not_prices():
    """CoinGecko's `{"status": {"error_code": ...}}` body is a ParseError quoting its message."""
    with pytest.raises(ParseError, match="Rate limit reached"):
        parse_prices(fixture_bytes("coingecko_429.json"))


def test_coingecko_parse_trending_ids_in_order():
    """coins[].item.id in order; an entry without an id is skipped."""
    assert parse_trending(fixture_bytes("coingecko_trending.json")) == ("alpha-token", "bitcoin")
    assert parse_trending(b'{"coins": []}') == ()


@pytest.mark.parametrize("body", [b'{"nfts": []}', b'{"coins": null}', b'{"coins": [{"item": {}}]}', b"[]"])
def test_coingecko_parse_trending_wrong_shapes_are_errors(body):
    """No coins list, or coins none of which has an id: ParseError."""
    with pytest.raises(ParseError):
        parse_trending(body)


def test_coingecko_parse_global_reads_the_change():
    """data.market_cap_change_percentage_24h_usd; None when left out; ParseError without data."""
    assert parse_global(fixture_bytes("coingecko_global.json")) == -0.8125
    assert parse_global(b'{"data": {}}') is None
    with pytest.raises(ParseError):
        parse_global(b'{"data": []}')


def _ok(request: httpx.Request) -> httpx.Response:
    name = {"/simple/price": "coingecko_price.json", "/search/trending": "coingecko_trending.json",
            "/global": "coingecko_global.json"}[request.url.path.removeprefix("/api/v3")]
    return httpx.Response(200, content=fixture_bytes(name))


def _source(secrets: Secrets, **params: object) -> CoinGeckoSource:
    return CoinGeckoSource(source_config("coingecko", PUBLIC, pro_base_url=PRO, **params), secrets, SYMBOLS)


async def test_coingecko_collect_builds_market_data(http: Http, upstream: FakeUpstream):
    """Prices for every configured coingecko_id, trending and global in one MarketData."""
    upstream.handler = _ok
    got = await _source(Secrets()).collect(http, NOW)
    assert got.market is not None
    assert set(got.market.quotes) == {"bitcoin", "ethereum"}
    assert got.market.trending == ("alpha-token", "bitcoin")
    assert got.market.market_cap_change_24h_percent == -0.8125
    price = upstream.requests[0].url
    assert price.params["ids"] == "bitcoin,ethereum,not-a-real-coin"
    assert price.params["vs_currencies"] == "usd"
    assert price.params["include_24hr_change"] == price.params["include_market_cap"] == "true"


async def test_coingecko_without_key_sends_no_key_header(http, upstream):
    """No key: the public base URL, no key header."""
    upstream.handler = _ok
    await _source(Secrets()).collect(http, NOW)
    for r in upstream.requests:
        assert r.url.host == "cg.example"
        assert "x-cg-demo-api-key" not in r.headers and "x-cg-pro-api-key" not in r.headers


async def test_coingecko_demo_key_goes_to_the_public_url(http, upstream):
    """Demo plan: x-cg-demo-api-key on base_url."""
    upstream.handler = _ok
    await _source(Secrets(coingecko_api_key=KEY, coingecko_plan="demo")).collect(http, NOW)
    assert {r.url.host for r in upstream.requests} == {"cg.example"}
    assert all(r.headers["x-cg-demo-api-key"] == KEY and "x-cg-pro-api-key" not in r.headers
               for r in upstream.requests)


async def test_coingecko_pro_key_goes_to_the_pro_url(http, upstream):
    """Pro plan: x-cg-pro-api-key on pro_base_url."""
    upstream.handler = _ok
    await _source(Secrets(coingecko_api_key=KEY, coingecko_plan="pro")).collect(http, NOW)
    assert {r.url.host for r in upstream.requests} == {"pro-cg.example"}
    assert all(r.headers["x-cg-pro-api-key"] == KEY and "x-cg-demo-api-key" not in r.headers
               for r in upstream.requests)


async def test_coingecko_trending_and_global_can_be_switched_off(http, upstream):
    """params trending/global false: only the price request goes out."""
    upstream.handler = _ok
    got = await _source(Secrets(), trending=False, **{"global": False}).collect(http, NOW)
    assert upstream.paths() == ["GET /api/v3/simple/price"]
    assert got.market is not None and got.market.trending == () and got.market.market_cap_change_24h_percent is None


async def test_coingecko_any_failed_request_fails_the_run(http, upstream):
    """A failing /global fails the whole run (documented policy): no half-fresh market data."""
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503) if request.url.path.endswith("/global") else _ok(request)

    upstream.handler = handler
    with pytest.raises(FetchError) as info:
        await _source(Secrets()).collect(http, NOW)
    assert info.value.reason == "http_5xx"


async def test_coingecko_429_is_rate_limited_and_key_never_shown(http, upstream):
    """A 429 on prices: RateLimited; the key (a header) appears in no message."""
    upstream.handler = lambda r: httpx.Response(429, content=fixture_bytes("coingecko_429.json"),
                                                headers={"Retry-After": "30"})
    with pytest.raises(RateLimited) as info:
        await _source(Secrets(coingecko_api_key=KEY)).collect(http, NOW)
    assert KEY not in str(info.value)
