"""Property tests: every parse turns any input into a result or a ParseError, never another exception."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from sources_helpers import NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.errors import ParseError
from collector.models import Item
from collector.sources import coingecko, cryptopanic, feargreed, reddit, rss, whalealert
from collector.text import canonical_url, clean_text, title_key

#: SOURCES_PROPERTY_EXAMPLES=5000 for a deep run; the default keeps the suite fast.
SETTINGS = settings(max_examples=int(os.environ.get("SOURCES_PROPERTY_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40)
           | st.sampled_from(["", "26", "1796000000", "2026-11-30T10:00:00Z", "<b>x</b>", "NaN", "1e999",
                              "api_error", "t3", "Listing", "\u200b", "9" * 70]))
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=12) | st.sampled_from(
                               ["results", "data", "children", "title", "kind", "votes", "currencies",
                                "instruments", "coins", "item", "id", "value", "timestamp", "metadata", "error",
                                "transactions", "symbol", "amount_usd", "usd", "status", "info", "stickied",
                                "created_utc", "published_at", "source", "domain", "count"]), kids, max_size=5),
                           max_leaves=25)

PARSERS: dict[str, Callable[[bytes], object]] = {
    "cryptopanic": lambda b: cryptopanic.parse(b, now=NOW),
    "reddit": lambda b: reddit.parse(b, subreddit="x", now=NOW),
    "coingecko_prices": coingecko.parse_prices,
    "coingecko_trending": coingecko.parse_trending,
    "coingecko_global": coingecko.parse_global,
    "feargreed": lambda b: feargreed.parse(b, now=NOW),
    "whalealert": lambda b: whalealert.parse(b, now=NOW),
    "rss": lambda b: rss.parse(b, content_type="application/rss+xml", url="https://f.example/", feed_name="f",
                               now=NOW),
    "error_from_body": lambda b: cryptopanic.error_from_body(200, b),
}


def _survives(name: str, body: bytes) -> None:
    try:
        out = PARSERS[name](body)
    except ParseError as exc:
        assert exc.reason in ("parse", "quota", "auth", "rate_limited", "http_4xx")
        str(exc).encode("utf-8")  # every message is printable
        return
    if isinstance(out, list):
        for item in out:
            if isinstance(item, Item):
                assert item.title and item.engagement >= 0
                (item.title + item.summary + item.url + item.uid).encode("utf-8")


@SETTINGS
@given(name=st.sampled_from(sorted(PARSERS)), body=st.binary(max_size=600))
def test_properties_any_bytes_give_a_result_or_parse_error(name, body):
    """Arbitrary bytes never raise anything but ParseError from any parse."""
    _survives(name, body)


@SETTINGS
@given(name=st.sampled_from(sorted(PARSERS)), value=json_values)
def test_properties_any_json_value_gives_a_result_or_parse_error(name, value):
    """Any JSON document (wrong types, nulls, missing keys) never raises anything but ParseError."""
    _survives(name, json.dumps(value).encode())


@SETTINGS
@given(items=st.lists(json_values, max_size=5), wrap=st.sampled_from(["results", "children", "coins",
                                                                       "transactions", "data"]))
def test_properties_near_valid_shapes_give_a_result_or_parse_error(items, wrap):
    """Right envelope, arbitrary entries: each source copes item by item."""
    if wrap == "children":
        doc: object = {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": i} for i in items]}}
    elif wrap == "coins":
        doc = {"coins": [{"item": i} for i in items]}
    else:
        doc = {wrap: items, "count": len(items)}
    body = json.dumps(doc).encode()
    for name in PARSERS:
        _survives(name, body)


@SETTINGS
@given(title=st.text(max_size=60), link=st.text(max_size=40), date=st.text(max_size=30))
def test_properties_rss_with_arbitrary_entry_text(title, link, date):
    """A well-formed feed with arbitrary (escaped) entry text parses or fails cleanly."""
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><item>'
            f"<title>{esc(title)}</title><link>{esc(link)}</link><pubDate>{esc(date)}</pubDate></item>"
            f"</channel></rss>").encode("utf-8", "surrogatepass")
    _survives("rss", body)


@SETTINGS
@given(text=st.text(max_size=300) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_properties_text_helpers_never_raise(text):
    """clean_text, canonical_url and title_key accept any string; clean output is one clean line."""
    out = clean_text(text, 100)
    assert len(out) <= 100 and "\n" not in out and out == out.strip()
    out.encode("utf-8")
    canonical_url(text)
    key = title_key(text)
    assert key == "" or len(key) == 16


def test_properties_lone_surrogates_in_json_strings_are_harmless():
    """A JSON string with a lone surrogate escape yields an encodable title, or a ParseError."""
    body = b'{"results": [{"title": "bad \\ud800 title", "id": 1}]}'
    items = cryptopanic.parse(body, now=NOW)
    assert items[0].title == "bad title"
