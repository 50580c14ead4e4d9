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

import heapq
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


_SYMBOLS: dict[frozenset[str], tuple[str, ...]] = {}  # shared symbol tuples (a few hundred distinct sets)


def _symbols(symbols: frozenset[str]) -> tuple[str, ...]:
    got = _SYMBOLS.get(symbols)
    if got is None:
        got = (*sorted(symbols), MARKET)
        if len(_SYMBOLS) < 65_536:
            _SYMBOLS[symbols] = got
    return got


class _Entry:
    """What the aggregation needs of one item (not its text): time, compound, weights, symbols, and where it is
    counted."""

    __slots__ = ("base_weight", "compound", "engagement", "state", "symbols", "t", "weight")
    FUTURE, COUNTED, GONE = 0, 1, 2

    def __init__(self, t: float, item: ScoredItem, max_engagement_weight: float) -> None:
        self.t = t
        self.compound = item.compound
        self.base_weight = item.weight
        self.engagement = item.item.engagement
        self.weight = item.weight * engagement_weight(item.item.engagement, max_engagement_weight)
        self.symbols = _symbols(item.symbols)
        self.state = _Entry.FUTURE


class Window:
    """The items of one kind still inside the aggregation window, oldest arrival first, bounded in size.

    `scores(now)` equals `aggregate()` over the window's items, without visiting them: the time decay
    0.5 ** ((now - t) / half_life) is 2 ** ((t - r) / half_life) / 2 ** ((now - r) / half_life) for any
    reference time r, and the second factor cancels in a weighted mean. So each symbol keeps running sums of
    weight x 2 ** ((t - r) / half_life) (with and without the compound) and a count: an item is added once and
    subtracted once (when it leaves the window or the size bound pushes it out). Items dated after `now`
    (within the future tolerance) have no decay yet and are counted apart until `now` passes them. The sums
    are rebuilt from the items when the config changes, time goes backwards, r gets far behind, or enough
    subtractions happened to matter for rounding. A scrape costs the changes since the last one, not a pass
    over up to `max_items` items.
    """

    _REBASE_HALF_LIVES = 400.0  # 2 ** 400 is far from overflowing a float

    def __init__(self, kind: Kind, cfg: AggregationConfig, *, max_items: int = 50_000) -> None:
        self.kind = kind
        self.max_items = max_items
        self._cfg = cfg
        self._items: deque[_Entry] = deque()
        self._gone = 0  # entries in _items already out of the window (removed lazily)
        self._rebuild(None)

    @property
    def cfg(self) -> AggregationConfig:
        return self._cfg

    @cfg.setter
    def cfg(self, cfg: AggregationConfig) -> None:
        changed = cfg != self._cfg
        self._cfg = cfg
        if changed:
            for e in self._items:
                e.weight = e.base_weight * engagement_weight(e.engagement, cfg.max_engagement_weight)
            self._rebuild(self._now)

    def __len__(self) -> int:
        return len(self._items) - self._gone

    # -- running sums ------------------------------------------------------------------------------------
    def _rebuild(self, now: float | None) -> None:
        self._sums: dict[str, list[float]] = {}  # symbol -> [sum w*f*c, sum w*f, count]
        self._counted: list[tuple[float, int, _Entry]] = []  # min-heap by time: leave the window first
        self._future: list[tuple[float, int, _Entry]] = []  # min-heap by time: become counted first
        self._seq = 0
        self._subtractions = 0
        self._now = now
        self._ref = now if now is not None else 0.0
        for e in self._items:
            if e.state == _Entry.GONE:
                continue
            e.state = _Entry.FUTURE
            if now is not None and now - e.t > self._cfg.window:
                self._drop(e)
            else:
                self._place(e)

    def _factor(self, t: float) -> float:
        hl = self._cfg.half_life
        return 2.0 ** ((t - self._ref) / hl) if hl > 0 else 1.0

    def _place(self, e: _Entry) -> None:
        self._seq += 1
        if self._now is not None and e.t <= self._now:
            self._count(e)
        else:
            heapq.heappush(self._future, (e.t, self._seq, e))

    def _count(self, e: _Entry) -> None:
        e.state = _Entry.COUNTED
        wf = e.weight * self._factor(e.t)
        for sym in e.symbols:
            acc = self._sums.get(sym)
            if acc is None:
                acc = self._sums[sym] = [0.0, 0.0, 0.0]
            acc[0] += wf * e.compound
            acc[1] += wf
            acc[2] += 1
        self._seq += 1
        heapq.heappush(self._counted, (e.t, self._seq, e))

    def _drop(self, e: _Entry) -> None:
        """Take `e` out of the window (and out of the sums if it was counted)."""
        if e.state == _Entry.COUNTED:
            wf = e.weight * self._factor(e.t)
            for sym in e.symbols:
                acc = self._sums[sym]
                acc[2] -= 1
                if acc[2] <= 0:
                    del self._sums[sym]  # exactly nothing left: no rounding residue either
                else:
                    acc[0] -= wf * e.compound
                    acc[1] -= wf
            self._subtractions += 1
        e.state = _Entry.GONE
        self._gone += 1

    def _advance(self, now: float) -> None:
        """Bring the sums to `now`: future items that `now` passed are counted, items past the window leave."""
        cfg = self._cfg
        rebase = cfg.half_life > 0 and (now - self._ref) / cfg.half_life > self._REBASE_HALF_LIVES
        if self._now is None or now < self._now or rebase or self._subtractions > 2 * len(self) + 1000:
            self._rebuild(now)
        self._now = now
        while self._future and self._future[0][0] <= now:
            e = heapq.heappop(self._future)[2]
            if e.state == _Entry.FUTURE:
                self._count(e)
        horizon = now - cfg.window
        while self._counted and self._counted[0][0] < horizon:
            e = heapq.heappop(self._counted)[2]
            if e.state == _Entry.COUNTED:
                self._drop(e)
        if self._gone > len(self._items) // 2:  # compact the deque now and then (amortised O(1) per item)
            self._items = deque(e for e in self._items if e.state != _Entry.GONE)
            self._gone = 0

    # -- the public interface ---------------------------------------------------------------------------
    def add(self, item: ScoredItem, arrived: float) -> None:
        t = effective_time(item.item.published, arrived, self._cfg.future_tolerance)
        if arrived - t > self._cfg.window:
            return  # already too old to count
        e = _Entry(t, item, self._cfg.max_engagement_weight)
        self._items.append(e)
        self._place(e)
        while len(self._items) - self._gone > self.max_items:
            old = self._items.popleft()
            if old.state != _Entry.GONE:
                self._drop(old)
            self._gone -= 1
        if len(self._counted) + len(self._future) > 2 * len(self) + 1024:  # drop what the size bound removed
            self._counted = [x for x in self._counted if x[2].state == _Entry.COUNTED]
            self._future = [x for x in self._future if x[2].state == _Entry.FUTURE]
            heapq.heapify(self._counted)
            heapq.heapify(self._future)

    def prune(self, now: float) -> None:
        """Forget the items past the window at `now`."""
        self._advance(now)
        self._items = deque(e for e in self._items if e.state != _Entry.GONE and now - e.t <= self._cfg.window)
        self._gone = 0

    def scores(self, now: float) -> dict[str, Score]:
        """`aggregate()` over the items in the window at `now` (see the class docstring for how)."""
        self._advance(now)
        cfg = self._cfg
        sums = {sym: list(acc) for sym, acc in self._sums.items()} if self._future else self._sums
        if self._future:  # not yet decaying: weight as of now (decay 1), unless beyond the tolerance
            f_now = self._factor(now)
            for t, _, e in self._future:
                if e.state != _Entry.FUTURE or t - now > cfg.future_tolerance:
                    continue
                for sym in e.symbols:
                    acc = sums.setdefault(sym, [0.0, 0.0, 0.0])
                    acc[0] += e.weight * f_now * e.compound
                    acc[1] += e.weight * f_now
                    acc[2] += 1
        return {
            sym: Score(score=max(-1.0, min(1.0, ws / w)), items=int(n))
            for sym, (ws, w, n) in sums.items()
            if n >= cfg.min_items and w > 0
        }

    def retain(self, symbols: set[str]) -> None:
        """Forget symbols that left the config (their items stay for MARKET and other symbols)."""
        for e in self._items:
            kept = frozenset(e.symbols[:-1]) & symbols
            if len(kept) != len(e.symbols) - 1:
                e.symbols = _symbols(kept)
        self._rebuild(self._now)


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
