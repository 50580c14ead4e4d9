"""The configuration model (frozen dataclasses) and its pure validation.

`parse_config(data, env)` turns a plain mapping (already loaded from YAML) plus the environment into a
`Config`, or raises `ConfigError` listing every problem with its path. `load_config(path, env)` reads the
file (YAML 1.2 via ruamel.yaml, duplicate keys rejected) and calls `parse_config`.
Secrets come only from the environment (see `Secrets`); a source whose required secret is missing is
disabled and named in `Config.notices`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collector.models import MARKET  # noqa: F401  (MARKET is reserved: no symbol may be called so)

ENV_CONFIG = "COLLECTOR_CONFIG"


@dataclass(frozen=True, slots=True)
class Secrets:
    """Tokens, from the environment only. `redactables()` lists every value that must never be shown."""

    cryptopanic_api_key: str | None = None
    reddit_client_id: str | None = None
    reddit_client_secret: str | None = None
    coingecko_api_key: str | None = None
    coingecko_plan: str = "demo"  # "demo" or "pro" (COINGECKO_API_PLAN)
    whale_alert_api_key: str | None = None

    def redactables(self) -> tuple[str, ...]:
        vals = (
            self.cryptopanic_api_key,
            self.reddit_client_id,
            self.reddit_client_secret,
            self.coingecko_api_key,
            self.whale_alert_api_key,
        )
        return tuple(v for v in vals if v)

    def __repr__(self) -> str:  # never print tokens, even in a debugger or a traceback
        return "Secrets(<redacted>)"


@dataclass(frozen=True, slots=True)
class SymbolConfig:
    symbol: str  # upper-case ticker, the label value
    aliases: tuple[str, ...]  # names, tickers, cashtags as written in feeds.yaml
    coingecko_id: str | None = None
    subreddits: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # phrases that must not count as this symbol ("Bitcoin Cash" for BTC)


@dataclass(frozen=True, slots=True)
class FeedConfig:
    name: str
    url: str
    enabled: bool = True
    interval: float | None = None  # seconds; None: the rss source's interval
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """Settings every source has, plus `params` for the source's own keys (already validated)."""

    name: str
    enabled: bool
    interval: float  # seconds between runs
    base_url: str
    timeout: float  # seconds, whole request deadline
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RssConfig:
    enabled: bool
    interval: float
    timeout: float
    feeds: tuple[FeedConfig, ...]


@dataclass(frozen=True, slots=True)
class AggregationConfig:
    window: float = 6 * 3600.0  # seconds of history a score looks at
    half_life: float = 2 * 3600.0  # an item's weight halves every half_life seconds
    min_items: int = 1  # fewer items in the window: no score is published
    max_engagement_weight: float = 3.0  # clip for 1 + log1p(votes/score)
    future_tolerance: float = 300.0  # items dated further ahead are clamped to now


@dataclass(frozen=True, slots=True)
class HttpConfig:
    user_agent: str = "sigmax-collector/{version} (+https://github.com/sigmax/collector)"
    max_body_bytes: int = 5 * 1024 * 1024
    max_connections: int = 32
    per_host: int = 4
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    host: str = "0.0.0.0"  # noqa: S104  (a container must listen on all interfaces)
    port: int = 9188
    jitter: float = 0.1  # fraction of an interval added at random to each run
    reload_poll_seconds: float = 5.0
    enable_reload_endpoint: bool = False


@dataclass(frozen=True, slots=True)
class Config:
    symbols: tuple[SymbolConfig, ...]
    sources: dict[str, SourceConfig]  # cryptopanic, reddit, coingecko, feargreed, whalealert
    rss: RssConfig
    aggregation: AggregationConfig = AggregationConfig()
    http: HttpConfig = HttpConfig()
    service: ServiceConfig = ServiceConfig()
    secrets: Secrets = Secrets()
    notices: tuple[str, ...] = ()  # one line per source disabled for a missing secret
    path: str | None = None
