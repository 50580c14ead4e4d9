"""monitoring/prometheus.yml, alertmanager.yml and the docker-compose example (issue 5, item 4)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from monitoring_contract import MONITORING, REPO, load_yaml

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def prometheus_config() -> dict[str, Any]:
    return dict(load_yaml(MONITORING / "prometheus.yml"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(load_yaml(MONITORING / "docker-compose.yml"))


@pytest.mark.prometheus
def test_monitoring_stack_prometheus_config_passes_promtool(run_promtool: Run) -> None:
    """`promtool check config monitoring/prometheus.yml` accepts it, rule file included."""
    done = run_promtool("check", "config", "prometheus.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 1 rule files found" in done.stdout


def test_monitoring_stack_prometheus_scrapes_the_collector_job(prometheus_config: dict[str, Any]) -> None:
    """Job sigmax-collector, every 15 s, at the compose service on port 9188; rules and Alertmanager wired."""
    jobs = {j["job_name"]: j for j in prometheus_config["scrape_configs"]}
    job = jobs["sigmax-collector"]
    assert job["scrape_interval"] == "15s"
    assert job.get("metrics_path", "/metrics") == "/metrics"
    assert job["static_configs"] == [{"targets": ["collector:9188"]}]
    assert prometheus_config["rule_files"] == ["alerts.yml"]
    (am,) = prometheus_config["alerting"]["alertmanagers"]
    assert am["static_configs"] == [{"targets": ["alertmanager:9093"]}]


def test_monitoring_stack_alertmanager_routes_to_known_receivers() -> None:
    """Every route names a defined receiver; the safety-layer route matches NewsSentimentSharpDrop."""
    doc = load_yaml(MONITORING / "alertmanager.yml")
    receivers = {r["name"] for r in doc["receivers"]}
    routes = [doc["route"], *doc["route"].get("routes", [])]
    assert {r["receiver"] for r in routes} <= receivers
    sharp = [r for r in doc["route"]["routes"] if 'alertname="NewsSentimentSharpDrop"' in r.get("matchers", [])]
    assert sharp and sharp[0]["continue"] is True
    severities = {m for r in doc["route"]["routes"] for m in r.get("matchers", []) if m.startswith("severity")}
    assert severities == {'severity="critical"', 'severity="info"'}  # warning: the default route


def test_monitoring_stack_compose_builds_the_collector_from_the_repo(compose: dict[str, Any]) -> None:
    """The collector is built from ../Dockerfile with the keys from .env and the config mounted read-only."""
    svc = compose["services"]["collector"]
    context = (MONITORING / svc["build"]["context"]).resolve()
    assert context == REPO
    assert svc["build"]["dockerfile"] == "Dockerfile"
    assert svc["env_file"] == ".env"
    assert "../feeds.yaml:/etc/collector/feeds.yaml:ro" in svc["volumes"]
    assert (REPO / "feeds.yaml").is_file()
    assert svc["environment"]["COLLECTOR_CONFIG"] == "/etc/collector/feeds.yaml"


def test_monitoring_stack_compose_mounts_every_config_it_names(compose: dict[str, Any]) -> None:
    """Every host path a service mounts exists in the repository, and configs are mounted read-only."""
    for name, svc in compose["services"].items():
        for volume in svc.get("volumes", []):
            host, _, rest = volume.partition(":")
            if host.startswith("."):
                assert (MONITORING / host).exists(), f"{name}: {host} does not exist"
                assert rest.endswith(":ro"), f"{name}: {volume} should be read-only"
    prom = compose["services"]["prometheus"]["volumes"]
    assert "./prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prom
    assert "./alerts.yml:/etc/prometheus/alerts.yml:ro" in prom  # next to prometheus.yml: rule_files is relative
    assert "--config.file=/etc/prometheus/prometheus.yml" in compose["services"]["prometheus"]["command"]
    assert "./alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro" in compose["services"]["alertmanager"]["volumes"]
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in compose["services"]["grafana"]["volumes"]


def test_monitoring_stack_compose_host_ports_avoid_sigmax_and_node_exporter(compose: dict[str, Any]) -> None:
    """No published host port falls in SIGMAX's 9090-9099 or on node_exporter's 9100; all bind loopback."""
    for name, svc in compose["services"].items():
        for port in svc.get("ports", []):
            m = re.fullmatch(r"127\.0\.0\.1:(\d+):(\d+)", str(port))
            assert m, f"{name}: {port} should publish on 127.0.0.1 only"
            assert not 9090 <= int(m.group(1)) <= 9100, f"{name}: host port {m.group(1)}"


def test_monitoring_stack_compose_images_are_pinned(compose: dict[str, Any]) -> None:
    """Third-party images carry an explicit version tag, never `latest`."""
    for name, svc in compose["services"].items():
        if "build" in svc:
            continue
        image = svc["image"]
        assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+\.\d+", image), f"{name}: {image}"


def test_monitoring_stack_env_example_lists_every_secret() -> None:
    """.env.example names every secret the collector reads, with no value filled in."""
    entries = dict(line.split("=", 1) for line in (MONITORING / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    for key in ("CRYPTOPANIC_API_KEY", "REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "COINGECKO_API_KEY",
                "WHALE_ALERT_API_KEY"):
        assert entries[key] == "", key
    ignored = subprocess.run(["git", "check-ignore", "-q", "monitoring/.env"], cwd=REPO, check=False)
    assert ignored.returncode == 0, "monitoring/.env must be ignored by git"
