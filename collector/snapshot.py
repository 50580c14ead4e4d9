"""What the collector knows at one moment, and its JSON form (shared by `collector fetch --json` and
`/api/v1/sentiment`). Pure: built from results and aggregates, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collector.aggregate import Score
from collector.models import FearGreed, SourceResult


@dataclass(frozen=True, slots=True)
class SymbolView:
    news: Score | None = None
    social: Score | None = None
    price_usd: float | None = None
    change_24h_percent: float | None = None
    market_cap_usd: float | None = None
    trending: bool | None = None  # None until CoinGecko's trending list is known
    whale_activity: int | None = None  # 0/1/2, None without Whale Alert data


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """The latest outcome of one source (api). RSS aggregates its feeds: ok only when every feed is ok."""

    api: str
    ok: bool
    items: int
    duration_seconds: float
    error: str | None
    reason: str | None
    last_success: float | None
    feeds: dict[str, SourceResult] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Snapshot:
    at: float
    symbols: dict[str, SymbolView]  # configured symbols plus MARKET
    sources: dict[str, SourceStatus]  # by api, enabled sources only
    fear_greed: FearGreed | None = None
    market_cap_change_24h_percent: float | None = None
    items_in_window: dict[str, int] = field(default_factory=dict)  # by kind


def _score(s: Score | None) -> dict[str, Any]:
    return {"score": None if s is None else round(s.score, 4), "items": 0 if s is None else s.items}


def _result(r: SourceResult) -> dict[str, Any]:
    return {"ok": r.ok, "items": r.items, "new_items": r.new_items, "error": r.error, "reason": r.reason,
            "duration_seconds": round(r.duration_seconds, 4)}


def to_dict(snap: Snapshot) -> dict[str, Any]:
    """The documented JSON shape (README, "JSON output")."""
    sources: dict[str, Any] = {}
    for api, st in snap.sources.items():
        entry: dict[str, Any] = {
            "ok": st.ok, "items": st.items, "error": st.error, "reason": st.reason,
            "duration_seconds": round(st.duration_seconds, 4), "last_success": st.last_success,
        }
        if st.feeds:
            entry["feeds"] = {name: _result(r) for name, r in st.feeds.items()}
        sources[api] = entry
    symbols = {
        sym: {
            "news": _score(v.news),
            "social": _score(v.social),
            "price_usd": v.price_usd,
            "change_24h_percent": v.change_24h_percent,
            "market_cap_usd": v.market_cap_usd,
            "trending": v.trending,
            "whale_activity": v.whale_activity,
        }
        for sym, v in snap.symbols.items()
    }
    fg = snap.fear_greed
    return {
        "generated_at": snap.at,
        "sources": sources,
        "symbols": symbols,
        "fear_greed": None if fg is None else {
            "value": fg.value, "classification": fg.classification, "timestamp": fg.timestamp},
        "market_cap_change_24h_percent": snap.market_cap_change_24h_percent,
        "items_in_window": snap.items_in_window,
    }
