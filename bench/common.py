"""Shared plumbing of the benchmark: the upstream subprocess, the config file, CPU accounting, statistics."""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import feedgen  # noqa: E402

PY = sys.executable


@dataclass
class Upstream:
    proc: subprocess.Popen[str]
    base: str
    feeds: int

    def call(self, method: str, path: str) -> dict[str, object]:
        req = urllib.request.Request(self.base + path, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read() or b"{}")  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def start_upstream(feeds: int, items: int, latency: float) -> Upstream:
    proc = subprocess.Popen(
        [PY, str(BENCH / "server.py"), "--feeds", str(feeds), "--items", str(items), "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the benchmark upstream did not start")
    return Upstream(proc, json.loads(line)["base"], feeds)


def feed_urls(base: str, feeds: int) -> list[tuple[str, str]]:
    return [(f"feed{i:03d}", f"{base}/rss/feed{i:03d}.xml") for i in range(feeds)]


def write_config(path: Path, base: str, *, feeds: int, per_host: int = 256, max_connections: int = 256,
                 interval: str = "1h", port: int = 9188) -> Path:
    """A feeds.yaml with the 50 benchmark symbols and every source pointed at the benchmark upstream.

    All feeds live on one loopback host here, while in production each feed is its own host; so the per-host
    limit (http.per_host, default 4) is raised to the pool size, or the one "host" would serialise the poll.
    """
    lines = ["symbols:"]
    for ticker, name, cg in feedgen.COINS:
        aliases = list({a.casefold(): a for a in (name, ticker, f"${ticker}")}.values())
        lines.append(f"  {ticker}: {{aliases: {json.dumps(aliases)}, coingecko_id: {cg}}}")
    lines += [
        "sources:",
        f"  cryptopanic: {{interval: {interval}, base_url: '{base}/cryptopanic/api/v1', timeout: 30s}}",
        f"  reddit: {{interval: {interval}, base_url: '{base}/reddit', timeout: 30s, subreddits: [CryptoCurrency]}}",
        f"  coingecko: {{interval: {interval}, base_url: '{base}/coingecko/api/v3', timeout: 30s}}",
        f"  feargreed: {{interval: {interval}, base_url: '{base}/feargreed', timeout: 30s}}",
        "  whalealert: {enabled: false}",
        "rss:",
        f"  interval: {interval}",
        "  timeout: 30s",
        "  feeds:",
    ]
    lines += [f"    - {{name: {name}, url: '{url}'}}" for name, url in feed_urls(base, feeds)]
    lines += [
        "http:", f"  per_host: {per_host}", f"  max_connections: {max_connections}",
        "service:", "  host: 127.0.0.1", f"  port: {port}", "  jitter: 0",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Cpu:
    """CPU seconds used by this process and every descendant (live or reaped), except `exclude`d pids."""

    def __init__(self, exclude: set[int] | None = None) -> None:
        self.me = psutil.Process()
        self.exclude = exclude or set()

    def total(self) -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
        for child in self.me.children(recursive=True):
            if child.pid in self.exclude:
                continue
            try:
                t = child.cpu_times()
            except psutil.Error:
                continue
            out += t.user + t.system + t.children_user + t.children_system
        return out


class Span:
    """Wall and CPU time of a `with` block."""

    def __init__(self, cpu: Cpu) -> None:
        self.cpu = cpu
        self.wall = self.cpu_s = 0.0

    def __enter__(self) -> Span:
        self._w, self._c = time.perf_counter(), self.cpu.total()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._w
        self.cpu_s = self.cpu.total() - self._c


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(q / 100 * len(s)) - 1))
    return s[k]


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
