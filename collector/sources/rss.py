"""RSS 2.0 / Atom feeds: fetched by `Http` (conditional GET), parsed by feedparser from bytes.

`RssFeedSource` keeps the feed's ETag and Last-Modified and sends them back (If-None-Match /
If-Modified-Since); a 304 is a success with nothing new (`Collected(not_modified=True)`, nothing parsed).
A body is parsed by `rss_fast.parse` (lxml for well-formed RSS 2.0 / Atom, this module's `parse` for anything
else; the same items either way) through the source's offload (collector.offload: off the event loop).
The validators are only stored after a body parsed, so a feed that once failed is fetched in full again.

`parse(body, content_type=, url=, feed_name=, now=)` rules:
- Before feedparser, we decode the body ourselves: the encoding is the BOM's, else the one sniffed from the
  first bytes (BOM-less UTF-16/32, EBCDIC), else the XML declaration's, else the charset parameter's, else
  UTF-8; a name Python does not know, or one that is not a character set (utf-7, unicode_escape, punycode,
  idna, ...), means UTF-8. Decoding replaces bad bytes, so one bad byte costs one character, not a
  windows-1252 guess for the whole feed; control characters that XML forbids are dropped.
- A DOCTYPE that declares entities in that decoded text is refused (entity-expansion and external-entity
  defence that does not depend on expat or on which encoding anyone picks: feedparser gets exactly the
  text that was checked, as UTF-8, labelled `application/xml; charset=utf-8`, so it cannot decode it another
  way). A DOCTYPE without entity declarations is fine (feedparser drops it; no DTD is ever fetched).
- feedparser gets the bytes in a BytesIO (never a string: it would treat one as a path or URL) with the
  final URL.
- `bozo` with entries is fine. No entries: not a feed at all (no RSS/Atom version) or a broken document
  (bozo for an XML error: HTML page, empty, truncated) -> ParseError; a feed with no entries whose only
  complaint is its content-type or charset label -> [].
- title: cleaned (HTML, entities, junk characters), max 1000 chars; an entry without a title uses the start of
  its summary; an entry with neither is skipped. summary: cleaned, max 2000.
- published: the entry's published, else updated, else created date (a bare unix-epoch string as such,
  anything else via feedparser, UTC via calendar.timegm), else the feed's own updated/published date, else
  `now`.
- uid: the entry's id/guid or ""; url: the entry's link (unchanged); domain: its host without "www.".
"""

from __future__ import annotations

import calendar
import codecs
import io
import re
from collections.abc import Mapping
from typing import Any

import feedparser

from collector.config import FeedConfig, RssConfig
from collector.errors import ParseError
from collector.http import Http, Response
from collector.models import Collected, Item
from collector.offload import Offload, inline
from collector.sources import rss_fast
from collector.text import SUMMARY_LIMIT, TITLE_LIMIT, clean_text, host_of

API = "rss"
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.I)
_XML_DECL_ENC = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.I)
_XML_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_CHARSETS = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"})
#: (first bytes, codec): BOMs (UTF-32 before UTF-16: FF FE 00 00 starts both), then '<?' in encodings
#: that are not ASCII-compatible (XML 1.0, appendix F).
_SNIFF = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
          (b"\x00\x00\x00\x3c", "utf-32-be"), (b"\x3c\x00\x00\x00", "utf-32-le"),
          (b"\x00\x3c\x00\x3f", "utf-16-be"), (b"\x3c\x00\x3f\x00", "utf-16-le"),
          (b"\x4c\x6f\xa7\x94", "cp037"))
_EPOCH = re.compile(r"^\s*\d{9,10}(?:\.\d+)?\s*$")


def _codec(name: str | None) -> str | None:
    """Python's codec for a declared character set; None when unknown or not a character set."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):
        return None
    return None if codec in _NOT_CHARSETS else codec


def _encoding(body: bytes, content_type: str) -> str:
    """The codec to decode the body with: BOM or sniffed bytes, XML declaration, charset, else UTF-8."""
    for mark, codec in _SNIFF:
        if body.startswith(mark):
            return codec
    found = _XML_DECL_ENC.match(body.lstrip()[:200])
    declared = _codec(found.group(1).decode("ascii")) if found else None
    if declared is None:
        charset = _CHARSET.search(content_type or "")
        declared = _codec(charset.group(1)) if charset else None
    return declared or "utf-8"


def _prepare(body: bytes, content_type: str, feed_name: str) -> bytes:
    """The body as checked UTF-8: decoded with replacement, no entity declarations, no forbidden characters."""
    try:
        text = body.decode(_encoding(body, content_type), "replace")
    except (UnicodeError, LookupError, ValueError):  # a codec that cannot even replace: read it as UTF-8
        text = body.decode("utf-8", "replace")
    text = text.lstrip("\ufeff")
    doctype = _DOCTYPE.search(text)
    if doctype and _ENTITY_DECL.search(text, doctype.start()):
        raise ParseError("the feed declares XML entities in a DOCTYPE; refused (entity-expansion and "
                         "external-entity defence)", api=API, feed=feed_name)
    return _XML_CONTROL.sub("", text).encode("utf-8")


def _get(entry: Mapping[str, Any], key: str) -> Any:
    """A stored value only: FeedParserDict's own `get` maps missing keys to others (and warns about it)."""
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _stamp(entry: Mapping[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        raw = _get(entry, key)
        if isinstance(raw, str) and _EPOCH.match(raw):  # a bare epoch: feedparser reads "1796000000" as a year
            return float(raw)
        parsed = _get(entry, f"{key}_parsed")
        if parsed:
            try:
                return float(calendar.timegm(parsed))
            except (TypeError, ValueError, OverflowError):
                pass
    return None


_DATE_KEYS = ("published", "updated", "created")


def _item(entry: Mapping[str, Any], feed_name: str, fallback: float) -> Item | None:
    summary = clean_text(_get(entry, "summary") or _get(entry, "description"), SUMMARY_LIMIT)
    title = clean_text(_get(entry, "title"), TITLE_LIMIT) or clean_text(summary, 300)
    if not title:
        return None
    link = _get(entry, "link")
    url = link.strip() if isinstance(link, str) else ""
    uid = _get(entry, "id")
    published = _stamp(entry, _DATE_KEYS)
    return Item(
        source=API, feed=feed_name, kind="news", title=title, url=url,
        published=published if published is not None else fallback,
        summary=summary, uid=clean_text(uid, 500) if isinstance(uid, str) else "", domain=host_of(url),
    )


def parse(body: bytes, *, content_type: str, url: str, feed_name: str, now: float) -> list[Item]:
    """Items of one RSS/Atom document; ParseError when it is not a feed."""
    prepared = _prepare(body, content_type, feed_name)
    # feedparser must read exactly the text that was checked: UTF-8, and a label that leaves it no other choice
    headers = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    try:
        doc = feedparser.parse(io.BytesIO(prepared), response_headers=headers)
    except Exception as exc:  # a third-party parser on hostile input: any failure is a parse failure
        raise ParseError(f"feed parser failed ({type(exc).__name__})", api=API, feed=feed_name) from None
    entries = [e for e in (doc.get("entries") or []) if isinstance(e, Mapping)]
    if not entries:
        if not doc.get("version") or (doc.get("bozo") and not _harmless(doc.get("bozo_exception"))):
            what = _what_it_was(body, doc)
            raise ParseError(f"not a readable RSS/Atom feed: {what}", api=API, feed=feed_name)
        return []
    channel = doc.get("feed") or {}
    fallback = _stamp(channel, ("updated", "published")) if isinstance(channel, Mapping) else None
    items = [it for it in (_item(e, feed_name, fallback or now) for e in entries) if it is not None]
    if not items:
        raise ParseError(f"none of the {len(entries)} entries had a title or summary", api=API, feed=feed_name)
    return items


def _harmless(exc: object) -> bool:
    """feedparser complaints about the content type or charset label, not about the document itself."""
    kinds = tuple(getattr(feedparser, n) for n in ("NonXMLContentType", "CharacterEncodingOverride")
                  if hasattr(feedparser, n))
    return isinstance(exc, kinds)


def _what_it_was(body: bytes, doc: Mapping[str, Any]) -> str:
    head = body.lstrip()[:300].lower()
    if not head:
        return "empty body"
    if b"<html" in head or b"<!doctype html" in head:
        return "an HTML page"
    exc = doc.get("bozo_exception")
    if exc is not None:
        return f"{type(exc).__name__}: {clean_text(str(exc), 120)}"
    return "no feed elements found"


async def fetch(http: Http, feed: FeedConfig, *, validators: Mapping[str, str], seconds: float) -> Response:
    """Conditional GET of one feed. 304 comes back as a Response (Http treats it as success)."""
    return await http.get(API, feed.url, headers=dict(validators), timeout=seconds, feed=feed.name,
                          allow_statuses=())


class RssFeedSource:
    """One job per feed: key "rss:<name>"."""

    api = API

    def __init__(self, feed: FeedConfig, rss: RssConfig, *, offload: Offload = inline) -> None:
        self.offload = offload  # where the body is parsed (collector.offload)
        self.feed_config = feed
        self.key = f"rss:{feed.name}"
        self.feed: str | None = feed.name
        self.interval = feed.interval if feed.interval is not None else rss.interval
        self.timeout = rss.timeout
        self.etag: str | None = None
        self.last_modified: str | None = None

    def _validators(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out

    async def collect(self, http: Http, now: float) -> Collected:
        resp = await fetch(http, self.feed_config, validators=self._validators(), seconds=self.timeout)
        if resp.status == 304:
            return Collected(not_modified=True)
        items, keys = await self.offload(rss_fast.parse_keyed, resp.body, content_type=resp.content_type,
                                         url=resp.url, feed_name=self.feed_config.name, now=now)
        self.etag = resp.headers.get("etag") or None
        self.last_modified = resp.headers.get("last-modified") or None
        return Collected(items=tuple(items), keys=tuple(keys))
