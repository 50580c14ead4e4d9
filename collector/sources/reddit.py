"""Reddit posts from the configured subreddits (params.subreddits plus every symbol's `subreddits`).

Two modes:
- public JSON (no credentials): `GET {base_url}/r/{sub}/{listing}.json?limit=N&raw_json=1`;
- OAuth client credentials (REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET both set):
  `POST {token_url}` with `grant_type=client_credentials` and HTTP basic auth, then
  `GET {oauth_base_url}/r/{sub}/{listing}?limit=N&raw_json=1` with `Authorization: bearer TOKEN`.
  The token is cached on the instance until `expires_in` minus a 60 s margin and fetched again once after a
  401 (if the retry is refused too, that subreddit fails with reason `auth`).
Every request carries the configured descriptive User-Agent (`<platform>:<app id>:<version> (by /u/<name>)`):
Reddit blocks library-default agents.

Failure policy: subreddits are fetched concurrently (at most 4 at a time). When some fail and others
succeed, the run succeeds with the items of the good ones and each failure is logged as a warning; when every
subreddit fails, the run fails with the first subreddit's error (in configured order).

`parse` rules: stickied posts are skipped (mod announcements, not sentiment); non-`t3` children are skipped;
a post needs a title. feed = the subreddit as configured; summary = selftext; url =
https://www.reddit.com + permalink (else the post's url); published = created_utc (else `now`); uid = the
fullname (`t3_...`), else id; engagement = max(score, 0) + max(num_comments, 0) (a discussed post counts
as much as an upvoted one). If the listing has posts but none is usable: ParseError.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from urllib.parse import quote

from collector import __version__
from collector.config import Secrets, SourceConfig, SymbolConfig
from collector.errors import FetchError, ParseError, SourceError
from collector.http import Http, Response
from collector.models import Collected, Item
from collector.redact import remember
from collector.sources._common import (
    Deadline,
    as_dict,
    as_float,
    as_id,
    as_list,
    as_str,
    as_timestamp,
    load_json,
    p_list,
    p_num,
    p_str,
    upstream_message,
)
from collector.text import SUMMARY_LIMIT, TITLE_LIMIT, clean_text

API = "reddit"
log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.reddit.com"
DEFAULT_OAUTH_BASE_URL = "https://oauth.reddit.com"
DEFAULT_TOKEN_URL = "https://www.reddit.com/api/v1/access_token"  # noqa: S105  (a URL, not a secret)
DEFAULT_USER_AGENT = "linux:sigmax-collector:{version} (by /u/sigmax-collector)"
LISTINGS = ("new", "hot", "top", "rising")
TOKEN_MARGIN = 60.0  # seconds before expiry at which a cached token is no longer used
CONCURRENCY = 4
_BLOCK_HINT = ("Reddit blocked this client; set a descriptive sources.reddit.user_agent "
               "(\"<platform>:<app id>:<version> (by /u/<name>)\") or use OAuth (REDDIT_CLIENT_ID/SECRET)")


def _is_block_page(body: bytes) -> bool:
    head = body.lstrip()[:4096].lower()
    return head.startswith(b"<") and (b"blocked" in head or b"whoa there" in head)


def _post(child: object, subreddit: str, now: float) -> Item | bool | None:
    """An Item, None for an unusable post, False for a post skipped on purpose (stickied, not a post)."""
    kid = as_dict(child)
    if kid is None:
        return None
    kind = kid.get("kind")
    if kind is not None and kind != "t3":
        return False
    data = as_dict(kid.get("data"))
    if data is None:
        return None
    if data.get("stickied") is True:
        return False
    title = clean_text(data.get("title"), TITLE_LIMIT)
    if not title:
        return None
    permalink = as_str(data.get("permalink")).strip()
    url = DEFAULT_BASE_URL + permalink if permalink.startswith("/") else as_str(data.get("url")).strip()
    created = as_timestamp(data.get("created_utc"))
    score = as_float(data.get("score")) or 0.0
    comments = as_float(data.get("num_comments")) or 0.0
    return Item(
        source=API, feed=subreddit, kind="social", title=title, url=url,
        published=created if created is not None else now,
        summary=clean_text(data.get("selftext"), SUMMARY_LIMIT),
        uid=as_id(data.get("name")) or as_id(data.get("id")),
        engagement=max(score, 0.0) + max(comments, 0.0), domain="reddit.com",
    )


def parse(body: bytes, *, subreddit: str, now: float) -> list[Item]:
    """Items of one listing answer; ParseError for an error body, a block page or anything not a Listing."""
    if _is_block_page(body):
        raise ParseError(f"r/{subreddit}: got Reddit's HTML block page instead of JSON: {_BLOCK_HINT}",
                         api=API, feed=subreddit)
    doc = load_json(body, api=API, feed=subreddit)
    if not isinstance(doc, dict):
        raise ParseError(f"r/{subreddit}: expected a Listing object, got {type(doc).__name__}", api=API,
                         feed=subreddit)
    if "error" in doc and "data" not in doc:
        raise ParseError(f"r/{subreddit}: Reddit answered error {upstream_message(doc.get('error'))} "
                         f"({upstream_message(doc.get('message') or '')})", api=API, feed=subreddit)
    children = as_list((as_dict(doc.get("data")) or {}).get("children"))
    if children is None:
        raise ParseError(f"r/{subreddit}: no `data.children` list in the answer", api=API, feed=subreddit)
    items: list[Item] = []
    unusable = 0
    for child in children:
        got = _post(child, subreddit, now)
        if isinstance(got, Item):
            items.append(got)
        elif got is None:
            unusable += 1
    if children and unusable == len(children):
        raise ParseError(f"r/{subreddit}: none of the {len(children)} posts was usable", api=API,
                         feed=subreddit)
    return items


def parse_token(body: bytes) -> tuple[str, float]:
    """(access_token, expires_in seconds) from the token endpoint; FetchError(auth) when refused."""
    doc = as_dict(load_json(body, api=API)) or {}
    token = as_str(doc.get("access_token"))
    if not token:
        said = upstream_message(doc.get("error") or doc.get("message") or "no access_token in the answer")
        raise FetchError(f"Reddit refused the client credentials ({said}); check REDDIT_CLIENT_ID and "
                         f"REDDIT_CLIENT_SECRET", api=API, reason="auth")
    expires = as_float(doc.get("expires_in"))
    return token, expires if expires is not None and expires > 0 else 3600.0


def status_error(status: int, body: bytes, subreddit: str, *, oauth: bool) -> FetchError:
    """The error for a 401/403 listing answer (read here, since the body tells a block from a ban)."""
    if status == 401:
        what = "the OAuth token, even after fetching a new one" if oauth else "the request (public JSON)"
        return FetchError(f"r/{subreddit}: HTTP 401 Unauthorized: Reddit refused {what}; check "
                          f"REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET", api=API, feed=subreddit, reason="auth")
    if _is_block_page(body):
        return FetchError(f"r/{subreddit}: HTTP {status} with the 'Blocked' HTML page: {_BLOCK_HINT}",
                          api=API, feed=subreddit, reason="auth")
    return FetchError(f"r/{subreddit}: HTTP {status} Forbidden: the subreddit is private, quarantined or "
                      f"banned, or these credentials may not read it", api=API, feed=subreddit, reason="auth")


def subreddits_of(params: dict[str, object], symbols: Sequence[SymbolConfig]) -> tuple[str, ...]:
    """params.subreddits then every symbol's subreddits, without "r/" and without case-insensitive repeats."""
    names = (p_list(params, "subreddits", ["CryptoCurrency"]) or []) + [s for sym in symbols for s in sym.subreddits]
    seen: dict[str, str] = {}
    for name in names:
        clean = name.strip().removeprefix("/").removeprefix("r/").strip("/")
        if clean and clean.lower() not in seen:
            seen[clean.lower()] = clean
    return tuple(seen.values())


async def fetch(http: Http, url: str, *, params: dict[str, str], headers: dict[str, str], subreddit: str,
                seconds: float) -> Response:
    """GET one listing; 401 and 403 come back as responses (their body says what happened)."""
    return await http.get(API, url, params=params, headers=headers, timeout=seconds, feed=subreddit,
                          allow_statuses=(401, 403))


class RedditSource:
    """The `reddit` job: one listing request per subreddit per run."""

    api = API
    feed: str | None = None

    def __init__(self, cfg: SourceConfig, secrets: Secrets, symbols: Sequence[SymbolConfig]) -> None:
        params = cfg.params
        self.key = cfg.name
        self.interval = cfg.interval
        self.timeout = cfg.timeout
        self.base_url = (cfg.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.oauth_base_url = p_str(params, "oauth_base_url", DEFAULT_OAUTH_BASE_URL).rstrip("/")
        self.token_url = p_str(params, "token_url", DEFAULT_TOKEN_URL)
        self.subreddits = subreddits_of(dict(params), symbols)
        listing = p_str(params, "listing", "new")
        self.listing = listing if listing in LISTINGS else "new"
        self.limit = max(1, min(100, int(p_num(params, "limit", 50))))
        self.user_agent = p_str(params, "user_agent", DEFAULT_USER_AGENT).replace("{version}", __version__)
        cid, secret = secrets.reddit_client_id, secrets.reddit_client_secret
        self._credentials = (cid, secret) if cid and secret else None
        self._token: str | None = None
        self._token_expires = 0.0

    @property
    def oauth(self) -> bool:
        return self._credentials is not None

    async def _bearer(self, http: Http, now: float, deadline: Deadline, lock: asyncio.Lock) -> str:
        async with lock:
            if self._token and now < self._token_expires - TOKEN_MARGIN:
                return self._token
            assert self._credentials is not None
            resp = await http.request(
                "POST", API, self.token_url, data={"grant_type": "client_credentials"},
                auth=self._credentials, headers={"User-Agent": self.user_agent}, timeout=deadline.left(),
            )
            token, expires_in = parse_token(resp.body)
            remember(token)  # never shown, even if an upstream quotes it back
            self._token, self._token_expires = token, now + expires_in
            return token

    def _forget(self, token: str) -> None:
        if self._token == token:
            self._token, self._token_expires = None, 0.0

    async def _one(self, http: Http, sub: str, now: float, deadline: Deadline, lock: asyncio.Lock) -> list[Item]:
        params = {"limit": str(self.limit), "raw_json": "1"}
        headers = {"User-Agent": self.user_agent}
        name = quote(sub, safe="")
        if not self.oauth:
            url = f"{self.base_url}/r/{name}/{self.listing}.json"
            resp = await fetch(http, url, params=params, headers=headers, subreddit=sub, seconds=deadline.left())
        else:
            url = f"{self.oauth_base_url}/r/{name}/{self.listing}"
            for attempt in (1, 2):
                token = await self._bearer(http, now, deadline, lock)
                resp = await fetch(http, url, params=params, headers={**headers, "Authorization": f"bearer {token}"},
                                   subreddit=sub, seconds=deadline.left())
                if resp.status != 401 or attempt == 2:
                    break
                self._forget(token)  # expired or revoked early: fetch a new one and retry once
        if resp.status in (401, 403):
            raise status_error(resp.status, resp.body, sub, oauth=self.oauth)
        return parse(resp.body, subreddit=sub, now=now)

    async def collect(self, http: Http, now: float) -> Collected:
        deadline = Deadline(self.timeout, api=API)
        lock = asyncio.Lock()
        gate = asyncio.Semaphore(CONCURRENCY)

        async def guarded(sub: str) -> list[Item]:
            async with gate:
                return await self._one(http, sub, now, deadline, lock)

        outcomes = await asyncio.gather(*(guarded(s) for s in self.subreddits), return_exceptions=True)
        items: list[Item] = []
        errors: list[SourceError] = []
        for got in outcomes:
            if isinstance(got, SourceError):
                errors.append(got)
            elif isinstance(got, BaseException):
                raise got  # a bug, not an upstream failure: let the pipeline count it as internal
            else:
                items.extend(got)
        if errors and len(errors) == len(self.subreddits):
            raise errors[0]
        for err in errors:
            log.warning("reddit: one subreddit failed, the others were kept: %s", http.redact(str(err)),
                        extra={"source": API, "feed": err.feed, "reason": err.reason})
        return Collected(items=tuple(items))
