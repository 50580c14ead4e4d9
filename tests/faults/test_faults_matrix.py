"""The fault table: one upstream misbehaves, every source runs. The failure is counted once with its reason,
that source (or feed) is marked failed, every other source brings all of its items, and no secret shows."""

from __future__ import annotations

import json

import pytest
from faults_support import GOOD_ITEMS, SECRETS, assert_no_secret, assert_only_failed
from hostile_upstream import (
    CG_GLOBAL,
    CG_PRICE,
    CG_TRENDING,
    CP_POSTS,
    FNG,
    REDDIT_NEW,
    REDDIT_TOKEN,
    RSS_ALPHA,
    WHALES,
    answer,
    chunked,
    encoded,
    hang,
    json_answer,
    redirect,
    reset_mid_body,
    rss_document,
)

from collector.snapshot import to_dict

HTML = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>"
KEY = SECRETS["CRYPTOPANIC_API_KEY"]

# (route, case, failing source key, reason); route may be a {path: case} dict (case None) for several routes
CASES = {
    # -- transport ---------------------------------------------------------------------------------------
    "read-timeout": (FNG, hang(10), "feargreed", "timeout"),
    "reset-mid-body": (FNG, reset_mid_body(), "feargreed", "connect"),
    "redirect-to-itself": (RSS_ALPHA, redirect(RSS_ALPHA), "rss:alpha", "redirect"),
    "redirect-ping-pong": ({RSS_ALPHA: redirect("/rss/pong.xml"), "/rss/pong.xml": redirect(RSS_ALPHA)},
                           None, "rss:alpha", "redirect"),
    "redirect-chain-too-long": ({RSS_ALPHA: redirect("/hop/1"), **{f"/hop/{i}": redirect(f"/hop/{i + 1}")
                                                                   for i in range(1, 10)}},
                                None, "rss:alpha", "redirect"),
    "redirect-to-file-url": (FNG, redirect("file:///etc/passwd"), "feargreed", "redirect"),
    "redirect-without-location": (FNG, answer(302, b"moved"), "feargreed", "redirect"),
    "header-of-a-megabyte": (FNG, lambda ex: ex.send(200, b"{}", headers={"X-Junk": "j" * 1_000_000}), "feargreed",
                             "connect"),
    # -- size --------------------------------------------------------------------------------------------
    "oversize-declared": (RSS_ALPHA, answer(200, b"<rss>" + b" " * 400_000, content_type="application/rss+xml"),
                          "rss:alpha", "too_large"),
    "oversize-chunked": (RSS_ALPHA, chunked([b"<rss>"] + [b" " * 65_536] * 8), "rss:alpha", "too_large"),
    "gzip-garbage": (FNG, answer(200, b"this is not gzip at all", headers={"Content-Encoding": "gzip"}),
                     "feargreed", "parse"),
    "too-many-encodings": (FNG, answer(200, b"{}", headers={"Content-Encoding": "gzip, gzip, gzip, gzip"}),
                           "feargreed", "parse"),
    "zstd-unasked": (FNG, encoded(b"(\xb5/\xfd\x00\x00", "zstd"), "feargreed", "parse"),
    # -- XML -----------------------------------------------------------------------------------------------
    "rss-html-page": (RSS_ALPHA, answer(200, HTML, content_type="text/html"), "rss:alpha", "parse"),
    "rss-empty-body": (RSS_ALPHA, answer(200, b"", content_type="application/rss+xml"), "rss:alpha", "parse"),
    "rss-truncated": (RSS_ALPHA, answer(200, b'<?xml version="1.0"?><rss version="2.0"><channel><title>cut',
                                        content_type="application/rss+xml"), "rss:alpha", "parse"),
    "rss-json-instead": (RSS_ALPHA, json_answer({"items": []}), "rss:alpha", "parse"),
    "rss-entity-bomb": (RSS_ALPHA, answer(200, rss_document("x", [("&b;", "https://x.example/1", "")], prolog=(
        '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'))),
        "rss:alpha", "parse"),
    # -- JSON APIs: not JSON, broken JSON, wrong shapes ------------------------------------------------------
    "cryptopanic-html": (CP_POSTS, answer(200, HTML, content_type="text/html"), "cryptopanic", "parse"),
    "reddit-html": (REDDIT_NEW, answer(200, HTML, content_type="text/html"), "reddit", "parse"),
    "coingecko-html": (CG_PRICE, answer(200, HTML, content_type="text/html"), "coingecko", "parse"),
    "feargreed-html": (FNG, answer(200, HTML, content_type="text/html"), "feargreed", "parse"),
    "whalealert-html": (WHALES, answer(200, HTML, content_type="text/html"), "whalealert", "parse"),
    "cryptopanic-truncated": (CP_POSTS, answer(200, b'{"count": 2, "results": [{"title": "half'), "cryptopanic",
                              "parse"),
    "feargreed-truncated": (FNG, answer(200, b'{"data": [{"value": "4'), "feargreed", "parse"),
    "coingecko-empty-body": (CG_GLOBAL, answer(200, b""), "coingecko", "parse"),
    "cryptopanic-results-null": (CP_POSTS, json_answer({"count": 0, "results": None}), "cryptopanic", "parse"),
    "cryptopanic-results-string": (CP_POSTS, json_answer({"results": "none"}), "cryptopanic", "parse"),
    "cryptopanic-no-results-key": (CP_POSTS, json_answer({"count": 3}), "cryptopanic", "parse"),
    "cryptopanic-top-level-list": (CP_POSTS, json_answer([{"title": "x"}]), "cryptopanic", "parse"),
    "cryptopanic-posts-without-titles": (CP_POSTS, json_answer({"results": [{"title": None}, {"title": 7}]}),
                                         "cryptopanic", "parse"),
    "reddit-children-null": (REDDIT_NEW, json_answer({"kind": "Listing", "data": {"children": None}}), "reddit",
                             "parse"),
    "reddit-data-string": (REDDIT_NEW, json_answer({"kind": "Listing", "data": "x"}), "reddit", "parse"),
    "reddit-token-without-token": (REDDIT_TOKEN, json_answer({"token_type": "bearer"}), "reddit", "auth"),
    "coingecko-prices-list": (CG_PRICE, json_answer([1, 2, 3]), "coingecko", "parse"),
    "coingecko-prices-strings": (CG_PRICE, json_answer({"bitcoin": {"usd": "cheap"}, "ethereum": "x"}), "coingecko",
                                 "parse"),
    "coingecko-trending-coins-null": (CG_TRENDING, json_answer({"coins": None}), "coingecko", "parse"),
    "coingecko-global-data-missing": (CG_GLOBAL, json_answer({"status": "ok"}), "coingecko", "parse"),
    "coingecko-error-body": (CG_PRICE, json_answer({"status": {"error_code": 429, "error_message": "slow down"}}),
                             "coingecko", "parse"),
    "feargreed-data-empty": (FNG, json_answer({"name": "Fear and Greed Index", "data": [], "metadata": {}}),
                             "feargreed", "parse"),
    "feargreed-data-null": (FNG, json_answer({"data": None}), "feargreed", "parse"),
    "feargreed-value-out-of-range": (FNG, json_answer({"data": [{"value": "140", "timestamp": "1"}]}), "feargreed",
                                     "parse"),
    "feargreed-value-words": (FNG, json_answer({"data": [{"value": "fearful"}]}), "feargreed", "parse"),
    "feargreed-metadata-error": (FNG, json_answer({"data": [], "metadata": {"error": "Invalid limit"}}), "feargreed",
                                 "parse"),
    "whalealert-transactions-string": (WHALES, json_answer({"result": "success", "transactions": "none"}),
                                       "whalealert", "parse"),
    "whalealert-error-result": (WHALES, json_answer({"result": "error", "message": "usage limit"}), "whalealert",
                                "parse"),
    # -- statuses ------------------------------------------------------------------------------------------------
    "cryptopanic-401": (CP_POSTS, answer(401, b'{"status": "api_error", "info": "Token not found"}'), "cryptopanic",
                        "auth"),
    "cryptopanic-403": (CP_POSTS, answer(403, b'{"status": "api_error", "info": "Forbidden"}'), "cryptopanic", "auth"),
    "cryptopanic-404": (CP_POSTS, answer(404, HTML, content_type="text/html"), "cryptopanic", "http_4xx"),
    "cryptopanic-quota-200": (CP_POSTS, json_answer({"status": "api_error", "info": "API monthly quota exceeded"}),
                              "cryptopanic", "quota"),
    "cryptopanic-quota-403": (CP_POSTS, answer(403, b'{"status":"api_error","info":"Your API quota was exceeded"}'),
                              "cryptopanic", "quota"),
    "cryptopanic-quota-429": (CP_POSTS, answer(429, b'{"status":"api_error","info":"API monthly quota exceeded"}'),
                              "cryptopanic", "rate_limited"),
    "reddit-401": (REDDIT_NEW, answer(401, b'{"message": "Unauthorized", "error": 401}'), "reddit", "auth"),
    "reddit-403": (REDDIT_NEW, answer(403, b'{"reason": "private", "message": "Forbidden", "error": 403}'), "reddit",
                   "auth"),
    "reddit-403-block-page": (REDDIT_NEW, answer(403, b"<html><body>whoa there, pardner! blocked</body></html>",
                                                 content_type="text/html"), "reddit", "auth"),
    "reddit-404": (REDDIT_NEW, answer(404, b'{"message": "Not Found", "error": 404}'), "reddit", "http_4xx"),
    "reddit-token-401": (REDDIT_TOKEN, answer(401, b'{"message": "Unauthorized", "error": 401}'), "reddit", "auth"),
    "coingecko-401": (CG_PRICE, answer(401, b'{"status": {"error_code": 10002, "error_message": "bad key"}}'),
                      "coingecko", "auth"),
    "coingecko-403": (CG_TRENDING, answer(403, HTML, content_type="text/html"), "coingecko", "auth"),
    "coingecko-404": (CG_GLOBAL, answer(404, b'{"error": "not found"}'), "coingecko", "http_4xx"),
    "whalealert-401": (WHALES, answer(401, b'{"result": "error", "message": "invalid api_key"}'), "whalealert",
                       "auth"),
    "feargreed-429-retry-after": (FNG, answer(429, b"slow down", headers={"Retry-After": "120"}), "feargreed",
                                  "rate_limited"),
    "feargreed-429-bare": (FNG, answer(429, b""), "feargreed", "rate_limited"),
    "rss-429-http-date": (RSS_ALPHA, answer(429, b"", headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
                          "rss:alpha", "rate_limited"),
    "feargreed-500": (FNG, answer(500, HTML, content_type="text/html"), "feargreed", "http_5xx"),
    "whalealert-502": (WHALES, answer(502, b"bad gateway", content_type="text/plain"), "whalealert", "http_5xx"),
    "rss-503": (RSS_ALPHA, answer(503, b""), "rss:alpha", "http_5xx"),
    # -- hostile content that quotes our secrets back ----------------------------------------------------------
    "cryptopanic-echoes-token": (CP_POSTS, lambda ex: ex.send(400, json.dumps(
        {"status": "api_error", "info": f"bad request {ex.seen.target}"}).encode()), "cryptopanic", "auth"),
    "coingecko-echoes-key": (CG_PRICE, lambda ex: ex.send(200, json.dumps({"status": {
        "error_code": 10010, "error_message": f"key {ex.seen.headers.get('x-cg-demo-api-key')} is not valid"}}
    ).encode()), "coingecko", "parse"),
    "whalealert-echoes-key": (WHALES, lambda ex: ex.send(200, json.dumps({"result": "error", "message": (
        f"api_key {ex.seen.query.get('api_key')} has no access")}).encode()), "whalealert", "parse"),
    "reddit-token-echoes-credentials": (REDDIT_TOKEN, lambda ex: ex.send(200, json.dumps({
        "error": f"invalid_client {ex.seen.headers.get('authorization')} {SECRETS['REDDIT_CLIENT_ID']}"}).encode()),
        "reddit", "auth"),
    "reddit-listing-echoes-bearer": (REDDIT_NEW, lambda ex: ex.send(200, json.dumps({
        "error": 418, "message": f"teapot {ex.seen.headers.get('authorization')}"}).encode()), "reddit", "parse"),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_faults_one_upstream_misbehaves_the_others_do_not_notice(name, upstream, rig, raised_errors):
    """Each case: counted once with its reason, its source marked failed, the rest intact, no secret shown."""
    route, case, failed, reason = CASES[name]
    upstream.routes.update(route if isinstance(route, dict) else {route: case})
    results = await rig.poll()

    assert_only_failed(results, failed, reason)
    api = failed.split(":")[0]
    assert rig.all_errors() == {(api, reason): 1}, "counted once, under its own reason only"
    snap = rig.collector.snapshot()
    status = snap.sources[api]
    assert not status.ok and status.reason == reason
    if api == "rss":
        assert not status.feeds["alpha"].ok and status.feeds["beta"].ok
    # nothing else is lost: the other sources' data is all there
    if failed != "feargreed":
        assert snap.fear_greed is not None and snap.fear_greed.value == 41
    if failed != "coingecko":
        assert snap.symbols["BTC"].price_usd == 64000.5
    assert snap.items_in_window["news"] >= GOOD_ITEMS["rss:beta"]
    assert_no_secret(json.dumps(to_dict(snap)), "the snapshot")
    assert_no_secret(str(results[failed].error), "the source result")
    assert any(e.reason == reason for e in raised_errors) or reason == "timeout"
