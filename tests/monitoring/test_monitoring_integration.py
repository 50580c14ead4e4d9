"""A real Prometheus scraping a real `collector serve` fed by a fake upstream (issue 5, item 5).

One stack per module (conftest `stack`): 1 s scrapes and rule evaluations, our alerts.yml with `for: 1s`.
The feed-failure test breaks one RSS feed for the rest of the module, so it runs last.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from monitoring_contract import APIS, CONTRACT
from monitoring_live import Stack, http_get, wait_until
from prometheus_client.parser import text_string_to_metric_families

pytestmark = [pytest.mark.slow, pytest.mark.prometheus]

SUCCESS_RATIO_PANEL = "Success ratio by api"


def _labels(result: list[dict[str, Any]], label: str) -> list[str]:
    return sorted(r["metric"].get(label, "") for r in result)


def test_monitoring_integration_news_scores_have_the_configured_symbols(stack: Stack) -> None:
    """sigmax_news_sentiment_score reaches Prometheus for BTC, ETH and MARKET, each within -1..1."""
    result = wait_until("news scores for BTC, ETH and MARKET",
                        lambda: (r := stack.query("sigmax_news_sentiment_score")) and len(r) == 3 and r,
                        20, stack.logs)
    assert _labels(result, "symbol") == ["BTC", "ETH", "MARKET"]
    assert all(-1.0 <= float(r["value"][1]) <= 1.0 for r in result)
    assert {r["metric"]["job"] for r in result} == {"sigmax-collector"}


def test_monitoring_integration_success_ratio_has_one_value_per_api(
        stack: Stack, dashboard_queries: list[tuple[str, str, str]]) -> None:
    """The dashboard's success-ratio query returns exactly one series per api, all 1 while upstreams answer."""
    (expr,) = [q for title, _, q in dashboard_queries if title == SUCCESS_RATIO_PANEL]

    def every_api() -> list[dict[str, Any]] | None:
        got = stack.query(expr)
        # an api with no request yet inside the rate window is 0/0 = NaN: wait until each has made some
        ready = _labels(got, "api") == sorted(APIS) and all(r["value"][1] != "NaN" for r in got)
        return got if ready else None

    result = wait_until(f"one success ratio per api from {expr!r}", every_api, 30, stack.logs)
    assert [r["metric"] for r in result] == [{"api": r["metric"]["api"]} for r in result]
    assert {r["metric"]["api"]: float(r["value"][1]) for r in result} == dict.fromkeys(APIS, 1.0)


def test_monitoring_integration_scrape_exports_exactly_the_contract(stack: Stack) -> None:
    """The collector's /metrics declares every contract family, with its type, and no other sigmax_ family."""
    status, body = http_get(f"{stack.collector_url}/metrics")
    assert status == 200
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    got = {name: f.type for name, f in families.items() if name.startswith("sigmax_")}
    expected = {name.removesuffix("_total"): kind for name, (kind, _) in CONTRACT.items()}
    assert got == expected
    for name, (_, labels) in CONTRACT.items():
        for sample in families[name.removesuffix("_total")].samples:
            assert set(sample.labels) - {"le"} == set(labels), sample


def test_monitoring_integration_every_dashboard_query_shows_data(
        stack: Stack, dashboard_queries: list[tuple[str, str, str]]) -> None:
    """Prometheus evaluates every dashboard query, and each returns data while all upstreams answer, except
    the panels that are empty by design then (no errors yet, no api backing off)."""
    empty_when_healthy = {"Errors by api and reason", "APIs backing off"}
    for title, _, expr in dashboard_queries:
        if title in empty_when_healthy:
            assert stack.query(expr) == [], title
        else:
            wait_until(f"data for panel {title!r}: {expr}", functools.partial(stack.query, expr), 20, stack.logs)


def test_monitoring_integration_failing_feed_raises_rss_alert(
        stack: Stack, dashboard_queries: list[tuple[str, str, str]]) -> None:
    """After one feed starts failing, RSSFeedFetchFailed turns pending or firing for that feed only, its gauge
    drops to 0, the errors panel shows rss http_5xx and the backoff panel that feed alone."""
    quiet = [a for a in stack.alerts() if a["labels"]["alertname"] == "RSSFeedFetchFailed"]
    assert quiet == []
    stack.upstream.failing.add("flakyfeed")

    def rss_alerts() -> list[dict[str, Any]]:
        return [a for a in stack.alerts() if a["labels"]["alertname"] == "RSSFeedFetchFailed"]

    alerts = wait_until("RSSFeedFetchFailed for flakyfeed", rss_alerts, 30, stack.logs)
    assert [a["labels"]["feed"] for a in alerts] == ["flakyfeed"]
    assert alerts[0]["state"] in ("pending", "firing")
    assert alerts[0]["labels"]["feed_url"].endswith("/rss/flakyfeed.xml")
    assert alerts[0]["annotations"]["runbook"].endswith("#runbook-rssfeedfetchfailed")
    gauges = {r["metric"]["feed"]: r["value"][1] for r in stack.query("sigmax_rss_feed_fetch_success")}
    assert gauges == {"flakyfeed": "0", "steadyfeed": "1"}
    (errors,) = [q for title, _, q in dashboard_queries if title == "Errors by api and reason"]
    shown = wait_until("the 503s on the errors panel", lambda: stack.query(errors), 20, stack.logs)
    assert [(r["metric"]["api"], r["metric"]["reason"]) for r in shown] == [("rss", "http_5xx")]
    (backoff,) = [q for title, _, q in dashboard_queries if title == "APIs backing off"]
    held = wait_until("flakyfeed on the backoff panel", lambda: stack.query(backoff), 20, stack.logs)
    assert [(r["metric"]["api"], r["metric"]["feed"]) for r in held] == [("rss", "flakyfeed")]

