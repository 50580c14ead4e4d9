"""The HTTP edge: every upstream request goes through `Http.get`.

It adds, around an injected `httpx.AsyncClient`:
- an overall deadline per request, redirects included (httpx timeouts are per read: a trickling body must not
  hang a job). The deadline cancels the request, and httpcore (1.0.9) leaks a pool slot for good when a
  request is cancelled while it waits for a connection (encode/httpcore#1093): so at most as many requests
  as the pool holds are let in at once (waiting for that, like waiting for a per-host slot, is outside the
  deadline), and the pool never makes a request wait;
- a cap on the body size, enforced while streaming on the raw and on the decompressed size (`too_large`);
  decompression is ours (collector.decode), bounded per piece, so a gzip/deflate/brotli bomb never expands
  past the cap in memory;
- redirects followed here, at most `client.max_redirects` (reason `redirect` beyond that, for a loop, or for a
  Location that is not http(s)). Credentials never cross origins: when a redirect leaves the scheme, host and
  port it was sent to (an http -> https upgrade on the same host excepted), every request header except
  User-Agent/Accept/Accept-Language is dropped (Authorization, x-cg-*-api-key, cookies, validators, ...),
  userinfo and secret-looking query parameters (and any parameter carrying a known secret) are removed, and a
  target that would still carry a known secret is refused (`redirect`);
- classification of every failure into a `FetchError` with a reason from `collector.errors.REASONS`;
- redaction: no URL with a token ever reaches a message (httpx puts the full URL in its exceptions);
- per-api backoff after 429 (honouring Retry-After) and after 5xx (exponential, with jitter);
- an observer hook per request (api, outcome, reason, seconds) that the metrics module implements. A status
  the source asked to read itself (`allow_statuses`) that is >= 400 is reported as a failed request with
  reason None: the source raises its own, more specific error (quota, auth, ...), which the pipeline counts.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
import ssl
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from collector import __version__
from collector.decode import ACCEPT_ENCODING, DecodeError, make_decoder
from collector.errors import FetchError, RateLimited
from collector.redact import SECRET_PARAM, Redactor, redact_url, remember

_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: The only request headers that follow a redirect to another origin.
_CROSS_ORIGIN_HEADERS = frozenset({"user-agent", "accept", "accept-language"})


class RequestObserver(Protocol):
    def request_done(self, api: str, ok: bool, reason: str | None, seconds: float) -> None:
        """One request finished. ok False with reason None: it failed with a status its source reads and
        reports itself (count the request, not an error by reason)."""


    def backoff_until(self, api: str, feed: str | None, until: float | None) -> None: ...


class _NullObserver:
    def request_done(self, api: str, ok: bool, reason: str | None, seconds: float) -> None:
        return None

    def backoff_until(self, api: str, feed: str | None, until: float | None) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str  # final URL, redacted
    content_type: str


def make_client(
    *, user_agent: str | None = None, max_connections: int = 32, max_redirects: int = 5
) -> httpx.AsyncClient:
    """The production client. `Http` follows redirects itself (at most `max_redirects`, credentials never
    cross origins) and decompresses bodies itself (bounded), so only encodings it can bound are asked for.
    It keeps no cookies: no source needs one."""
    from collector.transport import AiohttpTransport  # here: parser worker processes never need aiohttp

    agent = (user_agent or "sigmax-collector/{version}").format(version=__version__)
    client = httpx.AsyncClient(
        headers={"User-Agent": agent, "Accept-Encoding": ACCEPT_ENCODING},
        transport=AiohttpTransport(max_connections=max_connections),  # see collector.transport: CPU per request
        follow_redirects=False,
        max_redirects=max_redirects,
        timeout=httpx.Timeout(10.0),
        trust_env=False,
        # no cookie is ever kept: an upstream could otherwise grow the jar (and every request) without end
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
    )
    _POOL_SIZE[client] = max_connections
    return client


#: Pool size of every client `make_client` built (an Http over one lets at most that many requests in at once).
_POOL_SIZE: weakref.WeakKeyDictionary[httpx.AsyncClient, int] = weakref.WeakKeyDictionary()


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class Http:
    """Shared by every source. One instance per process; `client` is injected (tests: MockTransport/respx)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        observer: RequestObserver | None = None,
        redactor: Redactor | None = None,
        max_body_bytes: int = 5 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        default_retry_after: float = 60.0,
        backoff_base: float = 5.0,
        max_backoff: float = 300.0,
        max_retry_after: float = 3600.0,
        per_host: int | None = None,
        max_in_flight: int | None = None,
    ) -> None:
        self.client = client
        self.observer: RequestObserver = observer or _NullObserver()
        self.redact = redactor or Redactor()
        self.max_body_bytes = max_body_bytes
        self.clock = clock
        self.rng = rng or random.Random()
        self.default_retry_after = default_retry_after
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after  # a hostile Retry-After of a year must not blind a source
        self._blocked_until: dict[str, float] = {}
        self._block_reason: dict[str, str] = {}
        self._failures: dict[str, int] = {}
        self.per_host = per_host
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        # never more requests than the pool has connections (default: the pool size make_client gave the client)
        self.max_in_flight = max_in_flight or _POOL_SIZE.get(client)
        self._in_flight: asyncio.Semaphore | None = None

    # -- backoff ---------------------------------------------------------------------------------
    # Backoff is kept per api, except for RSS where every feed is its own upstream (usually its own host),
    # so one failing feed never holds back the others.
    @staticmethod
    def backoff_key(api: str, feed: str | None) -> str:
        return f"{api}:{feed}" if api == "rss" and feed else api

    def blocked_for(self, api: str, feed: str | None = None) -> float:
        """Seconds this api (or RSS feed) is still in backoff (0 when requests may go out)."""
        return max(0.0, self._blocked_until.get(self.backoff_key(api, feed), 0.0) - self.clock())

    def _block(self, key: str, seconds: float, reason: str, cap: float | None = None) -> None:
        until = self.clock() + min(seconds, self.max_backoff if cap is None else cap)
        self._blocked_until[key] = max(until, self._blocked_until.get(key, 0.0))
        self._block_reason[key] = reason
        self.observer.backoff_until(*self._split(key), self._blocked_until[key])

    def _clear(self, key: str) -> None:
        self._failures.pop(key, None)
        self._block_reason.pop(key, None)
        if self._blocked_until.pop(key, None) is not None:
            self.observer.backoff_until(*self._split(key), None)

    @staticmethod
    def _split(key: str) -> tuple[str, str | None]:
        api, _, feed = key.partition(":")
        return api, feed or None

    def _note_failure(self, key: str, reason: str) -> None:
        """Repeated transport/5xx failures back off exponentially with jitter; one blip is retried next run."""
        n = self._failures[key] = self._failures.get(key, 0) + 1
        if n >= 2:
            base = min(self.max_backoff, self.backoff_base * 2 ** (n - 2))
            self._block(key, base * (0.5 + self.rng.random()), reason)

    # -- requests --------------------------------------------------------------------------------
    async def get(
        self,
        api: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        feed: str | None = None,
        allow_statuses: tuple[int, ...] = (),
    ) -> Response:
        return await self.request("GET", api, url, params=params, headers=headers, timeout=timeout,
                                  feed=feed, allow_statuses=allow_statuses)

    async def request(
        self,
        method: str,
        api: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float = 10.0,
        feed: str | None = None,
        allow_statuses: tuple[int, ...] = (),
    ) -> Response:
        """Send one request; return the response for 2xx, 304 and `allow_statuses`, else raise FetchError."""
        key = self.backoff_key(api, feed)
        wait = self.blocked_for(api, feed)
        if wait > 0:  # no request goes out, so nothing is counted: the failure that caused it already was
            reason = self._block_reason.get(key, "rate_limited")
            exc: FetchError = (
                RateLimited(f"rate limited: next request allowed in {wait:.0f}s", api=api, feed=feed,
                            retry_after=wait)
                if reason == "rate_limited"
                else FetchError(f"backing off after repeated {reason} failures; next try in {wait:.0f}s",
                                api=api, feed=feed, reason=reason)
            )
            exc.counted = True
            raise exc
        async with self._slot(url), self._pool_slot():  # waiting for a slot is not part of the deadline
            started = time.perf_counter()
            try:
                resp = await self._send(method, api, url, params, headers, data, auth, timeout, feed,
                                        allow_statuses)
            except FetchError as exc:
                self.observer.request_done(api, False, exc.reason, time.perf_counter() - started)
                exc.counted = True
                if exc.reason in ("timeout", "connect", "tls"):
                    self._note_failure(key, exc.reason)
                raise
        seconds = time.perf_counter() - started
        try:
            self._check_status(api, resp, feed, allow_statuses)
        except FetchError as exc:
            self.observer.request_done(api, False, exc.reason, seconds)
            exc.counted = True
            raise
        # an allowed status >= 400 is a failed request; its source raises (and the pipeline counts) the reason
        self.observer.request_done(api, resp.status < 400, None, seconds)
        self._clear(key)
        return resp

    def _pool_slot(self) -> asyncio.Semaphore | contextlib.nullcontext[None]:
        if not self.max_in_flight:
            return contextlib.nullcontext()
        if self._in_flight is None:
            self._in_flight = asyncio.Semaphore(self.max_in_flight)
        return self._in_flight

    def _slot(self, url: str) -> asyncio.Semaphore | contextlib.nullcontext[None]:
        """At most `per_host` requests at once to one host (waiting for a slot is not part of the deadline)."""
        if not self.per_host:
            return contextlib.nullcontext()
        host = urlsplit(url).netloc.lower()
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.per_host)
        return slot

    async def _send(
        self,
        method: str,
        api: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        auth: tuple[str, str] | None,
        timeout: float,
        feed: str | None,
        allow: tuple[int, ...],
    ) -> Response:
        shown = self.redact(redact_url(url))
        try:
            async with asyncio.timeout(timeout):
                if auth is not None:
                    headers = {**(headers or {}), **_basic_auth_header(auth)}
                req = self.client.build_request(
                    method, url, params=params, headers=headers, data=data, timeout=httpx.Timeout(timeout)
                )
                resp = await self._follow(req, dict(headers or {}), data, api, feed, timeout)
                try:
                    shown = self.redact(redact_url(str(resp.url)))
                    status = resp.status_code
                    wanted = 200 <= status < 300 or status in allow  # other bodies are never read
                    body = await self._read(resp, api, feed, shown) if wanted else b""
                finally:
                    await _close(resp)
        except TimeoutError:
            raise FetchError(f"{shown}: no complete answer within {timeout:g}s", api=api, feed=feed,
                             reason="timeout") from None
        except httpx.TimeoutException:
            raise FetchError(f"{shown}: timed out after {timeout:g}s", api=api, feed=feed,
                             reason="timeout") from None
        except httpx.ConnectError as exc:
            reason = "tls" if _is_tls(exc) else "connect"
            what = "TLS handshake failed" if reason == "tls" else "cannot connect"
            raise FetchError(f"{shown}: {what} ({self._describe(exc)})", api=api, feed=feed,
                             reason=reason) from None
        except (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"{shown}: {type(exc).__name__} ({self._describe(exc)})", api=api, feed=feed,
                             reason="connect") from None
        return Response(
            status=resp.status_code,
            headers=resp.headers,
            body=body,
            url=shown,
            content_type=resp.headers.get("content-type", ""),
        )

    async def _follow(
        self,
        req: httpx.Request,
        headers: dict[str, str],
        data: Mapping[str, str] | None,
        api: str,
        feed: str | None,
        timeout: float,
    ) -> httpx.Response:
        """Send `req`, following redirects ourselves; the final response is returned unread (streaming)."""
        seen = {str(req.url)}
        limit = self.client.max_redirects
        for _ in range(limit + 1):
            resp = await self.client.send(req, stream=True, follow_redirects=False)
            location = resp.headers.get("location")
            if resp.status_code not in _REDIRECT_STATUSES or not location:
                return resp
            await _close(resp)
            req, headers, data = self._redirected(req, resp.status_code, location, headers, data, api, feed,
                                                  timeout)
            if str(req.url) in seen:
                raise FetchError(f"{self.redact(redact_url(str(req.url)))}: redirect loop", api=api, feed=feed,
                                 reason="redirect")
            seen.add(str(req.url))
        raise FetchError(f"{self.redact(redact_url(str(req.url)))}: more than {limit} redirects", api=api,
                         feed=feed, reason="redirect")

    def _redirected(
        self,
        req: httpx.Request,
        status: int,
        location: str,
        headers: dict[str, str],
        data: Mapping[str, str] | None,
        api: str,
        feed: str | None,
        timeout: float,
    ) -> tuple[httpx.Request, dict[str, str], Mapping[str, str] | None]:
        """The next request of a redirect chain, with no credential carried to another origin."""
        here = self.redact(redact_url(str(req.url)))
        try:
            target = req.url.join(location.strip())
        except (httpx.InvalidURL, ValueError):
            raise FetchError(f"{here}: redirect to an unusable Location", api=api, feed=feed,
                             reason="redirect") from None
        if target.scheme not in ("http", "https") or not target.host:
            raise FetchError(f"{here}: redirect to a non-http(s) URL refused", api=api, feed=feed,
                             reason="redirect")
        method = req.method
        if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
            method, data = "GET", None
        if not _same_origin(req.url, target):
            headers = {k: v for k, v in headers.items() if k.lower() in _CROSS_ORIGIN_HEADERS}
            target = self._without_credentials(target)
            if self.redact(str(target)) != str(target):
                raise FetchError(f"{here}: redirect to another host would carry a credential; refused",
                                 api=api, feed=feed, reason="redirect")
        nxt = self.client.build_request(method, target, headers=headers, data=data,
                                        timeout=httpx.Timeout(timeout))
        return nxt, headers, data

    def _without_credentials(self, url: httpx.URL) -> httpx.URL:
        """`url` without userinfo, secret-looking query parameters or parameters holding a known secret."""
        params: list[tuple[str, str | int | float | bool | None]] = [
            (k, v) for k, v in url.params.multi_items()
                  if not SECRET_PARAM.search(k) and self.redact(v) == v]
        clean = url.copy_with(username=None, password=None, query=None)
        return clean.copy_merge_params(params) if params else clean

    async def _read(self, resp: httpx.Response, api: str, feed: str | None, shown: str) -> bytes:
        """The body, decompressed in bounded pieces; too_large as soon as raw or decoded bytes pass the cap."""
        cap = self.max_body_bytes
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(f"{shown}: body of {int(declared)} bytes is over the cap of {cap}",
                             api=api, feed=feed, reason="too_large")
        chunks: list[bytes] = []
        raw = size = 0
        try:
            if resp.is_stream_consumed:  # built from bytes (MockTransport, respx): httpx has decoded it already
                decoder, stream = make_decoder(None), _once(resp.content)
            else:
                decoder, stream = make_decoder(resp.headers.get("content-encoding")), resp.aiter_raw()
            async for chunk in stream:
                raw += len(chunk)
                if raw > cap:
                    raise FetchError(f"{shown}: body is over the cap of {cap} bytes", api=api, feed=feed,
                                     reason="too_large")
                for piece in decoder.feed(chunk):
                    size += len(piece)
                    if size > cap:
                        raise FetchError(f"{shown}: decompressed body is over the cap of {cap} bytes",
                                         api=api, feed=feed, reason="too_large")
                    chunks.append(piece)
            for piece in decoder.flush():
                size += len(piece)
                if size > cap:
                    raise FetchError(f"{shown}: decompressed body is over the cap of {cap} bytes",
                                     api=api, feed=feed, reason="too_large")
                chunks.append(piece)
        except DecodeError as exc:
            raise FetchError(f"{shown}: body could not be decompressed ({exc})", api=api, feed=feed,
                             reason="parse") from None
        return b"".join(chunks)

    def _describe(self, exc: BaseException) -> str:
        """An exception's text without its URL or any secret."""
        text = str(exc) or type(exc).__name__
        return self.redact(text)[:200]

    def _check_status(self, api: str, resp: Response, feed: str | None, allow: tuple[int, ...]) -> None:
        status = resp.status
        if 200 <= status < 300 or status == 304 or status in allow:
            return
        where = resp.url
        key = self.backoff_key(api, feed)
        if status == 429:
            wait = parse_retry_after(resp.headers.get("retry-after"), self.clock())
            wait = min(wait, self.max_retry_after) if wait is not None else None
            self._block(key, wait if wait is not None else self.default_retry_after, "rate_limited",
                        cap=self.max_retry_after)
            shown = f"{wait:.0f}s (Retry-After)" if wait is not None else f"{self.default_retry_after:.0f}s"
            raise RateLimited(f"{where}: HTTP 429 Too Many Requests; backing off {shown}",
                              api=api, feed=feed, retry_after=wait)
        if status in (401, 403):
            raise FetchError(f"{where}: HTTP {status}: credentials missing, wrong or not allowed; check the "
                             f"API key in the environment", api=api, feed=feed, reason="auth")
        if 400 <= status < 500:
            raise FetchError(f"{where}: HTTP {status}", api=api, feed=feed, reason="http_4xx")
        if status >= 500:
            self._note_failure(key, "http_5xx")
            raise FetchError(f"{where}: HTTP {status} from upstream", api=api, feed=feed, reason="http_5xx")
        if 300 <= status < 400:
            raise FetchError(f"{where}: HTTP {status} redirect without a usable Location", api=api, feed=feed,
                             reason="redirect")
        raise FetchError(f"{where}: unexpected HTTP {status}", api=api, feed=feed, reason="http_4xx")


async def _close(resp: httpx.Response) -> None:
    """Close a response even when the deadline fires meanwhile: an interrupted `aclose` marks the response
    closed but leaves its connection checked out of the pool for good."""
    async def close() -> None:
        with contextlib.suppress(Exception):
            await resp.aclose()

    await asyncio.shield(close())


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _basic_auth_header(auth: tuple[str, str]) -> dict[str, str]:
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    remember(token)  # an upstream that quotes the header back must not get it into a message
    return {"Authorization": f"Basic {token}"}


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    """Same scheme, host and port; an http -> https upgrade on the same host counts as the same origin."""
    if a.host.lower() != b.host.lower():
        return False
    if a.scheme == b.scheme:
        return _port(a) == _port(b)
    return a.scheme == "http" and b.scheme == "https" and _port(a) == 80 and _port(b) == 443


def _port(url: httpx.URL) -> int | None:
    return url.port or {"http": 80, "https": 443}.get(url.scheme)


def _is_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "SSL" in str(exc) or "certificate" in str(exc).lower()
