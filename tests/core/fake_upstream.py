"""A small local stand-in for every upstream, serving the fixtures in ./fixtures over loopback HTTP.

Times in the fixtures are placeholders filled in at request time so every item is minutes old. `fail` holds
route prefixes that answer 503 while present; `hits` counts requests per path.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class FakeUpstream:
    def __init__(self) -> None:
        self.fail: set[str] = set()
        self.hits: Counter[str] = Counter()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeUpstream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def body(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        now = time.time()
        if path.startswith("/cryptopanic/api/v1/posts"):
            if not query.get("auth_token"):
                return 401, b'{"status":"api_error","info":"Token not found"}', "application/json"
            text = (FIXTURES / "cryptopanic_v1.json").read_text()
            for i in range(3):
                text = text.replace(f"PUBLISHED_{i}", _iso(now - 120 - 60 * i))
            return 200, text.encode(), "application/json"
        if path.startswith("/reddit/r/") and path.endswith(".json"):
            text = (FIXTURES / "reddit_new.json").read_text()
            for i in range(3):
                text = text.replace(f"CREATED_{i}", str(now - 100 - 60 * i))
            return 200, text.encode(), "application/json"
        if path == "/coingecko/api/v3/simple/price":
            return 200, (FIXTURES / "simple_price.json").read_bytes(), "application/json"
        if path == "/coingecko/api/v3/search/trending":
            return 200, (FIXTURES / "trending.json").read_bytes(), "application/json"
        if path == "/coingecko/api/v3/global":
            return 200, (FIXTURES / "global.json").read_bytes(), "application/json"
        if path.rstrip("/") == "/feargreed/fng":
            text = (FIXTURES / "fng.json").read_text().replace("FNG_TS", str(int(now) // 86400 * 86400))
            return 200, text.encode(), "application/json"
        if path.startswith("/rss/"):
            text = (FIXTURES / "feed.xml").read_text()
            for i in range(2):
                text = text.replace(f"PUBDATE_{i}", email.utils.formatdate(now - 300 - 60 * i, usegmt=True))
            # the Solana story is each feed's own; the miners story is the same in every feed
            name = path.rsplit("/", 1)[-1]
            text = text.replace("https://wire.example/sol-rally", f"https://wire.example/{name}/sol-rally")
            text = text.replace("<title><![CDATA[Solana", f"<title><![CDATA[{name}: Solana")
            return 200, text.encode(), "application/rss+xml; charset=utf-8"
        return 404, b'{"error":"not found"}', "application/json"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt: str, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                outer.hits[url.path] += 1
                if any(url.path.startswith(p) for p in outer.fail):
                    status, body, ctype = 503, b'{"error":"down"}', "application/json"
                else:
                    status, body, ctype = outer.body(url.path, parse_qs(url.query))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def replay_config(base: str, *, interval: str = "2s", feeds: tuple[str, ...] = ("alpha", "beta")) -> str:
    """A feeds.yaml pointing every source at `base`."""
    feed_lines = "".join(f"    - {{name: {f}, url: '{base}/rss/{f}.xml'}}\n" for f in feeds)
    return f"""
symbols:
  BTC: {{aliases: [Bitcoin, BTC], coingecko_id: bitcoin}}
  ETH: {{aliases: [Ethereum, ETH, Ether], coingecko_id: ethereum}}
  SOL: {{aliases: [Solana, SOL], coingecko_id: solana}}
sources:
  cryptopanic: {{enabled: true, interval: {interval}, base_url: '{base}/cryptopanic/api/v1', timeout: 5s}}
  reddit: {{enabled: true, interval: {interval}, base_url: '{base}/reddit', timeout: 5s, subreddits: [CryptoCurrency]}}
  coingecko: {{enabled: true, interval: {interval}, base_url: '{base}/coingecko/api/v3', timeout: 5s}}
  feargreed: {{enabled: true, interval: {interval}, base_url: '{base}/feargreed', timeout: 5s}}
  whalealert: {{enabled: false}}
rss:
  enabled: true
  interval: {interval}
  timeout: 5s
  feeds:
{feed_lines}"""


if __name__ == "__main__":  # handy by hand: python tests/core/fake_upstream.py
    with FakeUpstream() as up:
        print(json.dumps({"base": up.base}), flush=True)
        threading.Event().wait()
