"""Fast path for well-formed RSS 2.0 and Atom 1.0 feeds: lxml reads the document, feedparser's own rules
make the values, `rss` makes the items. Same items as `rss.parse`, about ten times less CPU.

`parse(body, content_type=, url=, feed_name=, now=)` has the signature and the result of `rss.parse`:
1. The body goes through `rss._prepare` (the same decoding, the same refusal of DOCTYPEs that declare
   entities, the same forbidden-character removal), so both paths read the same UTF-8 text.
2. lxml parses it without resolving entities, loading DTDs or touching the network (`resolve_entities=False,
   load_dtd=False, no_network=True`, no huge trees).
3. Every element is checked against the subset this module reproduces exactly. Anything else sends the whole
   document to feedparser (`rss.parse`): a DOCTYPE, an XML error (feedparser then reads it with its
   forgiving parser), an `xml:base`, RSS other than 2.x or Atom other than 1.0, items outside the channel,
   an element feedparser gives a meaning that is not reproduced here (itunes:summary, media:title,
   dc:title, source, ...) or an element with markup inside where text is expected (Atom xhtml), a second
   description that feedparser would treat as content, base64 content, attributes on items.
4. The subset is reproduced with feedparser's own pieces, in feedparser's order: the strict parser's element
   naming (namespace -> standard prefix, lower-case names), `pop()`'s value pipeline (strip, relative URI
   resolution for links and permalink guids, the looks-like-HTML guess for RSS text, `resolve_relative_uris`
   and `_sanitize_html` for HTML values, the UTF-8 mis-decoding repair and the cp1252 map), its storing rules
   (first non-empty title wins; a later description replaces the summary, content:encoded fills it only when
   it is missing; a text <link> replaces the link, a permalink guid only fills a missing one; the last date
   of each kind wins) and `_parse_date`. The entry dictionaries then go through `rss._item` and `rss._stamp`,
   so the item rules themselves exist once.
The equivalence is tested on feeds in the real formats and on malformed ones (tests/perf/test_perf_rss_fast.py).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import _urljoin, resolve_relative_uris
from lxml import etree

from collector.dedup import story_keys
from collector.models import Item

_M = _FeedParserMixin
ATOM = "http://www.w3.org/2005/Atom"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_MATCH: dict[str, str] = {uri.lower(): prefix for uri, prefix in _M.namespaces.items()}
#: Every element name feedparser has a handler for (its `_start_x` / `_end_x` methods).
_HANDLED = frozenset(
    n[7:] if n.startswith("_start_") else n[5:] for n in dir(_M) if n.startswith(("_start_", "_end_"))
)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_XMLNS = re.compile(rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']""")
_STANDARD_PREFIXES = frozenset(p for p in _MATCH.values() if p)

_PUBLISHED, _UPDATED, _CREATED = "published", "updated", "created"
#: element -> the date key feedparser stores it under
_DATES = {"pubdate": _PUBLISHED, "published": _PUBLISHED, "issued": _PUBLISHED, "dcterms_issued": _PUBLISHED,
          "updated": _UPDATED, "modified": _UPDATED, "lastbuilddate": _UPDATED, "dc_date": _UPDATED,
          "dcterms_modified": _UPDATED, "created": _CREATED, "dcterms_created": _CREATED}
#: Handled elements whose values never reach a field we read (authors, categories, media links, ...),
#: as long as everything inside them is inert too.
_INERT_HANDLED = frozenset({
    "author", "contributor", "name", "email", "uri", "url", "homepage", "category", "enclosure", "dc_creator",
    "dc_author", "dc_subject", "dc_publisher", "dc_rights", "dc_language", "dc_contributor", "media_content",
    "media_thumbnail", "media_credit", "media_category", "media_keywords", "media_rating", "media_license",
    "media_restriction", "media_group", "rights", "copyright", "keywords", "generator", "language", "webmaster",
    "managingeditor", "cloud", "width", "height", "icon", "logo", "expirationdate",
})
#: Feed-level elements that are read (dates) or harmless; `image` may hold its usual children.
_CHANNEL_OK = _INERT_HANDLED | set(_DATES) | {"title", "link", "description", "subtitle", "tagline", "id",
                                              "info", "image", "dc_description"}
_IMAGE_CHILDREN = frozenset({"url", "title", "link", "width", "height", "description"})
#: Unhandled element names that would still land on a key we read.
_RESERVED = frozenset({"title", "summary", "link", "links", "id", "guidislink", "content", *_DATES.values()})
#: HTML that feedparser's URI resolver and sanitizer leave alone as far as text goes: common formatting tags
#: (all on the sanitizer's list) with quoted attribute values free of '<' and '>', text without '<', and only
#: well-known entity forms. For such values both steps are skipped: they only rewrite attributes, and
#: `clean_text` removes every tag and decodes every entity afterwards.
_TAGS = ("a|abbr|b|big|blockquote|br|center|cite|code|dd|div|dl|dt|em|figcaption|figure|font|h[1-6]|hr|i|img|li|"
         "ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul")
_ATTR = r"""\s+[A-Za-z_:][-\w:.]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))?"""
_SIMPLE_HTML = re.compile(
    rf"(?:[^<&]++|</?(?:{_TAGS})(?>{_ATTR})*+\s*+/?>|&(?:amp|lt|gt|quot|apos|nbsp|#[0-9]{{1,6}}|#[xX][0-9a-fA-F]{{1,5}});)*+\Z",
    re.I)
#: An absolute http(s) URL that `_urljoin` returns unchanged (no typo slashes, no empty query or fragment,
#: no ';' parameters, no spaces or brackets).
_SIMPLE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[^\s?#;\[\]\\]*)?(?:\?[^\s#;\[\]\\]+)?(?:#[^\s\[\]\\]+)?\Z")
_MARKUP = frozenset(_M.can_contain_relative_uris | _M.can_contain_dangerous_markup)
_TEXT_TYPES = frozenset({"text/plain", "text/html"})  # xhtml content is markup, not text: feedparser reads it


class _Unsupported(Exception):
    """The document is outside the subset reproduced here: feedparser reads it."""


_local = threading.local()


def _parser() -> etree.XMLParser:
    """One parser per thread (lxml parsers must not be shared between threads)."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
            remove_pis=True, encoding="utf-8", collect_ids=False)
    return parser


_NAMES: dict[tuple[str, str | None], str] = {}


def _name(el: Any) -> str:
    """The name feedparser's strict parser gives an element: standard prefix for known namespaces (none for
    RSS and Atom), else the document's prefix; lower case; prefix and name joined by '_'."""
    tag = el.tag
    if not isinstance(tag, str):
        raise _Unsupported("entity reference or other non-element node")
    key = (tag, el.prefix if tag[0] == "{" else None)
    name = _NAMES.get(key)
    if name is None:
        name = _make_name(tag, key[1])
        if len(_NAMES) < 4096:  # bounded: a hostile document may use any number of names
            _NAMES[key] = name
    return name


def _make_name(tag: str, doc_prefix: str | None) -> str:
    if tag[0] == "{":
        uri, local = tag[1:].split("}", 1)
        low = uri.lower()
        if "backend.userland.com/rss" in low:
            low = "http://backend.userland.com/rss"
        prefix = _MATCH.get(low, doc_prefix or "")
    else:
        local, prefix = tag, ""
    local = local.lower()
    return f"{prefix.lower()}_{local}" if prefix else local


def _attrs(el: Any) -> dict[str, str]:
    """Attributes as feedparser sees them: lower-case names, lower-case values of rel and type."""
    attrib = el.attrib
    if not attrib:
        return {}
    out = {}
    for key, value in attrib.items():
        if key == _XML_BASE:
            raise _Unsupported("xml:base")
        if key == _XML_LANG:
            continue
        name = key.rsplit("}", 1)[-1].lower()
        out[name] = value.lower() if name in ("rel", "type") else value
    return out


def _check_inert(el: Any) -> None:
    """Everything inside an inert element must be inert too."""
    for sub in el.iterdescendants():
        name = _name(sub)
        if (name in _HANDLED and name not in _INERT_HANDLED) or name in _RESERVED or name.endswith("_parsed"):
            raise _Unsupported(f"{name} inside another element")
        _attrs(sub)


def _text_only(el: Any) -> str:
    if len(el):
        raise _Unsupported("markup where text is expected")
    return el.text or ""


class _Entry:
    """feedparser's storing rules for one item or entry (or the feed itself, `feed=True`)."""

    def __init__(self, base: str, atom: bool, feed: bool = False) -> None:
        self.base, self.atom, self.feed = base, atom, feed
        self.d: dict[str, Any] = {}
        self.title_done = False
        self.has_content = False

    def pop(self, text: str, element: str, ctype: str | None, guidislink: bool = False) -> str:
        """mixin.pop(): `ctype` is the content type of a push_content element, None for a plain push."""
        output = text.strip()
        if output and element in _M.can_be_relative_uri and (element != "id" or guidislink):
            output = self.join(output)
        if element in _MARKUP:  # the content-type guess and the HTML steps only change these elements
            if not self.atom and ctype == "text/plain" and _M.looks_like_html(output):
                ctype = "text/html"
            kind = ctype if ctype is not None else "text/html"
            if kind in _M.html_types and ("<" in output or "&" in output) and not _SIMPLE_HTML.match(output):
                if element in _M.can_contain_relative_uris:
                    output = resolve_relative_uris(output, self.base, "utf-8", kind)
                if element in _M.can_contain_dangerous_markup:
                    output = _sanitize_html(output, "utf-8", kind)
        if output.isascii():  # the repair and the cp1252 map change only non-ASCII text
            return output
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            output = output.encode("iso-8859-1").decode("utf-8")
        return output.translate(_cp1252)

    def join(self, uri: str) -> str:
        return uri if _SIMPLE_URL.match(uri) else _urljoin(self.base, uri)

    @staticmethod
    def content_type(attrs: dict[str, str], default: str) -> str:
        if attrs.get("mode") == "base64" or "src" in attrs:
            raise _Unsupported("base64 or out-of-line content")
        ctype = str(_M.map_content_type(attrs.get("type", default)))
        if ctype not in _TEXT_TYPES:
            raise _Unsupported(f"content of type {ctype}")
        return ctype

    def element(self, el: Any, name: str) -> None:
        attrs = _attrs(el)
        d = self.d
        if name in _DATES:
            key = _DATES[name]
            value = self.pop(_text_only(el), key, None)
            d[key] = value
            d[f"{key}_parsed"] = _parse_date(value)
        elif name == "title":
            value = self.pop(_text_only(el), "title", self.content_type(attrs, "text/plain"))
            if not self.title_done:
                d["title"] = value
                self.title_done = bool(value)
        elif name == "link":
            href = attrs.get("url", attrs.get("uri", attrs.get("href")))  # _enforce_href
            if href:
                attrs["href"] = href
            if "href" in attrs:
                rel, ctype = attrs.get("rel", "alternate"), attrs.get("type", "text/html")
                if rel == "alternate" and str(_M.map_content_type(ctype)) in _M.html_types:
                    d["link"] = self.join(attrs["href"])
            else:
                value = self.pop(_text_only(el), "link", None).replace("&amp;", "&")
                d["link"] = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", value)
        elif name in ("guid", "id"):
            guidislink = attrs.get("ispermalink", "true") == "true"
            value = self.pop(_text_only(el), "id", None, guidislink)
            d["id"] = value
            if guidislink:
                d.setdefault("link", value)
        elif name in ("description", "dc_description", "summary"):
            if "summary" in d and not self.has_content:
                raise _Unsupported("a second description (feedparser reads it as content)")
            default = "text/plain" if name == "summary" else "text/html"
            element = "summary" if name == "summary" else "description"
            d["summary"] = self.pop(_text_only(el), element, self.content_type(attrs, default))
        elif name in ("content_encoded", "content"):
            self.has_content = True
            ctype = self.content_type(attrs, "text/html" if name == "content_encoded" else "text/plain")
            d.setdefault("summary", self.pop(_text_only(el), "content", ctype))
        elif name in _INERT_HANDLED:
            _check_inert(el)
        elif name in _HANDLED or name in _RESERVED or name.endswith("_parsed"):
            raise _Unsupported(f"element {name}")
        else:
            _check_inert(el)


def _feed_level(feed: _Entry, el: Any, name: str) -> None:
    """A child of <channel> or <feed> other than an item: dates are read, the rest must be harmless."""
    if name not in _CHANNEL_OK and (name in _HANDLED or name in _RESERVED or name.endswith("_parsed")):
        raise _Unsupported(f"feed element {name}")
    if name in _DATES:
        feed.element(el, name)
    elif name == "image":
        _attrs(el)
        for sub in el:
            sub_name = _name(sub)
            if sub_name not in _IMAGE_CHILDREN:
                raise _Unsupported(f"image element {sub_name}")
            _attrs(sub)
            _text_only(sub)
    else:
        _attrs(el)
        _check_inert(el) if name not in ("link", "title", "description", "subtitle", "id") else _text_only(el)


def read(prepared: bytes, url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(feed dict, entry dicts) with the keys and values feedparser would give; _Unsupported otherwise."""
    if _DOCTYPE.search(prepared):
        raise _Unsupported("DOCTYPE")
    for prefix, uri in _XMLNS.findall(prepared):
        # feedparser maps a document prefix to the standard prefix of its namespace and then looks names up
        # by prefix; a standard prefix bound to another known namespace would rename elements: not here
        standard = _MATCH.get(uri.decode("utf-8", "replace").lower())
        name = prefix.decode("ascii", "replace").lower()
        if standard is not None and standard != name and name in _STANDARD_PREFIXES:
            raise _Unsupported(f"prefix {name} bound to the namespace of {standard or 'RSS/Atom'}")
    try:
        root = etree.fromstring(prepared, _parser())
    except etree.XMLSyntaxError as exc:
        raise _Unsupported(f"XML error: {exc}") from None
    if root.tag == "rss":
        if not _attrs(root).get("version", "").startswith("2."):
            raise _Unsupported("RSS version other than 2.x")
        channels = list(root)
        if len(channels) != 1 or _name(channels[0]) != "channel":
            raise _Unsupported("not one <channel>")
        holder, atom, entry_name = channels[0], False, "item"
    elif root.tag == f"{{{ATOM}}}feed":
        _attrs(root)
        holder, atom, entry_name = root, True, "entry"
    else:
        raise _Unsupported(f"root element {root.tag}")
    if _attrs(holder):
        raise _Unsupported("attributes on the channel")
    feed = _Entry(url, atom, feed=True)
    entries = []
    for el in holder:
        name = _name(el)
        if name == entry_name:
            if _attrs(el):
                raise _Unsupported("attributes on an item")
            entry = _Entry(url, atom)
            for child in el:
                entry.element(child, _name(child))
            entries.append(entry.d)
        else:
            _feed_level(feed, el, name)
    found = sum(1 for _ in root.iter("item", f"{{{ATOM}}}entry", "entry", f"{{{ATOM}}}item"))
    if found != len(entries):
        raise _Unsupported("items outside the channel or nested")
    return feed.d, entries


def parse(body: bytes, *, content_type: str, url: str, feed_name: str, now: float) -> list[Item]:
    """Items of one RSS/Atom document, exactly as `rss.parse` gives them; ParseError when it is not a feed."""
    from collector.sources import rss  # rss imports this module

    prepared = rss._prepare(body, content_type, feed_name)
    try:
        channel, entries = read(prepared, url)
    except _Unsupported as exc:
        return _fallback(rss.parse, str(exc), body, content_type, url, feed_name, now)
    if not entries:  # empty or not a feed: feedparser's verdict and message
        return _fallback(rss.parse, "no entries", body, content_type, url, feed_name, now)
    fallback = rss._stamp(channel, ("updated", "published"))
    items = [it for it in (rss._item(e, feed_name, fallback or now) for e in entries) if it is not None]
    if not items:
        return _fallback(rss.parse, "no usable entries", body, content_type, url, feed_name, now)
    STATS["fast"] = STATS.get("fast", 0) + 1
    return items


def parse_keyed(body: bytes, *, content_type: str, url: str, feed_name: str,
                now: float) -> tuple[list[Item], list[tuple[str, ...]]]:
    """`parse`, plus each item's story keys (collector.dedup): both done wherever the parsing runs."""
    items = parse(body, content_type=content_type, url=url, feed_name=feed_name, now=now)
    return items, [story_keys(it) for it in items]


#: How many documents took each path in this process ("fast", or the first reason for feedparser).
STATS: dict[str, int] = {}


def _fallback(fn: Callable[..., list[Item]], why: str, body: bytes, content_type: str, url: str, feed_name: str,
              now: float) -> list[Item]:
    key = why.split(":", 1)[0]
    STATS[key] = STATS.get(key, 0) + 1
    return fn(body, content_type=content_type, url=url, feed_name=feed_name, now=now)
