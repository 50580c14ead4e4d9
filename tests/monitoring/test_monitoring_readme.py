"""README.md shows how to run the monitoring stack and has a runbook section for every alert (issue 5).

Ready to go in as tests/monitoring/test_monitoring_readme.py once the "Monitoring" and "Runbook" sections of
/work/notes/monitoring_readme.md are in README.md (it fails before that, on purpose).
"""

from __future__ import annotations

import re
from typing import Any

from monitoring_contract import REPO

README = REPO / "README.md"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_monitoring_readme_has_a_runbook_section_for_every_alert(alert_rules: list[dict[str, Any]]) -> None:
    """Every alert's runbook link points at a "### Runbook: <alert>" heading of README.md."""
    anchors = {_slug(line.lstrip("#")) for line in README.read_text().splitlines() if line.startswith("#")}
    for rule in alert_rules:
        fragment = rule["annotations"]["runbook"].partition("#")[2]
        assert fragment == _slug(f"Runbook: {rule['alert']}"), rule["alert"]
        assert fragment in anchors, f"README.md has no heading for #{fragment}"


def test_monitoring_readme_shows_how_to_run_the_stack() -> None:
    """README.md has a Monitoring section with the compose commands and the promtool checks."""
    text = README.read_text()
    assert "\n## Monitoring\n" in text and "\n## Runbook\n" in text
    for needle in ("cp .env.example .env", "docker compose up", "promtool test rules monitoring/alerts.test.yml"):
        assert needle in text, needle
