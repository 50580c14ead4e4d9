"""Every metric the collector exports, by name. The names, labels and units are a contract with SIGMAX's
dashboards, alerts and auto-pause logic (README, "Metrics"): change them only with them.

Counters and the duration histogram are updated as requests and runs happen. Everything derived from the
current state (scores, Fear & Greed, prices, feed health, freshness) is rendered at scrape time from the latest
`Snapshot` by a custom collector, so a value exists only once it is known and the series of a symbol or feed
that left the config disappear with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector as _PromCollector

from collector import __version__
from collector.config import Config, FeedConfig
from collector.errors import REASONS
from collector.models import ScoredItem, SourceResult
from collector.redact import redact_url
from collector.snapshot import Snapshot
from collector.sources.base import APIS

DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0)

State = Callable[[], tuple[Snapshot | None, Config | None]]
Encoder = Callable[[CollectorRegistry], bytes]


class Metrics:
    """Owns the registry's metrics. Implements `collector.http.RequestObserver` and the pipeline listener."""

    def __init__(self, registry: CollectorRegistry, state: State | None = None) -> None:
        # no *_created series: they double the series count and nothing here reads them
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = registry
        self.api_requests = Counter(
            "sigmax_research_api_requests", "Requests to research APIs, by outcome.",
            ["api", "status"], registry=registry)
        self.api_errors = Counter(
            "sigmax_research_api_errors", "Failed research API requests and runs, by reason.",
            ["api", "reason"], registry=registry)
        self.api_duration = Histogram(
            "sigmax_research_api_duration_seconds", "Duration of research API requests.",
            ["api"], buckets=DURATION_BUCKETS, registry=registry)
        self.articles = Counter(
            "sigmax_news_articles_processed", "Unique items scored (after deduplication).",
            ["source"], registry=registry)
        self.build_info = Gauge(
            "sigmax_collector_build_info", "Build of the collector; always 1.", ["version"], registry=registry)
        self.build_info.labels(version=__version__).set(1)
        self.reload_ok = Gauge(
            "sigmax_collector_config_last_reload_successful",
            "1 when the last config (re)load succeeded, 0 when it was invalid.", registry=registry)
        self.reload_ts = Gauge(
            "sigmax_collector_config_last_reload_success_timestamp_seconds",
            "Unix time of the last successful config (re)load.", registry=registry)
        self._backoff: dict[tuple[str, str], float] = {}
        self._state = state
        if state is not None:
            registry.register(_StateCollector(state, self._backoff))
        #: bumped by every change this class makes; with the snapshot and config objects it keys `render`'s cache
        self.version = 0
        self._rendered: dict[str, tuple[tuple[int, ...], bytes, object]] = {}

    def render(self, encoder: Encoder, content_type: str) -> bytes:
        """`encoder(registry)`, encoded again only when something it shows changed: a request, a run, a
        backoff or a reload (each bumps `version`), or a new snapshot or config (new objects; they are
        immutable and rebuilt on change). An idle scrape is a dictionary lookup, not ~10 ms of text building.
        Answers are kept per content type (prometheus_client hands out a new encoder object for every
        OpenMetrics request, so the encoder itself cannot be the key)."""
        snap, cfg = self._state() if self._state is not None else (None, None)
        key = (self.version, id(snap), id(cfg), len(getattr(self.registry, "_collector_to_names", ())))
        cached = self._rendered.get(content_type)
        if cached is not None and cached[0] == key:
            return cached[1]
        body = encoder(self.registry)
        if content_type not in self._rendered and len(self._rendered) >= 8:  # odd Accept variants: stay bounded
            self._rendered.clear()
        self._rendered[content_type] = (key, body, (snap, cfg))  # holding snap and cfg keeps their ids unique
        return body

    # -- RequestObserver -------------------------------------------------------------------------
    def request_done(self, api: str, ok: bool, reason: str | None, seconds: float) -> None:
        self.version += 1
        self.api_requests.labels(api=api, status="success" if ok else "error").inc()
        self.api_duration.labels(api=api).observe(seconds)
        if not ok and reason is not None:  # None: the source reads the status and reports its own reason
            self.api_errors.labels(api=api, reason=reason if reason in REASONS else "internal").inc()

    def backoff_until(self, api: str, feed: str | None, until: float | None) -> None:
        self.version += 1
        if until is None:
            self._backoff.pop((api, feed or ""), None)
        else:
            self._backoff[(api, feed or "")] = until

    # -- pipeline Listener -----------------------------------------------------------------------
    def source_done(self, result: SourceResult, new_items: Sequence[ScoredItem]) -> None:
        self.version += 1
        if new_items:
            counts: dict[str, int] = {}
            for s in new_items:
                counts[s.item.source] = counts.get(s.item.source, 0) + 1
            for source, n in counts.items():
                self.articles.labels(source=source).inc(n)
        if not result.ok and not result.counted and result.reason is not None:
            # failures outside an HTTP exchange (parse, run deadline, a bug) are not seen by the observer
            self.api_errors.labels(api=result.source, reason=result.reason).inc()

    def config_loaded(self, ok: bool, at: float) -> None:
        self.version += 1
        self.reload_ok.set(1 if ok else 0)
        if ok:
            self.reload_ts.set(at)


class _StateCollector(_PromCollector):
    def __init__(self, state: State, backoff: dict[tuple[str, str], float]) -> None:
        self.state = state
        self.backoff = backoff

    def collect(self) -> Iterator[Metric]:
        snap, cfg = self.state()
        feeds = {f.name for f in cfg.rss.feeds} if cfg is not None else set()
        yield from _backoff_family({k: v for k, v in self.backoff.items() if not k[1] or k[1] in feeds})
        if snap is None or cfg is None:
            return
        yield from render_snapshot(snap, cfg)


def _backoff_family(backoff: dict[tuple[str, str], float]) -> Iterator[Metric]:
    fam = GaugeMetricFamily("sigmax_research_api_backoff_until_timestamp_seconds",
                            "Unix time until which requests to this api (feed: one RSS feed) are held back after "
                            "429 or repeated failures.", labels=["api", "feed"])
    for (api, feed), until in sorted(backoff.items()):
        fam.add_metric([api, feed], until)
    yield fam


_FEED_URLS: list[tuple[tuple[FeedConfig, ...], dict[str, str]]] = []


def _feed_urls(feeds: tuple[FeedConfig, ...]) -> dict[str, str]:
    """feed name -> redacted URL, worked out once per feed list (not on every scrape)."""
    if _FEED_URLS and _FEED_URLS[0][0] is feeds:
        return _FEED_URLS[0][1]
    urls = {f.name: redact_url(f.url) for f in feeds}
    _FEED_URLS[:] = [(feeds, urls)]
    return urls


def render_snapshot(snap: Snapshot, cfg: Config) -> Iterator[Metric]:
    """Gauge families for the current state. Absent values produce no sample."""
    news = GaugeMetricFamily("sigmax_news_sentiment_score",
                             "Time-decayed weighted news sentiment (CryptoPanic + RSS), -1..1.", labels=["symbol"])
    social = GaugeMetricFamily("sigmax_social_sentiment_score",
                               "Time-decayed weighted social sentiment (Reddit), -1..1.", labels=["symbol"])
    in_window = GaugeMetricFamily("sigmax_sentiment_items_in_window",
                                  "Items that make up the current score.", labels=["symbol", "kind"])
    price = GaugeMetricFamily("sigmax_coingecko_price_usd", "Price in USD (CoinGecko).", labels=["symbol"])
    change = GaugeMetricFamily("sigmax_coingecko_price_change_24h_ratio",
                               "24h price change as a ratio (0.05 = +5%).", labels=["symbol"])
    mcap = GaugeMetricFamily("sigmax_coingecko_market_cap_usd", "Market cap in USD.", labels=["symbol"])
    trending = GaugeMetricFamily("sigmax_coingecko_trending",
                                 "1 when the coin is on CoinGecko's trending list.", labels=["symbol"])
    whales = GaugeMetricFamily("sigmax_onchain_whale_activity",
                               "Whale flows: 0 bearish (into exchanges), 1 neutral, 2 bullish.", labels=["symbol"])
    for sym, v in snap.symbols.items():
        for fam, score, kind in ((news, v.news, "news"), (social, v.social, "social")):
            if score is not None:
                fam.add_metric([sym], score.score)
                in_window.add_metric([sym, kind], score.items)
        for fam2, val in ((price, v.price_usd), (mcap, v.market_cap_usd)):
            if val is not None:
                fam2.add_metric([sym], val)
        if v.change_24h_percent is not None:
            change.add_metric([sym], v.change_24h_percent / 100.0)
        if v.trending is not None:
            trending.add_metric([sym], 1.0 if v.trending else 0.0)
        if v.whale_activity is not None:
            whales.add_metric([sym], v.whale_activity)
    yield from (news, social, in_window, price, change, mcap, trending, whales)

    fg = GaugeMetricFamily("sigmax_fear_greed_index", "Crypto Fear & Greed index (alternative.me), 0..100.")
    if snap.fear_greed is not None:
        fg.add_metric([], snap.fear_greed.value)
    yield fg
    gmc = GaugeMetricFamily("sigmax_coingecko_market_cap_change_24h_ratio",
                            "Total crypto market cap change over 24h as a ratio.")
    if snap.market_cap_change_24h_percent is not None:
        gmc.add_metric([], snap.market_cap_change_24h_percent / 100.0)
    yield gmc

    feed_ok = GaugeMetricFamily("sigmax_rss_feed_fetch_success",
                                "1 when the feed's last fetch succeeded, else 0.", labels=["feed", "feed_url"])
    rss = snap.sources.get("rss")
    urls = _feed_urls(cfg.rss.feeds)
    if rss is not None:
        for name, r in sorted(rss.feeds.items()):
            if name in urls:
                feed_ok.add_metric([name, urls[name]], 1.0 if r.ok else 0.0)
    yield feed_ok

    up = GaugeMetricFamily("sigmax_source_up", "1 when the source's last run succeeded (rss: any feed).",
                           labels=["source"])
    fresh = GaugeMetricFamily("sigmax_sentiment_last_update_timestamp",
                              "Unix time of the last successful update from the source.", labels=["source"])
    for api in APIS:
        st = snap.sources.get(api)
        if st is None:
            continue
        if st.feeds or (st.error != "not run yet"):
            ok = any(r.ok for r in st.feeds.values()) if api == "rss" else st.ok
            up.add_metric([api], 1.0 if ok else 0.0)
        if st.last_success is not None:
            fresh.add_metric([api], st.last_success)
    yield up
    yield fresh
