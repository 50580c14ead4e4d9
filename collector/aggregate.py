"""Per-symbol sentiment from scored items: pure functions over a bounded window.

Rules (documented in README, "How scores are aggregated"):
- Only items published within `window` seconds before `now` count. Items dated in the future by more than
  `future_tolerance` were clamped to their arrival time when ingested (see `effective_time`).
- Each item's weight = feed weight x engagement weight x time decay, where
  engagement weight = min(1 + ln(1 + engagement), max_engagement_weight)  (one viral post cannot dominate), and
  time decay = 0.5 ** (age / half_life).
- A symbol's score is the weighted mean of its items' compound scores, published only when it has at least
  `min_items` items in the window; otherwise it has no score at all (never a fake 0).
- News (CryptoPanic + RSS) and social (Reddit) are separate. `MARKET` is the same over every item, tagged or not.
- Whale activity: net USD flow into exchanges minus out of exchanges over the Whale Alert window;
  above the bearish threshold -> 0 (bearish), below minus the bullish threshold -> 2 (bullish), else 1.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from collector.config import AggregationConfig
from collector.models import MARKET, Kind, ScoredItem, WhaleTx

BEARISH, NEUTRAL, BULLISH = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Score:
    score: float  # weighted mean compound, -1..1
    items: int  # items in the window that carried weight


def engagement_weight(engagement: float, cap: float) -> float:
    """1 for an item nobody voted on, growing with the log of votes/score, never above `cap`."""
    return min(1.0 + math.log1p(max(engagement, 0.0)), cap)


def decay(age: float, half_life: float) -> float:
    return 0.5 ** (max(age, 0.0) / half_life) if half_life > 0 else 1.0


def effective_time(published: float, arrived: float, future_tolerance: float) -> float:
    """The time an item counts at: its published time, or its arrival when it claims to be from the future."""
    return arrived if published > arrived + future_tolerance else published


def aggregate(
    items: Iterable[ScoredItem], *, now: float, cfg: AggregationConfig, times: Sequence[float] | None = None
) -> dict[str, Score]:
    """Scores per symbol (and MARKET) over `items`. `times[i]` overrides item i's time when given."""
    sums: dict[str, list[float]] = {}
    for i, s in enumerate(items):
        t = times[i] if times is not None else s.item.published
        age = now - t
        if age > cfg.window or age < -cfg.future_tolerance:
            continue
        w = s.weight * engagement_weight(s.item.engagement, cfg.max_engagement_weight) * decay(age, cfg.half_life)
        if w <= 0:
            continue
        for sym in (*s.symbols, MARKET):
            acc = sums.get(sym)
            if acc is None:
                acc = sums[sym] = [0.0, 0.0, 0.0]
            acc[0] += w * s.compound
            acc[1] += w
            acc[2] += 1
    return {
        sym: Score(score=max(-1.0, min(1.0, ws / w)), items=int(n))
        for sym, (ws, w, n) in sums.items()
        if n >= cfg.min_items and w > 0
    }


class Window:
    """The items of one kind still inside the aggregation window, oldest arrival first, bounded in size."""

    def __init__(self, kind: Kind, cfg: AggregationConfig, *, max_items: int = 50_000) -> None:
        self.kind = kind
        self.cfg = cfg
        self.max_items = max_items
        self._items: deque[tuple[float, ScoredItem]] = deque()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: ScoredItem, arrived: float) -> None:
        t = effective_time(item.item.published, arrived, self.cfg.future_tolerance)
        if arrived - t > self.cfg.window:
            return  # already too old to count
        self._items.append((t, item))
        while len(self._items) > self.max_items:
            self._items.popleft()

    def prune(self, now: float) -> None:
        horizon = now - self.cfg.window
        self._items = deque(p for p in self._items if p[0] >= horizon)

    def scores(self, now: float) -> dict[str, Score]:
        self.prune(now)
        return aggregate(
            (s for _, s in self._items), now=now, cfg=self.cfg, times=[t for t, _ in self._items]
        )

    def retain(self, symbols: set[str]) -> None:
        """Forget symbols that left the config (their items stay for MARKET and other symbols)."""
        self._items = deque(
            (t, s if s.symbols <= symbols else _with_symbols(s, s.symbols & symbols)) for t, s in self._items
        )


def _with_symbols(s: ScoredItem, symbols: frozenset[str]) -> ScoredItem:
    return ScoredItem(item=s.item, key=s.key, compound=s.compound, symbols=symbols, weight=s.weight)


def whale_activity(
    txs: Sequence[WhaleTx], *, symbols: Iterable[str], now: float, window: float,
    bullish_threshold_usd: float, bearish_threshold_usd: float,
) -> dict[str, int]:
    """0 bearish / 1 neutral / 2 bullish per configured symbol, from net flow into exchanges over `window`."""
    net: dict[str, float] = {s: 0.0 for s in symbols}
    for tx in txs:
        if tx.symbol not in net or now - tx.timestamp > window:
            continue
        into = tx.to_type == "exchange" and tx.from_type != "exchange"
        out = tx.from_type == "exchange" and tx.to_type != "exchange"
        net[tx.symbol] += tx.amount_usd if into else -tx.amount_usd if out else 0.0
    out_map: dict[str, int] = {}
    for sym, flow in net.items():
        if flow > bearish_threshold_usd:
            out_map[sym] = BEARISH  # coins moving onto exchanges: likely to be sold
        elif flow < -bullish_threshold_usd:
            out_map[sym] = BULLISH  # coins leaving exchanges: likely held
        else:
            out_map[sym] = NEUTRAL
    return out_map
