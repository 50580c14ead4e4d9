"""Aggregation: weighted, decayed means per symbol; absent when unknown."""

from __future__ import annotations

import math

import pytest
from core_helpers import NOW, scored

from collector.aggregate import (
    BEARISH,
    BULLISH,
    NEUTRAL,
    Window,
    aggregate,
    decay,
    effective_time,
    engagement_weight,
    whale_activity,
)
from collector.config import AggregationConfig
from collector.models import MARKET, WhaleTx


def test_aggregate_weighted_mean_of_fresh_items(agg_cfg):
    """Two fresh unweighted items average to the plain mean."""
    out = aggregate([scored(0.8, {"BTC"}), scored(-0.2, {"BTC"}, title="u")], now=NOW, cfg=agg_cfg)
    assert out["BTC"].score == pytest.approx(0.3)
    assert out["BTC"].items == 2


def test_aggregate_decay_halves_weight_each_half_life(agg_cfg):
    """An item one half-life old weighs half as much as a fresh one."""
    items = [scored(1.0, {"ETH"}), scored(-1.0, {"ETH"}, published=NOW - agg_cfg.half_life, title="old")]
    # weights 1 and 0.5: (1 - 0.5) / 1.5
    assert aggregate(items, now=NOW, cfg=agg_cfg)["ETH"].score == pytest.approx(1 / 3)


def test_aggregate_engagement_weight_is_clipped(agg_cfg):
    """A viral post weighs at most max_engagement_weight times a quiet one."""
    items = [scored(1.0, {"SOL"}, engagement=1_000_000), scored(-1.0, {"SOL"}, title="quiet")]
    # weights 3 and 1: (3 - 1) / 4
    assert aggregate(items, now=NOW, cfg=agg_cfg)["SOL"].score == pytest.approx(0.5)
    assert engagement_weight(0, 3.0) == 1.0
    assert engagement_weight(3, 3.0) == pytest.approx(1 + math.log1p(3))


def test_aggregate_symbol_without_items_has_no_score(agg_cfg):
    """A symbol with nothing in the window is absent, not 0."""
    out = aggregate([scored(0.5, {"BTC"})], now=NOW, cfg=agg_cfg)
    assert "ETH" not in out


def test_aggregate_items_outside_window_do_not_count(agg_cfg):
    """Items older than the window are ignored entirely."""
    out = aggregate([scored(0.5, {"BTC"}, published=NOW - agg_cfg.window - 1)], now=NOW, cfg=agg_cfg)
    assert out == {}


def test_aggregate_min_items_withholds_thin_scores():
    """Below min_items a symbol has no score."""
    cfg = AggregationConfig(min_items=2)
    out = aggregate([scored(0.5, {"BTC"}), scored(0.1, {"BTC", "ETH"}, title="b")], now=NOW, cfg=cfg)
    assert "BTC" in out and "ETH" not in out


def test_aggregate_market_covers_untagged_items(agg_cfg):
    """MARKET is the mean over every item, tagged or not."""
    out = aggregate([scored(0.4, set()), scored(0.0, {"BTC"}, title="b")], now=NOW, cfg=agg_cfg)
    assert out[MARKET].score == pytest.approx(0.2)
    assert out[MARKET].items == 2


def test_aggregate_feed_weight_scales_item(agg_cfg):
    """A feed weight of 3 counts an item three times."""
    out = aggregate([scored(1.0, {"BTC"}, weight=3.0), scored(-1.0, {"BTC"}, title="b")], now=NOW, cfg=agg_cfg)
    assert out["BTC"].score == pytest.approx(0.5)


def test_effective_time_clamps_future_items_to_arrival():
    """An item dated far in the future counts at its arrival time."""
    assert effective_time(NOW + 3600, NOW, 300) == NOW
    assert effective_time(NOW + 60, NOW, 300) == NOW + 60
    assert decay(-10, 3600) == 1.0


def test_window_prunes_and_bounds(agg_cfg):
    """The window drops items past the horizon and keeps at most max_items."""
    w = Window("news", agg_cfg, max_items=3)
    for i in range(5):
        w.add(scored(0.1 * i, {"BTC"}, title=f"t{i}"), NOW)
    assert len(w) == 3
    w.prune(NOW + agg_cfg.window + 1)
    assert len(w) == 0


def test_window_rejects_items_already_too_old(agg_cfg):
    """An item older than the window on arrival is not kept."""
    w = Window("news", agg_cfg)
    w.add(scored(0.5, {"BTC"}, published=NOW - agg_cfg.window - 60), NOW)
    assert len(w) == 0


def test_window_retain_drops_removed_symbols(agg_cfg):
    """After a symbol leaves the config its score disappears, MARKET keeps the items."""
    w = Window("news", agg_cfg)
    w.add(scored(0.5, {"BTC", "DOGE"}), NOW)
    w.retain({"BTC"})
    out = w.scores(NOW)
    assert "DOGE" not in out and "BTC" in out and MARKET in out


def _tx(symbol: str, usd: float, frm: str, to: str, ts: float = NOW) -> WhaleTx:
    return WhaleTx(uid=f"{symbol}{usd}{frm}{to}", symbol=symbol, amount_usd=usd, timestamp=ts,
                   from_type=frm, to_type=to)


def test_whale_activity_inflow_is_bearish_outflow_bullish():
    """Net flow onto exchanges above the threshold is bearish; off exchanges is bullish; else neutral."""
    txs = [_tx("BTC", 20e6, "unknown", "exchange"), _tx("ETH", 30e6, "exchange", "unknown"),
           _tx("SOL", 5e6, "unknown", "exchange"), _tx("XRP", 50e6, "exchange", "exchange")]
    out = whale_activity(txs, symbols=["BTC", "ETH", "SOL", "XRP", "ADA"], now=NOW, window=3600,
                         bullish_threshold_usd=10e6, bearish_threshold_usd=10e6)
    assert out == {"BTC": BEARISH, "ETH": BULLISH, "SOL": NEUTRAL, "XRP": NEUTRAL, "ADA": NEUTRAL}


def test_whale_activity_ignores_old_and_unknown_symbols():
    """Transfers outside the window or of unconfigured coins do not count."""
    txs = [_tx("BTC", 20e6, "unknown", "exchange", ts=NOW - 7200), _tx("USDT", 90e6, "unknown", "exchange")]
    out = whale_activity(txs, symbols=["BTC"], now=NOW, window=3600,
                         bullish_threshold_usd=10e6, bearish_threshold_usd=10e6)
    assert out == {"BTC": NEUTRAL}
