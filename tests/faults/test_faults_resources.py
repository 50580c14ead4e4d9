"""Resources: decompression bombs stay within the body cap in memory; memory stays flat across 10,000 polls of
fresh items; 1,000 failing polls leak no file descriptor and no task. Figures: tests/faults/faults_measure.py."""

from __future__ import annotations

import pytest
from faults_measure import BOMBS, MiB, failing_polls, polls_memory
from faults_measure import bomb_peak as measure_bomb

from collector.aggregate import Window
from collector.config import AggregationConfig
from collector.dedup import Deduper
from collector.models import Item, ScoredItem

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    """1 GiB of zeros as gzip, deflate and brotli (about 1 MiB, 1 MiB and 190 KiB on the wire)."""
    return {name: make(1 << 30) for name, make in BOMBS.items()}


@pytest.mark.parametrize("encoding", sorted(BOMBS))
async def test_faults_decompression_bomb_is_cut_at_the_cap_in_bounded_memory(encoding, bombs, upstream):
    """A 1 GiB bomb (chunked, no Content-Length) fails too_large; traced memory peaks near the 1 MiB cap."""
    reason, peak, seconds = await measure_bomb(upstream, encoding, bombs[encoding], cap=MiB)
    assert reason == "too_large"
    assert peak < MiB + 1.5 * MiB, f"peak {peak / MiB:.1f} MiB for a 1 MiB cap"
    assert seconds < 2.0


async def test_faults_memory_stays_flat_across_10000_polls_of_fresh_items():
    """Fresh items every poll: dedup memory (TTL) and the window (its span) stop growing; traced memory is flat."""
    mem = await polls_memory(polls=10_000, per_poll=2, every=120.0, scrape_every=20)
    by_poll = dict(mem.samples)
    steady, end = by_poll[3000], by_poll[10_000]  # the dedup TTL (24 h) is 720 polls of 2 minutes
    assert end - steady < 256 * 1024, f"grew {(end - steady) / 1024:.0f} KiB from poll 3000 to 10000"
    assert mem.dedup_keys <= 2 * 2 * (24 * 3600 / 120 + 1)  # two keys (url, title) per item for one TTL
    assert mem.window_items <= 2 * (6 * 3600 / 120 + 20)  # one window's worth (pruned at each scrape)


def test_faults_dedup_memory_is_bounded_by_size_too():
    """Within one TTL the dedup memory still stops at max_size (oldest keys go first)."""
    dedup = Deduper(ttl=1e9, max_size=1000, clock=lambda: 0.0)
    for i in range(5000):
        dedup.is_new([f"u:https://x.example/{i}"])
    assert len(dedup) == 1000


def test_faults_window_is_bounded_by_max_items():
    """A window that is never scraped (so never pruned by time) still holds at most max_items."""
    window = Window("news", AggregationConfig(window=1e9), max_items=100)
    for i in range(1000):
        item = Item(source="rss", feed="f", kind="news", title=f"t{i}", url="", published=0.0)
        window.add(ScoredItem(item=item, key=f"k{i}", compound=0.1, symbols=frozenset()), arrived=0.0)
    assert len(window) == 100


async def test_faults_no_fd_or_task_leak_across_1000_failing_polls(upstream, tmp_path):
    """Every source fails on every poll (reset, 5xx, HTML, redirect loop, 429, oversize, timeouts): open file
    descriptors and asyncio tasks are the same after 1,000 polls as after the first 20."""
    figures = await failing_polls(upstream, tmp_path, polls=1000)
    assert figures["failed_runs"] == figures["runs"] == 7000
    assert figures["tasks_after"] == figures["tasks_before"]
    assert figures["fds_after"] <= figures["fds_before"] + 2, figures
