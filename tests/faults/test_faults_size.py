"""Size and content-encoding: honest compressed bodies decode, hostile ones are capped or refused."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from faults_support import assert_only_failed
from hostile_upstream import RSS_ALPHA, chunked, encoded, rss_document

from collector.decode import STEP, DecodeError, make_decoder

FEED = rss_document("packed", [("Cardano staking rewards rise after the upgrade", "https://packed.example/1", ""),
                               ("Polkadot treasury funds a new bridge", "https://packed.example/2", "")])


def _raw_deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return comp.compress(data) + comp.flush()


@pytest.mark.parametrize(("encoding", "body"), [
    ("gzip", gzip.compress(FEED)),
    ("x-gzip", gzip.compress(FEED)),
    ("deflate", zlib.compress(FEED)),
    ("deflate", _raw_deflate(FEED)),  # raw deflate, as some servers send it
    ("br", brotli.compress(FEED)),
    ("gzip, br", brotli.compress(gzip.compress(FEED))),  # applied in order: decoded br first, then gzip
    ("identity", FEED),
    ("gzip", gzip.compress(FEED[:200]) + gzip.compress(FEED[200:])),  # two gzip members
])
async def test_faults_compressed_feeds_decode(encoding, body, upstream, rig):
    """Every encoding we accept decodes to the same feed: both items arrive."""
    upstream.routes[RSS_ALPHA] = encoded(body, encoding)
    results = await rig.poll()
    assert results["rss:alpha"].ok, results["rss:alpha"].error
    assert results["rss:alpha"].items == 2


@pytest.mark.parametrize(("encoding", "body"), [
    ("gzip", gzip.compress(FEED)[:-12]),  # cut before its end
    ("br", brotli.compress(FEED)[:-3]),
    ("deflate", b"\x00\x01\x02 not deflate"),
    ("br", b"definitely not brotli"),
])
async def test_faults_broken_compressed_bodies_are_parse_errors(encoding, body, upstream, rig):
    """Truncated or invalid compressed data is a parse failure of that feed only."""
    upstream.routes[RSS_ALPHA] = encoded(body, encoding)
    results = await rig.poll()
    assert_only_failed(results, "rss:alpha", "parse")
    assert "decompressed" in results["rss:alpha"].error


async def test_faults_cap_applies_to_the_decompressed_size(upstream, make_rig):
    """A small gzip body that inflates past the cap (256 KiB here) is too_large, not parsed."""
    inflated = rss_document("big", [("Padding " * 40_000, "https://big.example/1", "")])
    body = gzip.compress(inflated)
    assert len(body) < 10_000 < 262_144 < len(inflated)
    upstream.routes[RSS_ALPHA] = chunked([body], headers={"Content-Encoding": "gzip"})
    rig = make_rig(max_body_bytes=262_144)
    results = await rig.poll()
    assert_only_failed(results, "rss:alpha", "too_large")
    assert "decompressed body is over the cap" in results["rss:alpha"].error


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_faults_decoder_pieces_are_bounded(encoding):
    """However dense the input, no piece a decoder hands out is much bigger than its step."""
    zeros = bytes(8 << 20)
    packed = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](zeros)
    decoder = make_decoder(encoding)
    sizes = [len(p) for p in decoder.feed(packed)] + [len(p) for p in decoder.flush()]
    assert sum(sizes) == len(zeros)
    assert max(sizes) <= 2 * STEP


@pytest.mark.parametrize("header", ["gzip, gzip, gzip, gzip", "compress", "zstd", "br, zstd"])
def test_faults_decoder_refuses_what_it_cannot_bound(header):
    """Too many stacked encodings and encodings we never asked for are refused up front."""
    with pytest.raises(DecodeError):
        make_decoder(header)


def test_faults_decoder_passes_unknown_tokens_through():
    """A bogus token (servers write `utf-8` there) is treated as identity, as httpx does."""
    assert list(make_decoder("utf-8").feed(b"plain")) == [b"plain"]
