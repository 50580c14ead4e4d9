"""CryptoPanic news posts: v1 (`/api/v1`, `/api/free/v1`) and plan-scoped v2 (`/api/<plan>/v2`).

Request: `GET {base_url}/posts/?auth_token=KEY&public=true&kind=news`
         `[&filter=..][&currencies=BTC,ETH][&regions=en]`.
The token rides in the query string, so every URL shown anywhere comes from `Http` (which redacts it).

Parsing rules (`parse`):
- v1 tags come from `currencies[].code`, v2 from `instruments[].code`; both are read, whichever is present.
- url: v2 `original_url` when it is an http(s) URL, else `url` (v1's cryptopanic.com link), unchanged.
- published: `published_at`, else `created_at` (ISO 8601, naive = UTC), else `now` (the fetch time).
- domain: `source.domain`, else `domain`, else the host of the url.
- engagement: votes `positive + liked + important - negative - disliked - toxic`, clipped at 0
  (`lol`, `saved`, `comments` do not count; a post without votes has 0).
- A post without a usable title is skipped; if every post is unusable the body is a ParseError.

Error bodies (`error_from_body`): CryptoPanic answers `{"status": "api_error", "info": "..."}`, with HTTP
200, 400, 401, 403 or 429. A quota message -> reason `quota`; "Token not found"/401/403 -> `auth`; a 404
(a v2 route that the plan does not have) -> `http_4xx` with a hint about base_url. HTTP 429 without a
readable body is left to `Http` (reason `rate_limited`, Retry-After honoured).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from collector.config import Secrets, SourceConfig
from collector.errors import FetchError, ParseError, SourceError
from collector.http import Http, Response
from collector.models import Collected, Item
from collector.sources._common import (
    as_dict,
    as_float,
    as_id,
    as_list,
    as_str,
    as_timestamp,
    load_json,
    p_bool,
    p_list,
    p_opt_str,
    upstream_message,
)
from collector.text import SUMMARY_LIMIT, TITLE_LIMIT, clean_text, host_of

API = "cryptopanic"
DEFAULT_BASE_URL = "https://cryptopanic.com/api/developer/v2"
_QUOTA = re.compile(r"quota|(?:monthly|daily|plan|usage) limit", re.I)
_RATE = re.compile(r"rate.?limit|too many requests", re.I)
_AUTH = re.compile(r"token|auth|api key|apikey|credential|permission|not allowed", re.I)
_VOTES_UP = ("positive", "liked", "important")
_VOTES_DOWN = ("negative", "disliked", "toxic")
# HTTP statuses whose body we read ourselves (the api_error body says more than the status). 429 is not
# among them: `Http` must see it to back off (a quota body on a 429 is therefore counted `rate_limited`).
_READ_BODY = (400, 401, 403, 404)


def is_v2(base_url: str) -> bool:
    """v2 when a path segment of the base URL is `v2` (`/api/developer/v2`), else v1."""
    return "v2" in [seg.lower() for seg in base_url.split("?", 1)[0].split("/")]


def request_params(params: dict[str, object], token: str) -> dict[str, str]:
    """The query string of one posts request, from the source's `params` (the token first)."""
    query = {"auth_token": token}
    if p_bool(params, "public", True):
        query["public"] = "true"
    kind = p_opt_str(params, "kind", "news")
    if kind and kind != "all":
        query["kind"] = kind
    filt = p_opt_str(params, "filter")
    if filt:
        query["filter"] = filt
    currencies = p_list(params, "currencies", None)
    if currencies:
        query["currencies"] = ",".join(c.strip().upper() for c in currencies)
    regions = p_opt_str(params, "regions")
    if regions:
        query["regions"] = regions
    return query


def _api_error_info(doc: object) -> str | None:
    """The `info` of an `{"status": "api_error", "info": ...}` body, or None when it is not one."""
    if not isinstance(doc, dict):
        return None
    if doc.get("status") == "api_error" or ("info" in doc and "results" not in doc):
        return upstream_message(doc.get("info") or doc.get("status") or "api_error")
    return None


def error_from_body(status: int, body: bytes, redact: Callable[[str], str] = str) -> SourceError | None:
    """The error a CryptoPanic answer stands for (by status and `api_error` body); None for a post list."""
    try:
        doc = load_json(body, api=API)
    except ParseError:
        doc = None
    info = redact(_api_error_info(doc) or "")
    said = f" ({info})" if info else ""
    if info and _QUOTA.search(info):
        return FetchError(f"HTTP {status}: the API quota of this CryptoPanic plan is used up{said}; "
                          f"no news until it resets: poll less often or move to a bigger plan",
                          api=API, reason="quota")
    if status in (401, 403) or (status == 400 and info and _AUTH.search(info)):
        return FetchError(f"HTTP {status}: CryptoPanic refused the API token{said}; check "
                          f"CRYPTOPANIC_API_KEY and that the plan in base_url matches the key",
                          api=API, reason="auth")
    if status == 404:
        return FetchError("HTTP 404: no posts endpoint at this base_url; v2 routes are plan-scoped "
                          "(/api/developer|growth|enterprise/v2): check sources.cryptopanic.base_url",
                          api=API, reason="http_4xx")
    if status == 429 or (info and _RATE.search(info)):
        return FetchError(f"HTTP {status}: CryptoPanic rate limit{said}; backing off until the next run",
                          api=API, reason="rate_limited")
    if status >= 400:
        return FetchError(f"HTTP {status}{said}", api=API, reason="http_4xx")
    if info:
        return ParseError(f"CryptoPanic answered with an API error: {info}", api=API)
    return None


def _engagement(votes: object) -> float:
    v = as_dict(votes) or {}
    up = sum(as_float(v.get(k)) or 0.0 for k in _VOTES_UP)
    down = sum(as_float(v.get(k)) or 0.0 for k in _VOTES_DOWN)
    return max(0.0, up - down)


def _tags(post: dict[str, object]) -> frozenset[str]:
    codes: set[str] = set()
    for key in ("instruments", "currencies"):
        for entry in as_list(post.get(key)) or []:
            code = as_str((as_dict(entry) or {}).get("code")).strip().upper()
            if code and len(code) <= 20:
                codes.add(code)
    return frozenset(codes)


def _url(post: dict[str, object]) -> str:
    original = as_str(post.get("original_url")).strip()
    if original.lower().startswith(("http://", "https://")):
        return original
    return as_str(post.get("url")).strip()


def _item(post: dict[str, object], now: float) -> Item | None:
    title = clean_text(post.get("title"), TITLE_LIMIT)
    if not title:
        return None
    url = _url(post)
    published = as_timestamp(post.get("published_at"))
    if published is None:
        published = as_timestamp(post.get("created_at"))
    source = as_dict(post.get("source")) or {}
    domain = as_str(source.get("domain")) or as_str(post.get("domain")) or host_of(url)
    summary = clean_text(post.get("description") or post.get("body"), SUMMARY_LIMIT)
    return Item(
        source=API, feed=API, kind="news", title=title, url=url,
        published=published if published is not None else now,
        summary=summary, uid=as_id(post.get("id")), tags=_tags(post),
        engagement=_engagement(post.get("votes")), domain=clean_text(domain, 200).lower(),
    )


def parse(body: bytes, *, now: float) -> list[Item]:
    """Items of one posts answer (v1 or v2 shape); ParseError for anything that is not a post list."""
    doc = load_json(body, api=API)
    if not isinstance(doc, dict):
        raise ParseError(f"expected a JSON object with `results`, got {type(doc).__name__}", api=API)
    info = _api_error_info(doc)
    if info is not None:
        raise ParseError(f"CryptoPanic answered with an API error: {info}", api=API)
    results = doc.get("results")
    if not isinstance(results, list):
        raise ParseError(f"`results` is {type(results).__name__}, expected a list of posts", api=API)
    items = [it for it in (_item(p, now) for p in results if isinstance(p, dict)) if it is not None]
    if results and not items:
        raise ParseError(f"none of the {len(results)} posts had a usable title", api=API)
    return items


async def fetch(http: Http, base_url: str, query: dict[str, str], *, seconds: float) -> Response:
    """GET the posts list; 400/401/403/404 come back as responses so their body can be read."""
    url = base_url.rstrip("/") + "/posts/"
    return await http.get(API, url, params=query, timeout=seconds, allow_statuses=_READ_BODY)


class CryptoPanicSource:
    """The `cryptopanic` job: one posts request per run."""

    api = API
    feed: str | None = None

    def __init__(self, cfg: SourceConfig, secrets: Secrets) -> None:
        self.key = cfg.name
        self.interval = cfg.interval
        self.timeout = cfg.timeout
        self.base_url = cfg.base_url or DEFAULT_BASE_URL
        self.v2 = is_v2(self.base_url)
        self._token = secrets.cryptopanic_api_key
        self._params = dict(cfg.params)

    async def collect(self, http: Http, now: float) -> Collected:
        if not self._token:
            raise FetchError("no API token: set CRYPTOPANIC_API_KEY", api=API, reason="auth")
        query = request_params(self._params, self._token)
        resp = await fetch(http, self.base_url, query, seconds=self.timeout)
        error = error_from_body(resp.status, resp.body, http.redact)
        if error is not None:
            raise error
        return Collected(items=tuple(parse(resp.body, now=now)))
