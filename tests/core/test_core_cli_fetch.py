"""`collector fetch`: table, JSON, exit codes; and one end-to-end run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import respx
from click.testing import CliRunner

from collector.cli import EXIT_CONFIG, EXIT_OK, EXIT_SOURCES_FAILED, main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KEY = "cp-distinctive-token-7731"


@pytest.fixture
def mocked_config(tmp_path):
    """A config whose sources live at https://up.example (answered by respx)."""
    from fake_upstream import replay_config

    path = tmp_path / "feeds.yaml"
    path.write_text(replay_config("https://up.example", feeds=("alpha",)))
    return path


@pytest.fixture
def upstream_routes():
    """respx routes answering every source with the fixtures."""
    from fake_upstream import FakeUpstream

    fake = FakeUpstream.__new__(FakeUpstream)  # only its body() is used: no server is started
    fake.fail = set()

    def answer(request: httpx.Request) -> httpx.Response:
        if any(request.url.path.startswith(p) for p in fake.fail):
            return httpx.Response(500, text="oops")
        q = {k: [v] for k, v in request.url.params.items()}
        status, body, ctype = FakeUpstream.body(fake, request.url.path, q)
        return httpx.Response(status, content=body, headers={"content-type": ctype})

    with respx.mock(assert_all_called=False, using="httpx") as router:  # any transport, not only httpcore
        router.route(host="up.example").side_effect = answer
        yield fake


def _run(args, env=None):
    return CliRunner().invoke(main, args, env={"CRYPTOPANIC_API_KEY": KEY, **(env or {})})


def test_cli_fetch_prints_table_and_exits_0(mocked_config, upstream_routes):
    """All sources ok: a table with symbols, F&G and a status line per source; exit 0."""
    res = _run(["fetch", "--config", str(mocked_config)])
    assert res.exit_code == EXIT_OK, res.output
    assert "BTC" in res.output and "Fear & Greed: 26 (Fear)" in res.output
    for api in ("cryptopanic", "reddit", "coingecko", "feargreed", "rss"):
        assert api in res.output
    assert KEY not in res.output


def test_cli_fetch_json_shape(mocked_config, upstream_routes):
    """--json prints one object with sources, symbols and fear_greed."""
    res = _run(["fetch", "--config", str(mocked_config), "--json"])
    assert res.exit_code == EXIT_OK, res.output
    doc = json.loads(res.stdout)
    assert set(doc["sources"]) == {"cryptopanic", "reddit", "coingecko", "feargreed", "rss"}
    assert doc["sources"]["feargreed"] == {**doc["sources"]["feargreed"], "ok": True, "error": None}
    btc = doc["symbols"]["BTC"]
    assert set(btc) >= {"news", "social", "price_usd", "change_24h_percent"}
    assert set(btc["news"]) == {"score", "items"}
    assert doc["fear_greed"]["value"] == 26 and doc["fear_greed"]["classification"] == "Fear"
    assert doc["symbols"]["SOL"]["social"] == {"score": None, "items": 0}


def test_cli_fetch_failed_source_exits_1_with_reason(mocked_config, upstream_routes):
    """One failing source: exit 1, its line says failed and why, others still shown."""
    upstream_routes.fail.add("/feargreed")
    res = _run(["fetch", "--config", str(mocked_config)])
    assert res.exit_code == EXIT_SOURCES_FAILED
    line = next(ln for ln in res.output.splitlines() if ln.startswith("feargreed"))
    assert "failed" in line and "http_5xx" in line
    assert "Traceback" not in res.output


def test_cli_fetch_source_filter(mocked_config, upstream_routes):
    """--source limits the run; an unknown name is a usage error."""
    res = _run(["fetch", "--config", str(mocked_config), "--json", "--source", "feargreed"])
    assert res.exit_code == EXIT_OK
    assert list(json.loads(res.stdout)["sources"]) == ["feargreed"]
    bad = _run(["fetch", "--config", str(mocked_config), "--source", "twitter"])
    assert bad.exit_code == 2 and "unknown source" in bad.output


def test_cli_fetch_config_error_lists_every_problem(tmp_path):
    """interval -5, a bad feed URL and an unquoted ticker NO: all reported with paths, exit 3."""
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(
        "symbols:\n  BTC: {aliases: [Bitcoin]}\n  NO: {aliases: [Nope]}\n"
        "sources:\n  reddit: {interval: -5}\n"
        "rss:\n  feeds:\n    - {name: x, url: not a url}\n"
    )
    res = _run(["fetch", "--config", str(cfg)])
    assert res.exit_code == EXIT_CONFIG
    assert "sources.reddit.interval" in res.output
    assert "rss.feeds[0].url" in res.output
    assert "symbols.NO" in res.output and "quote" in res.output.lower()
    assert "Traceback" not in res.output


def test_cli_fetch_missing_config_file_is_config_error(tmp_path):
    """A config path that does not exist: exit 3 with the path in the message."""
    res = _run(["fetch", "--config", str(tmp_path / "nope.yaml")])
    assert res.exit_code == EXIT_CONFIG
    assert "nope.yaml" in res.output


@pytest.mark.slow
def test_cli_fetch_end_to_end_subprocess(upstream, replay_config_path):
    """`collector fetch --json` as a real process against a local HTTP server: exit 0, every source ok."""
    env = {**os.environ, "CRYPTOPANIC_API_KEY": KEY}
    out = subprocess.run([sys.executable, "-m", "collector", "fetch", "--config", str(replay_config_path), "--json"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert all(s["ok"] for s in doc["sources"].values())
    assert doc["symbols"]["BTC"]["price_usd"] == 64250.5
    assert doc["symbols"]["ETH"]["news"]["score"] is not None
    assert KEY not in out.stdout + out.stderr


@pytest.mark.slow
def test_cli_fetch_unreachable_upstreams_fail_fast_without_traceback(tmp_path):
    """Nothing listening: every source fails with a reason within its timeout, exit 1, no traceback."""
    from fake_upstream import replay_config

    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(replay_config("http://127.0.0.1:9"))
    env = {**os.environ, "CRYPTOPANIC_API_KEY": KEY}
    out = subprocess.run([sys.executable, "-m", "collector", "fetch", "--config", str(cfg)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == EXIT_SOURCES_FAILED
    assert "Traceback" not in out.stdout + out.stderr
    assert out.stdout.count("failed") >= 5 and "connect" in out.stdout


def test_cli_fetch_disabled_source_is_refused(mocked_config, upstream_routes):
    """--source naming a source that the config (or a missing key) disabled: exit 2, nothing fetched."""
    res = CliRunner().invoke(main, ["fetch", "--config", str(mocked_config), "--source", "cryptopanic"],
                             env={"CRYPTOPANIC_API_KEY": ""})
    assert res.exit_code == 2
    assert "cryptopanic" in res.output and "not enabled" in res.output
    assert "CRYPTOPANIC_API_KEY" in res.output
    assert "Fear & Greed" not in res.output


def test_cli_serve_rejects_unknown_log_level(mocked_config):
    """A bad --log-level is a usage error (exit 2), not a traceback."""
    res = _run(["serve", "--config", str(mocked_config), "--log-level", "LOUD"])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
