"""A fake of every upstream the collector reads, on a loopback port, for the real-Prometheus test.

Small answers in each service's wire format (written for these tests), dated a few minutes before the request
so every item is inside the scoring window. `failing` holds RSS feed names that answer HTTP 503 while present,
so a test can break one feed and watch the alert. `hits` counts requests per path.

Routes (BASE = `FakeUpstream.base`):
  BASE/cryptopanic/api/v1/posts/           CryptoPanic v1 posts (401 without auth_token)
  BASE/reddit/r/<sub>/<listing>.json       Reddit public listing
  BASE/coingecko/api/v3/simple/price       CoinGecko prices; /search/trending; /global
  BASE/feargreed/fng/                      alternative.me Fear & Greed
  BASE/whalealert/v1/transactions          Whale Alert v1 (401 without api_key)
  BASE/rss/<feed>.xml                      an RSS 2.0 feed (503 while <feed> is in `failing`)
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FEAR_GREED = 42


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def cryptopanic_posts(now: float) -> dict[str, Any]:
    posts = [
        (1, "Bitcoin rallies as spot ETF inflows hit a record high", [("BTC", "Bitcoin")], {"positive": 12}),
        (2, "Ethereum developers delay the upgrade after a testnet bug", [("ETH", "Ethereum")],
         {"negative": 4}),
        (3, "Bitcoin and Ethereum hold steady while traders wait for the Fed", [("BTC", "Bitcoin"),
                                                                               ("ETH", "Ethereum")], {}),
    ]
    return {
        "count": len(posts),
        "next": None,
        "previous": None,
        "results": [
            {
                "kind": "news",
                "domain": "news.example",
                "source": {"title": "Example News", "region": "en", "domain": "news.example", "path": None},
                "title": title,
                "published_at": _iso(now - 120 - 60 * pid),
                "slug": f"post-{pid}",
                "id": 9000 + pid,
                "url": f"https://cryptopanic.com/news/{9000 + pid}/post-{pid}",
                "created_at": _iso(now - 120 - 60 * pid),
                "votes": {"negative": 0, "positive": 0, "important": 0, "liked": 0, "disliked": 0, "lol": 0,
                          "toxic": 0, "saved": 0, "comments": 0, **votes},
                "currencies": [{"code": code, "title": name, "slug": name.lower(),
                                "url": f"https://cryptopanic.com/news/{name.lower()}/"} for code, name in tags],
            }
            for pid, title, tags, votes in posts
        ],
    }


def reddit_listing(subreddit: str, now: float) -> dict[str, Any]:
    posts = [
        ("p1", "Bitcoin looks strong this week, buying more", "Long term holder, feeling great.", 120, 30),
        ("p2", "Worried about Ethereum fees again", "Gas was painful today.", 40, 12),
        ("p3", "Daily discussion thread", "Chat about anything.", 5, 200),
    ]
    return {
        "kind": "Listing",
        "data": {
            "after": None, "dist": len(posts), "modhash": "", "before": None,
            "children": [
                {"kind": "t3", "data": {
                    "subreddit": subreddit, "title": title, "selftext": body, "name": f"t3_{pid}{subreddit}",
                    "id": f"{pid}{subreddit}", "score": score, "num_comments": comments, "stickied": False,
                    "created_utc": now - 90 - 60 * i, "permalink": f"/r/{subreddit}/comments/{pid}/post/",
                    "url": f"https://www.reddit.com/r/{subreddit}/comments/{pid}/post/", "author": "someone",
                }}
                for i, (pid, title, body, score, comments) in enumerate(posts)
            ],
        },
    }


PRICES = {
    "bitcoin": {"usd": 61234.5, "usd_market_cap": 1.21e12, "usd_24h_change": 2.5},
    "ethereum": {"usd": 2345.6, "usd_market_cap": 2.8e11, "usd_24h_change": -1.25},
}
TRENDING = {"coins": [{"item": {"id": "ethereum", "coin_id": 279, "name": "Ethereum", "symbol": "ETH",
                                "market_cap_rank": 2, "score": 0}}], "nfts": [], "categories": []}
GLOBAL = {"data": {"active_cryptocurrencies": 10000, "markets": 900,
                   "total_market_cap": {"usd": 2.3e12}, "market_cap_change_percentage_24h_usd": -0.75,
                   "updated_at": 0}}


def fear_greed(now: float) -> dict[str, Any]:
    today = int(now) // 86400 * 86400
    return {"name": "Fear and Greed Index",
            "data": [{"value": str(FEAR_GREED), "value_classification": "Fear", "timestamp": str(today),
                      "time_until_update": "3600"}],
            "metadata": {"error": None}}


def whale_transactions(now: float) -> dict[str, Any]:
    return {"result": "success", "cursor": "0-0-0", "count": 1, "transactions": [{
        "blockchain": "bitcoin", "symbol": "btc", "id": "1", "transaction_type": "transfer", "hash": "ab12cd34",
        "from": {"address": "1exch", "owner": "exchange a", "owner_type": "exchange"},
        "to": {"address": "1cold", "owner_type": "unknown"},
        "timestamp": int(now - 300), "amount": 500, "amount_usd": 30_000_000, "transaction_count": 1}]}


def rss_feed(name: str, now: float) -> bytes:
    items = [
        ("Bitcoin miners report strong revenue as hashprice recovers", 180),
        ("Ethereum staking withdrawals rise after the upgrade", 360),
        (f"Market wrap from {name}: quiet weekend ahead", 540),
    ]
    entries = "".join(
        f"<item><title>{title}</title><link>https://{name}.example/a/{i}</link>"
        f'<guid isPermaLink="false">{name}-{i}</guid>'
        f"<pubDate>{email.utils.formatdate(now - age, usegmt=True)}</pubDate>"
        f"<description>{title}.</description></item>"
        for i, (title, age) in enumerate(items)
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{name}</title>'
            f"<link>https://{name}.example/</link><description>Test feed</description>{entries}"
            f"</channel></rss>").encode()


class FakeUpstream:
    """Serves the routes above on 127.0.0.1 from a daemon thread; use as a context manager."""

    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-upstream", daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeUpstream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        now = time.time()
        js = "application/json; charset=utf-8"
        if path.rstrip("/") == "/cryptopanic/api/v1/posts":
            if not query.get("auth_token"):
                return 401, json.dumps({"status": "api_error", "info": "Token not found"}).encode(), js
            return 200, json.dumps(cryptopanic_posts(now)).encode(), js
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["reddit", "r"] and parts[3].endswith(".json"):
            return 200, json.dumps(reddit_listing(parts[2], now)).encode(), js
        if path == "/coingecko/api/v3/simple/price":
            ids = ",".join(query.get("ids", [])).split(",")
            return 200, json.dumps({k: v for k, v in PRICES.items() if k in ids}).encode(), js
        if path == "/coingecko/api/v3/search/trending":
            return 200, json.dumps(TRENDING).encode(), js
        if path == "/coingecko/api/v3/global":
            return 200, json.dumps(GLOBAL).encode(), js
        if path.rstrip("/") == "/feargreed/fng":
            return 200, json.dumps(fear_greed(now)).encode(), js
        if path.rstrip("/") == "/whalealert/v1/transactions":
            if not query.get("api_key"):
                return 401, json.dumps({"result": "error", "message": "invalid api_key"}).encode(), js
            return 200, json.dumps(whale_transactions(now)).encode(), js
        if len(parts) == 2 and parts[0] == "rss" and parts[1].endswith(".xml"):
            name = parts[1].removesuffix(".xml")
            if name in self.failing:
                return 503, b"<html><body>503 Service Unavailable</body></html>", "text/html"
            return 200, rss_feed(name, now), "application/rss+xml; charset=utf-8"
        return 404, json.dumps({"error": "not found", "path": path}).encode(), js

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                with fake._lock:
                    fake.hits[url.path] += 1
                status, body, ctype = fake.answer(url.path, parse_qs(url.query))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
