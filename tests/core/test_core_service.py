"""`collector serve`: scheduled runs, metrics after a cycle, endpoints, failure handling, shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from core_helpers import wait_until as _until
from prometheus_client import CollectorRegistry

from collector.config import load_config
from collector.models import Collected
from collector.service import Service


@pytest.fixture
async def service(replay_config_path, env):
    """A started Service on a free port with a fresh registry; stopped after the test."""
    svc = Service(load_config(replay_config_path, env), config_path=replay_config_path, env=env,
                  registry=CollectorRegistry(), host="127.0.0.1", port=0)
    await svc.start()
    yield svc
    await svc.stop()


async def test_service_metrics_after_first_cycle(service):
    """After one cycle every contract metric has a sensible value."""
    await _until(lambda: service.collector.ready())
    v = service.registry.get_sample_value
    assert v("sigmax_fear_greed_index") == 26
    assert -1 <= v("sigmax_news_sentiment_score", {"symbol": "BTC"}) <= 1
    assert v("sigmax_social_sentiment_score", {"symbol": "BTC"}) is not None
    assert v("sigmax_rss_feed_fetch_success", {"feed": "alpha", "feed_url": f"{_base(service)}/rss/alpha.xml"}) == 1
    for api in ("cryptopanic", "reddit", "coingecko", "feargreed", "rss"):
        assert v("sigmax_research_api_duration_seconds_count", {"api": api}) >= 1
        assert v("sigmax_sentiment_last_update_timestamp", {"source": api}) > time.time() - 60
        assert v("sigmax_source_up", {"source": api}) == 1
    assert v("sigmax_news_articles_processed_total", {"source": "rss"}) == 3
    assert v("sigmax_coingecko_price_usd", {"symbol": "BTC"}) == 64250.5
    assert v("sigmax_onchain_whale_activity", {"symbol": "BTC"}) is None  # no Whale Alert key: absent


def _base(svc: Service) -> str:
    return svc.config.rss.feeds[0].url.rsplit("/rss/", 1)[0]


async def test_service_endpoints(service):
    """/healthz at once; /readyz 503 then 200; /metrics in both formats; /api/v1/sentiment as JSON."""
    base = f"http://127.0.0.1:{service.bound_port}"
    async with httpx.AsyncClient(base_url=base) as c:
        assert (await c.get("/healthz")).status_code == 200
        await _until(lambda: service.collector.ready())
        assert (await c.get("/readyz")).json() == {"ready": True}
        text = (await c.get("/metrics")).text
        assert "sigmax_fear_greed_index 26.0" in text
        om = await c.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        assert om.headers["content-type"].startswith("application/openmetrics-text")
        assert om.text.rstrip().endswith("# EOF")
        doc = (await c.get("/api/v1/sentiment")).json()
        assert doc["fear_greed"]["value"] == 26
        assert set(doc["last_update"]) >= {"cryptopanic", "rss"}
        reload = await c.post("/-/reload")
        assert reload.status_code == 403  # off unless enabled in config


async def test_service_failure_counts_reason_and_freezes_timestamp(service, upstream):
    """A feed that starts failing: gauge 0, error counted by reason, its timestamp stops; then recovers."""
    await _until(lambda: service.collector.ready())
    v = service.registry.get_sample_value
    labels = {"feed": "beta", "feed_url": f"{_base(service)}/rss/beta.xml"}
    upstream.fail.add("/feargreed")
    upstream.fail.add("/rss/beta")
    await _until(lambda: v("sigmax_rss_feed_fetch_success", labels) == 0, timeout=10)
    await _until(lambda: (v("sigmax_research_api_errors_total", {"api": "feargreed", "reason": "http_5xx"}) or 0) >= 1)
    frozen = v("sigmax_sentiment_last_update_timestamp", {"source": "feargreed"})
    await asyncio.sleep(2.5)
    assert v("sigmax_sentiment_last_update_timestamp", {"source": "feargreed"}) == frozen
    assert v("sigmax_rss_feed_fetch_success", {**labels, "feed": "alpha",
                                               "feed_url": labels["feed_url"].replace("beta", "alpha")}) == 1
    upstream.fail.clear()
    await _until(lambda: v("sigmax_rss_feed_fetch_success", labels) == 1, timeout=40)
    await _until(lambda: v("sigmax_sentiment_last_update_timestamp", {"source": "feargreed"}) > frozen, timeout=40)


class SlowSource:
    """A source that takes `delay` seconds and records how many runs overlap."""

    def __init__(self, key: str, delay: float, timeout: float = 5.0) -> None:
        self.key, self.api, self.feed, self.interval, self.timeout = key, "feargreed", None, 0.2, timeout
        self.delay = delay
        self.active = 0
        self.max_active = 0
        self.runs = 0

    async def collect(self, http, now):
        self.active += 1
        self.runs += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.active -= 1
        return Collected()


async def test_service_runs_of_a_source_never_overlap(replay_config_path, env):
    """A run slower than the interval is never started twice at once (max_instances=1)."""
    svc = Service(load_config(replay_config_path, env), config_path=None, env=env, registry=CollectorRegistry(),
                  host="127.0.0.1", port=0)
    slow = SlowSource("feargreed", delay=1.0)
    svc.collector.sources = {"feargreed": slow}
    await svc.start()
    try:
        await asyncio.sleep(2.5)
    finally:
        await svc.stop()
    assert slow.runs >= 2
    assert slow.max_active == 1


async def test_service_stuck_source_does_not_delay_others(replay_config_path, env):
    """A source that never answers hits its deadline (timeout) while the others finish on time."""
    config = load_config(replay_config_path, env)
    svc = Service(config, config_path=None, env=env, registry=CollectorRegistry(), host="127.0.0.1", port=0)
    stuck = SlowSource("feargreed", delay=3600, timeout=0.5)
    svc.collector.sources["feargreed"] = stuck
    started = time.monotonic()
    await svc.start()
    try:
        await _until(lambda: "rss:alpha" in svc.collector.results and "cryptopanic" in svc.collector.results)
        others_done = time.monotonic() - started
        await _until(lambda: "feargreed" in svc.collector.results, timeout=10)
    finally:
        await svc.stop()
    assert others_done < 3
    res = svc.collector.results["feargreed"]
    assert not res.ok and res.reason == "timeout"
    v = svc.registry.get_sample_value
    assert v("sigmax_research_api_errors_total", {"api": "feargreed", "reason": "timeout"}) >= 1


async def test_service_stop_cancels_inflight_runs_quickly(replay_config_path, env):
    """Shutdown does not wait for a stuck fetch beyond the grace period."""
    svc = Service(load_config(replay_config_path, env), config_path=None, env=env, registry=CollectorRegistry(),
                  host="127.0.0.1", port=0, shutdown_grace=0.5)
    svc.collector.sources = {"feargreed": SlowSource("feargreed", delay=3600, timeout=3600)}
    await svc.start()
    await asyncio.sleep(0.3)
    t0 = time.monotonic()
    await svc.stop()
    assert time.monotonic() - t0 < 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_service_sigterm_exits_0_quickly(replay_config_path, env):
    """`collector serve` as a process: ready, then SIGTERM ends it with exit 0 within 5 s."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "collector", "serve", "--config", str(replay_config_path),
                             "--port", str(port), "--host", "127.0.0.1"],
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("never ready")
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - t0 < 5
        logs = proc.stderr.read().decode()
        assert env["CRYPTOPANIC_API_KEY"] not in logs
        assert all(line.startswith("{") for line in logs.splitlines() if line and not line.startswith("notice"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_service_stop_lets_short_runs_finish(replay_config_path, env):
    """A run that ends within the shutdown grace finishes (and is recorded) instead of being cancelled."""
    svc = Service(load_config(replay_config_path, env), config_path=None, env=env, registry=CollectorRegistry(),
                  host="127.0.0.1", port=0, shutdown_grace=3.0)
    slow = SlowSource("feargreed", delay=0.5)
    svc.collector.sources = {"feargreed": slow}
    await svc.start()
    await _until(lambda: slow.active == 1)
    await svc.stop()
    assert svc.collector.results["feargreed"].ok
