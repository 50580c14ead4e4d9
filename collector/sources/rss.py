"""RSS 2.0 / Atom feeds: fetched by `Http` (conditional GET), parsed by feedparser from bytes.

`RssFeedSource` keeps the feed's ETag and Last-Modified and sends them back (If-None-Match /
If-Modified-Since); a 304 is a success with nothing new (`Collected(not_modified=True)`, nothing parsed).
The validators are only stored after a body parsed, so a feed that once failed is fetched in full again.

`parse(body, content_type=, url=, feed_name=, now=)` rules:
- Before feedparser: a DOCTYPE that declares entities is refused (entity-expansion and external-entity
  defence that does not depend on expat); a body whose encoding is UTF-8 (BOM, XML declaration, charset, or
  nothing said) is decoded with replacement, so one bad byte costs one character, not a windows-1252 guess
  for the whole feed; control characters that XML forbids are dropped.
- feedparser gets the bytes in a BytesIO (never a string: it would treat one as a path or URL) with the real
  content type and final URL.
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
import io
import re
from collections.abc import Mapping
from typing import Any

import feedparser

from collector.config import FeedConfig, RssConfig
from collector.errors import ParseError
from collector.http import Http, Response
from collector.models import Collected, Item
from collector.text import SUMMARY_LIMIT, TITLE_LIMIT, clean_text, host_of

API = "rss"
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_XML_DECL_ENC = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.I)
_XML_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
_EPOCH = re.compile(r"^\s*\d{9,10}(?:\.\d+)?\s*$")


def _declared_encoding(body: bytes, content_type: str) -> str | None:
    """The encoding the body claims: BOM, then XML declaration, then the charset parameter."""
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    found = _XML_DECL_ENC.match(body.lstrip()[:200])
    if found:
        return found.group(1).decode("ascii").lower()
    charset = _CHARSET.search(content_type or "")
    return charset.group(1).lower() if charset else None


def _prepare(body: bytes, content_type: str, feed_name: str) -> tuple[bytes, bool]:
    """The body to hand to feedparser, and whether it was re-encoded as UTF-8."""
    probe = body.replace(b"\x00", b"")  # UTF-16/32 markup becomes ASCII for the DOCTYPE check
    doctype = _DOCTYPE.search(probe)
    if doctype and _ENTITY_DECL.search(probe, doctype.start()):
        raise ParseError("the feed declares XML entities in a DOCTYPE; refused (entity-expansion and "
                         "external-entity defence)", api=API, feed=feed_name)
    encoding = _declared_encoding(body, content_type)
    if encoding is None or encoding in _UTF8:
        text = body.decode("utf-8", "replace").lstrip("\ufeff")
        return _XML_CONTROL.sub("", text).encode("utf-8"), True
    return body, False


def _content_type(content_type: str, body_was_recoded: bool) -> str:
    """The real content type; when we re-encoded the body as UTF-8, its charset says so."""
    if not body_was_recoded:
        return content_type
    base = content_type.split(";", 1)[0].strip() or "application/xml"
    if base.lower() == "text/xml":  # RFC 3023: text/xml without charset would mean us-ascii
        base = "application/xml"
    return f"{base}; charset=utf-8"


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
    prepared, recoded = _prepare(body, content_type, feed_name)
    headers = {"content-type": _content_type(content_type, recoded), "content-location": url}
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

    def __init__(self, feed: FeedConfig, rss: RssConfig) -> None:
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
        items = parse(resp.body, content_type=resp.content_type, url=resp.url, feed_name=self.feed_config.name,
                      now=now)
        self.etag = resp.headers.get("etag") or None
        self.last_modified = resp.headers.get("last-modified") or None
        return Collected(items=tuple(items))
