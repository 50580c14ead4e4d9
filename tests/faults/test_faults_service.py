"""The service under fire: several upstreams misbehave at once (echoing our secrets back, trickling, bombing);
it keeps serving, counts each failure by reason, keeps the good sources' data, and shows no secret in its
endpoints or its JSON logs. `collector fetch` likewise, in its table and its JSON."""

from __future__ import annotations

import asyncio
import gzip
import json
import time

import httpx
from click.testing import CliRunner
from faults_support import FORBIDDEN, SECRETS, assert_no_secret
from hostile_upstream import (
    CG_PRICE,
    CP_POSTS,
    REDDIT_TOKEN,
    RSS_ALPHA,
    RSS_BETA,
    WHALES,
    chunked,
    rss_document,
    trickle,
)
from prometheus_client import CollectorRegistry

from collector.cli import EXIT_SOURCES_FAILED, main
from collector.config import load_config
from collector.service import Service


def _echo_faults(upstream) -> None:  # type: ignore[no-untyped-def]
    """Every upstream that holds one of our secrets quotes it back in its error; one feed trickles, one bombs."""
    upstream.routes[CP_POSTS] = lambda ex: ex.send(400, json.dumps(
        {"status": "api_error", "info": f"invalid request {ex.seen.target}"}).encode())
    upstream.routes[CG_PRICE] = lambda ex: ex.send(200, json.dumps({"status": {
        "error_code": 10010, "error_message": f"key {ex.seen.headers.get('x-cg-demo-api-key')} invalid"}}).encode())
    upstream.routes[WHALES] = lambda ex: ex.send(200, json.dumps(
        {"result": "error", "message": f"api_key={ex.seen.query.get('api_key', [''])[0]} unknown"}).encode())
    upstream.routes[REDDIT_TOKEN] = lambda ex: ex.send(401, json.dumps(
        {"error": f"invalid_client {ex.seen.headers.get('authorization')} {ex.seen.body.decode()}"}).encode())
    upstream.routes[RSS_ALPHA] = trickle(rss_document("slow", [("Slow story", "https://slow.example/1", "")]), 0.5)
    bomb = gzip.compress(b"<rss>" + b" " * 20_000_000)
    upstream.routes[RSS_BETA] = chunked([bomb], headers={"Content-Encoding": "gzip"})


EXPECTED = {("cryptopanic", "auth"), ("coingecko", "parse"), ("whalealert", "parse"), ("reddit", "auth"),
            ("rss", "timeout"), ("rss", "too_large")}


async def test_faults_service_keeps_serving_counts_by_reason_and_shows_no_secret(upstream, write_config, env,
                                                                                 json_logs):
    """Six failures at once: /healthz answers throughout, each failure is counted by reason, Fear & Greed (the
    one healthy source) is served, and no secret is in /metrics, /api/v1/sentiment or the logs."""
    _echo_faults(upstream)
    path = write_config(timeout="2s")
    svc = Service(load_config(path, env), config_path=path, env=env, registry=CollectorRegistry(),
                  host="127.0.0.1", port=0)
    await svc.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{svc.bound_port}", timeout=5) as web:
            started = time.monotonic()
            while svc.collector is not None and not svc.collector.ready():
                health = await web.get("/healthz")  # answers while the trickle is still going
                assert health.status_code == 200
                assert time.monotonic() - started < 10, "the first cycle must end within its deadlines"
                await asyncio.sleep(0.1)
            assert (await web.get("/readyz")).status_code == 200
            metrics = (await web.get("/metrics")).text
            sentiment = (await web.get("/api/v1/sentiment")).text
    finally:
        await svc.stop()
    v = svc.registry.get_sample_value
    for api, reason in EXPECTED:
        assert v("sigmax_research_api_errors_total", {"api": api, "reason": reason}) == 1, (api, reason)
    assert v("sigmax_fear_greed_index") == 41
    assert v("sigmax_source_up", {"source": "feargreed"}) == 1
    assert v("sigmax_source_up", {"source": "cryptopanic"}) == 0
    doc = json.loads(sentiment)
    assert doc["fear_greed"]["value"] == 41 and doc["sources"]["cryptopanic"]["ok"] is False
    assert_no_secret(metrics, "/metrics")
    assert_no_secret(sentiment, "/api/v1/sentiment")
    logs = json_logs.getvalue()
    lines = [json.loads(line) for line in logs.splitlines()]
    failed = {(line.get("source"), line.get("reason")) for line in lines if line["msg"].startswith("source failed")}
    assert failed == EXPECTED
    assert_no_secret(logs, "the JSON logs")
    assert all(s not in logs for s in FORBIDDEN)


def test_faults_cli_fetch_table_and_json_show_no_secret(upstream, write_config):
    """`collector fetch` against the same hostile upstreams: exit 1, a reason per failed source, no secret."""
    _echo_faults(upstream)
    path = write_config(timeout="2s")
    runner = CliRunner()
    table = runner.invoke(main, ["fetch", "--config", str(path)], env=SECRETS)
    as_json = runner.invoke(main, ["fetch", "--config", str(path), "--json"], env=SECRETS)
    for res in (table, as_json):
        assert res.exit_code == EXIT_SOURCES_FAILED, res.output
        assert "Traceback" not in res.output
        assert_no_secret(res.output, "collector fetch output")
        assert_no_secret(getattr(res, "stderr", ""), "collector fetch stderr")
    doc = json.loads(as_json.stdout)
    assert doc["fear_greed"]["value"] == 41
    assert {api for api, st in doc["sources"].items() if not st["ok"]} == {a for a, _ in EXPECTED}
    assert doc["sources"]["cryptopanic"]["error"] and "auth_token=REDACTED" in doc["sources"]["cryptopanic"]["error"]
    assert "feargreed" in table.output and "auth" in table.output
