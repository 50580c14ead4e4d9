"""The metric contract of issue 3 as the monitoring tests see it, and a small PromQL reader.

`CONTRACT` lists every series family the collector exports (exposition name -> type, labels). The dashboard and
the alert rules may name only these (plus Prometheus' own `up`), with only their labels; the integration test
compares the list with a real `/metrics` scrape.

`usage(expr)` lists the metric names, matcher labels and grouping labels a PromQL expression uses. It is not a
parser (promtool checks the syntax); it tokenises well enough to tell metric names from functions, keywords,
label names and strings, which is all the contract check needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "sentiment-research.json"



def load_yaml(path: Path) -> Any:
    """A YAML file as plain Python values."""
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


# exposition name -> (type, labels); target labels (job, instance) come on top of these
CONTRACT: dict[str, tuple[str, frozenset[str]]] = {
    "sigmax_news_sentiment_score": ("gauge", frozenset({"symbol"})),
    "sigmax_social_sentiment_score": ("gauge", frozenset({"symbol"})),
    "sigmax_fear_greed_index": ("gauge", frozenset()),
    "sigmax_news_articles_processed_total": ("counter", frozenset({"source"})),
    "sigmax_rss_feed_fetch_success": ("gauge", frozenset({"feed", "feed_url"})),
    "sigmax_sentiment_last_update_timestamp": ("gauge", frozenset({"source"})),
    "sigmax_research_api_requests_total": ("counter", frozenset({"api", "status"})),
    "sigmax_research_api_errors_total": ("counter", frozenset({"api", "reason"})),
    "sigmax_research_api_duration_seconds": ("histogram", frozenset({"api"})),
    "sigmax_onchain_whale_activity": ("gauge", frozenset({"symbol"})),
    "sigmax_coingecko_price_usd": ("gauge", frozenset({"symbol"})),
    "sigmax_coingecko_price_change_24h_ratio": ("gauge", frozenset({"symbol"})),
    "sigmax_coingecko_market_cap_usd": ("gauge", frozenset({"symbol"})),
    "sigmax_coingecko_trending": ("gauge", frozenset({"symbol"})),
    "sigmax_coingecko_market_cap_change_24h_ratio": ("gauge", frozenset()),
    "sigmax_sentiment_items_in_window": ("gauge", frozenset({"symbol", "kind"})),
    "sigmax_source_up": ("gauge", frozenset({"source"})),
    "sigmax_research_api_backoff_until_timestamp_seconds": ("gauge", frozenset({"api", "feed"})),
    "sigmax_collector_build_info": ("gauge", frozenset({"version"})),
    "sigmax_collector_config_last_reload_successful": ("gauge", frozenset()),
    "sigmax_collector_config_last_reload_success_timestamp_seconds": ("gauge", frozenset()),
}
TARGET_LABELS = frozenset({"job", "instance"})
# series Prometheus makes itself for every target
PROMETHEUS_SERIES: dict[str, frozenset[str]] = {"up": frozenset()}

APIS = ("cryptopanic", "reddit", "coingecko", "feargreed", "rss", "whalealert")
REASONS = ("timeout", "connect", "tls", "redirect", "rate_limited", "quota", "auth", "http_4xx", "http_5xx",
           "too_large", "parse", "internal")


def series_labels(contract: Mapping[str, tuple[str, frozenset[str]]] = CONTRACT) -> dict[str, frozenset[str]]:
    """Every series name a query may use -> its labels (histograms as _bucket/_sum/_count)."""
    out: dict[str, frozenset[str]] = {}
    for name, (kind, labels) in contract.items():
        full = labels | TARGET_LABELS
        if kind == "histogram":
            out[f"{name}_bucket"] = full | {"le"}
            out[f"{name}_sum"] = full
            out[f"{name}_count"] = full
        else:
            out[name] = full
    for name, labels in PROMETHEUS_SERIES.items():
        out[name] = labels | TARGET_LABELS
    return out


AGGREGATIONS = frozenset(
    ("sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group")
)
FUNCTIONS = AGGREGATIONS | {
    "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "day_of_month",
    "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor", "histogram_quantile",
    "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "ln", "log2", "log10",
    "minute", "month", "predict_linear", "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt",
    "time", "timestamp", "vector", "year", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
    "count_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time",
    "present_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan",
    "tanh", "deg", "rad", "pi",
}
MODIFIERS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
WORDS = frozenset({"and", "or", "unless", "offset", "bool", "atan2", "inf", "nan"})

_TOKEN = re.compile(
    r"""
    (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<range>\[[^\]]*\])
  | (?P<dur>\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*(?![A-Za-z0-9_:]))
  | (?P<num>0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<lbrace>\{) | (?P<rbrace>\}) | (?P<lparen>\() | (?P<rparen>\)) | (?P<comma>,)
  | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=@])
  | (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
    """,
    re.VERBOSE,
)


def tokens(expr: str) -> Iterator[tuple[str, str]]:
    """(kind, text) pairs; ValueError on a character PromQL does not have (a left-over `$variable`)."""
    pos = 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None:
            raise ValueError(f"unexpected {expr[pos]!r} at {pos} in {expr!r}")
        kind = m.lastgroup or ""
        if kind not in ("ws", "comment"):
            yield kind, m.group()
        pos = m.end()


@dataclass
class Usage:
    selectors: list[tuple[str | None, frozenset[str]]] = field(default_factory=list)  # (metric, matcher labels)
    grouping: set[str] = field(default_factory=set)  # labels in by/without/on/ignoring/group_* lists

    @property
    def metrics(self) -> set[str]:
        return {name for name, _ in self.selectors if name is not None}


def usage(expr: str) -> Usage:
    """Metric names, matcher labels and grouping labels that `expr` uses."""
    toks = list(tokens(expr))
    out = Usage()
    i = 0

    def nxt(j: int) -> str:
        return toks[j][0] if j < len(toks) else ""

    def label_block(j: int, close: str) -> tuple[set[str], int]:
        names: set[str] = set()
        while j < len(toks) and toks[j][0] != close:
            if toks[j][0] == "ident":
                names.add(toks[j][1])
            j += 1
        return names, j + 1

    while i < len(toks):
        kind, text = toks[i]
        if kind == "lbrace":
            labels, i = label_block(i + 1, "rbrace")
            out.selectors.append((None, frozenset(labels)))
            continue
        if kind != "ident":
            i += 1
            continue
        if text in MODIFIERS:
            if nxt(i + 1) == "lparen":
                labels, i = label_block(i + 2, "rparen")
                out.grouping |= labels
            else:
                i += 1
            continue
        if text in FUNCTIONS and (nxt(i + 1) == "lparen" or (text in AGGREGATIONS and nxt(i + 1) == "ident")):
            i += 1
            continue
        if text.lower() in WORDS:
            i += 1
            continue
        if nxt(i + 1) == "lbrace":
            labels, j = label_block(i + 2, "rbrace")
        else:
            labels, j = set(), i + 1
        out.selectors.append((text, frozenset(labels)))
        i = j
    return out


def contract_problems(expr: str, allowed: Mapping[str, frozenset[str]] | None = None) -> list[str]:
    """What in `expr` is outside the contract: unknown metrics, labels a metric lacks, grouping by nothing."""
    allowed = series_labels() if allowed is None else allowed
    try:
        used = usage(expr)
    except ValueError as exc:
        return [str(exc)]
    problems: list[str] = []
    known: set[str] = set()
    for name, labels in used.selectors:
        if name is None:
            problems.append(f"a selector without a metric name ({sorted(labels)})")
            continue
        if name not in allowed:
            problems.append(f"metric {name} is not in the contract")
            continue
        known |= allowed[name]
        extra = labels - allowed[name] - {"__name__"}
        if extra:
            problems.append(f"metric {name} has no label(s) {sorted(extra)}")
    stray = used.grouping - known
    if stray and known:
        problems.append(f"grouping by {sorted(stray)}, which none of {sorted(used.metrics)} has")
    return problems


# Concrete values for the Grafana variables the dashboard's queries use.
GRAFANA_VALUES = {"symbol": ".*", "__rate_interval": "1m", "__interval": "15s", "__range": "6h",
                  "datasource": "prometheus"}
_GRAFANA_VAR = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """Replace Grafana variables ($symbol, ${symbol}, $__rate_interval ...); KeyError for an unknown one."""

    def repl(m: re.Match[str]) -> str:
        return values[m.group(1) or m.group(2)]

    return _GRAFANA_VAR.sub(repl, expr)
