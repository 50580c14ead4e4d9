"""The benchmark's local upstream: N generated feeds plus the JSON APIs, every answer after `--latency` seconds.

    python bench/server.py --feeds 200 --items 50 --latency 0.2      # prints {"base": "http://127.0.0.1:PORT"}

Routes (the shapes of the real upstreams):
  GET /rss/feedNNN.xml                      RSS 2.0 or Atom (see feedgen.py), ETag + Last-Modified; a matching
                                            If-None-Match or If-Modified-Since gets 304 with no body
  GET /cryptopanic/api/v1/posts/            CryptoPanic v1 posts (401 without auth_token)
  GET /reddit/r/<sub>/new.json              Reddit listing
  GET /coingecko/api/v3/simple/price        CoinGecko prices for every benchmark coin
  GET /coingecko/api/v3/search/trending     CoinGecko trending
  GET /coingecko/api/v3/global              CoinGecko global
  GET /feargreed/fng/                       alternative.me Fear & Greed
Control (no latency): GET /-/stats (answers by status), POST /-/reset-stats, POST /-/new-etags (same content,
new validators: the next poll downloads and parses everything again, but every item is already known).

Runs in its own process so its CPU is not counted as the collector's. Bodies are generated once at start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import json
import sys
import time
from collections import Counter
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))

import feedgen


class Upstream:
    def __init__(self, feeds: int, items: int, latency: float) -> None:
        self.latency = latency
        self.now = time.time()
        self.generation = 0
        self.stats: Counter[str] = Counter()
        shared = feedgen.shared_stories(self.now)
        shared_slugs = {s.slug for s in shared}
        self.feeds: dict[str, tuple[bytes, str]] = {}
        for i in range(feeds):
            body, ctype = feedgen.render_feed(i, feedgen.stories(i, items, self.now, shared), shared_slugs, self.now)
            self.feeds[f"feed{i:03d}.xml"] = (body, ctype)
        self.last_modified = email.utils.formatdate(self.now - 60, usegmt=True)

    def validators(self, name: str) -> tuple[str, str]:
        return f'"{name}-g{self.generation}"', self.last_modified

    async def feed(self, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(self.latency)
        name = request.match_info["name"]
        got = self.feeds.get(name)
        if got is None:
            self.stats["404"] += 1
            return web.Response(status=404, text="no such feed")
        etag, modified = self.validators(name)
        inm, ims = request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")
        if (inm is not None and inm == etag) or (inm is None and ims == modified):
            self.stats["304"] += 1
            return web.Response(status=304, headers={"ETag": etag, "Last-Modified": modified})
        self.stats["200"] += 1
        body, ctype = got
        return web.Response(body=body, headers={"Content-Type": ctype, "ETag": etag, "Last-Modified": modified})

    async def json(self, body: bytes, status: int = 200) -> web.Response:
        await asyncio.sleep(self.latency)
        self.stats[str(status)] += 1
        return web.Response(body=body, status=status, content_type="application/json")

    async def cryptopanic(self, request: web.Request) -> web.Response:
        if not request.query.get("auth_token"):
            return await self.json(b'{"status":"api_error","info":"Token not found"}', 401)
        return await self.json(feedgen.cryptopanic(self.now))

    async def reddit(self, request: web.Request) -> web.Response:
        return await self.json(feedgen.reddit(self.now, request.match_info["sub"]))

    async def price(self, request: web.Request) -> web.Response:
        return await self.json(feedgen.simple_price())

    async def trending(self, request: web.Request) -> web.Response:
        return await self.json(feedgen.trending())

    async def global_(self, request: web.Request) -> web.Response:
        return await self.json(feedgen.global_())

    async def fng(self, request: web.Request) -> web.Response:
        return await self.json(feedgen.fear_greed(self.now))

    async def get_stats(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.stats))

    async def reset_stats(self, request: web.Request) -> web.Response:
        self.stats.clear()
        return web.json_response({})

    async def new_etags(self, request: web.Request) -> web.Response:
        self.generation += 1
        self.last_modified = email.utils.formatdate(time.time(), usegmt=True)
        return web.json_response({"generation": self.generation})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/rss/{name}", self.feed)
        app.router.add_get("/cryptopanic/api/v1/posts/", self.cryptopanic)
        app.router.add_get("/reddit/r/{sub}/new.json", self.reddit)
        app.router.add_get("/coingecko/api/v3/simple/price", self.price)
        app.router.add_get("/coingecko/api/v3/search/trending", self.trending)
        app.router.add_get("/coingecko/api/v3/global", self.global_)
        app.router.add_get("/feargreed/fng/", self.fng)
        app.router.add_get("/-/stats", self.get_stats)
        app.router.add_post("/-/reset-stats", self.reset_stats)
        app.router.add_post("/-/new-etags", self.new_etags)
        return app


async def serve(args: argparse.Namespace) -> None:
    up = Upstream(args.feeds, args.items, args.latency)
    runner = web.AppRunner(up.app(), access_log=None, handle_signals=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", args.port, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    sizes = [len(b) for b, _ in up.feeds.values()]
    print(json.dumps({"base": f"http://127.0.0.1:{port}", "feeds": len(up.feeds),
                      "feed_bytes": sum(sizes)}), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description="benchmark upstream")
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
