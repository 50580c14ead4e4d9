"""Specs for RSS/Atom: cleaning, dates in UTC, fallbacks, bozo handling, defences, conditional GET."""

from __future__ import annotations

import httpx
import pytest
from sources_helpers import NOW, FakeUpstream, fixture_bytes

from collector.config import FeedConfig, RssConfig
from collector.errors import FetchError, ParseError
from collector.http import Http
from collector.sources.rss import RssFeedSource, parse

RSS = "application/rss+xml; charset=utf-8"


def _parse(body: bytes, content_type: str = RSS):
    return parse(body, content_type=content_type, url="https://chainnews.example/feed", feed_name="chainnews",
                 now=NOW)


def test_rss_parse_rss20_cdata_title_is_cleaned():
    """A CDATA title with HTML and an entity becomes plain text; link, guid and domain are kept."""
    first = _parse(fixture_bytes("rss20.xml"))[0]
    assert first.title == "Bitcoin rallies past resistance & holds"
    assert first.url == "https://chainnews.example/btc-rallies?utm_source=rss&utm_medium=rss"
    assert first.uid == "cn-0001" and first.domain == "chainnews.example"
    assert first.source == "rss" and first.feed == "chainnews" and first.kind == "news"


def test_rss_parse_summary_loses_markup_and_newlines():
    """The CDATA description with an image and paragraphs becomes one clean line."""
    assert _parse(fixture_bytes("rss20.xml"))[0].summary == "Buyers stepped in at the lows — a strong close."


def test_rss_parse_dates_in_other_zones_become_utc():
    """+0530 and -0500 pubDates are converted to the right UTC instant."""
    items = _parse(fixture_bytes("rss20.xml"))
    assert items[0].published == 1796097600.0  # 09:30 +0530 = 04:00Z on 2026-12-01
    assert items[1].published == 1796098500.0  # 23:15 -0500 on 11-30 = 04:15Z on 12-01


def test_rss_parse_double_escaped_entities_and_escaped_markup():
    """`&amp;#039;` and curly-quote entities decode; escaped <b> in a description is removed."""
    second = _parse(fixture_bytes("rss20.xml"))[1]
    assert second.title == "Regulator's stance on ETH staking ‘unchanged’"
    assert second.summary == "Officials said the rules stay as they are."


def test_rss_parse_guidless_entry_has_empty_uid():
    """An item without guid keeps uid "" (the dedup then uses its link and title)."""
    assert _parse(fixture_bytes("rss20.xml"))[1].uid == ""


def test_rss_parse_undated_entry_takes_the_feed_date():
    """An item without any date gets the channel's lastBuildDate."""
    assert _parse(fixture_bytes("rss20.xml"))[2].published == 1796126400.0  # 2026-12-01 12:00 GMT


def test_rss_parse_undated_entry_in_undated_feed_takes_now():
    """With no date anywhere, the fetch time is used."""
    body = b'<rss version="2.0"><channel><title>t</title><item><title>No date</title></item></channel></rss>'
    assert _parse(body)[0].published == NOW


def test_rss_parse_epoch_string_date_is_read():
    """A bare unix-epoch pubDate (which feedparser cannot read) is taken as seconds."""
    body = (b'<rss version="2.0"><channel><title>t</title><item><title>Epoch</title>'
            b"<pubDate>1796000000</pubDate></item></channel></rss>")
    assert _parse(body)[0].published == 1796000000.0


def test_rss_parse_zero_width_emoji_and_rtl_in_titles():
    """Zero-width characters vanish; emoji and Hebrew stay; www. is not part of the domain."""
    fourth = _parse(fixture_bytes("rss20.xml"))[3]
    assert fourth.title == "Solana update ships 🚀 — תודה"
    assert fourth.domain == "chainnews.example"


def test_rss_parse_title_less_item_uses_its_description():
    """RSS 2.0 allows an item with only a description: its start becomes the title."""
    fifth = _parse(fixture_bytes("rss20.xml"))[4]
    assert fifth.title == "An item with only a description, as RSS 2.0 allows."


def test_rss_parse_atom_entries():
    """Atom: escaped-HTML title cleaned, id as uid, alternate link, published date with offset in UTC."""
    items = parse(fixture_bytes("atom.xml"), content_type="application/atom+xml", url="https://ledgerblog.example/",
                  feed_name="ledger", now=NOW)
    first, second = items
    assert first.title == "Cardano governance vote passes"
    assert first.summary == "Delegates approved the treasury plan."
    assert first.uid == "urn:example:ledger-blog:42"
    assert first.url == "https://ledgerblog.example/posts/42#comments"
    assert first.published == 1796090400.0  # 18:00 -08:00 = 02:00Z
    assert second.published == 1796114700.0  # updated 09:45 +01:00 = 08:45Z (no published)


def test_rss_parse_bozo_feed_with_entries_is_not_a_failure():
    """A bare `&` makes the feed bozo, but its entry is still delivered."""
    items = _parse(fixture_bytes("rss_bozo.xml"))
    assert [i.title for i in items] == ["Tokens & more tokens: a bare ampersand"]


def test_rss_parse_one_invalid_utf8_byte_costs_one_character():
    """A stray byte becomes U+FFFD; the rest of the feed is not misread as windows-1252."""
    body = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><item>'
            b"<title>Caf\xc3\xa9 \xff opens</title></item></channel></rss>")
    assert _parse(body, "text/xml")[0].title == "Café \ufffd opens"


def test_rss_parse_control_characters_are_dropped():
    """Control characters (invalid in XML) do not break the document."""
    body = b'<rss version="2.0"><channel><title>t</title><item><title>A\x01B\x1fC</title></item></channel></rss>'
    assert _parse(body)[0].title == "ABC"


def test_rss_parse_html_page_is_a_parse_error():
    """An HTML page served as the feed is a ParseError naming it."""
    with pytest.raises(ParseError, match="HTML page"):
        _parse(fixture_bytes("page.html"), "text/html; charset=utf-8")


@pytest.mark.parametrize("body", [b"", b"   ", b"garbage bytes \x00\x01", b'<?xml version="1.0"?><rss version="2.0">'
                                  b"<channel><title>cut off"])
def test_rss_parse_empty_garbage_or_truncated_is_a_parse_error(body):
    """Empty, non-XML and truncated-before-any-entry bodies are ParseErrors."""
    with pytest.raises(ParseError):
        _parse(body)


def test_rss_parse_truncated_after_entries_keeps_them():
    """A body cut off after some entries still yields those entries (bozo is not failure)."""
    whole = fixture_bytes("rss20.xml")
    cut = whole[: whole.index(b"<title>Undated")]
    assert len(_parse(cut)) >= 2


def test_rss_parse_feed_without_entries_is_empty_not_an_error():
    """A well-formed feed with no items is a success with 0 items, even with a sloppy content type."""
    body = b'<rss version="2.0"><channel><title>Quiet feed</title></channel></rss>'
    assert _parse(body) == [] and _parse(body, "text/html") == []


def test_rss_parse_entity_declarations_are_refused():
    """A DOCTYPE that declares entities (billion laughs, external entity) is refused before parsing."""
    bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<rss version="2.0"><channel><title>&b;</title><item><title>&b;</title></item></channel></rss>')
    with pytest.raises(ParseError, match="entities"):
        _parse(bomb)
    xxe = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<rss version="2.0"><channel><title>t</title><item><title>&x;</title></item></channel></rss>')
    with pytest.raises(ParseError, match="entities"):
        _parse(xxe)


def test_rss_parse_utf16_entity_declarations_are_refused_too():
    """The DOCTYPE check also sees through UTF-16."""
    bomb = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE rss [<!ENTITY a "x">]>'
            '<rss version="2.0"><channel><title>&a;</title></channel></rss>').encode("utf-16")
    with pytest.raises(ParseError, match="entities"):
        _parse(bomb, "application/xml")


def test_rss_parse_a_path_like_body_is_not_opened_as_a_file():
    """Bytes that look like a file path are parsed as content, never opened."""
    with pytest.raises(ParseError):
        _parse(b"/etc/hostname")


def _source(url: str = "https://chainnews.example/feed", interval: float | None = None) -> RssFeedSource:
    return RssFeedSource(FeedConfig(name="chainnews", url=url, interval=interval), RssConfig(True, 900.0, 7.0, ()))


def test_rss_source_identity_and_interval():
    """key rss:<name>, api rss, feed name; a feed's own interval wins over the rss default."""
    src = _source()
    assert (src.key, src.api, src.feed, src.interval, src.timeout) == ("rss:chainnews", "rss", "chainnews", 900.0, 7.0)
    assert _source(interval=120.0).interval == 120.0


async def test_rss_source_conditional_get_sends_validators_back(http: Http, upstream: FakeUpstream):
    """The second fetch sends the ETag and Last-Modified back; a 304 is not_modified, nothing parsed."""
    etag, modified = '"v1-abc"', "Tue, 01 Dec 2026 12:00:00 GMT"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"ETag": etag})
        return httpx.Response(200, content=fixture_bytes("rss20.xml"),
                              headers={"Content-Type": RSS, "ETag": etag, "Last-Modified": modified})

    upstream.handler = handler
    src = _source()
    first = await src.collect(http, NOW)
    assert len(first.items) == 5 and not first.not_modified
    second = await src.collect(http, NOW + 60)
    assert second.not_modified and second.items == ()
    assert "if-none-match" not in upstream.requests[0].headers
    assert upstream.requests[1].headers["if-none-match"] == etag
    assert upstream.requests[1].headers["if-modified-since"] == modified


async def test_rss_source_keeps_no_validators_after_a_parse_failure(http, upstream):
    """A body that failed to parse does not leave an ETag behind (the next fetch is unconditional)."""
    upstream.handler = lambda r: httpx.Response(200, content=fixture_bytes("page.html"),
                                                headers={"Content-Type": "text/html", "ETag": '"x"'})
    src = _source()
    with pytest.raises(ParseError):
        await src.collect(http, NOW)
    assert src.etag is None


async def test_rss_source_http_errors_carry_the_feed_name(http, upstream):
    """A 500 fails with reason http_5xx and names the feed."""
    upstream.handler = lambda r: httpx.Response(500)
    with pytest.raises(FetchError) as info:
        await _source().collect(http, NOW)
    assert info.value.reason == "http_5xx" and info.value.feed == "chainnews"
