"""Specs for the Fear & Greed source: string values, the newest reading only, empty and error answers."""

from __future__ import annotations

import httpx
import pytest
from sources_helpers import NOW, FakeUpstream, fixture_bytes, source_config

from collector.errors import ParseError
from collector.http import Http
from collector.models import FearGreed
from collector.sources.feargreed import FearGreedSource, parse


def test_feargreed_parse_reads_the_string_values():
    """"31", "Fear", "1796169600" become 31, "Fear" and a float timestamp: the newest reading."""
    assert parse(fixture_bytes("fng.json"), now=NOW) == FearGreed(31, "Fear", 1796169600.0)


def test_feargreed_parse_accepts_numbers_too():
    """A numeric value and timestamp (schema drift) are read the same way."""
    got = parse(b'{"data": [{"value": 80, "value_classification": "Extreme Greed", "timestamp": 1796000000}]}',
                now=NOW)
    assert got == FearGreed(80, "Extreme Greed", 1796000000.0)


def test_feargreed_parse_missing_timestamp_uses_now():
    """No timestamp: the fetch time; no classification: ""."""
    assert parse(b'{"data": [{"value": "50"}]}', now=NOW) == FearGreed(50, "", NOW)


def test_feargreed_parse_empty_data_is_an_error():
    """An empty data list is a ParseError, never a made-up value."""
    with pytest.raises(ParseError, match="empty"):
        parse(fixture_bytes("fng_empty.json"), now=NOW)


def test_feargreed_parse_metadata_error_is_an_error():
    """metadata.error set: ParseError quoting it."""
    with pytest.raises(ParseError, match="Limit parameter is invalid"):
        parse(fixture_bytes("fng_error.json"), now=NOW)


@pytest.mark.parametrize("value", ['"abc"', '"101"', '"-1"', '"12.5"', "null", "true", '""'])
def test_feargreed_parse_bad_newest_value_is_an_error(value):
    """A newest value that is not a whole number 0..100 is a ParseError (yesterday's is not used instead)."""
    body = f'{{"data": [{{"value": {value}}}, {{"value": "40"}}]}}'.encode()
    with pytest.raises(ParseError):
        parse(body, now=NOW)


@pytest.mark.parametrize("body", [b"[]", b'{"data": null}', b'{"data": ["x"]}', b"<html></html>", b"{"])
def test_feargreed_parse_wrong_shapes_are_errors(body):
    """Wrong top-level shapes are ParseErrors."""
    with pytest.raises(ParseError):
        parse(body, now=NOW)


async def test_feargreed_collect_asks_for_one_reading(http: Http, upstream: FakeUpstream):
    """collect GETs {base}/fng/?limit=1 and returns the reading."""
    upstream.handler = lambda r: httpx.Response(200, content=fixture_bytes("fng.json"))
    src = FearGreedSource(source_config("feargreed", "https://fng.example/"))
    got = await src.collect(http, NOW)
    assert got.fear_greed is not None and got.fear_greed.value == 31
    assert upstream.requests[0].url.path == "/fng/" and upstream.requests[0].url.params["limit"] == "1"
