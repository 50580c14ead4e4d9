"""The source modules and `build_sources`, which turns a `Config` into the list of jobs to run.

One instance per enabled source (cryptopanic, reddit, coingecko, feargreed, whalealert, in that order) and one
`RssFeedSource` per enabled feed (key "rss:<name>") when rss is enabled. Sources disabled in the config,
including those the config disabled for a missing secret (see `Config.notices`), are left out.
"""

from __future__ import annotations

from collector.config import Config
from collector.offload import Offload, inline
from collector.sources.base import Source
from collector.sources.coingecko import CoinGeckoSource
from collector.sources.cryptopanic import CryptoPanicSource
from collector.sources.feargreed import FearGreedSource
from collector.sources.reddit import RedditSource
from collector.sources.rss import RssFeedSource
from collector.sources.whalealert import WhaleAlertSource

__all__ = [
    "CoinGeckoSource",
    "CryptoPanicSource",
    "FearGreedSource",
    "RedditSource",
    "RssFeedSource",
    "WhaleAlertSource",
    "build_sources",
]


def build_sources(config: Config, *, offload: Offload = inline) -> list[Source]:
    """Fresh source instances for every enabled source and feed of `config` (RSS bodies parsed by `offload`)."""
    out: list[Source] = []
    sources, secrets, symbols = config.sources, config.secrets, config.symbols
    for name, cfg in sources.items():
        if not cfg.enabled:
            continue
        if name == "cryptopanic":
            out.append(CryptoPanicSource(cfg, secrets))
        elif name == "reddit":
            out.append(RedditSource(cfg, secrets, symbols))
        elif name == "coingecko":
            out.append(CoinGeckoSource(cfg, secrets, symbols))
        elif name == "feargreed":
            out.append(FearGreedSource(cfg))
        elif name == "whalealert":
            out.append(WhaleAlertSource(cfg, secrets))
    if config.rss.enabled:
        out.extend(RssFeedSource(feed, config.rss, offload=offload) for feed in config.rss.feeds if feed.enabled)
    return out
