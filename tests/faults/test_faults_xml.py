"""XML: entities never expand or resolve, whatever the encoding and whatever expat does; broken charsets,
bytes and markup cost characters, not feeds."""

from __future__ import annotations

import time

import pytest
from faults_support import assert_only_failed
from hostile_upstream import RSS_ALPHA, answer, rss_document

from collector.errors import ParseError
from collector.sources import rss

PAYLOAD = "Z" * 50  # what an entity would expand to: no title may ever contain it
ITEM = "<item><title>Entity check &e;</title><link>https://xml.example/1</link></item>"

BOMBS = {
    "billion-laughs": '<!DOCTYPE rss [<!ENTITY a "ZZZZZZZZZZ">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + '<!ENTITY e "&i;">]>',
    "quadratic-blowup": f'<!DOCTYPE rss [<!ENTITY e "{PAYLOAD * 2000}">]>',
    "external-system-entity": '<!DOCTYPE rss [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    "external-http-entity": '<!DOCTYPE rss [<!ENTITY e SYSTEM "http://127.0.0.1:9/steal">]>',
    "parameter-entity": ('<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;'
                         f'<!ENTITY e "{PAYLOAD}">]>'),
    "public-entity": '<!DOCTYPE rss [<!ENTITY e PUBLIC "-//X//Y" "http://127.0.0.1:9/x">]>',
    "lowercase-keywords": f'<!doctype rss [<!entity e "{PAYLOAD}">]>',
}


def _doc(prolog: str, encoding: str = "UTF-8") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?>{prolog}<rss version="2.0"><channel><title>c</title>'
            f"{ITEM}</channel></rss>")


def _parse(body: bytes, content_type: str = "application/rss+xml") -> list[rss.Item]:
    return rss.parse(body, content_type=content_type, url="https://xml.example/feed", feed_name="xml", now=1.8e9)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_faults_xml_entity_declarations_are_refused_quickly(name):
    """Billion laughs, quadratic blowup, external and parameter entities: refused before any parser runs."""
    started = time.perf_counter()
    with pytest.raises(ParseError, match="declares XML entities"):
        _parse(_doc(BOMBS[name]).encode())
    assert time.perf_counter() - started < 0.5


SMUGGLED = {
    "utf-16-bom": lambda d: d.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    "utf-16-le-no-bom": lambda d: d.replace('encoding="UTF-8"', 'encoding="UTF-16LE"').encode("utf-16-le"),
    "utf-16-be-no-bom": lambda d: d.replace('encoding="UTF-8"', 'encoding="UTF-16BE"').encode("utf-16-be"),
    "utf-32": lambda d: d.replace('encoding="UTF-8"', 'encoding="UTF-32"').encode("utf-32"),
    "ebcdic": lambda d: d.replace('encoding="UTF-8"', 'encoding="cp037"').encode("cp037"),
    "windows-1252": lambda d: d.replace('encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252"),
}


@pytest.mark.parametrize("name", sorted(SMUGGLED))
def test_faults_xml_entities_are_refused_in_any_encoding(name):
    """An entity declaration is found in the decoded text, so no encoding hides it."""
    body = SMUGGLED[name](_doc(f'<!DOCTYPE rss [<!ENTITY e "{PAYLOAD}">]>'))
    with pytest.raises(ParseError, match="declares XML entities"):
        _parse(body)


@pytest.mark.parametrize(("label", "content_type"), [
    ("UTF-7", "application/rss+xml; charset=utf-7"),  # `+ADw-` is `<` in UTF-7: not a charset we read
    ("unicode_escape", "application/rss+xml"),  # `\x3c` is `<` to this codec
    ("UTF-8", "application/octet-stream; charset=unicode_escape"),
])
def test_faults_xml_escape_codecs_cannot_smuggle_an_entity(label, content_type):
    """Labels that would turn escapes into markup are read as UTF-8: whatever happens, nothing expands."""
    decl = f'<!DOCTYPE rss [<!ENTITY e "{PAYLOAD}">]>'
    hidden = decl.replace("<!ENTITY", "+ADwAIQ-ENTITY" if label == "UTF-7" else "\\x3c!ENTITY")
    body = _doc(hidden, label).encode()
    try:
        items = _parse(body, content_type)
    except ParseError:
        return
    assert all(PAYLOAD not in (i.title + i.summary) for i in items)


async def test_faults_external_dtd_is_never_fetched(upstream, rig):
    """A DOCTYPE that points at an external DTD (no entity declarations) is read without fetching it."""
    dtd = f"{upstream.base}/evil.dtd"
    upstream.routes[RSS_ALPHA] = answer(200, rss_document("ext", [
        ("Stellar anchors add a new corridor", "https://ext.example/1", "")],
        prolog=f'<!DOCTYPE rss SYSTEM "{dtd}">'), content_type="application/rss+xml")
    results = await rig.poll()
    assert results["rss:alpha"].ok and results["rss:alpha"].items == 1
    assert upstream.hits("/evil.dtd") == 0


def _one(title_xml: bytes, content_type: str = "application/rss+xml", decl: bytes = b"") -> list[str]:
    body = (decl + b'<rss version="2.0"><channel><title>c</title><item><title>' + title_xml +
            b"</title><link>https://t.example/1</link></item></channel></rss>")
    return [i.title for i in _parse(body, content_type)]


@pytest.mark.parametrize(("title", "content_type", "decl", "expected"), [
    # wrong charset label: the XML declaration (read before the label) says what the bytes are
    ("Café".encode(), "application/rss+xml; charset=iso-8859-1", b'<?xml version="1.0" encoding="utf-8"?>', "Café"),
    # no charset anywhere: UTF-8
    ("Déjà vu for ₿ holders".encode(), "application/rss+xml", b"", "Déjà vu for ₿ holders"),
    # declared latin-1 and really latin-1
    ("Café".encode("latin-1"), "text/xml", b'<?xml version="1.0" encoding="ISO-8859-1"?>', "Café"),
    # one invalid byte in UTF-8 costs one character, not the whole feed as windows-1252
    (b"Caf\xc3\xa9 \xff na\xc3\xafve", "application/rss+xml; charset=utf-8", b"", "Café \ufffd naïve"),
    # control characters (invalid in XML) are dropped
    (b"Bit\x00coin\x07 \x1bclimbs", "application/rss+xml", b"", "Bitcoin climbs"),
    # a bare ampersand makes the feed bozo, the entry still counts
    (b"Tom & Jerry buy ETH", "application/rss+xml", b"", "Tom & Jerry buy ETH"),
    # a charset Python does not know: read as UTF-8
    ("Naïve".encode(), "application/rss+xml; charset=x-klingon", b"", "Naïve"),
])
def test_faults_xml_bad_charsets_and_bytes_cost_characters_not_feeds(title, content_type, decl, expected):
    """Wrong or missing charsets, bad bytes, control characters and bare `&` keep the entry."""
    assert _one(title, content_type, decl) == [expected]


async def test_faults_feed_truncated_after_its_entries_keeps_the_complete_ones(upstream, rig):
    """A feed cut off mid-entry is bozo but still a feed: the complete entries are kept (documented)."""
    whole = rss_document("cut", [("First full entry about Solana", "https://cut.example/1", ""),
                                 ("Second full entry about Cardano", "https://cut.example/2", "")])
    upstream.routes[RSS_ALPHA] = answer(200, whole[: whole.index(b"Second") + 6], content_type="application/rss+xml")
    results = await rig.poll()
    assert results["rss:alpha"].ok and results["rss:alpha"].items >= 1


@pytest.mark.parametrize("body", [b"", b"   \n", b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                                  b'<?xml version="1.0"?><rss version="2.0"><channel><title>t',
                                  b'{"items": [{"title": "json, not a feed"}]}', b"\x00\x00\x00\x00"])
async def test_faults_not_a_feed_fails_only_that_feed(body, upstream, rig):
    """Empty, HTML, truncated-before-entries, JSON and NUL bodies fail that feed with parse; nothing else."""
    upstream.routes[RSS_ALPHA] = answer(200, body, content_type="application/rss+xml")
    assert_only_failed(await rig.poll(), "rss:alpha", "parse")
