"""Fear & Greed index from alternative.me: `GET {base_url}/fng/?limit=1`.

The API sends every value as a string (`"value": "26"`, `"timestamp": "1783728000"`). `parse` reads the
newest reading (`data[0]`) only; if it is unusable the body is a ParseError (an older day is never passed off
as today's). Rules: value must be a whole number 0..100 (number or numeric string); classification is the
cleaned `value_classification` ("" when absent); a missing or bad timestamp falls back to `now`.
Empty `data` or a non-null `metadata.error` is a ParseError.
"""

from __future__ import annotations

from collector.config import SourceConfig
from collector.errors import ParseError
from collector.http import Http, Response
from collector.models import Collected, FearGreed
from collector.sources._common import as_dict, as_float, as_list, as_timestamp, load_json, upstream_message
from collector.text import clean_text

API = "feargreed"
DEFAULT_BASE_URL = "https://api.alternative.me"


def parse(body: bytes, *, now: float) -> FearGreed:
    """The newest reading of one `/fng/` answer."""
    doc = load_json(body, api=API)
    if not isinstance(doc, dict):
        raise ParseError(f"expected a JSON object with `data`, got {type(doc).__name__}", api=API)
    meta = as_dict(doc.get("metadata")) or {}
    if meta.get("error"):
        raise ParseError(f"alternative.me reported an error: {upstream_message(meta['error'])}", api=API)
    data = as_list(doc.get("data"))
    if data is None:
        raise ParseError("no `data` list in the answer", api=API)
    if not data:
        raise ParseError("`data` is empty: no Fear & Greed reading", api=API)
    first = as_dict(data[0])
    if first is None:
        raise ParseError(f"the newest reading is {type(data[0]).__name__}, expected an object", api=API)
    value = as_float(first.get("value"))
    if value is None or not value.is_integer() or not 0 <= value <= 100:
        raise ParseError(f"the newest reading has no value 0..100 (got {upstream_message(first.get('value'))})",
                         api=API)
    stamp = as_timestamp(first.get("timestamp"))
    return FearGreed(
        value=int(value),
        classification=clean_text(first.get("value_classification"), 40),
        timestamp=stamp if stamp is not None else now,
    )


async def fetch(http: Http, base_url: str, *, seconds: float) -> Response:
    return await http.get(API, base_url.rstrip("/") + "/fng/", params={"limit": "1"}, timeout=seconds)


class FearGreedSource:
    """The `feargreed` job: one request per run."""

    api = API
    feed: str | None = None

    def __init__(self, cfg: SourceConfig) -> None:
        self.key = cfg.name
        self.interval = cfg.interval
        self.timeout = cfg.timeout
        self.base_url = cfg.base_url or DEFAULT_BASE_URL

    async def collect(self, http: Http, now: float) -> Collected:
        resp = await fetch(http, self.base_url, seconds=self.timeout)
        return Collected(fear_greed=parse(resp.body, now=now))
