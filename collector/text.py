"""Pure text helpers shared by the sources and the dedup: clean HTML out of titles, canonicalise URLs,
hash titles. Standard library only; every function accepts any string and never raises.

- `clean_text(html, limit)`: tags removed (script/style content dropped), entities decoded (twice at most, for
  double-escaped feeds such as `&amp;#039;`), zero-width/format characters, control characters and lone
  surrogates dropped, whitespace collapsed, NFC-normalised, cut to `limit` characters (with a trailing "…").
- `canonical_url(url)`: lower-case scheme and host, no default port, no fragment, no tracking parameters
  (`TRACKING_PARAMS`, `utm_*`, `mtm_*`, `pk_*`, and `source=rss…`), remaining query sorted, no trailing slash.
- `title_key(title)`: 16 hex digits of SHA-1 over the case-folded title with punctuation and whitespace
  collapsed; "" for a title with no letters or digits (such titles must not be merged as one story).
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TITLE_LIMIT = 1000
SUMMARY_LIMIT = 2000
#: Input beyond this many characters is not even looked at (a 100 KB "title" is cut before parsing).
_RAW_LIMIT = 64 * 1024

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "ref", "ref_src", "_ga",
     "cmpid", "ncid", "guccounter"}
)
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_")

_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4",
                         "h5", "h6", "blockquote", "pre", "hr", "img", "figure", "figcaption", "section",
                         "article"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")


class _Stripper(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _strip_tags(text: str) -> str:
    if "<" not in text:
        return html.unescape(text)
    parser = _Stripper()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # html.parser can still trip on hostile markup: fall back to a regex
        return html.unescape(_TAG.sub(" ", text))
    return "".join(parser.parts)


def _keep(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat in ("Cf", "Cs", "Co"):  # zero-width, bidi controls, soft hyphen, BOM; lone surrogates; private use
        return ""
    if cat == "Cc":  # tabs and newlines become spaces, every other control character goes
        return " " if ch in "\t\n\r\x0b\x0c" else ""
    return ch


def clean_text(text: object, limit: int | None = None) -> str:
    """Plain, single-line text from a string that may hold HTML, entities and junk characters."""
    if not isinstance(text, str) or not text:
        return ""
    raw = text[:_RAW_LIMIT]
    out = _strip_tags(raw)
    if _ENTITY.search(out):  # double-escaped source (`&amp;#039;` arrives as `&#039;`)
        out = html.unescape(out)
    if "<" in out and _TAG.search(out):  # escaped markup (`&lt;b&gt;`) arrives as real tags
        out = _TAG.sub(" ", out)
    out = "".join(_keep(ch) for ch in out) if not out.isascii() or not out.isprintable() else out
    out = unicodedata.normalize("NFC", out)
    out = _SPACE.sub(" ", out).strip()
    if limit is not None and len(out) > limit:
        out = out[: max(0, limit - 1)].rstrip() + "…"
    return out


def _is_tracking(key: str, value: str) -> bool:
    k = key.lower()
    if k in TRACKING_PARAMS or k.startswith(_TRACKING_PREFIXES):
        return True
    return k == "source" and value.lower().startswith("rss")


def canonical_url(url: object) -> str:
    """The URL with the differences that do not change the story removed ("" for a non-string)."""
    if not isinstance(url, str):
        return ""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not scheme or not host:
        return url
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port is None or port == default else f"{host}:{port}"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k, v)]
    query = urlencode(sorted(pairs))
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, query, ""))


def title_key(title: object) -> str:
    """A stable key for "the same headline": case, punctuation, markup and spacing do not matter."""
    norm = _NOT_WORD.sub(" ", clean_text(title).casefold()).strip()
    if not norm:
        return ""
    return hashlib.sha1(norm.encode("utf-8", "replace"), usedforsecurity=False).hexdigest()[:16]


def host_of(url: object) -> str:
    """Lower-case host of a URL without a leading "www." ("" when there is none)."""
    if not isinstance(url, str):
        return ""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""
    return host.removeprefix("www.")
