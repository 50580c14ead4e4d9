"""The configuration model (frozen dataclasses) and its pure validation.

`parse_config(data, env)` turns a plain mapping (already loaded from YAML) plus the environment into a
`Config`, or raises `ConfigError` listing every problem with its path. `load_config(path, env)` reads the
file (YAML 1.2 via ruamel.yaml, duplicate keys rejected) and calls `parse_config`.
Secrets come only from the environment (see `Secrets`); a source whose required secret is missing is
disabled and named in `Config.notices`. The file layout is documented in the shipped feeds.yaml.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collector.config_checks import (
    Field,
    Problems,
    boolean,
    check_keys,
    http_url,
    join,
    kind_of,
    list_of,
    nonneg_duration,
    normalize_url,
    number,
    positive_duration,
    read_section,
    show,
    string,
    template,
)
from collector.config_sources import ANY_SECRET_HINT, apply_secrets, read_secrets, read_sources, subreddit
from collector.errors import ConfigError
from collector.models import MARKET

ENV_CONFIG = "COLLECTOR_CONFIG"
DEFAULT_CONFIG = "feeds.yaml"


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


# -- sections --------------------------------------------------------------------------------------------

TOP_LEVEL: tuple[str, ...] = ("symbols", "sources", "rss", "aggregation", "http", "service")

_AGG, _HTTP, _SERVICE = AggregationConfig(), HttpConfig(), ServiceConfig()  # the defaults
_TICKER = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,19}")
_FEED_NAME = string(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
                    hint="use letters, digits, '.', '_' or '-' (it becomes a metric label)")
_text = string()

_SYMBOL_FIELDS: dict[str, Field] = {
    "aliases": Field(list_of(_text, allow_empty=False), None),
    "coingecko_id": Field(string(r"[a-z0-9][a-z0-9-]*", hint="a CoinGecko API id such as bitcoin"), None,
                          nullable=True),
    "subreddits": Field(list_of(subreddit), []),
    "exclude": Field(list_of(_text), []),
}
_FEED_FIELDS: dict[str, Field] = {
    "name": Field(_FEED_NAME, None),
    "url": Field(http_url, None),
    "enabled": Field(boolean, True),
    "interval": Field(positive_duration, None, nullable=True),
    "weight": Field(number(0, 100, above=True), 1.0),
}
_RSS_FIELDS: dict[str, Field] = {
    "enabled": Field(boolean, True),
    "interval": Field(positive_duration, 300.0),
    "timeout": Field(positive_duration, 15.0),
    "feeds": Field(lambda p, path, v: v, [], nullable=True),  # validated entry by entry in _read_rss
}
_AGG_FIELDS: dict[str, Field] = {
    "window": Field(positive_duration, _AGG.window),
    "half_life": Field(positive_duration, _AGG.half_life),
    "min_items": Field(number(1, integer=True), _AGG.min_items),
    "max_engagement_weight": Field(number(1), _AGG.max_engagement_weight),
    "future_tolerance": Field(nonneg_duration, _AGG.future_tolerance),
}
_HTTP_FIELDS: dict[str, Field] = {
    "user_agent": Field(template, _HTTP.user_agent),
    "max_body_bytes": Field(number(1024, integer=True), _HTTP.max_body_bytes),
    "max_connections": Field(number(1, integer=True), _HTTP.max_connections),
    "per_host": Field(number(1, integer=True), _HTTP.per_host),
    "max_redirects": Field(number(0, 30, integer=True), _HTTP.max_redirects),
}
_SERVICE_FIELDS: dict[str, Field] = {
    "host": Field(_text, _SERVICE.host),
    "port": Field(number(0, 65535, integer=True), _SERVICE.port),
    "jitter": Field(number(0, 1), _SERVICE.jitter),
    "reload_poll_seconds": Field(positive_duration, _SERVICE.reload_poll_seconds),
    "enable_reload_endpoint": Field(boolean, _SERVICE.enable_reload_endpoint),
}


def _ticker(problems: Problems, path: str, key: object) -> str | None:
    """The upper-cased ticker for a `symbols:` key, or None after recording why it is not one."""
    if isinstance(key, bool):
        problems.add(path, f"ticker must be a string, but YAML read {str(key).lower()} as a boolean; "
                           f'quote it: "{str(key).upper()}":')
        return None
    if isinstance(key, int | float):
        problems.add(path, f"ticker must be a string, but YAML read {key} as a number; "
                           f'quote it: "{key}":')
        return None
    if not isinstance(key, str):
        problems.add(path, f"ticker must be a string, got {kind_of(key)} {show(key)}")
        return None
    ticker = key.strip().upper()
    if ticker.startswith("$"):
        problems.add(path, f"write the bare ticker {ticker[1:]!r} as the key; put {key!r} in its aliases")
        return None
    if not _TICKER.fullmatch(ticker):
        problems.add(path, f"not a ticker: {show(key)}; use letters and digits, e.g. BTC")
        return None
    if ticker == MARKET:
        problems.add(path, f"{MARKET!r} is reserved for the market-wide score; choose another ticker")
        return None
    return ticker


def _read_symbols(problems: Problems, data: Any) -> tuple[SymbolConfig, ...]:
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        problems.add("symbols", f"must be a mapping of ticker -> settings, got {kind_of(data)}; "
                                "e.g. BTC: {aliases: [Bitcoin, BTC]}")
        return ()
    out: list[SymbolConfig] = []
    seen: dict[str, str] = {}  # ticker -> key as written
    alias_owner: dict[str, str] = {}  # casefolded alias -> ticker
    id_owner: dict[str, str] = {}
    for index, (key, settings) in enumerate(data.items()):
        ticker = _ticker(problems, f"symbols[{index}]", key)
        if ticker is None:
            continue
        path = join("symbols", key)
        if ticker in seen:
            problems.add(path, f"duplicate symbol {ticker!r} (also written as {seen[ticker]!r})")
            continue
        seen[ticker] = key
        if not isinstance(settings, Mapping):
            problems.add(path, f"must be a mapping with at least 'aliases', got {kind_of(settings)}; "
                               f"e.g. {ticker}: {{aliases: [{ticker}]}}")
            continue
        values = read_section(problems, path, settings, _SYMBOL_FIELDS, ANY_SECRET_HINT)
        if "aliases" not in settings:
            problems.add(join(path, "aliases"), "required: the names, tickers and cashtags to match, "
                                                f"e.g. [{ticker}, ${ticker}]")
        aliases = values["aliases"] or []
        for i, alias in enumerate(aliases):
            owner = alias_owner.setdefault(alias.casefold(), ticker)
            if owner != ticker:
                problems.add(join(join(path, "aliases"), i),
                             f"alias {alias!r} is already an alias of {owner}")
        cg = values["coingecko_id"]
        if cg is not None and id_owner.setdefault(cg, ticker) != ticker:
            problems.add(join(path, "coingecko_id"), f"{cg!r} is already the coingecko_id of {id_owner[cg]}")
        out.append(SymbolConfig(symbol=ticker, aliases=tuple(aliases), coingecko_id=cg,
                                subreddits=tuple(values["subreddits"]), exclude=tuple(values["exclude"])))
    return tuple(out)


def _read_feed(problems: Problems, path: str, raw: Any) -> FeedConfig | None:
    if not isinstance(raw, Mapping):
        problems.add(path, f"must be a mapping with name and url, got {kind_of(raw)} {show(raw)}")
        return None
    before = len(problems.lines)
    values = read_section(problems, path, raw, _FEED_FIELDS, ANY_SECRET_HINT)
    for req in ("name", "url"):
        if req not in raw:
            problems.add(join(path, req), "required")
    if len(problems.lines) != before or values["name"] is None or values["url"] is None:
        return None
    return FeedConfig(name=values["name"], url=values["url"], enabled=values["enabled"],
                      interval=values["interval"], weight=values["weight"])


def _read_rss(problems: Problems, data: Any) -> RssConfig:
    values = read_section(problems, "rss", data, _RSS_FIELDS, ANY_SECRET_HINT)
    present = isinstance(data, Mapping)
    raw_feeds = values["feeds"] if values["feeds"] is not None else []
    feeds: list[FeedConfig] = []
    if not isinstance(raw_feeds, list):
        problems.add("rss.feeds", f"must be a list of feeds, got {kind_of(raw_feeds)}; "
                                  "e.g. - {name: coindesk, url: https://...}")
        raw_feeds = []
    names: dict[str, int] = {}
    urls: dict[str, int] = {}
    for i, raw in enumerate(raw_feeds):
        path = f"rss.feeds[{i}]"
        feed = _read_feed(problems, path, raw)
        if feed is None:
            continue
        name_key, url_key = feed.name.casefold(), normalize_url(feed.url)
        if name_key in names:
            problems.add(join(path, "name"),
                         f"duplicate feed name {feed.name!r} (also rss.feeds[{names[name_key]}])")
            continue
        if url_key in urls:
            problems.add(join(path, "url"),
                         f"duplicate feed URL {feed.url!r} (same feed as rss.feeds[{urls[url_key]}])")
            continue
        names[name_key], urls[url_key] = i, i
        feeds.append(feed)
    return RssConfig(enabled=values["enabled"] and present, interval=values["interval"],
                     timeout=values["timeout"], feeds=tuple(feeds))


def parse_config(data: Mapping[str, Any] | None, env: Mapping[str, str], *,
                 path: str | None = None) -> Config:
    """Validate a loaded config in one pass; raise ConfigError with every problem, each with its path."""
    problems = Problems()
    if data is None:
        raise ConfigError(["the file is empty; start from the shipped feeds.yaml"], path=path)
    if not isinstance(data, Mapping):
        raise ConfigError([f"the file must hold a mapping of sections ({', '.join(TOP_LEVEL)}), "
                           f"got {kind_of(data)}"], path=path)
    check_keys(problems, "", data, TOP_LEVEL, ANY_SECRET_HINT)
    symbols = _read_symbols(problems, data.get("symbols"))
    sources = read_sources(problems, data.get("sources"))
    rss = _read_rss(problems, data.get("rss"))
    agg = read_section(problems, "aggregation", data.get("aggregation"), _AGG_FIELDS, ANY_SECRET_HINT)
    http = read_section(problems, "http", data.get("http"), _HTTP_FIELDS, ANY_SECRET_HINT)
    if http["per_host"] > http["max_connections"]:
        problems.add("http.per_host", f"must not exceed http.max_connections ({http['max_connections']})")
    service = read_section(problems, "service", data.get("service"), _SERVICE_FIELDS, ANY_SECRET_HINT)
    secret_values = read_secrets(problems, env)
    if problems:
        raise ConfigError(problems.lines, path=path)
    notices = apply_secrets(sources, secret_values)
    return Config(
        symbols=symbols,
        sources={name: SourceConfig(name=name, enabled=v["enabled"], interval=v["interval"],
                                    base_url=v["base_url"], timeout=v["timeout"],
                                    params={k: x for k, x in v.items()
                                            if k not in ("enabled", "interval", "base_url", "timeout")})
                 for name, v in sources.items()},
        rss=rss,
        aggregation=AggregationConfig(**agg),
        http=HttpConfig(**http),
        service=ServiceConfig(**service),
        secrets=Secrets(**secret_values),
        notices=tuple(notices),
        path=path,
    )


def config_path(path: str | Path | None, env: Mapping[str, str]) -> Path:
    """The file to read: `path`, else $COLLECTOR_CONFIG, else ./feeds.yaml."""
    if path is not None and str(path) != "":
        return Path(path)
    from_env = (env.get(ENV_CONFIG) or "").strip()
    return Path(from_env) if from_env else Path(DEFAULT_CONFIG)


#: Words YAML 1.1 reads as booleans; YAML 1.2 (ours) reads them as strings. (true/false are booleans in both.)
_YAML11_MEANS = {"Y": "true", "YES": "true", "ON": "true", "N": "false", "NO": "false", "OFF": "false"}
YAML11_BOOLS = frozenset(_YAML11_MEANS)


def yaml11_traps(tree: Any) -> list[str]:
    """Problems for unquoted `symbols:` keys that YAML 1.1 tools would read as booleans (NO, ON, ...).

    `tree` is the round-trip tree (see collector.yamlio): a quoted key there is a str subclass with a `style`.
    The ticker must mean the same to every YAML tool that reads the file, so an unquoted one is refused."""
    symbols = tree.get("symbols") if isinstance(tree, Mapping) else None
    if not isinstance(symbols, Mapping):
        return []
    return [f"symbols.{key}: an unquoted {key} means {_YAML11_MEANS[key.upper()]} to YAML 1.1 tools; "
            f'quote the ticker: "{key}":'
            for key in symbols
            if isinstance(key, str) and getattr(key, "style", None) is None and key.upper() in YAML11_BOOLS]


def validate_tree(tree: Any, env: Mapping[str, str], *, path: str | None = None) -> Config:
    """`parse_config` on a round-trip tree, plus the checks that need the YAML itself (`yaml11_traps`)."""
    from collector.yamlio import to_plain

    traps = yaml11_traps(tree)
    try:
        config = parse_config(to_plain(tree), env, path=path)
    except ConfigError as exc:
        raise ConfigError(traps + exc.problems, path=path) from None
    if traps:
        raise ConfigError(traps, path=path)
    return config


def load_config(path: str | Path | None, env: Mapping[str, str] = os.environ) -> Config:
    """Read and validate the config file (see `config_path`); raise ConfigError on any problem."""
    from collector.yamlio import load_roundtrip, read_text

    where = config_path(path, env)
    text = read_text(where)
    return validate_tree(load_roundtrip(text, str(where)), env, path=str(where))
