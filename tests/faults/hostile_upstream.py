"""A hostile stand-in for every upstream: a threaded raw-socket HTTP/1.1 server on a loopback address.

Every route answers with a *case*: a function that gets the parsed request and the socket and writes whatever
bytes it likes (so it can trickle, reset mid-body, lie about sizes, redirect forever or send bombs). By
default each route gives a good answer in the real wire format of its upstream (written here in our own
words), with times a few minutes before the request, so a test only overrides the route it attacks.
`seen` keeps every request (method, path, query, headers, body) so tests can check what was sent where.
"""

from __future__ import annotations

import base64
import email.utils
import json
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import brotli


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    target: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    host: str  # the address of the server that received it

    def text(self) -> str:
        """Everything the client sent, as one string (for "is a secret in here" checks)."""
        head = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"{self.method} {self.target}\n{head}\n\n{self.body.decode('latin-1')}"


class Exchange:
    """A request and the socket to answer it on."""

    def __init__(self, sock: socket.socket, seen: Seen, upstream: HostileUpstream) -> None:
        self.sock = sock
        self.seen = seen
        self.upstream = upstream

    def send(self, status: int, body: bytes = b"", *, content_type: str = "application/json",
             headers: Mapping[str, str] | None = None, length: int | None = None) -> None:
        """A complete response (Content-Length is the body's unless `length` says otherwise)."""
        self.head(status, {"Content-Type": content_type,
                           "Content-Length": str(len(body) if length is None else length), **(headers or {})})
        self.write(body)

    def head(self, status: int, headers: Mapping[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} {_PHRASES.get(status, 'Whatever')}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        for i in range(0, len(view), 256 * 1024):
            self.sock.sendall(view[i:i + 256 * 1024])

    def wait(self, seconds: float) -> bool:
        """Sleep; False when the server is stopping."""
        return not self.upstream.stopping.wait(seconds)


Case = Callable[[Exchange], None]

_PHRASES = {200: "OK", 204: "No Content", 301: "Moved Permanently", 302: "Found", 303: "See Other",
            307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable"}


# -- cases -----------------------------------------------------------------------------------------------
def answer(status: int, body: bytes | str = b"", *, content_type: str = "application/json",
           headers: Mapping[str, str] | None = None) -> Case:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda ex: ex.send(status, data, content_type=content_type, headers=headers)


def json_answer(doc: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Case:
    return answer(status, json.dumps(doc), headers=headers)


def trickle(body: bytes, every: float = 1.0, content_type: str = "application/rss+xml") -> Case:
    """Headers at once, then one byte every `every` seconds."""
    def case(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": content_type, "Content-Length": str(len(body))})
        for i in range(len(body)):
            ex.write(body[i:i + 1])
            if not ex.wait(every):
                return
    return case


def hang(seconds: float = 30.0) -> Case:
    """Read the request, then say nothing."""
    return lambda ex: ex.wait(seconds) and None


def reset_mid_body(total: int = 100_000, sent: int = 1000) -> Case:
    """Promise `total` bytes, send `sent`, then reset the connection (RST)."""
    def case(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": "application/json", "Content-Length": str(total)})
        ex.write(b'{"data": [' + b" " * max(0, sent - 10))
        ex.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        ex.sock.close()
    return case


def redirect(location: str | Callable[[Exchange], str], status: int = 302) -> Case:
    def case(ex: Exchange) -> None:
        where = location(ex) if callable(location) else location
        ex.send(status, b"", content_type="text/plain", headers={"Location": where})
    return case


def chunked(pieces: Iterable[bytes], *, content_type: str = "application/rss+xml",
            headers: Mapping[str, str] | None = None) -> Case:
    """Transfer-Encoding: chunked, no Content-Length."""
    def case(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": content_type, "Transfer-Encoding": "chunked", **(headers or {})})
        for piece in pieces:
            if piece:
                ex.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        ex.write(b"0\r\n\r\n")
    return case


def every_nth(n: int, case: Case, otherwise: Case) -> Case:
    """`case` for every n-th request to the route (the first included), `otherwise` for the rest."""
    count = iter(range(10**9))
    return lambda ex: (case if next(count) % n == 0 else otherwise)(ex)


def encoded(body: bytes, encoding: str, *, content_type: str = "application/rss+xml") -> Case:
    return answer(200, body, content_type=content_type, headers={"Content-Encoding": encoding})


# -- bombs -------------------------------------------------------------------------------------------------
def _zero_deflate(size: int) -> tuple[bytes, int]:
    """Raw deflate of `size` zero bytes, built from 1 MiB blocks that compress identically after a full
    flush (so a 1 GiB bomb takes milliseconds, not a minute), and the number of bytes it expands to."""
    block = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    middle = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    last = comp.compress(block) + comp.flush()
    blocks = max(3, size >> 20)
    return first + middle * (blocks - 2) + last, blocks << 20


def gzip_bomb(size: int = 1 << 30) -> bytes:
    raw, n = _zero_deflate(size)
    crc = 0
    block = bytes(1 << 20)
    for _ in range(n >> 20):
        crc = zlib.crc32(block, crc)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03" + raw + struct.pack("<II", crc, n & 0xFFFFFFFF)


def deflate_bomb(size: int = 1 << 30) -> bytes:
    raw, n = _zero_deflate(size)
    adler = 1
    block = bytes(1 << 20)
    for _ in range(n >> 20):
        adler = zlib.adler32(block, adler)
    return b"\x78\xda" + raw + struct.pack(">I", adler)


def brotli_bomb(size: int = 1 << 30) -> bytes:
    comp = brotli.Compressor(quality=1)
    block = bytes(1 << 20)
    return b"".join([comp.process(block) for _ in range(size >> 20)] + [comp.finish()])


# -- good answers, in each upstream's wire format ----------------------------------------------------------
def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def cryptopanic_posts(ex: Exchange) -> None:
    token = (ex.seen.query.get("auth_token") or [""])[0]
    if token != ex.upstream.secrets.get("CRYPTOPANIC_API_KEY"):
        ex.send(401, b'{"status": "api_error", "info": "Token not found"}')
        return
    now = time.time()
    doc = {"count": 2, "next": None, "previous": None, "results": [
        {"kind": "news", "domain": "ledger.example", "source": {"title": "Ledger", "domain": "ledger.example"},
         "title": "Bitcoin miners extend their quiet accumulation streak", "published_at": _iso(now - 240),
         "slug": "miners", "currencies": [{"code": "BTC", "title": "Bitcoin"}], "id": 9001,
         "url": "https://cryptopanic.example/news/9001/miners", "created_at": _iso(now - 240),
         "votes": {"negative": 0, "positive": 4, "important": 1, "liked": 2, "disliked": 0, "lol": 0,
                   "toxic": 0, "saved": 1, "comments": 0}},
        {"kind": "news", "domain": "chain.example", "source": {"title": "Chain", "domain": "chain.example"},
         "title": "Ethereum developers schedule the next network upgrade", "published_at": _iso(now - 420),
         "currencies": [{"code": "ETH"}], "id": 9002, "url": "https://cryptopanic.example/news/9002/upgrade",
         "votes": {}},
    ]}
    ex.send(200, json.dumps(doc).encode())


def reddit_token(ex: Exchange) -> None:
    want = base64.b64encode(f"{ex.upstream.secrets.get('REDDIT_CLIENT_ID')}:"
                            f"{ex.upstream.secrets.get('REDDIT_CLIENT_SECRET')}".encode()).decode()
    if ex.seen.headers.get("authorization") != f"Basic {want}":
        ex.send(401, b'{"message": "Unauthorized", "error": 401}')
        return
    ex.send(200, json.dumps({"access_token": REDDIT_BEARER, "token_type": "bearer", "expires_in": 86400,
                             "scope": "*"}).encode())


REDDIT_BEARER = "rbearer-FAULTS-0u9y8t7r6e"  # a fake token the fake server issues


def reddit_listing(ex: Exchange) -> None:
    if ex.seen.headers.get("authorization") != f"bearer {REDDIT_BEARER}":
        ex.send(401, b'{"message": "Unauthorized", "error": 401}')
        return
    now = time.time()
    posts = [
        {"kind": "t3", "data": {"title": "Daily discussion thread", "stickied": True, "name": "t3_d0",
                                "created_utc": now - 50, "score": 5, "num_comments": 900, "selftext": "",
                                "permalink": "/r/CryptoCurrency/comments/d0/daily/"}},
        {"kind": "t3", "data": {"title": "Solana fees stayed low all week, pleasantly surprised",
                                "stickied": False, "name": "t3_s1", "created_utc": now - 100, "score": 120,
                                "num_comments": 30, "selftext": "Swapped a few times, no issues.",
                                "permalink": "/r/CryptoCurrency/comments/s1/solana_fees/"}},
        {"kind": "t3", "data": {"title": "Lost money on a bad ETH trade, lesson learned",
                                "stickied": False, "name": "t3_s2", "created_utc": now - 160, "score": 14,
                                "num_comments": 8, "selftext": "",
                                "permalink": "/r/CryptoCurrency/comments/s2/bad_trade/"}},
    ]
    ex.send(200, json.dumps({"kind": "Listing", "data": {"after": None, "dist": 3, "children": posts}}).encode())


def coingecko_price(ex: Exchange) -> None:
    ids = (ex.seen.query.get("ids") or [""])[0].split(",")
    prices = {"bitcoin": 64000.5, "ethereum": 3100.25, "solana": 142.75}
    doc = {i: ({"usd": prices[i], "usd_24h_change": 1.5, "usd_market_cap": prices[i] * 1e7}
               if i in prices else {}) for i in ids if i}
    ex.send(200, json.dumps(doc).encode())


def coingecko_trending(ex: Exchange) -> None:
    ex.send(200, json.dumps({"coins": [{"item": {"id": "solana", "symbol": "SOL", "score": 0}},
                                       {"item": {"id": "pepe", "symbol": "PEPE", "score": 1}}]}).encode())


def coingecko_global(ex: Exchange) -> None:
    ex.send(200, json.dumps({"data": {"active_cryptocurrencies": 9000,
                                      "market_cap_change_percentage_24h_usd": -0.8}}).encode())


def feargreed(ex: Exchange) -> None:
    day = int(time.time()) // 86400 * 86400
    ex.send(200, json.dumps({"name": "Fear and Greed Index", "data": [
        {"value": "41", "value_classification": "Fear", "timestamp": str(day), "time_until_update": "3600"}],
        "metadata": {"error": None}}).encode())


def whale_transactions(ex: Exchange) -> None:
    if (ex.seen.query.get("api_key") or [""])[0] != ex.upstream.secrets.get("WHALE_ALERT_API_KEY"):
        ex.send(401, b'{"result": "error", "message": "invalid api_key"}')
        return
    now = int(time.time())
    ex.send(200, json.dumps({"result": "success", "cursor": "x", "count": 1, "transactions": [
        {"blockchain": "bitcoin", "symbol": "btc", "id": "77", "transaction_type": "transfer", "hash": "h77",
         "from": {"address": "a", "owner_type": "exchange", "owner": "someexchange"},
         "to": {"address": "b", "owner_type": "unknown"}, "timestamp": now - 300, "amount": 500,
         "amount_usd": 32_000_000}]}).encode())


def rss_feed(ex: Exchange) -> None:
    name = ex.seen.path.rsplit("/", 1)[-1].removesuffix(".xml")
    now = time.time()
    ex.send(200, rss_document(name, [
        (f"{name}: Polkadot parachain auction draws record bids", f"https://{name}.example/polkadot",
         email.utils.formatdate(now - 300, usegmt=True)),
        ("Exchange outflows of Bitcoin reach a yearly high", "https://wire.example/outflows",
         email.utils.formatdate(now - 360, usegmt=True)),
    ]), content_type="application/rss+xml; charset=utf-8")


def rss_document(channel: str, items: Iterable[tuple[str, str, str]], *, prolog: str = "") -> bytes:
    """An RSS 2.0 document; each item is (title, link, pubDate); titles are used verbatim (not escaped)."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>{d}</pubDate>"
                   f"</item>" for t, link, d in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<rss version="2.0"><channel><title>{channel}</title>'
            f"<link>https://{channel}.example/</link><description>d</description>{body}</channel></rss>"
            ).encode()


def not_found(ex: Exchange) -> None:
    ex.send(404, b'{"error": "not found"}')


# -- the server --------------------------------------------------------------------------------------------
class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops SYNs when a poll opens many connections at once
    owner: HostileUpstream

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # clients that give up mid-answer are the point of most cases


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        owner = self.server.owner
        line = self.rfile.readline(65537)
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self.connection.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            return
        headers: dict[str, str] = {}
        while True:
            raw = self.rfile.readline(65537)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length", "0")
        body = self.rfile.read(int(length)) if length.isdigit() and int(length) else b""
        url = urlsplit(parts[1])
        seen = Seen(parts[0], parts[1], url.path, parse_qs(url.query, keep_blank_values=True), headers, body,
                    owner.host)
        with owner.lock:
            owner.seen.append(seen)
        case = owner.routes.get(url.path, not_found)
        case(Exchange(self.connection, seen, owner))


@dataclass
class HostileUpstream:
    """`with HostileUpstream() as up:` serves on `up.base` until the block ends."""

    host: str = "127.0.0.1"
    secrets: dict[str, str] = field(default_factory=dict)
    routes: dict[str, Case] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.server = _Server((self.host, 0), _Handler)
        self.server.owner = self
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.routes.update(good_routes())

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> HostileUpstream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for s in self.seen if s.path == path)

    def requests_to(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]


# Route paths, also used by the test configs.
CP_POSTS = "/cp/api/v1/posts/"
REDDIT_TOKEN = "/reddit/api/v1/access_token"
REDDIT_NEW = "/reddit-oauth/r/CryptoCurrency/new"
CG_PRICE = "/cg/api/v3/simple/price"
CG_TRENDING = "/cg/api/v3/search/trending"
CG_GLOBAL = "/cg/api/v3/global"
FNG = "/fng/fng/"
WHALES = "/wa/v1/transactions"
RSS_ALPHA = "/rss/alpha.xml"
RSS_BETA = "/rss/beta.xml"


def good_routes() -> dict[str, Case]:
    return {CP_POSTS: cryptopanic_posts, REDDIT_TOKEN: reddit_token, REDDIT_NEW: reddit_listing,
            CG_PRICE: coingecko_price, CG_TRENDING: coingecko_trending, CG_GLOBAL: coingecko_global,
            FNG: feargreed, WHALES: whale_transactions, RSS_ALPHA: rss_feed, RSS_BETA: rss_feed}


def config_yaml(base: str, *, timeout: str = "3s", max_body_bytes: int = 262_144,
                feeds: Mapping[str, str] | None = None, extra: str = "") -> str:
    """feeds.yaml with every source (whalealert and reddit OAuth included) pointing at `base`."""
    feeds = feeds if feeds is not None else {"alpha": f"{base}{RSS_ALPHA}", "beta": f"{base}{RSS_BETA}"}
    feed_lines = "".join(f"    - {{name: {n}, url: '{u}'}}\n" for n, u in feeds.items())
    return f"""
symbols:
  BTC: {{aliases: [Bitcoin, BTC], coingecko_id: bitcoin}}
  ETH: {{aliases: [Ethereum, ETH, Ether], coingecko_id: ethereum}}
  SOL: {{aliases: [Solana, SOL], coingecko_id: solana}}
  DOT: {{aliases: [Polkadot, DOT], coingecko_id: polkadot}}
sources:
  cryptopanic: {{interval: 60s, timeout: {timeout}, base_url: '{base}/cp/api/v1'}}
  reddit:
    interval: 60s
    timeout: {timeout}
    base_url: '{base}/reddit'
    oauth_base_url: '{base}/reddit-oauth'
    token_url: '{base}{REDDIT_TOKEN}'
    subreddits: [CryptoCurrency]
  coingecko: {{interval: 60s, timeout: {timeout}, base_url: '{base}/cg/api/v3'}}
  feargreed: {{interval: 60s, timeout: {timeout}, base_url: '{base}/fng'}}
  whalealert: {{interval: 60s, timeout: {timeout}, base_url: '{base}/wa/v1'}}
rss:
  enabled: true
  interval: 60s
  timeout: {timeout}
  feeds:
{feed_lines}http:
  max_body_bytes: {max_body_bytes}
  max_redirects: 3
service:
  host: 127.0.0.1
  port: 0
  jitter: 0
{extra}"""
