"""What changed between two configs: the pure half of hot reload.

Jobs are named like `collector.sources.base.Source.key`: the source name ("reddit", ...) for the five APIs,
"rss:<feed name>" for each feed. A job exists when it is enabled (for a feed: the feed and the rss section).
`diff_configs(old, new)` says which jobs to add, remove, and rebuild (`changed`: anything the job reads
differs) and, among those, which only need a new schedule (`rescheduled`: only the interval differs). It
also lists feeds and symbols added, removed or changed, and which other sections changed.

What a job reads: its own settings; its secret (compared, never shown); for coingecko the symbols'
CoinGecko ids, for reddit the symbols' subreddits; for a feed the rss interval/timeout it inherits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from collector.config import Config, FeedConfig, SourceConfig

_SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "cryptopanic": ("cryptopanic_api_key",),
    "reddit": ("reddit_client_id", "reddit_client_secret"),
    "coingecko": ("coingecko_api_key", "coingecko_plan"),
    "whalealert": ("whale_alert_api_key",),
}


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    added: tuple[str, ...] = ()  # job keys to start
    removed: tuple[str, ...] = ()  # job keys to stop (and whose series to drop)
    changed: tuple[str, ...] = ()  # job keys in both whose inputs differ (rebuild them)
    rescheduled: tuple[str, ...] = ()  # subset of `changed` where only the interval differs
    feeds_added: tuple[str, ...] = ()
    feeds_removed: tuple[str, ...] = ()
    feeds_changed: tuple[str, ...] = ()
    symbols_added: tuple[str, ...] = ()
    symbols_removed: tuple[str, ...] = ()
    symbols_changed: tuple[str, ...] = ()
    aggregation_changed: bool = False
    http_changed: bool = False
    service_changed: bool = False

    @property
    def empty(self) -> bool:
        """True when nothing at all differs."""
        return not any(getattr(self, f) for f in self.__slots__)

    def summary(self) -> str:
        """One line for a log: `added rss:x; removed reddit; symbols +NEAR -POL` (or `no changes`)."""
        parts = []
        for label, keys in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
            if keys:
                parts.append(f"{label} {', '.join(keys)}")
        sym = [f"+{s}" for s in self.symbols_added] + [f"-{s}" for s in self.symbols_removed] + [
            f"~{s}" for s in self.symbols_changed]
        if sym:
            parts.append("symbols " + " ".join(sym))
        parts += [f"{n} changed" for n in ("aggregation", "http", "service") if getattr(self, f"{n}_changed")]
        return "; ".join(parts) or "no changes"


def _jobs(config: Config) -> dict[str, tuple[Any, float]]:
    """Enabled job key -> (everything the job reads, its interval)."""
    by_symbol = config.symbols
    derived: dict[str, Any] = {
        "coingecko": tuple(s.coingecko_id for s in by_symbol if s.coingecko_id),
        "reddit": tuple((s.symbol, s.subreddits) for s in by_symbol),
    }
    out: dict[str, tuple[Any, float]] = {}
    for name, src in config.sources.items():
        if not src.enabled:
            continue
        secrets = tuple(getattr(config.secrets, f) for f in _SECRET_FIELDS.get(name, ()))
        out[name] = ((_source_inputs(src), secrets, derived.get(name)), src.interval)
    if config.rss.enabled:
        for feed in config.rss.feeds:
            if feed.enabled:
                interval = feed.interval if feed.interval is not None else config.rss.interval
                out[f"rss:{feed.name}"] = ((_feed_inputs(feed), config.rss.timeout), interval)
    return out


def _source_inputs(src: SourceConfig) -> Any:
    return (replace(src, interval=0.0, params={}), sorted((k, repr(v)) for k, v in src.params.items()))


def _feed_inputs(feed: FeedConfig) -> FeedConfig:
    return replace(feed, interval=None)


def _split(old: dict[str, Any], new: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    added = tuple(k for k in new if k not in old)
    removed = tuple(k for k in old if k not in new)
    changed = tuple(k for k in new if k in old and old[k] != new[k])
    return added, removed, changed


def diff_configs(old: Config, new: Config) -> ConfigDiff:
    """The difference between two valid configs (see the module docstring)."""
    old_jobs, new_jobs = _jobs(old), _jobs(new)
    added, removed, changed = _split(old_jobs, new_jobs)
    rescheduled = tuple(k for k in changed if old_jobs[k][0] == new_jobs[k][0])
    feeds = _split({f.name: f for f in old.rss.feeds}, {f.name: f for f in new.rss.feeds})
    symbols = _split({s.symbol: s for s in old.symbols}, {s.symbol: s for s in new.symbols})
    return ConfigDiff(
        added=added, removed=removed, changed=changed, rescheduled=rescheduled,
        feeds_added=feeds[0], feeds_removed=feeds[1], feeds_changed=feeds[2],
        symbols_added=symbols[0], symbols_removed=symbols[1], symbols_changed=symbols[2],
        aggregation_changed=old.aggregation != new.aggregation,
        http_changed=old.http != new.http,
        service_changed=old.service != new.service,
    )
