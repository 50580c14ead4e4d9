"""The small PromQL reader the contract checks rely on (tests/monitoring/monitoring_contract.py)."""

from __future__ import annotations

import pytest
from monitoring_contract import contract_problems, substitute, usage


def test_monitoring_promql_usage_tells_metrics_from_functions_and_labels() -> None:
    """Metric names are found; functions, keywords, label names, strings and durations are not metrics."""
    used = usage('histogram_quantile(0.95, sum by (api, le) (rate(sigmax_research_api_duration_seconds_bucket'
                 '{api=~"rss|reddit"}[5m]))) > 10 and on (job) up{job="sigmax-collector"} offset 15m')
    assert used.metrics == {"sigmax_research_api_duration_seconds_bucket", "up"}
    assert used.grouping == {"api", "le", "job"}
    assert ("sigmax_research_api_duration_seconds_bucket", frozenset({"api"})) in used.selectors


def test_monitoring_promql_contract_accepts_our_style_of_query() -> None:
    """A contract metric with its own and target labels passes."""
    assert contract_problems('time() - sigmax_sentiment_last_update_timestamp{source!="feargreed", job="x"}') == []


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ("sigmax_news_sentiment_scores", "metric sigmax_news_sentiment_scores is not in the contract"),
        ("rate(sigmax_research_api_requests[5m])", "metric sigmax_research_api_requests is not in the contract"),
        ('sigmax_fear_greed_index{symbol="BTC"}', "metric sigmax_fear_greed_index has no label(s) ['symbol']"),
        ("sum by (feed) (sigmax_source_up)", "grouping by ['feed'], which none of ['sigmax_source_up'] has"),
        ('{__name__="sigmax_source_up"}', "a selector without a metric name (['__name__'])"),
        ("sigmax_fear_greed_index < $threshold", "unexpected '$'"),
    ],
    ids=["typo", "counter-without-total", "foreign-label", "foreign-grouping", "no-name", "grafana-variable"],
)
def test_monitoring_promql_contract_reports_what_is_outside(expr: str, problem: str) -> None:
    """Unknown metrics, labels a metric lacks, stray grouping labels and left-over variables are reported."""
    problems = contract_problems(expr)
    assert any(problem in p for p in problems), problems


def test_monitoring_promql_substitute_replaces_grafana_variables() -> None:
    """$name and ${name} forms are replaced; an unknown variable is an error, not silently kept."""
    values = {"symbol": ".*", "__rate_interval": "1m"}
    got = substitute('rate(x{symbol=~"${symbol}"}[$__rate_interval]) + y{symbol=~"$symbol"}', values)
    assert got == 'rate(x{symbol=~".*"}[1m]) + y{symbol=~".*"}'
    with pytest.raises(KeyError):
        substitute("rate(x[$__range])", values)
