"""Fixtures for the monitoring tests: the files under monitoring/, promtool and prometheus, and the live stack
(fake upstream + `collector serve` + a real Prometheus) for the integration test.

promtool and prometheus come from Debian's `prometheus` package (.ci/run installs it). A test that needs them
FAILS when they are missing; it never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from monitoring_contract import DASHBOARD, MONITORING, REPO, load_yaml, substitute
from monitoring_upstream import FakeUpstream

# Concrete values for the Grafana variables the dashboard's queries use.
GRAFANA_VALUES = {"symbol": ".*", "__rate_interval": "1m", "__interval": "15s", "__range": "6h",
                  "datasource": "prometheus"}


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


# ---------------------------------------------------------------------------------------------- live stack
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # loopback only
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until(what: str, check: Callable[[], Any], timeout: float, describe: Callable[[], str]) -> Any:
    """Poll `check` every 0.25 s until it returns something truthy; fail with `describe()` after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            got = check()
        except (OSError, ValueError, KeyError) as exc:  # not up yet, or an answer without the data
            last_error, got = exc, None
        if got:
            return got
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_error})\n{describe()}",
                pytrace=False)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- last lines of {self.name} log ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


def start(name: str, argv: list[str], log: Path, env: dict[str, str] | None = None,
          cwd: Path = REPO) -> Proc:
    handle = log.open("wb")
    try:
        popen = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                 start_new_session=True)
    finally:
        handle.close()  # the child has its own copy
    return Proc(name, popen, log)


def stop(proc: Proc) -> None:
    """SIGTERM, then SIGKILL after 10 s; only this process (it runs in its own session)."""
    if proc.popen.poll() is None:
        proc.popen.send_signal(signal.SIGTERM)
        try:
            proc.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.popen.kill()
            proc.popen.wait(timeout=10)


@dataclass
class Stack:
    upstream: FakeUpstream
    collector: Proc
    collector_url: str
    prometheus: Proc
    prometheus_url: str

    def logs(self) -> str:
        return self.collector.tail() + "\n" + self.prometheus.tail()

    def query(self, promql: str) -> list[dict[str, Any]]:
        """Instant query; the result vector (ValueError on an error answer)."""
        url = f"{self.prometheus_url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        status, body = http_get(url)
        doc = json.loads(body)
        if status != 200 or doc.get("status") != "success":
            raise ValueError(f"query {promql!r} failed: HTTP {status} {doc.get('error')}")
        return list(doc["data"]["result"])

    def alerts(self) -> list[dict[str, Any]]:
        status, body = http_get(f"{self.prometheus_url}/api/v1/alerts")
        if status != 200:
            raise ValueError(f"/api/v1/alerts: HTTP {status}")
        return list(json.loads(body)["data"]["alerts"])


def collector_config(base: str) -> str:
    """A config pointing every source at the fake upstream, with 1 s intervals; two RSS feeds."""
    return f"""\
symbols:
  BTC:
    aliases: [Bitcoin, BTC]
    coingecko_id: bitcoin
  ETH:
    aliases: [Ethereum, ETH]
    coingecko_id: ethereum
sources:
  cryptopanic: {{interval: 1s, timeout: 5s, base_url: "{base}/cryptopanic/api/v1"}}
  reddit:
    interval: 1s
    timeout: 5s
    base_url: "{base}/reddit"
    oauth_base_url: "{base}/reddit-oauth"
    token_url: "{base}/reddit/api/v1/access_token"
    subreddits: [CryptoCurrency]
  coingecko: {{interval: 1s, timeout: 5s, base_url: "{base}/coingecko/api/v3", pro_base_url: "{base}/coingecko/api/v3"}}
  feargreed: {{interval: 1s, timeout: 5s, base_url: "{base}/feargreed"}}
  whalealert: {{interval: 1s, timeout: 5s, base_url: "{base}/whalealert/v1"}}
rss:
  interval: 1s
  timeout: 5s
  feeds:
    - {{name: steadyfeed, url: "{base}/rss/steadyfeed.xml"}}
    - {{name: flakyfeed, url: "{base}/rss/flakyfeed.xml"}}
service:
  host: 127.0.0.1
  jitter: 0
"""


def fast_rules(text: str) -> str:
    """alerts.yml with every `for:` shortened to 1s, for a test that cannot wait 15 minutes."""
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("for:"):
            line = line[: len(line) - len(stripped)] + "for: 1s"
        lines.append(line)
    return "\n".join(lines) + "\n"


PROMETHEUS_CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - rules.yml
scrape_configs:
  - job_name: sigmax-collector
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


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
