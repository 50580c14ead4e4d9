"""Metrics: exact names and labels, nothing before it is known, stale series gone."""

from __future__ import annotations

import pytest
from core_helpers import NOW
from prometheus_client import CollectorRegistry, generate_latest

from collector.aggregate import Score
from collector.config import Config, FeedConfig, RssConfig, SymbolConfig
from collector.metrics import Metrics
from collector.models import FearGreed, SourceResult
from collector.snapshot import Snapshot, SourceStatus, SymbolView


def _config(feeds=("coindesk",), symbols=("BTC", "ETH")) -> Config:
    return Config(
        symbols=tuple(SymbolConfig(symbol=s, aliases=(s,), coingecko_id=s.lower()) for s in symbols),
        sources={},
        rss=RssConfig(enabled=True, interval=300, timeout=10,
                      feeds=tuple(FeedConfig(name=f, url=f"https://{f}.example/rss?key=sekrit") for f in feeds)),
    )


def _result(feed: str | None, ok: bool, source: str = "rss") -> SourceResult:
    return SourceResult(source=source, feed=feed, ok=ok, items=3, duration_seconds=0.1, finished_at=NOW,
                        error=None if ok else "boom", reason=None if ok else "connect")


class State:
    """A settable stand-in for the service's state callback."""

    def __init__(self) -> None:
        self.snap: Snapshot | None = None
        self.cfg: Config | None = None

    def __call__(self):
        return self.snap, self.cfg


@pytest.fixture
def state() -> State:
    return State()


@pytest.fixture
def registry_and_metrics(state):
    reg = CollectorRegistry()
    return reg, Metrics(reg, state=state)


def _snap(**kw) -> Snapshot:
    base = dict(at=NOW, symbols={}, sources={})
    base.update(kw)
    return Snapshot(**base)


def test_metrics_nothing_exported_before_known(registry_and_metrics, state):
    """Before the first cycle: no Fear & Greed, no scores, no freshness; build info is there."""
    reg, _ = registry_and_metrics
    text = generate_latest(reg).decode()
    assert "sigmax_fear_greed_index " not in text
    assert "sigmax_news_sentiment_score{" not in text
    assert reg.get_sample_value("sigmax_collector_build_info", {"version": "0.1.0"}) == 1
    assert "_created" not in text


def test_metrics_render_snapshot_values(registry_and_metrics, state):
    """Scores, F&G, prices and feed health come out under the contract names."""
    reg, _ = registry_and_metrics
    state.cfg = _config()
    state.snap = _snap(
        symbols={"BTC": SymbolView(news=Score(0.25, 4), social=Score(-0.5, 2), price_usd=50_000.0,
                                   change_24h_percent=-2.5, trending=True)},
        sources={"rss": SourceStatus(api="rss", ok=True, items=3, duration_seconds=0.1, error=None, reason=None,
                                     last_success=NOW, feeds={"coindesk": _result("coindesk", True)})},
        fear_greed=FearGreed(value=26, classification="Fear", timestamp=NOW),
    )
    v = reg.get_sample_value
    assert v("sigmax_news_sentiment_score", {"symbol": "BTC"}) == 0.25
    assert v("sigmax_social_sentiment_score", {"symbol": "BTC"}) == -0.5
    assert v("sigmax_sentiment_items_in_window", {"symbol": "BTC", "kind": "news"}) == 4
    assert v("sigmax_fear_greed_index") == 26
    assert v("sigmax_coingecko_price_usd", {"symbol": "BTC"}) == 50_000.0
    assert v("sigmax_coingecko_price_change_24h_ratio", {"symbol": "BTC"}) == pytest.approx(-0.025)
    assert v("sigmax_coingecko_trending", {"symbol": "BTC"}) == 1
    labels = {"feed": "coindesk", "feed_url": "https://coindesk.example/rss?key=REDACTED"}
    assert v("sigmax_rss_feed_fetch_success", labels) == 1
    assert v("sigmax_sentiment_last_update_timestamp", {"source": "rss"}) == NOW
    assert v("sigmax_source_up", {"source": "rss"}) == 1
    assert v("sigmax_news_sentiment_score", {"symbol": "ETH"}) is None


def test_metrics_feed_removed_from_config_disappears(registry_and_metrics, state):
    """A feed that left the config has no fetch-success series any more."""
    reg, _ = registry_and_metrics
    feeds = {"coindesk": _result("coindesk", True), "gone": _result("gone", False)}
    state.snap = _snap(sources={"rss": SourceStatus(api="rss", ok=False, items=3, duration_seconds=0.1,
                                                    error="boom", reason="connect", last_success=None,
                                                    feeds=feeds)})
    state.cfg = _config(feeds=("coindesk", "gone"))
    assert reg.get_sample_value("sigmax_rss_feed_fetch_success",
                                {"feed": "gone", "feed_url": "https://gone.example/rss?key=REDACTED"}) == 0
    state.cfg = _config(feeds=("coindesk",))
    assert "gone" not in generate_latest(reg).decode()


def test_metrics_request_outcomes_counted(registry_and_metrics):
    """Each request is counted by status, observed in the histogram, errors by reason."""
    reg, m = registry_and_metrics
    m.request_done("reddit", True, None, 0.2)
    m.request_done("reddit", False, "rate_limited", 0.1)
    v = reg.get_sample_value
    assert v("sigmax_research_api_requests_total", {"api": "reddit", "status": "success"}) == 1
    assert v("sigmax_research_api_requests_total", {"api": "reddit", "status": "error"}) == 1
    assert v("sigmax_research_api_errors_total", {"api": "reddit", "reason": "rate_limited"}) == 1
    assert v("sigmax_research_api_duration_seconds_count", {"api": "reddit"}) == 2
    assert v("sigmax_research_api_duration_seconds_bucket", {"api": "reddit", "le": "30.0"}) == 2


def test_metrics_uncounted_run_failure_is_counted_once(registry_and_metrics):
    """A parse failure (no failed request) is counted by the listener; a counted one is not again."""
    reg, m = registry_and_metrics
    parse_fail = SourceResult(source="feargreed", feed=None, ok=False, items=0, duration_seconds=0.1,
                              finished_at=NOW, error="bad", reason="parse", counted=False)
    http_fail = SourceResult(source="feargreed", feed=None, ok=False, items=0, duration_seconds=0.1,
                             finished_at=NOW, error="bad", reason="http_5xx", counted=True)
    m.source_done(parse_fail, [])
    m.source_done(http_fail, [])
    v = reg.get_sample_value
    assert v("sigmax_research_api_errors_total", {"api": "feargreed", "reason": "parse"}) == 1
    assert v("sigmax_research_api_errors_total", {"api": "feargreed", "reason": "http_5xx"}) is None


def test_metrics_backoff_gauge_present_only_while_backing_off(registry_and_metrics):
    """The backoff gauge appears with a 429 and goes when requests may go out again."""
    reg, m = registry_and_metrics
    m.backoff_until("coingecko", None, NOW + 60)
    assert reg.get_sample_value("sigmax_research_api_backoff_until_timestamp_seconds",
                                {"api": "coingecko", "feed": ""}) == NOW + 60
    m.backoff_until("coingecko", None, None)
    assert reg.get_sample_value("sigmax_research_api_backoff_until_timestamp_seconds",
                                {"api": "coingecko", "feed": ""}) is None


def test_metrics_reload_gauges(registry_and_metrics):
    """A failed reload sets the gauge to 0 and keeps the last success time."""
    reg, m = registry_and_metrics
    m.config_loaded(True, NOW)
    m.config_loaded(False, NOW + 10)
    assert reg.get_sample_value("sigmax_collector_config_last_reload_successful") == 0
    assert reg.get_sample_value("sigmax_collector_config_last_reload_success_timestamp_seconds") == NOW
