"""What every source looks like to the pipeline.

A source module has a thin async `fetch` (HTTP through `collector.http.Http`) and a pure `parse(body: bytes,
...)` that raises `ParseError` on anything it cannot understand. Its `Source` class wires the two:
`collect(http, now)` returns a `Collected` or raises a `SourceError` (FetchError, RateLimited, ParseError).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from collector.http import Http
from collector.models import Collected

#: The `api` label values, in display order.
APIS: tuple[str, ...] = ("cryptopanic", "reddit", "coingecko", "feargreed", "rss", "whalealert")


@runtime_checkable
class Source(Protocol):
    key: str  # unique job key: "cryptopanic", "reddit", ..., "rss:<feed name>"
    api: str  # metric label, one of APIS
    feed: str | None  # RSS feed name, else None
    interval: float  # seconds between runs
    timeout: float  # seconds: deadline of one whole run (all its requests)

    async def collect(self, http: Http, now: float) -> Collected: ...
