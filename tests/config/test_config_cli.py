"""`collector feeds|symbols|config` through click's CliRunner: output, files and exit codes."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest
from click.testing import CliRunner

from collector import cli
from collector.cli import main
from collector.cli_config import EXIT_CONFIG, format_duration

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test Chain News</title><link>https://news.example/</link>
<description>made-up feed for tests</description>
<item><title>Token rallies after upgrade</title><link>https://news.example/a</link><guid>a1</guid>
<pubDate>Sat, 03 Oct 2026 10:00:00 GMT</pubDate></item>
<item><title>Exchange halts withdrawals</title><link>https://news.example/b</link><guid>b2</guid>
<pubDate>Sat, 03 Oct 2026 12:30:00 GMT</pubDate></item>
</channel></rss>"""


@pytest.fixture
def cfg(tmp_path, commented):
    path = tmp_path / "feeds.yaml"
    path.write_text(commented)
    return path


@pytest.fixture
def run(monkeypatch):
    """Invoke the CLI with a clean environment (no COLLECTOR_CONFIG or keys from the developer's shell)."""
    for var in ("COLLECTOR_CONFIG", "CRYPTOPANIC_API_KEY", "WHALE_ALERT_API_KEY", "COINGECKO_API_PLAN"):
        monkeypatch.delenv(var, raising=False)

    def _run(*args: str, obj: dict | None = None):
        return CliRunner().invoke(main, list(args), obj=obj, catch_exceptions=False)

    return _run


def transport(status: int = 200, body: bytes = RSS, content_type: str = "application/rss+xml"):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    return {"client_factory": lambda: httpx.AsyncClient(transport=httpx.MockTransport(handler))}


def test_config_cli_exit_code_matches_cli_module():
    """The config-error exit code is the one collector.cli documents."""
    assert EXIT_CONFIG == cli.EXIT_CONFIG == 3


def test_config_cli_feeds_list_table(run, cfg):
    """The table shows every feed with its effective interval and state."""
    result = run("feeds", "list", "--config", str(cfg))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "ENABLED", "INTERVAL", "WEIGHT", "URL"]
    assert lines[1].split() == ["alpha", "yes", "5m", "(rss)", "1", "https://alpha.example/feed"]
    assert lines[3].split() == ["gamma", "no", "5m", "(rss)", "1", "https://gamma.example/atom.xml"]


def test_config_cli_feeds_list_json(run, cfg):
    """--json gives machine-readable feeds."""
    result = run("feeds", "list", "--json", "--config", str(cfg))
    data = json.loads(result.stdout)
    assert [f["name"] for f in data["feeds"]] == ["alpha", "beta", "gamma"]
    assert data["feeds"][1] == {"name": "beta", "url": "https://beta.example/rss.xml", "enabled": True,
                                "interval_seconds": 300.0, "interval_inherited": True, "weight": 2.0}


def test_config_cli_config_from_env(run, cfg, monkeypatch):
    """Without --config, COLLECTOR_CONFIG names the file."""
    monkeypatch.setenv("COLLECTOR_CONFIG", str(cfg))
    result = CliRunner().invoke(main, ["feeds", "list", "--json"])
    assert [f["name"] for f in json.loads(result.stdout)["feeds"]] == ["alpha", "beta", "gamma"]


def test_config_cli_add_and_remove_round_trip_is_byte_identical(run, cfg, commented):
    """feeds add then feeds remove gives back the original file, every comment and byte."""
    added = run("feeds", "add", "delta", "https://delta.example/feed", "--interval", "10m", "--weight", "2",
                "--config", str(cfg))
    assert added.exit_code == 0, added.output
    assert added.stdout == f"added feed 'delta' (https://delta.example/feed) in {cfg}\n"
    assert "{name: delta, url: \"https://delta.example/feed\", interval: 10m, weight: 2.0}" in cfg.read_text()
    removed = run("feeds", "remove", "delta", "--config", str(cfg))
    assert removed.exit_code == 0
    assert cfg.read_text() == commented


def test_config_cli_disable_enable_round_trip(run, cfg, commented):
    """disable then enable leaves only the enabled key behind, and states the result."""
    assert run("feeds", "disable", "alpha", "--config", str(cfg)).exit_code == 0
    assert "enabled: false}  # alpha!" in cfg.read_text()
    again = run("feeds", "disable", "alpha", "--config", str(cfg))
    assert again.stdout == f"feed 'alpha' is already disabled; {cfg} not changed\n"
    assert run("feeds", "enable", "alpha", "--config", str(cfg)).exit_code == 0
    assert cfg.read_text() == commented.replace('feed"}  # alpha!', 'feed", enabled: true}  # alpha!')


def test_config_cli_duplicate_add_refused_exit_3(run, cfg, commented):
    """A duplicate URL is refused with its path and reason, exit 3, file untouched."""
    result = run("feeds", "add", "alpha2", "https://Alpha.example/feed/", "--config", str(cfg))
    assert result.exit_code == EXIT_CONFIG
    assert "rss.feeds[3].url: 'https://Alpha.example/feed/' is already in the config as feed 'alpha'" in result.stderr
    assert "nothing was written" in result.stderr
    assert cfg.read_text() == commented


def test_config_cli_invalid_add_lists_every_problem(run, cfg):
    """Bad URL and bad weight are both printed; no traceback."""
    result = run("feeds", "add", "x", "not a url", "--weight", "0", "--config", str(cfg))
    assert result.exit_code == EXIT_CONFIG
    assert "rss.feeds[3].url: not an http(s) URL: 'not a url'" in result.stderr
    assert "rss.feeds[3].weight: must be a number > 0 and <= 100, got 0" in result.stderr
    assert "Traceback" not in result.output


def test_config_cli_bad_interval_is_a_usage_error(run, cfg):
    """--interval 1:30 is rejected by click with the accepted forms."""
    result = run("feeds", "add", "x", "https://x.example/", "--interval", "1:30", "--config", str(cfg))
    assert result.exit_code == 2
    assert "not a positive duration: '1:30'" in result.output


def test_config_cli_remove_unknown_exit_1(run, cfg):
    """Removing a feed that is not there exits 1 and lists the feeds there are."""
    result = run("feeds", "remove", "zeta", "--config", str(cfg))
    assert result.exit_code == 1
    assert result.stderr == f"error: no feed named 'zeta' in {cfg} (feeds: alpha, beta, gamma)\n"


def test_config_cli_check_shows_title_count_newest(run, cfg):
    """--check fetches once and prints the feed title, item count and newest date, then saves."""
    result = run("feeds", "add", "testnews", "https://news.example/rss", "--check", "--config", str(cfg),
                 obj=transport())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "feed check: Test Chain News: 2 items, newest 2026-10-03 12:30 UTC"
    assert "testnews" in cfg.read_text()


@pytest.mark.parametrize(
    ("status", "body", "ctype", "reason"),
    [(200, b"<html><body>hello</body></html>", "text/html", "not a readable RSS/Atom feed"),
     (404, b"nope", "text/plain", "404"),
     (200, b"", "application/rss+xml", "not a readable RSS/Atom feed")],
)
def test_config_cli_check_failure_refuses_without_force(run, cfg, commented, status, body, ctype, reason):
    """A URL that does not answer with a parsable feed is not added (exit 1)."""
    result = run("feeds", "add", "bad", "https://bad.example/rss", "--check", "--config", str(cfg),
                 obj=transport(status, body, ctype))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: feed check failed:")
    assert reason in result.stderr and "use --force to add it anyway" in result.stderr
    assert cfg.read_text() == commented


def test_config_cli_check_failure_with_force_adds(run, cfg):
    """--force adds the feed despite the failed check, with a warning."""
    result = run("feeds", "add", "bad", "https://bad.example/rss", "--check", "--force", "--config", str(cfg),
                 obj=transport(200, b"<html></html>", "text/html"))
    assert result.exit_code == 0
    assert "warning: feed check failed" in result.stderr
    assert "name: bad" in cfg.read_text()


def test_config_cli_check_skips_fetch_for_refused_add(run, cfg):
    """A duplicate is refused before any request is made."""
    calls = []

    def factory():
        calls.append(1)
        return httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=RSS)))

    result = run("feeds", "add", "alpha", "https://new.example/rss", "--check", "--config", str(cfg),
                 obj={"client_factory": factory})
    assert result.exit_code == EXIT_CONFIG and calls == []


def test_config_cli_symbols_add_list_remove(run, cfg, commented):
    """symbols add/list/remove; add then remove restores the file."""
    added = run("symbols", "add", "near", "--alias", "NEAR Protocol", "--alias", "$NEAR", "--coingecko-id", "near",
                "--subreddit", "nearprotocol", "--config", str(cfg))
    assert added.exit_code == 0, added.output
    listed = json.loads(run("symbols", "list", "--json", "--config", str(cfg)).stdout)
    assert listed["symbols"][-1] == {"symbol": "NEAR", "aliases": ["NEAR Protocol", "$NEAR"],
                                     "coingecko_id": "near", "subreddits": ["nearprotocol"], "exclude": []}
    table = run("symbols", "list", "--config", str(cfg)).stdout.splitlines()
    assert table[0].split() == ["SYMBOL", "COINGECKO", "ALIASES", "SUBREDDITS"]
    assert run("symbols", "remove", "NEAR", "--config", str(cfg)).exit_code == 0
    assert cfg.read_text() == commented


def test_config_cli_symbols_add_requires_alias(run, cfg):
    """--alias is required."""
    result = run("symbols", "add", "near", "--config", str(cfg))
    assert result.exit_code == 2 and "--alias" in result.output


def test_config_cli_config_check_ok(run, cfg):
    """A valid file: one summary line and the notices."""
    result = run("config", "check", "--config", str(cfg))
    assert result.exit_code == 0
    assert result.stdout == (f"{cfg}: ok: 2 symbols, 3 feeds (2 enabled), sources enabled: feargreed\n")


def test_config_cli_config_check_issue_case(run, tmp_path):
    """The issue's file: every problem with its path on stderr, exit 3, no traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text("symbols:\n  NO: {aliases: [NO]}\nsources:\n  reddit: {interval: -5}\n"
                    "rss:\n  feeds:\n    - {name: x, url: not a url}\n")
    result = run("config", "check", "--config", str(path))
    assert result.exit_code == EXIT_CONFIG
    assert result.stderr.splitlines() == [
        f"error: {path}: 3 configuration problems",
        '  symbols.NO: an unquoted NO means false to YAML 1.1 tools; quote the ticker: "NO":',
        "  sources.reddit.interval: must be a positive duration, got -5",
        "  rss.feeds[0].url: not an http(s) URL: 'not a url'",
    ]


def test_config_cli_broken_yaml_exit_3(run, tmp_path):
    """Broken YAML: file:line:col, exit 3, for check and for edits."""
    path = tmp_path / "feeds.yaml"
    path.write_text("rss:\n  feeds: [\n")
    for args in (("config", "check"), ("feeds", "list"), ("feeds", "add", "a", "https://a.example/")):
        result = run(*args, "--config", str(path))
        assert result.exit_code == EXIT_CONFIG
        assert f"{path}:3:1: YAML syntax error" in result.stderr


def test_config_cli_missing_file_exit_3(run, tmp_path):
    """A missing config file is a config error with advice."""
    result = run("config", "check", "--config", str(tmp_path / "nope.yaml"))
    assert result.exit_code == EXIT_CONFIG and "file not found" in result.stderr


def test_config_cli_replay_demo_edits_keep_every_comment(run, repo, tmp_path):
    """The issue-4 demo on a copy of examples/replay.yaml: add test, remove test, file unchanged."""
    path = tmp_path / "C.yaml"
    shutil.copy(repo / "examples" / "replay.yaml", path)
    original = path.read_text()
    added = run("feeds", "add", "test", "http://127.0.0.1:8765/rss/decrypt.xml", "--config", str(path))
    assert added.exit_code == 0, added.output
    assert run("feeds", "remove", "test", "--config", str(path)).exit_code == 0
    assert path.read_text() == original


def test_config_cli_format_duration():
    """Seconds shown the way they are written in feeds.yaml."""
    assert [format_duration(s) for s in (0.25, 5, 90, 300, 3600, 5400, 86400)] == [
        "250ms", "5s", "1m30s", "5m", "1h", "1h30m", "1d"]
