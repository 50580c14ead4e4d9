"""Whale Alert large transfers, legacy v1 REST: `GET {base}/transactions?api_key=KEY&min_value=N&start=T`.

`start` is `now - params.window` (seconds, default 3600: the free plan's limit); `min_value` is
`params.min_value_usd` (default 500000). One page per run (no cursor paging).

`parse` rules: `{"result": "error", "message": ...}` -> ParseError quoting the message; no `transactions`
key with `count: 0` (Whale Alert leaves the key out then) -> no transfers; otherwise a list is required.
A transfer needs a symbol and a finite amount_usd >= 0, else it is skipped; uid = hash, else id;
timestamp falls back to `now`; owner types default to "unknown". If every transfer is unusable: ParseError.
Turning transfers into bullish/bearish flows is the aggregation's job, not this module's.
"""

from __future__ import annotations

from collector.config import Secrets, SourceConfig
from collector.errors import FetchError, ParseError
from collector.http import Http, Response
from collector.models import Collected, WhaleTx
from collector.sources._common import (
    as_dict,
    as_float,
    as_id,
    as_list,
    as_str,
    as_timestamp,
    load_json,
    p_num,
    upstream_message,
)
from collector.text import clean_text

API = "whalealert"
DEFAULT_BASE_URL = "https://api.whale-alert.io/v1"


def _owner_type(side: object) -> str:
    kind = clean_text(as_str((as_dict(side) or {}).get("owner_type")), 40).lower()
    return kind or "unknown"


def _tx(entry: object, now: float) -> WhaleTx | None:
    tx = as_dict(entry)
    if tx is None:
        return None
    symbol = clean_text(as_str(tx.get("symbol")), 20).upper()
    amount = as_float(tx.get("amount_usd"))
    if not symbol or amount is None or amount < 0:
        return None
    stamp = as_timestamp(tx.get("timestamp"))
    return WhaleTx(
        uid=as_id(tx.get("hash")) or as_id(tx.get("id")),
        symbol=symbol,
        amount_usd=amount,
        timestamp=stamp if stamp is not None else now,
        from_type=_owner_type(tx.get("from")),
        to_type=_owner_type(tx.get("to")),
    )


def parse(body: bytes, *, now: float) -> list[WhaleTx]:
    """Transfers of one `/transactions` answer."""
    doc = load_json(body, api=API)
    if not isinstance(doc, dict):
        raise ParseError(f"expected a JSON object with `transactions`, got {type(doc).__name__}", api=API)
    if doc.get("result") == "error":
        raise ParseError(f"Whale Alert answered an error: {upstream_message(doc.get('message'))}", api=API)
    raw = doc.get("transactions")
    if raw is None:
        if as_float(doc.get("count")) == 0:
            return []  # Whale Alert leaves `transactions` out when there are none
        raise ParseError("no `transactions` list and no `count: 0`: not a /transactions answer", api=API)
    entries = as_list(raw)
    if entries is None:
        raise ParseError(f"`transactions` is {type(raw).__name__}, expected a list", api=API)
    txs = [tx for tx in (_tx(e, now) for e in entries) if tx is not None]
    if entries and not txs:
        raise ParseError(f"none of the {len(entries)} transactions had a symbol and amount_usd", api=API)
    return txs


async def fetch(http: Http, base_url: str, query: dict[str, str], *, seconds: float) -> Response:
    return await http.get(API, base_url.rstrip("/") + "/transactions", params=query, timeout=seconds)


class WhaleAlertSource:
    """The `whalealert` job: one page of transfers over min_value_usd in the last `window` seconds."""

    api = API
    feed: str | None = None

    def __init__(self, cfg: SourceConfig, secrets: Secrets) -> None:
        self.key = cfg.name
        self.interval = cfg.interval
        self.timeout = cfg.timeout
        self.base_url = cfg.base_url or DEFAULT_BASE_URL
        self.min_value = int(p_num(cfg.params, "min_value_usd", 500_000))
        self.window = p_num(cfg.params, "window", 3600.0)
        self._key = secrets.whale_alert_api_key

    async def collect(self, http: Http, now: float) -> Collected:
        if not self._key:
            raise FetchError("no API key: set WHALE_ALERT_API_KEY", api=API, reason="auth")
        query = {"api_key": self._key, "min_value": str(self.min_value), "start": str(int(now - self.window))}
        resp = await fetch(http, self.base_url, query, seconds=self.timeout)
        return Collected(whales=tuple(parse(resp.body, now=now)))
