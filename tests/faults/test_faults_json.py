"""JSON APIs: honest request counts, Retry-After and 5xx backoff (and their metric), schema drift that is not
a failure (missing/extra keys, empty results, unknown CoinGecko ids, loosely typed values)."""

from __future__ import annotations

import random

import pytest
from faults_support import GOOD_ITEMS
from hostile_upstream import CG_PRICE, CP_POSTS, FNG, REDDIT_NEW, RSS_ALPHA, WHALES, answer, json_answer

BACKOFF = "sigmax_research_api_backoff_until_timestamp_seconds"


async def test_faults_statuses_a_source_reads_count_as_failed_requests(upstream, rig):
    """A 403 that CryptoPanic's source reads itself is a failed request, and its error is counted once."""
    upstream.routes[CP_POSTS] = answer(403, b'{"status": "api_error", "info": "API quota exceeded for this plan"}')
    await rig.poll()
    assert rig.value("sigmax_research_api_requests_total", api="cryptopanic", status="error") == 1
    assert rig.value("sigmax_research_api_requests_total", api="cryptopanic", status="success") == 0
    assert rig.all_errors() == {("cryptopanic", "quota"): 1}


async def test_faults_reddit_401_retry_counts_both_refused_requests(upstream, rig):
    """Reddit refuses the listing twice (the token is fetched again in between): 2 failed requests, 1 error."""
    upstream.routes[REDDIT_NEW] = answer(401, b'{"message": "Unauthorized", "error": 401}')
    results = await rig.poll(["reddit"])
    assert results["reddit"].reason == "auth"
    assert rig.value("sigmax_research_api_requests_total", api="reddit", status="error") == 2
    assert rig.value("sigmax_research_api_requests_total", api="reddit", status="success") == 2  # two tokens
    assert rig.all_errors() == {("reddit", "auth"): 1}


@pytest.mark.parametrize(("headers", "wait"), [({"Retry-After": "120"}, 120.0), ({}, 60.0),
                                               ({"Retry-After": "31536000"}, 3600.0)])
async def test_faults_429_holds_every_request_back_until_retry_after(headers, wait, upstream, rig, clock):
    """After a 429 no request goes to that api until Retry-After (default 60 s, at most an hour) has passed;
    the backoff is exported; the other sources keep running; then it recovers."""
    upstream.routes[FNG] = answer(429, b"Too Many Requests", headers=headers)
    first = await rig.poll()
    assert first["feargreed"].reason == "rate_limited"
    assert rig.value(BACKOFF, api="feargreed", feed="") == pytest.approx(clock.now + wait)
    upstream.routes.pop(FNG)
    upstream.routes[FNG] = answer(200, b'{"data": [{"value": "55", "value_classification": "Greed"}]}')
    clock.advance(wait - 1)
    held = await rig.poll()
    assert upstream.hits(FNG) == 1, "no request while the backoff lasts"
    assert held["feargreed"].reason == "rate_limited" and "next request allowed in" in held["feargreed"].error
    assert all(r.ok for k, r in held.items() if k != "feargreed")
    assert rig.errors("feargreed", "rate_limited") == 1, "a skipped run is not a second failure"
    clock.advance(2)
    done = await rig.poll()
    assert done["feargreed"].ok and upstream.hits(FNG) == 2
    assert rig.collector.snapshot().fear_greed.value == 55
    assert rig.registry.get_sample_value(BACKOFF, {"api": "feargreed", "feed": ""}) is None


async def test_faults_429_on_one_feed_holds_back_only_that_feed(upstream, rig, clock):
    """RSS backoff is per feed: a 429 on alpha leaves beta polling."""
    upstream.routes[RSS_ALPHA] = answer(429, b"", headers={"Retry-After": "300"})
    await rig.poll()
    clock.advance(10)
    results = await rig.poll()
    assert upstream.hits(RSS_ALPHA) == 1 and upstream.hits("/rss/beta.xml") == 2
    assert results["rss:beta"].ok and not results["rss:alpha"].ok
    assert rig.value(BACKOFF, api="rss", feed="alpha") == pytest.approx(clock.now - 10 + 300)


async def test_faults_5xx_backs_off_exponentially_with_jitter(upstream, rig, clock):
    """Repeated 5xx: the first is retried at the next run, then waits double each time (x0.5..1.5 jitter, at
    most 300 s); requests only go out once a wait is over."""
    rig.http.rng = random.Random(20261203)
    upstream.routes[WHALES] = answer(503, b"upstream down", content_type="text/plain")
    waits = []
    for _ in range(9):
        results = await rig.poll(["whalealert"])
        assert results["whalealert"].reason == "http_5xx"
        waits.append(rig.http.blocked_for("whalealert"))
        clock.advance(waits[-1] + 0.001)
    assert waits[0] == 0  # one blip: no backoff yet
    for n, wait in enumerate(waits[1:], start=2):
        base = min(300.0, 5.0 * 2 ** (n - 2))
        assert 0.5 * base <= wait <= min(300.0, 1.5 * base)
    assert len({round(w / min(300.0, 5.0 * 2 ** (n - 2)), 3) for n, w in enumerate(waits[1:6], start=2)}) > 1, \
        "the waits are jittered"
    assert upstream.hits(WHALES) == 9 and rig.errors("whalealert", "http_5xx") == 9


@pytest.mark.parametrize(("route", "doc", "key", "items"), [
    # extra keys everywhere, optional keys missing (no votes, no source, no currencies, no dates)
    (CP_POSTS, {"count": 1, "next": "x", "brand_new_field": {"a": 1}, "results": [
        {"title": "Litecoin mints a quiet milestone", "id": 1, "unknown": [1, 2], "url": None}]}, "cryptopanic", 1),
    (CP_POSTS, {"count": 0, "results": []}, "cryptopanic", 0),
    (REDDIT_NEW, {"kind": "Listing", "data": {"children": []}}, "reddit", 0),
    (REDDIT_NEW, {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {
        "title": "Minimal post with nothing else", "score": "12", "num_comments": None}}]}}, "reddit", 1),
    (WHALES, {"result": "success", "count": 0}, "whalealert", 0),
    (WHALES, {"result": "success", "count": 1, "transactions": [{"symbol": "eth", "amount_usd": "2500000"}]},
     "whalealert", 1),
    (FNG, {"data": [{"value": 41, "timestamp": "not a time", "surprise": True}]}, "feargreed", 1),
])
async def test_faults_schema_drift_that_is_not_a_failure(route, doc, key, items, upstream, rig):
    """Missing optional keys, extra keys, empty results and loosely typed values are read, not failed."""
    upstream.routes[route] = json_answer(doc)
    results = await rig.poll()
    assert all(r.ok for r in results.values()), {k: r.error for k, r in results.items() if not r.ok}
    assert results[key].items == items
    assert rig.all_errors() == {}


async def test_faults_coingecko_empty_object_for_unknown_ids_means_no_price(upstream, rig):
    """CoinGecko answers `{}` for an id it does not know: that symbol has no price, never a made-up 0."""
    results = await rig.poll()
    assert results["coingecko"].ok
    snap = rig.collector.snapshot()
    assert snap.symbols["DOT"].price_usd is None and snap.symbols["BTC"].price_usd == 64000.5
    upstream.routes[CG_PRICE] = json_answer({})
    results = await rig.poll()
    assert results["coingecko"].ok and results["coingecko"].items == 0
    assert rig.collector.snapshot().symbols["BTC"].price_usd is None
    assert rig.registry.get_sample_value("sigmax_coingecko_price_usd", {"symbol": "BTC"}) is None


async def test_faults_failure_keeps_the_last_good_readings(upstream, rig):
    """A source that starts failing keeps its last good data in the snapshot; its freshness stops moving."""
    await rig.poll()
    before = rig.value("sigmax_sentiment_last_update_timestamp", source="feargreed")
    upstream.routes[FNG] = answer(500, b"")
    rig.clock.advance(60)
    results = await rig.poll()
    assert results["feargreed"].reason == "http_5xx"
    assert rig.collector.snapshot().fear_greed.value == 41
    assert rig.value("sigmax_sentiment_last_update_timestamp", source="feargreed") == before
    assert rig.value("sigmax_sentiment_last_update_timestamp", source="cryptopanic") > before
    assert rig.value("sigmax_source_up", source="feargreed") == 0
    assert sum(r.items for r in results.values() if r.ok) == sum(GOOD_ITEMS.values()) - 1
