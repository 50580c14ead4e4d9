"""Property tests for what tests/sources/test_sources_properties.py does not cover: the Reddit token and
status readers, RSS under any charset label and leading bytes, the bounded decoders, and redaction."""

from __future__ import annotations

import gzip
import os
import zlib

import brotli
from faults_support import SECRETS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.decode import STEP, DecodeError, make_decoder
from collector.errors import ParseError, SourceError
from collector.redact import Redactor, redact_url, scrub
from collector.sources import reddit, rss

SETTINGS = settings(max_examples=int(os.environ.get("FAULTS_PROPERTY_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

LABELS = ["", "application/rss+xml", "text/xml", "text/html; charset=utf-8", "application/xml; charset=utf-16",
          "application/xml; charset=utf-7", "text/xml; charset=unicode_escape", "application/xml; charset=cp037",
          "application/xml; charset=x-nonsense", "application/xml; charset=shift_jis", "application/octet-stream",
          "application/xml; charset=\"idna\"", "application/xml; charset=punycode"]
PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff",
            b"\x4c\x6f\xa7\x94", b"<?xml version='1.0' encoding='utf-7'?>",
            b'<?xml version="1.0" encoding="cp500"?>',
            b"<!DOCTYPE rss [", b'<rss version="2.0"><channel><item><title>']


@SETTINGS
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=400), label=st.sampled_from(LABELS))
def test_faults_properties_rss_any_label_any_lead_bytes(prefix, body, label):
    """Whatever the charset label and first bytes, rss.parse returns items or raises ParseError."""
    try:
        items = rss.parse(prefix + body, content_type=label, url="https://p.example/", feed_name="p", now=1.8e9)
    except ParseError:
        return
    for item in items:
        assert item.title
        item.title.encode("utf-8")


@SETTINGS
@given(body=st.binary(max_size=300) | st.sampled_from([b'{"access_token": ""}', b'{"access_token": 5}',
                                                        b'{"access_token": "t", "expires_in": "x"}', b"[]", b"null"]))
def test_faults_properties_reddit_token_reader(body):
    """Any token-endpoint answer gives (token, positive expiry) or a SourceError, never another exception."""
    try:
        token, expires = reddit.parse_token(body)
    except SourceError as exc:
        assert exc.reason in ("auth", "parse")
        return
    assert token and expires > 0


@SETTINGS
@given(status=st.sampled_from([401, 403]), body=st.binary(max_size=300), oauth=st.booleans())
def test_faults_properties_reddit_status_reader(status, body, oauth):
    """Any 401/403 body is an auth error with a message."""
    err = reddit.status_error(status, body, "CryptoCurrency", oauth=oauth)
    assert err.reason == "auth" and str(err)


_PACK = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}


@SETTINGS
@given(encoding=st.sampled_from(["gzip", "deflate", "br", "gzip, br", "identity"]), data=st.binary(max_size=3000),
       garbage=st.binary(max_size=40), cut=st.integers(min_value=0, max_value=50), split=st.integers(1, 64))
def test_faults_properties_decoders(encoding, data, garbage, cut, split):
    """Valid data round-trips in any chunking; corrupt data raises DecodeError; no piece exceeds the bound."""
    packed = data
    for name in [n.strip() for n in encoding.split(",")]:
        packed = _PACK[name](packed) if name in _PACK else packed
    for body, valid in ((packed, True), (packed[: max(0, len(packed) - cut)] + garbage, False)):
        decoder = make_decoder(encoding, step=256)
        out = []
        try:
            for i in range(0, len(body), split):
                out.extend(decoder.feed(body[i:i + split]))
            out.extend(decoder.flush())
        except DecodeError:
            assert not valid, "valid data must decode"
            continue
        assert all(len(p) <= 2 * max(256, STEP) for p in out)
        if valid:
            assert b"".join(out) == data


@SETTINGS
@given(before=st.text(max_size=40), after=st.text(max_size=40), secret=st.sampled_from(sorted(SECRETS.values())))
def test_faults_properties_redaction_hides_known_secrets_anywhere(before, after, secret):
    """A known secret is hidden wherever it sits in a text, and so is any URL's secret-looking parameter."""
    text = before + secret + after
    assert secret not in Redactor(SECRETS.values())(text)
    assert secret not in scrub(text)
    assert secret not in redact_url(f"https://x.example/p?auth_token={secret}&api_key={secret}&ok=1")
