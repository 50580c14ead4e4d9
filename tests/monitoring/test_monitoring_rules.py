"""monitoring/alerts.yml and its promtool unit tests (issue 5, items 1 and 2)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from monitoring_contract import MONITORING, contract_problems

Run = Callable[..., subprocess.CompletedProcess[str]]

# name: (for, severity), as issue 5 gives them; the last two are ours (README "Runbook" explains them)
EXPECTED = {
    "NewsSentimentExtremelyNegative": ("10m", "warning"),
    "SocialSentimentExtremelyNegative": ("10m", "warning"),
    "ResearchAPIHighErrorRate": ("3m", "warning"),
    "ResearchAPITimeoutSpike": ("5m", "warning"),
    "RSSFeedFetchFailed": ("15m", "warning"),
    "SentimentDataStale": ("2m", "warning"),
    "FearGreedExtremeFear": ("30m", "info"),
    "SentimentCollectorDown": ("2m", "critical"),
    "NewsSentimentSharpDrop": ("1m", "critical"),
}
RUNBOOK = "https://github.com/sigmax/collector/blob/main/README.md#runbook-{}"


@pytest.mark.prometheus
def test_monitoring_rules_pass_promtool_check(run_promtool: Run) -> None:
    """`promtool check rules monitoring/alerts.yml` accepts the file and finds every alert."""
    done = run_promtool("check", "rules", "alerts.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(EXPECTED)} rules found" in done.stdout


@pytest.mark.prometheus
def test_monitoring_rules_pass_their_promtool_unit_tests(run_promtool: Run) -> None:
    """`promtool test rules monitoring/alerts.test.yml` passes."""
    done = run_promtool("test", "rules", "alerts.test.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("change", "old", "new"),
    [
        ("exactly -0.7 counts as extremely negative", "sigmax_news_sentiment_score < -0.7",
         "sigmax_news_sentiment_score <= -0.7"),
        ("exactly 600 s counts as stale", "{source!=\"feargreed\"} > 600", "{source!=\"feargreed\"} >= 600"),
        ("the error ratio is not summed by api", "sum by (api) (rate(sigmax_research_api_requests_total[5m]))",
         "rate(sigmax_research_api_requests_total[5m])"),
        ("RSSFeedFetchFailed waits 14m, not 15m", "== 0\n        for: 15m", "== 0\n        for: 14m"),
    ],
    ids=["boundary-0.7", "boundary-600s", "ratio-aggregation", "for-15m"],
)
def test_monitoring_rule_unit_tests_catch_a_wrong_rule(run_promtool: Run, tmp_path: Path, change: str,
                                                       old: str, new: str) -> None:
    """The unit tests fail for a rule file with a boundary, an aggregation or a `for` changed."""
    text = (MONITORING / "alerts.yml").read_text()
    assert text.count(old) == 1, f"the mutation {old!r} no longer applies to alerts.yml"
    (tmp_path / "alerts.yml").write_text(text.replace(old, new))
    (tmp_path / "alerts.test.yml").write_text((MONITORING / "alerts.test.yml").read_text())
    done = run_promtool("test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert done.returncode != 0, f"unit tests still pass when {change}"


def test_monitoring_rules_have_exactly_the_issue_alerts(alert_rules: list[dict[str, Any]]) -> None:
    """One group sigmax_sentiment_research with the nine alerts, their `for` and severity."""
    got = {r["alert"]: (r.get("for"), r["labels"]["severity"]) for r in alert_rules}
    assert got == EXPECTED
    assert len(alert_rules) == len(EXPECTED), "an alert name appears twice"


def test_monitoring_rules_annotations_name_labels_and_runbook(alert_rules: list[dict[str, Any]]) -> None:
    """Every alert has a summary, a description using label values or the value, and a README runbook link."""
    for rule in alert_rules:
        notes = rule["annotations"]
        assert set(notes) == {"summary", "description", "runbook"}, rule["alert"]
        assert re.search(r"\$labels\.\w+|\$value", notes["description"]), rule["alert"]
        assert notes["runbook"] == RUNBOOK.format(rule["alert"].lower()), rule["alert"]


def test_monitoring_rules_name_only_contract_metrics(alert_rules: list[dict[str, Any]]) -> None:
    """Every alert expression uses only contract metrics, with their labels."""
    problems = {r["alert"]: contract_problems(r["expr"]) for r in alert_rules}
    assert {k: v for k, v in problems.items() if v} == {}


def test_monitoring_rules_error_ratio_uses_one_counter_summed_by_api(alert_rules: list[dict[str, Any]]) -> None:
    """Both sides of the error ratio are sigmax_research_api_requests_total summed by (api)."""
    expr = next(r["expr"] for r in alert_rules if r["alert"] == "ResearchAPIHighErrorRate")
    assert " ".join(expr.split()) == (
        '( sum by (api) (rate(sigmax_research_api_requests_total{status="error"}[5m])) '
        "/ sum by (api) (rate(sigmax_research_api_requests_total[5m])) ) > 0.3"
    )


def test_monitoring_rule_unit_tests_cover_every_alert_firing_and_quiet(
        alert_rules: list[dict[str, Any]], alert_unit_tests: list[dict[str, Any]]) -> None:
    """alerts.test.yml has, for every alert, a case where it fires and one where it stays quiet."""
    firing: set[str] = set()
    quiet: set[str] = set()
    for group in alert_unit_tests:
        for case in group.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    names = {r["alert"] for r in alert_rules}
    assert names - firing == set(), "alerts never shown firing"
    assert names - quiet == set(), "alerts never shown quiet"


def test_monitoring_rule_unit_tests_check_pending_just_before_for(
        alert_rules: list[dict[str, Any]], alert_unit_tests: list[dict[str, Any]]) -> None:
    """For every alert with a `for`, a case expects an alert that the case one minute earlier does not."""

    def minutes(text: str) -> int:
        m = re.fullmatch(r"(\d+)m", text)
        assert m, f"unexpected eval_time {text!r}"
        return int(m.group(1))

    def shown(case: dict[str, Any]) -> set[frozenset[tuple[str, str]]]:
        return {frozenset(a["exp_labels"].items()) for a in case.get("exp_alerts") or []}

    for rule in alert_rules:
        name = rule["alert"]
        transitions = 0
        for group in alert_unit_tests:
            cases = {minutes(c["eval_time"]): shown(c) for c in group.get("alert_rule_test", [])
                     if c["alertname"] == name}
            transitions += sum(1 for t, alerts in cases.items() if t - 1 in cases and alerts - cases[t - 1])
        assert transitions, f"{name}: no case shows the alert pending one minute before it fires"
