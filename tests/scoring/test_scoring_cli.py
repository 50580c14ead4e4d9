"""`collector score` and `collector eval` through click's runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from collector.cli import main

CONFIG = """\
symbols:
  NEAR: {aliases: [NEAR Protocol, NEAR, $NEAR]}
  BTC: {aliases: [Bitcoin, BTC]}
sources: {}
rss:
  feeds: []
"""


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., tuple[int, str, str]]:
    """Run the CLI in an empty working directory without COLLECTOR_* variables; (exit code, stdout, stderr)."""
    for var in ("COLLECTOR_CONFIG", "COLLECTOR_EVAL_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, stdin: bytes | str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_score_cli_arguments_print_label_symbols_and_rules(run: Callable[..., tuple[int, str, str]]) -> None:
    """Texts given as arguments print compound, label, symbols and what fired."""
    code, out, err = run("score", "Bitcoin hits an all-time high", "Exchange halts withdrawals")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[1:3] == ["positive", "BTC"]
    assert "phrase:all time high" in lines[1]
    assert lines[2].split()[1:3] == ["negative", "-"]
    assert "built-in symbol set" in err


def test_score_cli_json_from_stdin_one_object_per_line(run: Callable[..., tuple[int, str, str]]) -> None:
    """`score --json -` reads one text per line and prints one JSON object per line; blank lines skipped."""
    code, out, _err = run("score", "--json", "-", stdin="Solana surges 12%\n\nSEC sues an exchange\n")
    assert code == 0
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o["text"] for o in objs] == ["Solana surges 12%", "SEC sues an exchange"]
    assert set(objs[0]) >= {"text", "compound", "label", "symbols", "rules"}
    assert objs[0]["symbols"] == ["SOL"] and objs[0]["label"] == "positive"
    assert objs[1]["label"] == "negative" and -1 <= objs[1]["compound"] <= 1
    assert any(e["term"].startswith("sues") for e in objs[1]["entries"])


def test_score_cli_invalid_utf8_on_stdin_is_replaced(run: Callable[..., tuple[int, str, str]]) -> None:
    """Undecodable bytes on stdin are replaced, not fatal."""
    code, out, _err = run("score", "--json", "-", stdin=b"Bitcoin \xff rallies\n")
    assert code == 0
    assert json.loads(out)["symbols"] == ["BTC"]


def test_score_cli_uses_the_config_symbols(run: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    """--config PATH decides the symbol set."""
    cfg = tmp_path / "mine.yaml"
    cfg.write_text(CONFIG, encoding="utf-8")
    code, out, err = run("score", "--json", "--config", str(cfg), "NEAR rallies while Solana waits")
    assert code == 0, err
    assert json.loads(out)["symbols"] == ["NEAR"]
    assert "built-in" not in err


def test_score_cli_reads_feeds_yaml_in_the_working_directory(
    run: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    """Without --config, ./feeds.yaml is used when present."""
    (tmp_path / "feeds.yaml").write_text(CONFIG, encoding="utf-8")
    code, out, _err = run("score", "--json", "$NEAR and Solana")
    assert code == 0
    assert json.loads(out)["symbols"] == ["NEAR"]


def test_score_cli_bad_config_exits_3(run: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    """An invalid or missing --config file is a config error (exit 3) with the problem, no traceback."""
    code, _out, err = run("score", "--config", str(tmp_path / "nope.yaml"), "text")
    assert code == 3
    assert "nope.yaml" in err and "Traceback" not in err


def test_score_cli_requires_text(run: Callable[..., tuple[int, str, str]]) -> None:
    """No text at all is a usage error."""
    code, _out, _err = run("score")
    assert code == 2


def test_eval_cli_prints_both_scorers_per_set(
    run: Callable[..., tuple[int, str, str]], eval_dir: Callable[..., Path]
) -> None:
    """eval prints each present set with plain VADER and ours, confusion matrices and a summary."""
    code, out, err = run("eval", "--data", str(eval_dir("cryptolin_dev", "semeval17_headlines_test")))
    assert code == 0
    assert "cryptolin_dev  n=3" in out and "semeval17_headlines_test  n=3" in out
    assert "cryptolin_dev_a  n=2" in out and "cryptolin_dev_b  n=1" in out  # the halves, by id parity
    assert out.count("plain VADER") == 4 and out.count("gold\\pred") == 8
    assert "summary" in out
    assert "skipped fpb_allagree" in err


def test_eval_cli_json(run: Callable[..., tuple[int, str, str]], eval_dir: Callable[..., Path]) -> None:
    """--json prints one object with both scorers' metrics per set."""
    code, out, _err = run("eval", "--json", "--data", str(eval_dir()))
    assert code == 0
    doc = json.loads(out)
    assert set(doc["sets"]) >= {"cryptolin_dev", "fpb_allagree", "fpb_75only", "tfns_valid"}
    crypto = doc["sets"]["cryptolin_dev"]
    assert crypto["tuned"] is True and crypto["n"] == 3
    assert set(crypto["ours"]) >= {"accuracy", "macro_f1", "confusion", "pearson_r"}
    assert doc["sets"]["semeval17_headlines_test"]["ours"]["pearson_r"] is not None
    assert any(s.startswith("vader_tweets") for s in doc["skipped"])


def test_eval_cli_env_directory(
    run: Callable[..., tuple[int, str, str]], eval_dir: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """COLLECTOR_EVAL_DIR is used when --data is not given."""
    monkeypatch.setenv("COLLECTOR_EVAL_DIR", str(eval_dir("tfns_valid")))
    code, out, _err = run("eval")
    assert code == 0 and "tfns_valid  n=3" in out


def test_eval_cli_no_data_exits_1(run: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    """No set found: a clear error and exit 1."""
    code, _out, err = run("eval", "--data", str(tmp_path / "empty"))
    assert code == 1
    assert "no evaluation set found" in err and "--data" in err


def test_score_cli_help_states_the_thresholds_in_use(run: Callable[..., tuple[int, str, str]]) -> None:
    """`score --help` names the label thresholds the scorer really uses."""
    from collector.scoring import NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD

    code, out, _err = run("score", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert f">= {POSITIVE_THRESHOLD:+.2f}" in text and f"<= {NEGATIVE_THRESHOLD:+.2f}" in text
    assert "THRESHOLD" not in text
