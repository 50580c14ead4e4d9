"""/metrics is encoded again only when something it shows changed; a cached answer is always what a fresh
encoding would give."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

from collector.aggregate import Score
from collector.config import parse_config
from collector.metrics import Metrics
from collector.models import FearGreed, SourceResult
from collector.snapshot import Snapshot, SymbolView

TEXT, OM = "text/plain; version=0.0.4; charset=utf-8", "application/openmetrics-text; version=1.0.0; charset=utf-8"
CONFIG = parse_config({"symbols": {"BTC": {"aliases": ["Bitcoin"]}},
                       "rss": {"feeds": [{"name": "alpha", "url": "https://alpha.example/rss"}]}}, {})


class CountingEncoder:
    """The text encoder, counting how often it really runs."""

    def __init__(self, encode=generate_latest) -> None:
        self.encode = encode
        self.calls = 0

    def __call__(self, registry: CollectorRegistry) -> bytes:
        self.calls += 1
        return self.encode(registry)


def snapshot(score: float) -> Snapshot:
    return Snapshot(at=1.0, symbols={"BTC": SymbolView(news=Score(score, 3))}, sources={},
                    fear_greed=FearGreed(40, "Fear", 1.0))


class State:
    """The service's state callback: the current snapshot and config."""

    def __init__(self) -> None:
        self.snap = snapshot(0.25)

    def __call__(self):
        return self.snap, CONFIG


def make() -> tuple[Metrics, State, CountingEncoder]:
    state = State()
    return Metrics(CollectorRegistry(), state=state), state, CountingEncoder()


def test_perf_metrics_idle_scrape_is_not_encoded_again():
    """Two scrapes with nothing changed in between: one encoding, the same bytes."""
    metrics, _, enc = make()
    first = metrics.render(enc, TEXT)
    assert metrics.render(enc, TEXT) == first
    assert enc.calls == 1
    assert b'sigmax_news_sentiment_score{symbol="BTC"} 0.25' in first


def test_perf_metrics_request_makes_a_new_encoding():
    """A request counted since the last scrape shows in the next one."""
    metrics, _, enc = make()
    metrics.render(enc, TEXT)
    metrics.request_done("rss", True, None, 0.2)
    body = metrics.render(enc, TEXT)
    assert enc.calls == 2
    assert b'sigmax_research_api_requests_total{api="rss",status="success"} 1.0' in body


def test_perf_metrics_new_snapshot_makes_a_new_encoding():
    """A new snapshot (a run finished) shows in the next scrape."""
    metrics, state, enc = make()
    metrics.render(enc, TEXT)
    state.snap = snapshot(-0.5)
    body = metrics.render(enc, TEXT)
    assert enc.calls == 2
    assert b'sigmax_news_sentiment_score{symbol="BTC"} -0.5' in body


def test_perf_metrics_each_change_kind_invalidates():
    """Backoff, run results and reloads each make the next scrape encode again."""
    metrics, _, enc = make()
    changes = [lambda: metrics.backoff_until("rss", "alpha", 123.0),
               lambda: metrics.source_done(SourceResult("rss", "alpha", False, 0, 0.1, 1.0, "x", "parse",
                                                        counted=False), []),
               lambda: metrics.config_loaded(False, 5.0)]
    metrics.render(enc, TEXT)
    for n, change in enumerate(changes, start=2):
        change()
        assert metrics.render(enc, TEXT) == generate_latest(metrics.registry)
        assert enc.calls == n


def test_perf_metrics_encoders_cached_apart():
    """Text and OpenMetrics answers are cached separately and each equals a fresh encoding."""
    metrics, _, text = make()
    om = CountingEncoder(generate_openmetrics)
    assert metrics.render(text, TEXT) == generate_latest(metrics.registry)
    assert metrics.render(om, OM) == generate_openmetrics(metrics.registry)
    assert metrics.render(text, TEXT) == generate_latest(metrics.registry)
    assert (text.calls, om.calls) == (1, 1)


def test_perf_metrics_cache_keyed_by_content_type_not_encoder_object():
    """prometheus_client builds a new OpenMetrics encoder per request: the same content type is still one
    cached answer, and the cache does not grow with the number of scrapes."""
    from prometheus_client.exposition import choose_encoder

    metrics, _, _ = make()
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    bodies = {metrics.render(*choose_encoder(accept)) for _ in range(50)}
    assert len(bodies) == 1
    assert len(metrics._rendered) == 1
