"""/metrics latency of `collector serve` as Prometheus sees it: idle, and while the first big poll runs.

The service runs as its own process (`python -m collector serve`), started against the benchmark upstream
with a config of 50 symbols and every feed; this process scrapes it over loopback with a keep-alive client.
"During the poll" is from the first answer of /healthz until /readyz says every source finished its first run.
Every scrape sends Prometheus's Accept header (OpenMetrics preferred), so the encoder is the one Prometheus gets.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from common import PY, ROOT, percentile
from phases import ENV


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: What Prometheus sends: it asks for OpenMetrics first.
ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Accept": ACCEPT})
    resp = conn.getresponse()
    return resp.status, resp.read()


def _connect(port: int, deadline: float) -> http.client.HTTPConnection:
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            if _get(conn, "/healthz")[0] == 200:
                return conn
        except OSError:
            conn.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def one_service(config_path: Path, port: int, idle_scrapes: int, gap: float) -> dict[str, Any]:
    proc = subprocess.Popen([PY, "-m", "collector", "serve", "--config", str(config_path), "--port", str(port),
                             "--log-level", "WARNING", "--log-format", "json"],
                            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = _connect(port, time.monotonic() + 60)
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        during: list[float] = []
        ready_after = None
        while ready_after is None and time.perf_counter() - started < 300:
            t = time.perf_counter()
            status, _ = _get(conn, "/metrics")
            during.append(time.perf_counter() - t)
            if len(during) % 5 == 0 and _get(probe, "/readyz")[0] == 200:
                ready_after = time.perf_counter() - started
            time.sleep(gap)
        time.sleep(1.0)
        idle: list[float] = []
        body = b""
        for _ in range(idle_scrapes):
            t = time.perf_counter()
            status, body = _get(conn, "/metrics")
            idle.append(time.perf_counter() - t)
            time.sleep(gap / 2)
        lines = body.decode().splitlines()
        series = {name: sum(1 for ln in lines if ln.startswith(name + "{"))
                  for name in ("sigmax_news_sentiment_score", "sigmax_rss_feed_fetch_success")}
        return {"during": during, "idle": idle, "first_poll_s": ready_after, "metrics_bytes": len(body),
                "series": series, "status": status}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def metrics_latency(config_path: Path, *, repeats: int, idle_scrapes: int, gap: float = 0.01) -> dict[str, Any]:
    runs = [one_service(config_path, free_port(), idle_scrapes, gap) for _ in range(repeats)]
    during = [x for r in runs for x in r["during"]]
    idle = [x for r in runs for x in r["idle"]]
    ms = 1000.0
    return {
        "repeats": repeats,
        "idle_n": len(idle), "idle_p50_ms": percentile(idle, 50) * ms, "idle_p99_ms": percentile(idle, 99) * ms,
        "idle_max_ms": max(idle) * ms,
        "during_n": len(during), "during_p50_ms": percentile(during, 50) * ms,
        "during_p99_ms": percentile(during, 99) * ms, "during_max_ms": max(during) * ms,
        "first_poll_s": [r["first_poll_s"] for r in runs], "metrics_bytes": runs[-1]["metrics_bytes"],
        "series": runs[-1]["series"],
    }
