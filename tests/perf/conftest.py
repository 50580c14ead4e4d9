"""Fixtures for tests/perf: the reference (feedparser) and fast (lxml) RSS parsers side by side
(the helpers live in perf_feeds.py, importable by name)."""

from __future__ import annotations

from collections.abc import Callable

import perf_feeds
import pytest


@pytest.fixture
def both() -> Callable[[bytes, str], tuple[perf_feeds.Outcome, perf_feeds.Outcome]]:
    """(feedparser outcome, fast-path outcome) of one document."""
    return perf_feeds.both


@pytest.fixture
def reads_itself() -> Callable[[bytes, str], bool]:
    """True when the lxml path produced the items itself (no hand-over to feedparser)."""
    return perf_feeds.reads_itself
