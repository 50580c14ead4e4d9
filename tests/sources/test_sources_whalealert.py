"""Specs for the Whale Alert source: v1 transactions, tolerance, error bodies, the request."""

from __future__ import annotations

import httpx
import pytest
from sources_helpers import NOW, FakeUpstream, fixture_bytes, source_config

from collector.config import Secrets
from collector.errors import FetchError, ParseError
from collector.http import Http
from collector.models import WhaleTx
from collector.sources.whalealert import WhaleAlertSource, parse

KEY = "wa-key-3c2b-secret"


def test_whalealert_parse_reads_transfers():
    """hash as uid, upper-case symbol, amount_usd, timestamp and owner types (unknown when absent)."""
    txs = parse(fixture_bytes("whalealert.json"), now=NOW)
    assert txs[0] == WhaleTx("f00dcafe01", "BTC", 10950000.5, 1796190000.0, "exchange", "unknown")


def test_whalealert_parse_tolerates_strings_and_missing_fields():
    """No hash: the id; amount and time as strings; no owner_type: "unknown"; null amount: skipped."""
    txs = parse(fixture_bytes("whalealert.json"), now=NOW)
    assert len(txs) == 2
    assert txs[1] == WhaleTx("5002", "USDT", 2000000.0, 1796190100.0, "unknown", "exchange")


def test_whalealert_parse_count_zero_without_transactions_is_empty():
    """Whale Alert leaves `transactions` out when there are none: 0 transfers, no error."""
    assert parse(b'{"result": "success", "cursor": "0-0-0", "count": 0}', now=NOW) == []


@pytest.mark.parametrize("body", [b'{"result": "error", "message": "invalid api_key"}',
                                  b'{"result": "success", "blockchains": []}', b'{"transactions": {}}',
                                  b'{"transactions": [{"symbol": "btc"}]}', b"[]", b"<html></html>"])
def test_whalealert_parse_wrong_shapes_are_errors(body):
    """Error results, other endpoints' answers, wrong types and all-unusable transfers are ParseErrors."""
    with pytest.raises(ParseError):
        parse(body, now=NOW)


def test_whalealert_parse_error_result_quotes_the_message():
    """The upstream's message is in the error."""
    with pytest.raises(ParseError, match="usage limit reached"):
        parse(b'{"result": "error", "message": "usage limit reached"}', now=NOW)


async def test_whalealert_collect_sends_key_min_value_and_start(http: Http, upstream: FakeUpstream):
    """GET {base}/transactions with api_key, min_value and start = now - window."""
    upstream.handler = lambda r: httpx.Response(200, content=fixture_bytes("whalealert.json"))
    src = WhaleAlertSource(source_config("whalealert", "https://whale.example/v1", min_value_usd=1_000_000,
                                         window=1800), Secrets(whale_alert_api_key=KEY))
    got = await src.collect(http, NOW)
    assert got.whales is not None and len(got.whales) == 2
    url = upstream.requests[0].url
    assert url.path == "/v1/transactions"
    assert url.params["api_key"] == KEY and url.params["min_value"] == "1000000"
    assert url.params["start"] == str(int(NOW - 1800))


async def test_whalealert_collect_401_never_shows_the_key(http, upstream):
    """A refused key: reason auth, the key masked."""
    upstream.handler = lambda r: httpx.Response(401, json={"result": "error", "message": "invalid api_key"})
    src = WhaleAlertSource(source_config("whalealert", "https://whale.example/v1"), Secrets(whale_alert_api_key=KEY))
    with pytest.raises(FetchError) as info:
        await src.collect(http, NOW)
    assert info.value.reason == "auth" and KEY not in str(info.value)


async def test_whalealert_collect_without_key_fails_clearly(http, upstream):
    """No key: reason auth naming WHALE_ALERT_API_KEY, and no request."""
    src = WhaleAlertSource(source_config("whalealert", "https://whale.example/v1"), Secrets())
    with pytest.raises(FetchError, match="WHALE_ALERT_API_KEY"):
        await src.collect(http, NOW)
    assert upstream.requests == []
