"""The window's running sums give what `aggregate()` gives over the window's items, whatever happens:
adds in any time order, items from the future, scrapes, time going backwards, the size bound, symbols leaving
the config and a changed aggregation config."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.aggregate import Window, aggregate, effective_time
from collector.config import AggregationConfig
from collector.models import Item, ScoredItem

NOW = 1_800_000_000.0
CFG = AggregationConfig(window=6 * 3600, half_life=2 * 3600, min_items=1, max_engagement_weight=3.0,
                        future_tolerance=300)
SYMBOLS = ["BTC", "ETH", "SOL"]


class Reference:
    """The window as a plain list: live items, expired at each scrape, oldest arrival evicted past the bound."""

    def __init__(self, cfg: AggregationConfig, max_items: int) -> None:
        self.cfg, self.max_items, self.live = cfg, max_items, []

    def add(self, s: ScoredItem, arrived: float) -> None:
        t = effective_time(s.item.published, arrived, self.cfg.future_tolerance)
        if arrived - t <= self.cfg.window:
            self.live.append((t, s))
            del self.live[:max(0, len(self.live) - self.max_items)]

    def scores(self, now: float):
        self.live = [(t, s) for t, s in self.live if now - t <= self.cfg.window]
        return aggregate([s for _, s in self.live], now=now, cfg=self.cfg, times=[t for t, _ in self.live])


def item(n: int, published: float, compound: float, symbols: frozenset[str], engagement: float,
         weight: float) -> ScoredItem:
    it = Item(source="rss", feed="f", kind="news", title=f"t{n}", url=f"https://n.example/{n}", published=published,
              engagement=engagement)
    return ScoredItem(item=it, key=f"k{n}", compound=compound, symbols=symbols, weight=weight)


ADD = st.tuples(st.just("add"), st.floats(-8 * 3600, 900), st.floats(-1, 1), st.frozensets(st.sampled_from(SYMBOLS)),
                st.sampled_from([0.0, 3.0, 500.0]), st.sampled_from([0.5, 1.0, 2.0]))
TICK = st.tuples(st.just("tick"), st.floats(-600, 4 * 3600))
OTHER = st.sampled_from([("scores",), ("retain",), ("config",)])


@settings(max_examples=int(os.environ.get("PERF_WINDOW_EXAMPLES", "300")), deadline=None)
@given(ops=st.lists(st.one_of(ADD, ADD, TICK, OTHER), min_size=1, max_size=60), max_items=st.sampled_from([3, 8, 50]))
def test_perf_window_running_sums_equal_aggregate(ops, max_items):
    """After any sequence of operations, scores(now) equals aggregate() over the same items."""
    window, ref = Window("news", CFG, max_items=max_items), Reference(CFG, max_items)
    now = NOW
    for n, op in enumerate(ops):
        if op[0] == "add":
            s = item(n, now + op[1], op[2], op[3], op[4], op[5])
            window.add(s, now)
            ref.add(s, now)
        elif op[0] == "tick":
            now += op[1]
        elif op[0] == "retain":
            window.retain({"BTC", "ETH"})
            ref.live = [(t, item(0, s.item.published, s.compound, s.symbols & {"BTC", "ETH"}, s.item.engagement,
                                 s.weight)) for t, s in ref.live]
        elif op[0] == "config":
            cfg = AggregationConfig(window=CFG.window, half_life=3600, min_items=2, max_engagement_weight=2.0,
                                    future_tolerance=300)
            window.cfg = ref.cfg = cfg
        got, want = window.scores(now), ref.scores(now)
        assert got.keys() == want.keys()
        for sym, score in want.items():
            assert got[sym].items == score.items
            assert got[sym].score == pytest.approx(score.score, abs=1e-9)
        assert len(window) == len(ref.live)


def test_perf_window_scrape_cost_does_not_grow_with_items():
    """With 40,000 items in the window, a scrape after one more item is far cheaper than a pass over them."""
    import time

    window = Window("news", CFG)
    for n in range(40_000):
        window.add(item(n, NOW - (n % 3600), (n % 7) / 7, frozenset({SYMBOLS[n % 3]}), 0.0, 1.0), NOW)
    window.scores(NOW)
    start = time.perf_counter()
    for n in range(50):
        window.add(item(10**6 + n, NOW, 0.5, frozenset({"BTC"}), 0.0, 1.0), NOW + n)
        window.scores(NOW + n)
    per_scrape = (time.perf_counter() - start) / 50
    start = time.perf_counter()
    aggregate([item(n, NOW, 0.1, frozenset({"BTC"}), 0.0, 1.0) for n in range(40_000)], now=NOW, cfg=CFG)
    full_pass = time.perf_counter() - start
    assert per_scrape < full_pass / 20
