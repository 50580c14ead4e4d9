"""Feed documents for the fast-path equivalence tests, written here in the real wire formats.

SUPPORTED: well-formed RSS 2.0 / Atom 1.0 the lxml path must read itself (and give feedparser's items).
FALLBACK: documents outside that subset (malformed, unusual) that must go to feedparser, with the same result.
Every document is (name, body bytes, content type).
"""

from __future__ import annotations

from collections.abc import Callable

from collector.errors import ParseError
from collector.models import Item
from collector.sources import rss as rss_parser
from collector.sources import rss_fast

NOW = 1_741_000_000.0
URL = "https://feeds.example/rss/ledger.xml"

Outcome = list[Item] | str  # the items, or the ParseError message


def outcome(fn: Callable[..., list[Item]], body: bytes, content_type: str) -> Outcome:
    try:
        return fn(body, content_type=content_type, url=URL, feed_name="ledger", now=NOW)
    except ParseError as exc:
        return f"ParseError: {exc}"


def both(body: bytes, content_type: str) -> tuple[Outcome, Outcome]:
    """(feedparser outcome, fast-path outcome) of one document."""
    return outcome(rss_parser.parse, body, content_type), outcome(rss_fast.parse, body, content_type)


def reads_itself(body: bytes, content_type: str) -> bool:
    """True when the lxml path produced the items itself (no hand-over to feedparser)."""
    before = rss_fast.STATS.get("fast", 0)
    outcome(rss_fast.parse, body, content_type)
    return rss_fast.STATS.get("fast", 0) == before + 1

RSS_NS = (
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
)
RSS_CT = "application/rss+xml; charset=utf-8"
ATOM_CT = "application/atom+xml; charset=utf-8"


def rss(items: str, *, channel: str = "", decl: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
        ns: str = RSS_NS, version: str = "2.0") -> bytes:
    return (
        f'{decl}<rss version="{version}" {ns}>\n<channel>\n<title>Block Ledger Daily</title>\n'
        f"<link>https://ledger.example/</link>\n<description>Markets &amp; policy</description>\n"
        f"{channel}{items}</channel>\n</rss>\n"
    ).encode()


def atom(entries: str, *, head: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
        "<title>Chain Notes</title>\n<id>tag:chainnotes.example,2025:feed</id>\n"
        '<link rel="self" href="https://chainnotes.example/atom.xml"/>\n<updated>2025-03-02T08:00:00Z</updated>\n'
        f"{head}{entries}</feed>\n"
    ).encode()


WIRE_ITEMS = """
<item>
  <title><![CDATA[Bitcoin rises 3% as spot ETF inflows hit $420M]]></title>
  <link>https://ledger.example/markets/2025/03/02/bitcoin-rises</link>
  <media:content url="https://cdn.ledger.example/a.jpg?w=1200&amp;h=630" type="image/*" medium="image"/>
  <guid isPermaLink="false">0b7d5c1e-4f7a-4c9e-9a51-2f0c9e1d7a10</guid>
  <pubDate>Sun, 02 Mar 2025 07:45:00 +0000</pubDate>
  <description><![CDATA[Demand from advisers & pensions lifted the largest fund's assets to a record.]]></description>
  <dc:creator>Ana Ferreira</dc:creator>
  <content:encoded/>
  <category domain="https://ledger.example/markets"><![CDATA[Markets]]></category>
  <category domain="tag"><![CDATA[ETFs]]></category>
</item>
<item>
  <title><![CDATA[Regulator fines exchange over &quot;misleading&quot; yield product]]></title>
  <link>https://ledger.example/policy/fine</link>
  <guid isPermaLink="false">7f3e2b8a-1111-4c22-8d33-aa44bb55cc66</guid>
  <pubDate>Sun, 02 Mar 2025 02:10:00 -0500</pubDate>
  <description><![CDATA[The penalty is the agency's largest this year.]]></description>
  <dc:creator>Staff</dc:creator>
  <content:encoded><![CDATA[<p>Full story with <b>markup</b> that only fills a missing summary.</p>]]></content:encoded>
  <dc:description/>
</item>
"""

PORTAL_ITEMS = """
<item>
  <title>Solana&#8217;s DeFi volume doubles &amp; fees fall to a two-year low</title>
  <pubDate>Sat, 01 Mar 2025 23:30:00 GMT</pubDate>
  <atom:updated>Sun, 02 Mar 2025 00:05:10 GMT</atom:updated>
  <guid isPermaLink="true">https://portal.example/news/solana-defi-volume</guid>
  <link><![CDATA[https://portal.example/news/solana-defi-volume?utm_source=rss_feed&utm_medium=rss&utm_campaign=partner]]></link>
  <description><![CDATA[<p style="float:right; margin:0 0 10px 15px; width:240px;"><img
src="https://img.portal.example/covers/sol.jpg" alt="Solana&#8217;s DeFi volume"></p><p>Traders moved to
<a href="/tags/solana">Solana</a> as costs on other chains rose.<br/>Analysts expect &lt;more&gt; growth.</p>]]>
</description>
  <dc:creator>Portal by Kim Okafor</dc:creator>
  <media:content url="https://img.portal.example/covers/sol.jpg" fileSize="84852" type="image/jpeg" medium="image"/>
</item>
<item>
  <title>Ether slips below $2,000 &#x2014; liquidations top $150M</title>
  <pubDate>Sat, 01 Mar 2025 18:00:00 +0530</pubDate>
  <guid>https://portal.example/news/ether-slips</guid>
  <description>&lt;p&gt;Escaped &amp;amp; double-escaped markup: it&amp;#039;s common.&lt;/p&gt;</description>
</item>
"""

BLOG_ITEMS = """
    <item>
  <title>Why stablecoin rules matter for Europe's banks</title>
  <link>https://blog.example/380001/stablecoin-rules</link>
  <pubDate>Fri, 28 Feb 2025 17:01:03 +0000</pubDate>

    <description>The bloc&#39;s rules took effect in stages; issuers say compliance costs are
&quot;manageable&quot;.</description>

  <dc:creator>Blog Staff</dc:creator>
    <guid isPermaLink="false">https://blog.example/?p=380001</guid>
    <enclosure url="https://img.blog.example/380001.png" length="1000000" type="image/png" />
      <category></category>
      <category>Regulation</category>
      <media:thumbnail url="https://img.blog.example/380001.jpg" height="720" width="1280"/>
</item>
<item>
  <title>Miners sell reserves after fee slump</title>
  <link>/2025/02/28/miners-sell</link>
  <pubDate>Fri, 28 Feb 2025 09:15:00 PST</pubDate>
  <description>No guid here: the link is relative and the date uses a US zone name.</description>
</item>
<item>
  <description><![CDATA[<p>An item with no title at all: its summary stands in for one.</p>]]></description>
  <link>https://blog.example/untitled</link>
  <dc:date>2025-02-27T21:00:00+01:00</dc:date>
</item>
<item>
  <title>   </title>
  <title>Second title wins when the first is blank</title>
  <guid>https://blog.example/permalink-as-link</guid>
  <pubDate>27 Feb 2025 10:00 +0100</pubDate>
</item>
"""

ATOM_ENTRIES = """
<entry>
  <title type="html">Cardano &amp;amp; Polkadot teams sign &lt;b&gt;bridge&lt;/b&gt; deal</title>
  <link rel="alternate" type="text/html" href="https://chainnotes.example/2025/03/bridge"/>
  <link rel="enclosure" type="image/png" href="https://chainnotes.example/img/bridge.png"/>
  <id>tag:chainnotes.example,2025:bridge</id>
  <published>2025-03-02T09:30:00+02:00</published>
  <updated>2025-03-02T10:00:00+02:00</updated>
  <author><name>Lena Novak</name><uri>https://chainnotes.example/lena</uri></author>
  <category term="Interop"/>
  <summary type="html">&lt;p&gt;The deal covers &lt;a href="/tags/bridges"&gt;asset
bridges&lt;/a&gt;.&lt;/p&gt;</summary>
</entry>
<entry>
  <title>Plain-text title: 5 &lt; 6 &amp; fees</title>
  <id>https://chainnotes.example/2025/03/plain</id>
  <updated>2025-03-01T22:15:00Z</updated>
  <content type="html">&lt;p&gt;Only content, no summary: content fills it.&lt;/p&gt;</content>
</entry>
<entry>
  <title type="text">No link, tag id, no dates</title>
  <id>tag:chainnotes.example,2025:nolink</id>
  <summary>Plain summary text.</summary>
  <content type="text">Content after a summary does not replace it.</content>
</entry>
"""

SUPPORTED: list[tuple[str, bytes, str]] = [
    ("rss-wire", rss(WIRE_ITEMS, channel="<lastBuildDate>Sun, 02 Mar 2025 08:00:00 +0000</lastBuildDate>\n"
                     '<atom:link href="https://ledger.example/feed" rel="self" type="application/rss+xml"/>\n'
                     "<sy:updatePeriod>hourly</sy:updatePeriod>\n<image><url>https://ledger.example/logo.png</url>"
                     "<title>Block Ledger</title><link>https://ledger.example/</link></image>\n"), RSS_CT),
    ("rss-portal", rss(PORTAL_ITEMS), RSS_CT),
    ("rss-blog", rss(BLOG_ITEMS, channel="<pubDate>Fri, 28 Feb 2025 20:00:00 -0800</pubDate>\n"), RSS_CT),
    ("rss-no-dates-feed-date", rss("<item><title>Undated item takes the channel date</title>"
                                   "<link>https://ledger.example/undated</link></item>",
                                   channel="<lastBuildDate>Sat, 01 Mar 2025 12:00:00 +0000</lastBuildDate>"), RSS_CT),
    ("rss-no-dates-at-all", rss("<item><title>Nothing dated anywhere</title></item>"), RSS_CT),
    ("rss-epoch-date", rss("<item><title>Epoch date</title><pubDate>1740900000</pubDate></item>"), RSS_CT),
    ("rss-unparseable-date", rss("<item><title>Bad date</title><pubDate>sometime soon</pubDate>"
                                 "<dc:date>2025-02-20T10:00:00Z</dc:date></item>"), RSS_CT),
    ("rss-content-before-description", rss(
        "<item><title>Order</title><content:encoded><![CDATA[<p>body first</p>]]></content:encoded>"
        "<description>description second</description></item>"), RSS_CT),
    ("rss-only-content", rss("<item><title>Only content</title><content:encoded><![CDATA[<div><p>Body "
                             "text &amp; more</p></div>]]></content:encoded></item>"), RSS_CT),
    ("rss-unicode", rss("<item><title>Ünïcödé — “quotes” and emoji 🚀 in a title</title>"
                        "<description>Café au lait, naïve résumé; 日本語 テキスト.</description>"
                        "<link>https://ledger.example/ü/unicode?q=ä</link></item>"), RSS_CT),
    ("rss-mojibake", rss("<item><title>Already mis-decoded: CafÃ© and â€œquotesâ€\x9d</title></item>"), RSS_CT),
    ("rss-cp1252-range", rss("<item><title>C1 controls \u0080 \u0093x\u0094 from cp1252</title></item>"), RSS_CT),
    ("rss-html-title", rss("<item><title><![CDATA[<b>Breaking</b>: exchange halts <i>withdrawals</i>]]></title>"
                           "</item>"), RSS_CT),
    ("rss-script-in-description", rss("<item><title>Script</title><description><![CDATA[<p>Text</p><script>"
                                      "alert('x')</script><style>p{}</style><p>after</p>]]></description>"
                                      "</item>"), RSS_CT),
    ("rss-odd-html", rss("<item><title>Odd HTML</title><description><![CDATA[<p>a < b and <unknown>kept"
                         "</unknown> &foo; &nbsp;x <!-- note --> <img alt=\"1 > 0\"></p>]]></description></item>"),
     RSS_CT),
    ("rss-link-entities", rss("<item><title>Query link</title><link>https://ledger.example/a?x=1&amp;y=2&amp;amp;"
                              "z=3</link></item>"), RSS_CT),
    ("rss-link-not-simple", rss("<item><title>Odd link</title><link>HTTPS://Ledger.Example/a/../b/?</link></item>"
                                "<item><title>Space link</title><link> https://ledger.example/sp ace </link></item>"),
     RSS_CT),
    ("rss-atom-link-in-item", rss('<item><title>Atom link</title><atom:link rel="alternate" type="text/html" '
                                  'href="https://ledger.example/via-atom"/></item>'), RSS_CT),
    ("rss-guid-permalink-false-no-link", rss('<item><title>Guid only</title><guid isPermaLink="false">'
                                             "urn:uuid:1234</guid></item>"), RSS_CT),
    ("rss-guid-permalink-after-link", rss("<item><title>Link then guid</title><link>https://ledger.example/l"
                                          "</link><guid>https://ledger.example/g</guid></item>"), RSS_CT),
    ("rss-empty-link", rss("<item><title>Empty link</title><link></link><guid>https://ledger.example/g2</guid>"
                           "</item>"), RSS_CT),
    ("rss-unknown-namespace", rss("<item><title>Extra namespace</title><snf:logo xmlns:snf="
                                  '"http://www.smartnews.be/snf"><url>https://x.example/l.png</url></snf:logo>'
                                  "<slash:comments>4</slash:comments><comments>https://ledger.example/c</comments>"
                                  "</item>"), RSS_CT),
    ("rss-entities-everywhere", rss("<item><title>AT&amp;T &#38; &#x26; Q&amp;A &lt;tag&gt; 100&#37;</title>"
                                    "<description>Fish &amp;amp; chips &amp;#8217;s &#160;nbsp</description></item>"),
     RSS_CT),
    ("rss-whitespace-and-comments", rss("<item>\n  <title>\n  Spaced   <!-- c -->  title\n </title>\n"
                                        "<description>  lots\n\n of   space  </description>\n</item>"), RSS_CT),
    ("rss-non-utf8-declared", rss("<item><title>Caf\u00e9 in windows-1252</title></item>",
                                  decl='<?xml version="1.0" encoding="windows-1252"?>\n')
     .decode().encode("cp1252"), "application/rss+xml"),
    ("rss-bom", b"\xef\xbb\xbf" + rss("<item><title>BOM first</title></item>"), RSS_CT),
    ("rss-version-2.01", rss("<item><title>Version 2.01</title></item>", version="2.01"), RSS_CT),
    ("atom", atom(ATOM_ENTRIES), ATOM_CT),
    ("atom-feed-date-fallback", atom("<entry><title>Undated entry</title><id>tag:x,2025:u</id></entry>"), ATOM_CT),
    ("atom-relative-link", atom('<entry><title>Relative</title><link href="/rel/path"/><id>urn:x:1</id></entry>'),
     ATOM_CT),
]

FALLBACK: list[tuple[str, bytes, str]] = [
    ("doctype-without-entities", b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD '
     b'RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
     b"<title>Old</title><item><title>Old school</title><link>https://old.example/1</link></item></channel></rss>",
     RSS_CT),
    ("doctype-with-entities", rss("<item><title>&b;</title></item>", decl=(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]>\n')),
     RSS_CT),
    ("undefined-html-entity", rss("<item><title>Price&nbsp;moves &mdash; again</title></item>"), RSS_CT),
    ("truncated", rss("<item><title>Cut off</title></item>")[:-40], RSS_CT),
    ("mismatched-tags", rss("<item><title>Bad <b>nesting</title></b></item>"), RSS_CT),
    ("undeclared-prefix", b'<rss version="2.0"><channel><title>t</title><item><title>x</title><foo:bar>1</foo:bar>'
                          b"</item></channel></rss>", RSS_CT),
    ("html-page", b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Hi</body></html>",
     "text/html"),
    ("empty-body", b"", RSS_CT),
    ("json-body", b'{"items": []}', "application/json"),
    ("rss-0.91", rss("<item><title>Version 0.91</title></item>", version="0.91"), RSS_CT),
    ("rss-1.0-rdf", b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://r.example/"><title>R</title>'
                    b'</channel><item rdf:about="https://r.example/1"><title>RDF item</title>'
                    b"<link>https://r.example/1</link><dc:date xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                    b"2025-03-01T10:00:00Z</dc:date></item></rdf:RDF>", "application/rdf+xml"),
    ("atom-0.3", b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old Atom</title><entry>'
                 b"<title>Atom 0.3 entry</title><issued>2025-03-01T10:00:00Z</issued></entry></feed>", ATOM_CT),
    ("item-outside-channel", b'<rss version="2.0"><channel><title>t</title></channel><item><title>Stray</title>'
                             b"</item></rss>", RSS_CT),
    ("xml-base", rss('<item xml:base="https://elsewhere.example/dir/"><title>Based</title><link>page</link>'
                     "</item>"), RSS_CT),
    ("itunes-summary", rss("<item><title>Podcast</title><itunes:summary xmlns:itunes="
                           '"http://www.itunes.com/dtds/podcast-1.0.dtd">Episode notes</itunes:summary></item>'),
     RSS_CT),
    ("media-title-in-content", rss('<item><media:content url="https://x.example/v.mp4"><media:title>Media title'
                                   "</media:title></media:content><description>d</description></item>"), RSS_CT),
    ("dc-title", rss("<item><dc:title>Title from Dublin Core</dc:title></item>"), RSS_CT),
    ("source-element", rss('<item><title>Syndicated</title><source url="https://orig.example/rss">Original'
                           "</source></item>"), RSS_CT),
    ("second-description", rss("<item><title>Two</title><description>first</description>"
                               "<description>second</description></item>"), RSS_CT),
    ("atom-xhtml", atom('<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">XHTML '
                        "<b>title</b></div></title><id>urn:x:2</id></entry>"), ATOM_CT),
    ("atom-base64", atom('<entry><title>B64</title><id>urn:x:3</id><content type="application/octet-stream" '
                         'mode="base64">aGVsbG8=</content></entry>'), ATOM_CT),
    ("prefix-rebound", rss('<item><title>Rebound</title><dc:creator xmlns:dc="http://search.yahoo.com/mrss/">'
                           "x</dc:creator></item>"), RSS_CT),
    ("attributes-on-item", rss('<item rdf:about="https://ledger.example/about" xmlns:rdf='
                               '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><title>About</title></item>'), RSS_CT),
    ("nested-title", rss("<item><title>Outer</title><foo><title>Inner</title></foo></item>"), RSS_CT),
    ("textinput", rss("<item><title>Item</title></item>", channel="<textInput><title>Search</title><name>q</name>"
                                                                   "<link>https://ledger.example/s</link></textInput>"),
     RSS_CT),
    ("empty-channel", rss(""), RSS_CT),
    ("no-usable-entries", rss("<item><link>https://ledger.example/only-link</link></item>"), RSS_CT),
]
