"""An httpx transport on aiohttp's connection pool and C-accelerated HTTP/1.1 parser.

Why: with httpx's own transport (httpcore + anyio + h11) every request costs about 2.5 ms of CPU here, and its
pool scans every connection on each request and response (quadratic in the pool size: at 200 concurrent feeds,
seconds of CPU per poll, with the event loop blocked meanwhile). On aiohttp a request costs about a tenth of
that, which is what makes an unchanged poll (every feed answers 304) nearly free. Measured by bench/run.py.

Everything above the wire stays httpx: `collector.http.Http` builds httpx requests, follows redirects itself,
reads raw (still compressed) bytes and decompresses them with its own bounds. This transport only moves bytes:
- no redirects, no decompression (`auto_decompress=False`), no cookies, no proxies from the environment, no
  default headers of its own (the request's headers go out as they are);
- TLS verified against certifi's bundle, like httpx's default;
- at most `max_connections` connections in all (per-host limits are `Http`'s), idle ones kept `keepalive`
  seconds;
- every aiohttp failure becomes the httpx exception `Http` classifies: ConnectError (TLS ones keep their
  ssl cause), ConnectTimeout / ReadTimeout, RemoteProtocolError, ReadError. Cancellation passes through.
The session is created on first use inside the running event loop and closed by `aclose()`.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import certifi
import httpx
from multidict import CIMultiDict
from yarl import URL

#: Request headers that aiohttp computes from the body it sends.
_BODY_HEADERS = frozenset({"content-length", "transfer-encoding"})


def _convert(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for an aiohttp (or socket) failure."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return httpx.ConnectError(f"TLS: {text}", request=request)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(text, request=request)
    if isinstance(exc, aiohttp.SocketTimeoutError | aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(text, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(text, request=request)
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.ClientPayloadError | aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(text, request=request)
    return httpx.ReadError(text, request=request)


class _Body(httpx.AsyncByteStream):
    """The response body as it arrives; closing it gives the connection back (or drops it if unread)."""

    def __init__(self, resp: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._resp = resp
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _convert(exc, self._request) from exc

    async def aclose(self) -> None:
        self._resp.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, max_connections: int = 32, keepalive: float = 5.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.max_connections = max_connections
        self.keepalive = keepalive
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if self._ssl is None:
                self._ssl = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self.max_connections, limit_per_host=0,
                                             keepalive_timeout=self.keepalive, ssl=self._ssl)
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"), requote_redirect_url=False,
                timeout=aiohttp.ClientTimeout(total=None))
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        limits: dict[str, Any] = request.extensions.get("timeout") or {}
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=limits.get("connect"), sock_read=limits.get("read"))
        headers = CIMultiDict(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
            if k.decode("latin-1").lower() not in _BODY_HEADERS)
        body = await request.aread()
        try:
            resp = await self._session_now().request(
                request.method, URL(str(request.url), encoded=True), headers=headers, data=body or None,
                allow_redirects=False, timeout=timeout, proxy=None)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _convert(exc, request) from exc
        return httpx.Response(
            status_code=resp.status, headers=list(resp.raw_headers), stream=_Body(resp, request), request=request,
            extensions={"http_version": f"HTTP/{resp.version.major}.{resp.version.minor}".encode()
                        if resp.version else b"HTTP/1.1",
                        "reason_phrase": (resp.reason or "").encode("latin-1", "replace")})

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
