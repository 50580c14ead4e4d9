"""Specs for build_sources: one job per enabled source and feed, keys and intervals."""

from __future__ import annotations

from sources_helpers import SYMBOLS, source_config

from collector.config import Config, FeedConfig, RssConfig, Secrets
from collector.sources import build_sources
from collector.sources.base import Source


def _config(*, disabled: tuple[str, ...] = (), rss_enabled: bool = True) -> Config:
    names = ("cryptopanic", "reddit", "coingecko", "feargreed", "whalealert")
    sources = {}
    for n in names:
        cfg = source_config(n, f"https://{n}.example")
        sources[n] = cfg if n not in disabled else type(cfg)(n, False, cfg.interval, cfg.base_url, cfg.timeout)
    feeds = (FeedConfig("alpha", "https://a.example/rss"), FeedConfig("beta", "https://b.example/rss", enabled=False),
             FeedConfig("gamma", "https://g.example/atom", interval=120.0))
    return Config(symbols=SYMBOLS, sources=sources, rss=RssConfig(rss_enabled, 600.0, 9.0, feeds),
                  secrets=Secrets(cryptopanic_api_key="k" * 8, whale_alert_api_key="w" * 8))


def test_build_sources_one_per_enabled_source_and_feed():
    """Five sources and the two enabled feeds, each a Source with its own key."""
    built = build_sources(_config())
    assert [s.key for s in built] == ["cryptopanic", "reddit", "coingecko", "feargreed", "whalealert",
                                      "rss:alpha", "rss:gamma"]
    assert all(isinstance(s, Source) for s in built)
    assert [s.api for s in built][-2:] == ["rss", "rss"]


def test_build_sources_feed_interval_overrides_the_rss_default():
    """A feed's own interval wins; without one the rss interval applies; rss timeout for each feed."""
    by_key = {s.key: s for s in build_sources(_config())}
    assert by_key["rss:alpha"].interval == 600.0 and by_key["rss:gamma"].interval == 120.0
    assert by_key["rss:gamma"].timeout == 9.0 and by_key["rss:gamma"].feed == "gamma"


def test_build_sources_skips_disabled_sources_and_disabled_rss():
    """Disabled sources (e.g. for a missing secret) and a disabled rss section build nothing."""
    built = build_sources(_config(disabled=("cryptopanic", "whalealert"), rss_enabled=False))
    assert [s.key for s in built] == ["reddit", "coingecko", "feargreed"]


def test_build_sources_makes_fresh_instances():
    """Each call builds new objects (the pipeline decides which old ones to keep)."""
    first, second = build_sources(_config()), build_sources(_config())
    assert all(a is not b for a, b in zip(first, second, strict=True))
