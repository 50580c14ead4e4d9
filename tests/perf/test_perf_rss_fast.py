"""The lxml fast path gives exactly feedparser's items: on feeds in the real formats it reads itself, on
malformed and unusual documents it hands over to feedparser, and on generated feeds (hypothesis)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from perf_feeds import FALLBACK, NOW, SUPPORTED, URL, atom, rss
from perf_feeds import both as both_outcomes

from collector.sources import rss_fast


@pytest.mark.parametrize(("name", "body", "content_type"), SUPPORTED, ids=[d[0] for d in SUPPORTED])
def test_perf_rss_fast_reads_real_formats_itself(name, body, content_type, reads_itself):
    """Well-formed RSS 2.0 and Atom 1.0 in the shapes publishers use are read by lxml, not handed over."""
    assert reads_itself(body, content_type), name


@pytest.mark.parametrize(("name", "body", "content_type"), SUPPORTED, ids=[d[0] for d in SUPPORTED])
def test_perf_rss_fast_same_items_as_feedparser(name, body, content_type, both):
    """Every field of every item equals feedparser's (title, summary, url, uid, published, domain, ...)."""
    reference, fast = both(body, content_type)
    assert fast == reference


def test_perf_rss_fast_supported_set_has_items():
    """The equivalence above is not vacuous: the supported documents carry items with every field filled."""
    items = [it for _, body, ct in SUPPORTED
             for it in rss_fast.parse(body, content_type=ct, url=URL, feed_name="f", now=NOW)]
    assert len(items) >= 30
    assert all(it.title for it in items)
    assert sum(bool(it.summary) for it in items) >= 15
    assert sum(bool(it.uid) for it in items) >= 8
    assert len({it.published for it in items}) >= 15


@pytest.mark.parametrize(("name", "body", "content_type"), FALLBACK, ids=[d[0] for d in FALLBACK])
def test_perf_rss_fast_hands_unusual_documents_to_feedparser(name, body, content_type, reads_itself):
    """Malformed or unusual documents (DOCTYPE, XML errors, other versions, xml:base, elements whose meaning
    is not reproduced) are not read by lxml."""
    assert not reads_itself(body, content_type), name


@pytest.mark.parametrize(("name", "body", "content_type"), FALLBACK, ids=[d[0] for d in FALLBACK])
def test_perf_rss_fast_same_outcome_on_unusual_documents(name, body, content_type, both):
    """The hand-over gives feedparser's items, or the same ParseError message."""
    reference, fast = both(body, content_type)
    assert fast == reference


def test_perf_rss_fast_refuses_entity_declarations():
    """A DOCTYPE that declares entities is refused before any parser runs, as by rss.parse."""
    from collector.errors import ParseError

    body = rss("<item><title>&lol;</title></item>",
               decl='<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY lol SYSTEM "file:///etc/passwd">]>\n')
    with pytest.raises(ParseError, match="declares XML entities"):
        rss_fast.parse(body, content_type="application/rss+xml", url=URL, feed_name="f", now=0.0)


def test_perf_rss_fast_parser_never_resolves_entities_or_loads_dtds(tmp_path):
    """The lxml parser expands no entity, reads no external file and loads no DTD, even when asked to."""
    from lxml import etree

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    dtd = tmp_path / "ext.dtd"
    dtd.write_text(f'<!ENTITY fromdtd SYSTEM "{secret.as_uri()}">')
    body = (f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{dtd.as_uri()}" [<!ENTITY ext SYSTEM "{secret.as_uri()}">'
            f'<!ENTITY big "{"x" * 50}">]><r>&ext;&big;&fromdtd;</r>').encode()
    root = etree.fromstring(body, rss_fast._parser())
    text = etree.tostring(root).decode()
    assert "TOP-SECRET" not in text
    assert "x" * 50 not in text


# -- generated feeds ---------------------------------------------------------------------------------------
WORDS = st.sampled_from(["Bitcoin", "ETH", "rally", "falls", "5%", "$SOL", "&", "<", ">", "\"", "'", "Q&A",
                         "AT&T", "&amp;", "&#39;", "caf\u00e9", "\u2014", "\u201cquote\u201d", "\U0001f680", "  ",
                         "<b>", "</b>", "<p>", "</p>", "<br/>", '<a href="/x">', "</a>", "<script>x</script>",
                         "&nbsp;", "&lt;i&gt;", "\u0093", "Ã©"])
TEXT = st.lists(WORDS, max_size=12).map(" ".join)
DATES = st.sampled_from(["Sun, 02 Mar 2025 07:45:00 +0000", "Sat, 01 Mar 2025 23:30:00 GMT",
                         "Fri, 28 Feb 2025 09:15:00 PST", "Sat, 01 Mar 2025 18:00:00 +0530",
                         "2025-03-02T09:30:00+02:00", "2025-03-01T22:15:00Z", "1740900000", "not a date", ""])
LINKS = st.sampled_from(["https://n.example/a", "https://n.example/a?utm_source=rss&amp;x=1", "/relative/path",
                         "http://n.example:8080/p", "HTTPS://N.example/../x", "", "mailto:x@n.example"])


@st.composite
def rss_items(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        fields = []
        if draw(st.booleans()):
            title = draw(TEXT)
            fields.append(f"<title><![CDATA[{title}]]></title>" if draw(st.booleans()) and "]]>" not in title
                          else f"<title>{escape(title)}</title>")
        if draw(st.booleans()):
            fields.append(f"<link>{draw(LINKS)}</link>")
        if draw(st.booleans()):
            permalink = draw(st.sampled_from(["", ' isPermaLink="false"', ' isPermaLink="true"']))
            fields.append(f"<guid{permalink}>{draw(LINKS) or 'urn:id:7'}</guid>")
        for tag in draw(st.lists(st.sampled_from(["pubDate", "dc:date", "atom:updated"]), max_size=2, unique=True)):
            fields.append(f"<{tag}>{escape(draw(DATES))}</{tag}>")
        if draw(st.booleans()):
            fields.append(f"<description><![CDATA[{draw(TEXT).replace(']]>', '')}]]></description>")
        if draw(st.booleans()):
            fields.append(f"<content:encoded>{escape(draw(TEXT))}</content:encoded>")
        if draw(st.booleans()):
            fields.append("<category>Markets</category><dc:creator>Desk</dc:creator>")
        parts.append("<item>" + "".join(draw(st.permutations(fields))) + "</item>")
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=rss_items(), channel_date=st.sampled_from(["", "<lastBuildDate>Sat, 01 Mar 2025 12:00:00 +0000"
                                                             "</lastBuildDate>"]))
def test_perf_rss_fast_same_items_on_generated_feeds(items, channel_date):
    """Any mix of titles, links, guids, dates, descriptions and content in any order: same outcome."""
    reference, fast = both_outcomes(rss(items, channel=channel_date), "application/rss+xml")
    assert fast == reference


@st.composite
def atom_entries(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        fields = []
        if draw(st.booleans()):
            kind = draw(st.sampled_from(["", ' type="text"', ' type="html"']))
            fields.append(f"<title{kind}>{escape(draw(TEXT))}</title>")
        for _ in range(draw(st.integers(0, 2))):
            rel = draw(st.sampled_from(["", ' rel="alternate"', ' rel="enclosure"', ' rel="self"', ' rel="related"']))
            kind = draw(st.sampled_from(["", ' type="text/html"', ' type="application/pdf"']))
            fields.append(f'<link{rel}{kind} href="{draw(LINKS)}"/>')
        if draw(st.booleans()):
            fields.append(f"<id>{draw(LINKS) or 'tag:n.example,2025:1'}</id>")
        for tag in draw(st.lists(st.sampled_from(["published", "updated"]), max_size=2, unique=True)):
            fields.append(f"<{tag}>{escape(draw(DATES))}</{tag}>")
        for tag in draw(st.lists(st.sampled_from(["summary", "content"]), max_size=2, unique=True)):
            kind = draw(st.sampled_from(["", ' type="text"', ' type="html"']))
            fields.append(f"<{tag}{kind}>{escape(draw(TEXT))}</{tag}>")
        if draw(st.booleans()):
            fields.append("<author><name>Desk</name><email>d@n.example</email></author><category term='x'/>")
        parts.append("<entry>" + "".join(draw(st.permutations(fields))) + "</entry>")
    return "".join(parts)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=atom_entries())
def test_perf_rss_fast_same_items_on_generated_atom(entries):
    """Atom entries with any mix of title types, links, ids, dates, summary and content: same outcome."""
    reference, fast = both_outcomes(atom(entries), "application/atom+xml")
    assert fast == reference
