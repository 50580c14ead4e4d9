"""The Grafana dashboard "Sentiment & Research" and its provisioning (issue 5, item 3)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from monitoring_contract import MONITORING, contract_problems, load_yaml, series_labels
from ruamel.yaml import YAML

Run = Callable[..., subprocess.CompletedProcess[str]]
DS_REF = {"type": "prometheus", "uid": "${datasource}"}

# the panels issue 5 asks for (title -> what it shows)
REQUIRED_PANELS = [
    "News sentiment by symbol",
    "Social sentiment by symbol",
    "Articles processed per hour",
    "RSS feed health",
    "API latency p50 / p95 by api",
    "Errors by api and reason",
    "Success ratio by api",
    "Whale activity",
    "Fear & Greed",
    "Data freshness",
]
SUCCESS_RATIO = ('sum by (api) (rate(sigmax_research_api_requests_total{status="success"}[$__rate_interval])) '
                 "/ sum by (api) (rate(sigmax_research_api_requests_total[$__rate_interval]))")


def _panel(panels: list[dict[str, Any]], title: str) -> dict[str, Any]:
    found = [p for p in panels if p["title"] == title]
    assert len(found) == 1, f"expected one panel titled {title!r}, found {len(found)}"
    return found[0]


def test_monitoring_dashboard_has_stable_uid_and_title(dashboard: dict[str, Any]) -> None:
    """The dashboard provisions under a fixed uid and title, with no instance-specific id."""
    assert dashboard["uid"] == "sigmax-sentiment-research"
    assert dashboard["title"] == "Sentiment & Research"
    assert dashboard["id"] is None
    assert isinstance(dashboard["schemaVersion"], int)


def test_monitoring_dashboard_selects_its_datasource_by_variable(
        dashboard: dict[str, Any], dashboard_panels: list[dict[str, Any]]) -> None:
    """A `datasource` variable of type datasource (prometheus); every panel and query uses it."""
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in dashboard_panels:
        assert panel["datasource"] == DS_REF, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == DS_REF, panel["title"]
    assert variables["symbol"]["datasource"] == DS_REF


def test_monitoring_dashboard_symbol_variable_comes_from_the_scores(dashboard: dict[str, Any]) -> None:
    """`symbol` lists the symbol label values of sigmax_news_sentiment_score, several at once or all."""
    symbol = {v["name"]: v for v in dashboard["templating"]["list"]}["symbol"]
    assert symbol["type"] == "query"
    assert symbol["query"]["query"] == "label_values(sigmax_news_sentiment_score, symbol)"
    assert symbol["definition"] == symbol["query"]["query"]
    assert symbol["multi"] is True and symbol["includeAll"] is True and symbol["allValue"] == ".*"


def test_monitoring_dashboard_has_the_issue_panels(dashboard_panels: list[dict[str, Any]]) -> None:
    """Every panel issue 5 names is there, with at least one query."""
    for title in REQUIRED_PANELS:
        assert _panel(dashboard_panels, title)["targets"], title


def test_monitoring_dashboard_symbol_panels_filter_by_symbol(dashboard_panels: list[dict[str, Any]]) -> None:
    """Per-symbol panels follow the `symbol` variable with a regex match."""
    for title in ("News sentiment by symbol", "Social sentiment by symbol", "Whale activity"):
        for target in _panel(dashboard_panels, title)["targets"]:
            assert 'symbol=~"$symbol"' in target["expr"], title


def test_monitoring_dashboard_success_ratio_sums_both_sides_by_api(dashboard_panels: list[dict[str, Any]]) -> None:
    """The success ratio divides two sums by (api) of one counter, so the label sets match."""
    (target,) = _panel(dashboard_panels, "Success ratio by api")["targets"]
    assert " ".join(target["expr"].split()) == SUCCESS_RATIO
    assert target["legendFormat"] == "{{api}}"


def test_monitoring_dashboard_latency_panel_shows_p50_and_p95(dashboard_panels: list[dict[str, Any]]) -> None:
    """Latency quantiles come from the duration histogram's buckets summed by (api, le)."""
    exprs = [t["expr"] for t in _panel(dashboard_panels, "API latency p50 / p95 by api")["targets"]]
    for q in ("0.5", "0.95"):
        assert (f"histogram_quantile({q}, sum by (api, le) "
                f"(rate(sigmax_research_api_duration_seconds_bucket[$__rate_interval])))") in exprs


def test_monitoring_dashboard_fear_greed_gauge_uses_the_index_bands(dashboard_panels: list[dict[str, Any]]) -> None:
    """The Fear & Greed gauge spans 0..100 with alternative.me's bands (fear 26, neutral 47, greed 55, 76)."""
    gauge = _panel(dashboard_panels, "Fear & Greed")
    assert gauge["type"] == "gauge"
    defaults = gauge["fieldConfig"]["defaults"]
    assert (defaults["min"], defaults["max"]) == (0, 100)
    steps = [s["value"] for s in defaults["thresholds"]["steps"]]
    assert steps == [None, 26, 47, 55, 76]


def test_monitoring_dashboard_queries_name_only_contract_metrics(
        dashboard_queries: list[tuple[str, str, str]]) -> None:
    """Every query uses only metrics of the contract (and Prometheus' `up`), with their labels."""
    problems = {f"{title}: {raw}": contract_problems(expr) for title, raw, expr in dashboard_queries}
    assert {k: v for k, v in problems.items() if v} == {}


def test_monitoring_dashboard_covers_the_contract(dashboard_queries: list[tuple[str, str, str]]) -> None:
    """Every contract metric appears in some panel, so nothing the collector exports is invisible."""
    text = " ".join(expr for _, _, expr in dashboard_queries)
    missing = [name for name in series_labels() if name not in text
               and not name.endswith(("_sum", "_count"))]
    assert missing == []


def test_monitoring_dashboard_panels_fit_the_grid_without_overlap(dashboard: dict[str, Any]) -> None:
    """Panel ids are unique; every panel lies within 24 columns and no two panels overlap."""
    panels = dashboard["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    cells: dict[tuple[int, int], str] = {}
    for p in panels:
        g = p["gridPos"]
        assert g["x"] >= 0 and g["x"] + g["w"] <= 24, p["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"{p['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = p["title"]


@pytest.mark.prometheus
def test_monitoring_dashboard_queries_parse(run_promtool: Run, tmp_path: Path,
                                            dashboard_queries: list[tuple[str, str, str]]) -> None:
    """Every query, with Grafana variables replaced, is valid PromQL to `promtool check rules`."""
    yaml = YAML(typ="safe", pure=True)
    rules = [{"record": f"dashboard:query_{i}", "expr": expr} for i, (_, _, expr) in enumerate(dashboard_queries)]
    path = tmp_path / "dashboard_rules.yml"
    with path.open("w") as fh:
        yaml.dump({"groups": [{"name": "dashboard", "rules": rules}]}, fh)
    done = run_promtool("check", "rules", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(rules)} rules found" in done.stdout


@pytest.mark.prometheus
def test_monitoring_dashboard_parse_check_rejects_a_broken_query(run_promtool: Run, tmp_path: Path) -> None:
    """The throwaway-rules check above does fail on a broken expression (here, an unclosed paren)."""
    path = tmp_path / "broken.yml"
    path.write_text('groups:\n  - name: d\n    rules:\n      - record: "dashboard:broken"\n'
                    '        expr: "sum by (api) (rate(sigmax_research_api_requests_total[1m])"\n')
    done = run_promtool("check", "rules", str(path), cwd=tmp_path)
    assert done.returncode != 0


def test_monitoring_dashboard_provider_loads_the_mounted_folder() -> None:
    """The dashboard provider reads the folder docker-compose mounts the dashboards into."""
    doc = load_yaml(MONITORING / "grafana/provisioning/dashboards/sigmax.yml")
    (provider,) = doc["providers"]
    assert doc["apiVersion"] == 1
    assert provider["type"] == "file"
    compose = load_yaml(MONITORING / "docker-compose.yml")
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in mounts


def test_monitoring_dashboard_datasource_provisioning_points_at_prometheus() -> None:
    """The provisioned datasource is a default Prometheus at the compose service, 15 s scrape interval."""
    doc = load_yaml(MONITORING / "grafana/provisioning/datasources/prometheus.yml")
    (ds,) = doc["datasources"]
    assert (ds["type"], ds["url"], ds["isDefault"]) == ("prometheus", "http://prometheus:9090", True)
    assert ds["jsonData"]["timeInterval"] == "15s"


def test_monitoring_dashboard_mentions_no_literal_datasource_uid(dashboard: dict[str, Any]) -> None:
    """No panel hard-codes a datasource uid (it would not exist in another Grafana)."""
    text = str(dashboard)
    uids = set(re.findall(r"'uid': '([^']*)'", text)) - {"${datasource}", "-- Grafana --",
                                                        "sigmax-sentiment-research"}
    assert uids == set()
