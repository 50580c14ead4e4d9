"""Plain immutable data passed between the pure core and the edges. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["news", "social"]

#: Label value of the market-wide score (all items, whatever their symbols).
MARKET = "MARKET"


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of text from an upstream: a news post, a feed entry or a Reddit post.

    `published` is unix seconds, UTC. `tags` are upstream-provided currency codes (CryptoPanic), upper case.
    `engagement` is a non-negative popularity figure (votes, score); 0 where the upstream gives none.
    `uid` is the upstream's own stable id (guid, post id), or "" when it has none.
    """

    source: str
    feed: str
    kind: Kind
    title: str
    url: str
    published: float
    summary: str = ""
    uid: str = ""
    tags: frozenset[str] = frozenset()
    engagement: float = 0.0
    domain: str = ""


@dataclass(frozen=True, slots=True)
class ScoredItem:
    """An item after tagging and scoring. `key` identifies the story across feeds (see dedup)."""

    item: Item
    key: str
    compound: float
    symbols: frozenset[str]
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Quote:
    """CoinGecko market data for one coin id. Any figure may be unknown (None)."""

    coin_id: str
    price_usd: float | None
    change_24h_percent: float | None = None
    market_cap_usd: float | None = None


@dataclass(frozen=True, slots=True)
class MarketData:
    quotes: dict[str, Quote] = field(default_factory=dict)  # by CoinGecko id
    trending: tuple[str, ...] = ()  # CoinGecko ids, in trending order
    market_cap_change_24h_percent: float | None = None


@dataclass(frozen=True, slots=True)
class FearGreed:
    value: int  # 0..100
    classification: str  # "Extreme Fear" .. "Extreme Greed"
    timestamp: float  # unix seconds of the reading


@dataclass(frozen=True, slots=True)
class WhaleTx:
    """One large on-chain transfer. `from_type`/`to_type` are owner types ("exchange", "unknown", ...)."""

    uid: str
    symbol: str  # upper-case ticker
    amount_usd: float
    timestamp: float
    from_type: str
    to_type: str


@dataclass(frozen=True, slots=True)
class Collected:
    """What one source run produced. Each source fills the fields it owns."""

    items: tuple[Item, ...] = ()
    market: MarketData | None = None
    fear_greed: FearGreed | None = None
    whales: tuple[WhaleTx, ...] | None = None
    not_modified: bool = False  # conditional GET answered 304: nothing new, and that is a success
    #: the story keys of `items` (collector.dedup.story_keys), when the source computed them off the event loop
    keys: tuple[tuple[str, ...], ...] | None = None


@dataclass(frozen=True, slots=True)
class SourceResult:
    """Outcome of one run of one source (or one RSS feed). `error` is a redacted one-line message."""

    source: str  # api label: cryptopanic, reddit, coingecko, feargreed, rss, whalealert
    feed: str | None  # RSS feed name, else None
    ok: bool
    items: int
    duration_seconds: float
    finished_at: float
    error: str | None = None
    reason: str | None = None
    new_items: int = 0
    counted: bool = True  # False: the failure happened outside an HTTP request and is not in the request metrics
