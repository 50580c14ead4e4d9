"""CoinGecko market data: prices for the configured coin ids, trending coins, global market-cap change.

Requests (at the same time, each within the run's deadline; a poll waits for one latency, not three):
  `GET {base}/simple/price?ids=..&vs_currencies=usd&include_24hr_change=true&include_market_cap=true`
  `GET {base}/search/trending`   (params.trending, default true)
  `GET {base}/global`            (params.global, default true)
Keys: plan "demo" -> header `x-cg-demo-api-key` on `base_url`; plan "pro" -> `x-cg-pro-api-key` on
`params.pro_base_url`; no key -> no header on `base_url`.

Failure policy: the run is one unit. If any of its requests fails, the run fails with the error of the first
failed request in the order above and no market data is published from it (the last good data stays with the
pipeline). Partial market data would mix a fresh price with a stale trending list without anyone noticing.

`parse_prices`: `{}` (an unknown id) or a missing id means "no quote" for that id, not an error. An entry
that is not an object or has none of price/change/market cap is skipped; if every non-empty entry is bad,
ParseError. Figures are in `vs_currency` (default usd; the model calls them *_usd).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from collector.config import Secrets, SourceConfig, SymbolConfig
from collector.errors import ParseError
from collector.http import Http, Response
from collector.models import Collected, MarketData, Quote
from collector.sources._common import (
    Deadline,
    as_dict,
    as_float,
    as_list,
    as_str,
    load_json,
    p_bool,
    p_str,
    upstream_message,
)

API = "coingecko"
DEFAULT_BASE_URL = "https://api.coingecko.com/api/v3"
DEFAULT_PRO_BASE_URL = "https://pro-api.coingecko.com/api/v3"


def _object(body: bytes, what: str) -> dict[str, object]:
    doc = load_json(body, api=API)
    if not isinstance(doc, dict):
        raise ParseError(f"{what}: expected a JSON object, got {type(doc).__name__}", api=API)
    status = as_dict(doc.get("status"))
    if status is not None and ("error_code" in status or "error_message" in status):
        raise ParseError(f"{what}: CoinGecko error {upstream_message(status.get('error_message'))}", api=API)
    if isinstance(doc.get("error"), str | dict) and len(doc) <= 2:
        raise ParseError(f"{what}: CoinGecko error {upstream_message(doc['error'])}", api=API)
    return doc


def parse_prices(body: bytes, *, vs_currency: str = "usd") -> dict[str, Quote]:
    """Quotes by coin id from a `/simple/price` answer."""
    doc = _object(body, "/simple/price")
    quotes: dict[str, Quote] = {}
    bad = 0
    for coin_id, entry in doc.items():
        fields = as_dict(entry)
        if fields is not None and not fields:
            continue  # `{}`: CoinGecko does not know this id
        if fields is None:
            bad += 1
            continue
        price = as_float(fields.get(vs_currency))
        change = as_float(fields.get(f"{vs_currency}_24h_change"))
        cap = as_float(fields.get(f"{vs_currency}_market_cap"))
        if price is None and change is None and cap is None:
            bad += 1
            continue
        quotes[coin_id] = Quote(coin_id=coin_id, price_usd=price, change_24h_percent=change, market_cap_usd=cap)
    if bad and not quotes:
        raise ParseError(f"/simple/price: none of the {bad} entries had a {vs_currency} figure", api=API)
    return quotes


def parse_trending(body: bytes) -> tuple[str, ...]:
    """Coin ids from `/search/trending`, in CoinGecko's order (entries without an id are skipped)."""
    doc = _object(body, "/search/trending")
    coins = as_list(doc.get("coins"))
    if coins is None:
        raise ParseError("/search/trending: no `coins` list", api=API)
    ids: list[str] = []
    for entry in coins:
        item = as_dict((as_dict(entry) or {}).get("item")) or as_dict(entry) or {}
        coin_id = as_str(item.get("id")).strip()
        if coin_id and coin_id not in ids:
            ids.append(coin_id)
    if coins and not ids:
        raise ParseError(f"/search/trending: none of the {len(coins)} coins had an id", api=API)
    return tuple(ids)


def parse_global(body: bytes) -> float | None:
    """`data.market_cap_change_percentage_24h_usd` from `/global` (None when CoinGecko leaves it out)."""
    doc = _object(body, "/global")
    data = as_dict(doc.get("data"))
    if data is None:
        raise ParseError("/global: no `data` object", api=API)
    return as_float(data.get("market_cap_change_percentage_24h_usd"))


def endpoint(base_url: str, pro_base_url: str, secrets: Secrets) -> tuple[str, dict[str, str]]:
    """The base URL and key header for the configured plan."""
    key = secrets.coingecko_api_key
    if not key:
        return base_url, {}
    if secrets.coingecko_plan == "pro":
        return pro_base_url, {"x-cg-pro-api-key": key}
    return base_url, {"x-cg-demo-api-key": key}


async def fetch(http: Http, url: str, *, params: dict[str, str] | None, headers: dict[str, str],
                seconds: float) -> Response:
    return await http.get(API, url, params=params, headers=headers, timeout=seconds)


class CoinGeckoSource:
    """The `coingecko` job: prices for every configured coingecko_id, plus trending and global."""

    api = API
    feed: str | None = None

    def __init__(self, cfg: SourceConfig, secrets: Secrets, symbols: Sequence[SymbolConfig]) -> None:
        self.key = cfg.name
        self.interval = cfg.interval
        self.timeout = cfg.timeout
        params = cfg.params
        self.base_url, self.headers = endpoint(
            cfg.base_url or DEFAULT_BASE_URL, p_str(params, "pro_base_url", DEFAULT_PRO_BASE_URL), secrets
        )
        self.base_url = self.base_url.rstrip("/")
        self.vs_currency = p_str(params, "vs_currency", "usd").lower()
        self.trending = p_bool(params, "trending", True)
        self.global_ = p_bool(params, "global", True)
        self.ids = tuple(dict.fromkeys(s.coingecko_id for s in symbols if s.coingecko_id))

    async def collect(self, http: Http, now: float) -> Collected:
        deadline = Deadline(self.timeout, api=API)

        async def get(path: str, query: dict[str, str] | None) -> Response:
            return await fetch(http, self.base_url + path, params=query, headers=self.headers,
                               seconds=deadline.left())

        wanted: list[tuple[str, dict[str, str] | None]] = []
        if self.ids:
            wanted.append(("/simple/price", {"ids": ",".join(self.ids), "vs_currencies": self.vs_currency,
                                             "include_24hr_change": "true", "include_market_cap": "true"}))
        if self.trending:
            wanted.append(("/search/trending", None))
        if self.global_:
            wanted.append(("/global", None))
        answers = await asyncio.gather(*(get(path, query) for path, query in wanted), return_exceptions=True)
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        got = {path: answer for (path, _), answer in zip(wanted, answers, strict=True)
               if isinstance(answer, Response)}
        quotes = parse_prices(got["/simple/price"].body, vs_currency=self.vs_currency) if self.ids else {}
        trending = parse_trending(got["/search/trending"].body) if self.trending else ()
        change = parse_global(got["/global"].body) if self.global_ else None
        return Collected(market=MarketData(quotes=quotes, trending=trending, market_cap_change_24h_percent=change))
