"""Helpers for the live stack of the integration test: start and stop processes, wait, query Prometheus.

Every process is started in its own session and stopped by its own pid (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from monitoring_contract import REPO
from monitoring_upstream import FakeUpstream


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


