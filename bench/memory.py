"""Resident memory after N unique items went through deduplication and the aggregation windows.

    python bench/memory.py --items 1000000        # prints one JSON object

Runs in a fresh process (bench/run.py starts it) so the figure is not mixed with the other measurements. It
drives `Deduper` and `Window` directly, the way `Collector._ingest` does, with generated items of realistic
size (headline, one-sentence summary, link, guid), a clock that moves 5 minutes per poll of 10,000 items, and a
score read (`Window.scores`, which prunes) after every poll, as the service does when /metrics is scraped.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import time

import psutil
from common import feedgen

from collector.aggregate import Window
from collector.config import AggregationConfig
from collector.dedup import Deduper, story_keys
from collector.models import Item, ScoredItem


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--per-poll", type=int, default=10_000)
    args = ap.parse_args()
    agg = AggregationConfig()
    now = [1_800_000_000.0]
    dedup = Deduper(ttl=max(agg.window * 2, 24 * 3600.0), clock=lambda: now[0])  # as Collector builds it
    window = Window("news", agg)
    rng = random.Random(1)
    heads = [feedgen._fill(rng, rng.choice(feedgen.HEADLINES)) for _ in range(5000)]
    tails = [feedgen._fill(rng, rng.choice(feedgen.SUMMARIES)) for _ in range(5000)]
    symbols = [frozenset({c[0]}) for c in feedgen.COINS]
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    kept = 0
    for i in range(args.items):
        if i and i % args.per_poll == 0:
            now[0] += 300.0
            window.scores(now[0])
        feed = i % 200
        item = Item(source="rss", feed=f"feed{feed:03d}", kind="news", title=f"{heads[i % 5000]} ({i})",
                    url=f"https://news{feed:03d}.example/markets/story-{i}?utm_source=rss",
                    published=now[0] - rng.uniform(0, 3600), summary=tails[(i * 7) % 5000],
                    uid=f"https://news{feed:03d}.example/?p={i}", domain=f"news{feed:03d}.example")
        keys = story_keys(item)
        if dedup.is_new(keys):
            kept += 1
            window.add(ScoredItem(item=item, key=keys[0], compound=rng.uniform(-1, 1), symbols=symbols[i % 50]),
                       now[0])
    window.scores(now[0])
    gc.collect()
    after = rss_mb()
    print(json.dumps({
        "items": args.items, "unique_kept": kept, "seconds": round(time.perf_counter() - start, 1),
        "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1), "delta_mb": round(after - before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "dedup_keys": len(dedup), "window_items": len(window),
    }))


if __name__ == "__main__":
    main()
