"""Fixtures for the monitoring tests: the files under monitoring/, promtool and prometheus, and the live stack
(fake upstream + `collector serve` + a real Prometheus) for the integration test.

promtool and prometheus come from Debian's `prometheus` package (.ci/run installs it). A test that needs them
FAILS when they are missing; it never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from monitoring_contract import DASHBOARD, GRAFANA_VALUES, MONITORING, load_yaml, substitute
from monitoring_live import (
    PROMETHEUS_CONFIG,
    Proc,
    Stack,
    collector_config,
    fast_rules,
    free_port,
    http_get,
    start,
    stop,
    wait_until,
)
from monitoring_upstream import FakeUpstream


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not on PATH: install Debian's prometheus package "
                    f"(apt-get install prometheus), as .ci/run does", pytrace=False)
    return found


@pytest.fixture(scope="session")
def promtool() -> str:
    return _binary("promtool")


@pytest.fixture(scope="session")
def prometheus_bin() -> str:
    return _binary("prometheus")


@pytest.fixture(scope="session")
def run_promtool(promtool: str) -> Callable[..., subprocess.CompletedProcess[str]]:
    """promtool with arguments, in a working directory; returns the finished process (output captured)."""

    def run(*args: str, cwd: Path = MONITORING) -> subprocess.CompletedProcess[str]:
        return subprocess.run([promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                              check=False)

    return run


@pytest.fixture(scope="session")
def alert_rules() -> list[dict[str, Any]]:
    """The rules of group sigmax_sentiment_research in monitoring/alerts.yml."""
    doc = load_yaml(MONITORING / "alerts.yml")
    groups = {g["name"]: g for g in doc["groups"]}
    return list(groups["sigmax_sentiment_research"]["rules"])


@pytest.fixture(scope="session")
def alert_unit_tests() -> list[dict[str, Any]]:
    return list(load_yaml(MONITORING / "alerts.test.yml")["tests"])


@pytest.fixture(scope="session")
def dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text(encoding="utf-8")))


def _panels(dash: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dash["panels"]:
        yield panel
        yield from panel.get("panels", [])  # collapsed rows keep their panels inside


@pytest.fixture(scope="session")
def dashboard_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in _panels(dashboard) if p.get("type") != "row"]


@pytest.fixture(scope="session")
def dashboard_queries(dashboard_panels: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(panel title, raw expr, expr with Grafana variables replaced) for every query of every panel."""
    return [(p["title"], t["expr"], substitute(t["expr"], GRAFANA_VALUES))
            for p in dashboard_panels for t in p.get("targets", [])]


@pytest.fixture(scope="module")
def stack(prometheus_bin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Fake upstream, `collector serve` and a real Prometheus scraping it every second with our rules
    (`for` shortened). Waits for /readyz and the first scrape. Everything it starts is stopped afterwards,
    also when a test or the start-up fails."""
    tmp = tmp_path_factory.mktemp("stack")
    procs: list[Proc] = []
    with FakeUpstream() as upstream:
        try:
            config = tmp / "collector.yaml"
            config.write_text(collector_config(upstream.base), encoding="utf-8")
            cport = free_port()
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("CRYPTOPANIC_", "REDDIT_", "COINGECKO_", "WHALE_ALERT_", "COLLECTOR_"))}
            env.update(CRYPTOPANIC_API_KEY="any", WHALE_ALERT_API_KEY="any", PYTHONUNBUFFERED="1")
            collector = start("collector", [sys.executable, "-m", "collector", "serve", "--config", str(config),
                                            "--host", "127.0.0.1", "--port", str(cport), "--log-format", "json"],
                              tmp / "collector.log", env=env)
            procs.append(collector)
            collector_url = f"http://127.0.0.1:{cport}"

            def collector_ready() -> bool:
                if collector.popen.poll() is not None:
                    pytest.fail(f"collector exited with {collector.popen.returncode}\n{collector.tail()}",
                                pytrace=False)
                return http_get(f"{collector_url}/readyz", timeout=2)[0] == 200

            wait_until("collector /readyz", collector_ready, 30, collector.tail)

            (tmp / "rules.yml").write_text(fast_rules((MONITORING / "alerts.yml").read_text()), encoding="utf-8")
            (tmp / "prometheus.yml").write_text(PROMETHEUS_CONFIG.format(port=cport), encoding="utf-8")
            pport = free_port()
            prometheus = start("prometheus", [prometheus_bin, f"--config.file={tmp / 'prometheus.yml'}",
                                              f"--storage.tsdb.path={tmp / 'data'}",
                                              f"--web.listen-address=127.0.0.1:{pport}", "--log.level=warn"],
                               tmp / "prometheus.log", cwd=tmp)
            procs.append(prometheus)
            s = Stack(upstream, collector, collector_url, prometheus, f"http://127.0.0.1:{pport}")

            def prometheus_ready() -> bool:
                if prometheus.popen.poll() is not None:
                    pytest.fail(f"prometheus exited with {prometheus.popen.returncode}\n{prometheus.tail()}",
                                pytrace=False)
                return http_get(f"{s.prometheus_url}/-/ready", timeout=2)[0] == 200

            wait_until("prometheus /-/ready", prometheus_ready, 30, s.logs)
            wait_until("the first scrape of the collector",
                       lambda: s.query('up{job="sigmax-collector"} == 1') and s.query("sigmax_collector_build_info"),
                       30, s.logs)
            yield s
        finally:
            for proc in reversed(procs):
                stop(proc)
