"""Transport faults: refused, unresolvable, TLS, timeouts, trickle, redirects to other hosts."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from faults_support import FORBIDDEN, SECRETS, assert_no_secret, assert_only_failed
from hostile_upstream import (
    CG_PRICE,
    CP_POSTS,
    FNG,
    REDDIT_NEW,
    REDDIT_TOKEN,
    RSS_ALPHA,
    WHALES,
    coingecko_price,
    redirect,
    rss_document,
    trickle,
)

from collector.errors import FetchError
from collector.http import Http
from collector.redact import Redactor


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_faults_trickling_feed_times_out_on_the_overall_deadline(upstream, make_rig):
    """One byte a second never trips httpx's per-read timeout; the 2 s request deadline ends it at ~2 s."""
    body = rss_document("slow", [("A slow story", "https://slow.example/1", "")])
    upstream.routes[RSS_ALPHA] = trickle(body, every=1.0)
    rig = make_rig(timeout="2s")
    started = time.monotonic()
    results = await rig.poll()
    took = time.monotonic() - started
    assert_only_failed(results, "rss:alpha", "timeout")
    assert 1.9 <= results["rss:alpha"].duration_seconds < 3.0
    assert took < 3.5, "the other sources did not wait for the trickle either"
    assert rig.errors("rss", "timeout") == 1
    assert "within 2s" in results["rss:alpha"].error


async def test_faults_connection_refused_is_connect(upstream, make_rig):
    """A feed whose port refuses connections fails with connect; the other feed is fine."""
    rig = make_rig(feeds={"alpha": f"http://127.0.0.1:{_closed_port()}/rss/alpha.xml",
                          "beta": f"{upstream.base}/rss/beta.xml"})
    results = await rig.poll()
    assert_only_failed(results, "rss:alpha", "connect")
    assert rig.all_errors() == {("rss", "connect"): 1}


async def test_faults_tls_failure_is_tls(upstream, make_rig):
    """https to a server that does not speak TLS fails with tls."""
    rig = make_rig(feeds={"alpha": f"https://127.0.0.1:{upstream.port}/rss/alpha.xml",
                          "beta": f"{upstream.base}/rss/beta.xml"})
    results = await rig.poll()
    assert_only_failed(results, "rss:alpha", "tls")
    assert rig.all_errors() == {("rss", "tls"): 1}


class _Resolver(httpx.AsyncBaseTransport):
    """A transport whose name resolution fails for *.invalid and whose connects time out for *.slow, the way
    httpx reports them; everything else is refused (nothing here may touch a network)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host.endswith(".invalid"):
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)
        if request.url.host.endswith(".slow"):
            raise httpx.ConnectTimeout("timed out", request=request)
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


@pytest.mark.parametrize(("host", "reason"), [("feeds.example.invalid", "connect"), ("feeds.example.slow", "timeout"),
                                              ("feeds.example.com", "connect")])
async def test_faults_resolution_failure_and_connect_timeout_are_classified(host, reason):
    """DNS failure -> connect, connect timeout -> timeout, refused -> connect; the URL's token is not shown."""
    async with httpx.AsyncClient(transport=_Resolver()) as client:
        http = Http(client, redactor=Redactor(SECRETS.values()))
        with pytest.raises(FetchError) as info:
            await http.get("rss", f"https://{host}/feed?token={SECRETS['CRYPTOPANIC_API_KEY']}", feed="x")
    assert info.value.reason == reason and info.value.counted
    assert_no_secret(str(info.value), "the error")


# -- redirects to another host --------------------------------------------------------------------------------
def _to(other, path: str | None = None):  # type: ignore[no-untyped-def]
    """A Location on the other host: same path and query unless `path` is given."""
    return lambda ex: f"{other.base}{path or ex.seen.target}"


async def test_faults_cross_host_redirect_drops_the_query_token(upstream, other_host, rig):
    """CryptoPanic redirected elsewhere: auth_token is stripped; the other host refuses; nothing secret arrives."""
    upstream.routes[CP_POSTS] = redirect(_to(other_host))
    results = await rig.poll()
    assert_only_failed(results, "cryptopanic", "auth")
    [seen] = other_host.requests_to(CP_POSTS)
    assert "auth_token" not in seen.query and seen.query["public"] == ["true"]
    for req in other_host.seen:
        assert_no_secret(req.text(), "a request to another host")


async def test_faults_cross_host_redirect_drops_custom_key_headers(upstream, other_host, rig):
    """CoinGecko 307 to another host: followed (the data is public) but x-cg-demo-api-key stays home."""
    upstream.routes[CG_PRICE] = redirect(_to(other_host), status=307)
    other_host.routes[CG_PRICE] = coingecko_price
    results = await rig.poll()
    assert results["coingecko"].ok and results["coingecko"].items == 3
    [seen] = other_host.requests_to(CG_PRICE)
    assert "x-cg-demo-api-key" not in seen.headers
    assert seen.headers["user-agent"].startswith("sigmax-collector/")
    assert_no_secret(seen.text(), "a request to another host")


async def test_faults_same_host_redirect_keeps_credentials(upstream, rig):
    """A redirect on the same host (a moved path) keeps the key header: nothing is stripped needlessly."""
    upstream.routes[CG_PRICE] = redirect("/cg/api/v3/simple/price2", status=308)
    upstream.routes["/cg/api/v3/simple/price2"] = coingecko_price
    results = await rig.poll()
    assert results["coingecko"].ok
    [seen] = upstream.requests_to("/cg/api/v3/simple/price2")
    assert seen.headers["x-cg-demo-api-key"] == SECRETS["COINGECKO_API_KEY"]


@pytest.mark.parametrize("route", [REDDIT_TOKEN, REDDIT_NEW])
async def test_faults_cross_host_redirect_drops_authorization(route, upstream, other_host, rig):
    """Reddit's token POST (Basic) and listing GET (bearer) redirected elsewhere: no Authorization leaves."""
    upstream.routes[route] = redirect(_to(other_host), status=307)
    results = await rig.poll()
    assert_only_failed(results, "reddit", "auth")
    assert other_host.seen, "the redirect was followed"
    for req in other_host.seen:
        assert "authorization" not in req.headers
        assert_no_secret(req.text(), "a request to another host")


async def test_faults_cross_host_redirect_drops_api_key_param(upstream, other_host, rig):
    """Whale Alert's api_key query parameter does not follow a redirect to another host."""
    upstream.routes[WHALES] = redirect(_to(other_host))
    results = await rig.poll()
    assert_only_failed(results, "whalealert", "auth")
    [seen] = other_host.requests_to(WHALES)
    assert "api_key" not in seen.query and "min_value" in seen.query


async def test_faults_redirect_that_would_carry_a_secret_in_the_path_is_refused(upstream, other_host, rig):
    """A Location that embeds the token in its path is refused outright: nothing is sent there."""
    upstream.routes[CP_POSTS] = redirect(_to(other_host, f"/leak/{SECRETS['CRYPTOPANIC_API_KEY']}/posts/"))
    results = await rig.poll()
    assert_only_failed(results, "cryptopanic", "redirect")
    assert other_host.seen == []


async def test_faults_feed_moved_to_another_host_is_followed(upstream, other_host, rig):
    """A feed that moved to another host is still read; its status shows the final (redacted) URL."""
    upstream.routes[RSS_ALPHA] = redirect(_to(other_host), status=301)
    results = await rig.poll()
    assert all(r.ok for r in results.values())
    assert results["rss:alpha"].items == 2
    assert other_host.hits(RSS_ALPHA) == 1


def _mock_chain(routes: dict[str, httpx.Response], seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return routes[str(request.url.copy_with(query=None))]
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(("start", "target", "kept"), [
    ("http://api.example/a", "https://api.example/b", True),  # upgrade on the same host: same origin
    ("https://api.example/a", "http://api.example/b", False),  # downgrade: would send the key in clear
    ("https://api.example/a", "https://api.example:8443/b", False),  # another port is another origin
    ("https://api.example/a", "https://API.EXAMPLE/b", True),  # host names are case-insensitive
    ("https://api.example/a", "https://evil.example/b", False),
])
async def test_faults_redirect_origin_rules(start, target, kept):
    """Credentials follow a redirect only within the origin (an http -> https upgrade included)."""
    seen: list[httpx.Request] = []
    routes = {str(httpx.URL(start)): httpx.Response(302, headers={"location": f"{target}?key=v&page=2"}),
              str(httpx.URL(target)): httpx.Response(200, content=b"{}")}
    async with _mock_chain(routes, seen) as client:
        http = Http(client, redactor=Redactor(FORBIDDEN))
        await http.get("coingecko", start, headers={"x-cg-pro-api-key": SECRETS["COINGECKO_API_KEY"],
                                                    "Authorization": "Bearer abcdefgh"})
    last = seen[-1]
    assert ("x-cg-pro-api-key" in last.headers) is kept
    assert ("authorization" in last.headers) is kept
    assert ("key" in last.url.params) is kept and last.url.params["page"] == "2"


async def test_faults_redirect_303_after_post_becomes_get_without_body():
    """303 (and 301/302) after a POST continue as a GET with no body; 307 keeps method and body."""
    seen: list[httpx.Request] = []
    routes = {"https://a.example/token": httpx.Response(303, headers={"location": "/done"}),
              "https://a.example/done": httpx.Response(200, content=b"{}"),
              "https://a.example/keep": httpx.Response(307, headers={"location": "/kept"}),
              "https://a.example/kept": httpx.Response(200, content=b"{}")}
    async with _mock_chain(routes, seen) as client:
        http = Http(client)
        await http.request("POST", "reddit", "https://a.example/token", data={"grant_type": "x"})
        await http.request("POST", "reddit", "https://a.example/keep", data={"grant_type": "x"})
    assert [(r.method, r.url.path, r.content) for r in seen] == [
        ("POST", "/token", b"grant_type=x"), ("GET", "/done", b""),
        ("POST", "/keep", b"grant_type=x"), ("POST", "/kept", b"grant_type=x")]


async def test_faults_cookies_are_never_kept_or_sent(upstream, rig):
    """An upstream that sets fresh cookies on every answer grows nothing: no cookie is kept or sent back."""
    counter = iter(range(10**6))

    def with_cookies(ex):  # type: ignore[no-untyped-def]
        n = next(counter)
        cookies = "".join(f"Set-Cookie: c{n}_{i}=v{i}; Path=/\r\n" for i in range(20))
        body = b'{"data": [{"value": "41", "value_classification": "Fear"}]}'
        ex.write((f"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\n{cookies}\r\n").encode() + body)

    upstream.routes[FNG] = with_cookies
    for _ in range(5):
        assert (await rig.poll(["feargreed"]))["feargreed"].ok
    assert len(rig.client.cookies.jar) == 0
    assert all("cookie" not in req.headers for req in upstream.requests_to(FNG))
