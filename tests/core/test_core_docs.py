"""The README stays true: every CLI command is documented, every exported metric is in the table."""

from __future__ import annotations

import re
from pathlib import Path

import click

from collector.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "collector") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, path))
        else:
            out.append(path)
    return out


def test_docs_every_command_in_readme():
    """Each `collector ...` command appears in the README's CLI reference."""
    missing = [c for c in _commands(main) if f"`{c}" not in README]
    assert missing == []


def test_docs_every_metric_in_readme():
    """Each metric name defined in collector/metrics.py has a row in the README's metrics table."""
    source = (Path(__file__).resolve().parents[2] / "collector" / "metrics.py").read_text()
    names = set(re.findall(r'"(sigmax_[a-z0-9_]+)"', source))
    counters = {"sigmax_research_api_requests", "sigmax_research_api_errors", "sigmax_news_articles_processed"}
    names = {n + "_total" if n in counters else n for n in names}
    missing = sorted(n for n in names if f"| `{n}` |" not in README)
    assert missing == []
